"""`make bench`: the households import as a ratio to the raw bulk insert of the same rows.

Absolute seconds mean little on a shared machine; a ratio to a baseline taken moments before on the
same machine does. At 100,000 rows (ZOUFANG_BENCH_IMPORT_ROWS for a quick run) it prints the import's
rate against `bulk_create` of the very rows the import writes, into the same table (goal ≥ 0.33), and
the cost of a 300-row file in a town holding those 100,000 households against an empty town (goal:
about the same). On SQLite always, and again on PostgreSQL when DATABASE_URL is set; each run is one
transaction rolled back, so the database is left as it was.
"""

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

REPEAT = 3
RATIO_GOAL = 1 / 3
STORED_GOAL = 1.5  # a 300-row file into a full town against an empty one: “about the same”
SMALL_FILE = 300
VILLAGES, GROUPS = 20, 10
HEADER = ["户别", "村（社区）", "村民小组", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭"]


def best_of(func: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _round in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def id_number(seq: int) -> str:
    """A valid GB 11643 number, distinct for every seq below 36 million (a born day per thousand)."""
    from zoufang.registry.identifiers import id_number_check_digit

    born = dt.date(1940, 1, 1) + dt.timedelta(days=seq // 1000)
    body = f"320583{born:%Y%m%d}{seq % 1000:03d}"
    return body + id_number_check_digit(body)


def household_rows(start: int, count: int) -> list[list[str]]:
    """Households start…start+count: every column filled, each in a village's group."""
    return [["户籍户" if i % 3 else "非户籍常住户", f"基准{i % VILLAGES + 1}村", f"第{i // VILLAGES % GROUPS + 1}组",  # untranslated: bench data (generated registry rows)
             f"户主{i}", str(i % 6 + 1), f"139{i:08d}", id_number(i), f"幸福路{i}号", "否" if i % 7 else "是"]  # untranslated: bench data (generated registry rows)
            for i in range(start, start + count)]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, *rows])
    return path


def make_town(name: str) -> Any:
    """A town of VILLAGES positioned villages with GROUPS groups each, and its campaign."""
    from decimal import Decimal

    from zoufang.campaigns.models import Campaign
    from zoufang.regions.models import Region

    city = Region.objects.get_or_create(name="导入基准市", level=Region.Level.CITY, parent=None)[0]
    town = Region.objects.create(name=name, level=Region.Level.TOWN, parent=city)
    for v in range(VILLAGES):
        village = Region.objects.create(name=f"基准{v + 1}村", level=Region.Level.VILLAGE, parent=town,  # untranslated: bench data (generated registry rows)
                                        latitude=Decimal("31.18") + v / Decimal(1000), longitude=Decimal("120.90"))
        for g in range(GROUPS):
            Region.objects.create(name=f"第{g + 1}组", level=Region.Level.GROUP, parent=village)  # untranslated: bench data (generated registry rows)
    return Campaign.objects.create(slug=f"import-bench-{town.pk}", name=name, scope=town,
                                   starts_on=dt.date(2017, 3, 1), ends_on=dt.date(2017, 12, 31))


def same_rows(campaign: Any, rows: list[list[str]]) -> list[dict[str, Any]]:
    """The field values the import writes for `rows`, positions included, for the baseline to insert."""
    from zoufang.regions.models import Region
    from zoufang.regions.positions import place_new
    from zoufang.registry.models import Target

    groups = {(r.parent.name if r.parent else "", r.name): r for r in Region.objects.filter(
        path__startswith=campaign.scope.path, level=Region.Level.GROUP).select_related("parent")}
    kinds = {"户籍户": Target.Kind.REGISTERED_HOUSEHOLD, "非户籍常住户": Target.Kind.RESIDENT_HOUSEHOLD}
    targets = [Target(kind=kinds[kind], region=groups[(village, group)], name=name, member_count=int(members),
                      phone=phone, id_number=number, address=address, hardship=hardship == "是")
               for kind, village, group, name, members, phone, number, address, hardship in rows]
    place_new(campaign.scope, targets)
    fields = ("kind", "region_id", "name", "member_count", "phone", "id_number", "address", "hardship",
              "latitude", "longitude", "position_source")
    return [{f: getattr(t, f) for f in fields} for t in targets]


def rolled_back(func: Callable[[], object]) -> Callable[[], None]:
    from django.db import transaction

    def run() -> None:
        with transaction.atomic():
            func()
            transaction.set_rollback(True)

    return run


def run_backend(rows_n: int) -> None:
    """Every measurement on the configured database, inside one transaction rolled back at the end."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from zoufang.registry.imports import run_import
    from zoufang.registry.models import Target

    workdir = Path(tempfile.mkdtemp(prefix="zoufang-import-bench-"))
    big = write_csv(workdir / "households.csv", household_rows(0, rows_n))
    small = write_csv(workdir / "small.csv", household_rows(rows_n, SMALL_FILE))
    print(_("居民户导入基准（%(vendor)s，%(rows_n)s 行）") % {"vendor": connection.vendor, "rows_n": f'{rows_n:,}'})
    with transaction.atomic():
        full, empty = make_town("导入基准镇甲"), make_town("导入基准镇乙")
        values = same_rows(full, household_rows(0, rows_n))

        def baseline() -> None:
            Target.objects.bulk_create([Target(**v) for v in values], batch_size=1000)

        def import_file(path: Path, campaign: Any, expect: int) -> Callable[[], None]:
            def run() -> None:
                report = run_import("households", path, campaign=campaign)
                if not report.ok or report.created != expect:
                    raise SystemExit(_("导入结果不符：%(summary)s %(errors)s") % {
                        "summary": report.summary(), "errors": report.errors[:3],
                    })
            return run

        repeat = 1 if rows_n > 20_000 else REPEAT
        floor = best_of(rolled_back(baseline), repeat)
        seconds = best_of(rolled_back(import_file(big, full, rows_n)), repeat)
        ratio = floor / seconds
        print(_("  直接批量插入同样的行（bulk_create）%(floor)6.2f 秒，%(rows_n)s 行/秒") % {
            "floor": floor, "rows_n": f'{rows_n / floor:8,.0f}',
        })
        print(_("  导入（完整校验，全部或全不）        %(seconds)6.2f 秒，%(rows_n)s 行/秒："
                "是直接插入速率的 %(ratio).2f（目标 ≥ %(ratio_goal).2f，%(reached)s）") % {
            "seconds": seconds, "rows_n": f'{rows_n / seconds:8,.0f}', "ratio": ratio, "ratio_goal": RATIO_GOAL,
            "reached": _("达到") if ratio >= RATIO_GOAL else _("未达到"),
        })
        import_file(big, full, rows_n)()  # kept: the town now holds rows_n households
        into_empty = best_of(rolled_back(import_file(small, empty, SMALL_FILE)))
        into_full = best_of(rolled_back(import_file(small, full, SMALL_FILE)))
        grows = into_full / into_empty
        print(_("  %(small_file)s 行的文件：导入空镇 %(into_empty).3f 秒，导入已有 %(rows_n)s 户的镇 %(into_full).3f 秒，"
                "是前者的 %(grows).2f 倍（目标 ≈ 1，≤ %(stored_goal)g，%(reached)s）") % {
            "small_file": SMALL_FILE, "into_empty": into_empty, "rows_n": f'{rows_n:,}', "into_full": into_full,
            "grows": grows, "stored_goal": STORED_GOAL, "reached": _("达到") if grows <= STORED_GOAL else _("未达到"),
        })
        transaction.set_rollback(True)


# A migrated, empty SQLite database for the SQLite run to start from instead of migrating (about 20 s of CPU):
# the benches' start-up test migrates once for every bench it starts (core/tests/test_benches_start.py).
SQLITE_FROM = "ZOUFANG_BENCH_SQLITE_FROM"


def each_backend(module: str) -> None:
    """`python -m <module> --backend` on SQLite in a temporary directory, then on PostgreSQL when DATABASE_URL is
    set: one process each (a benchmark's settings are read once a process)."""
    sqlite = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    sqlite["ZOUFANG_VAR_DIR"] = tempfile.mkdtemp(prefix="zoufang-bench-")
    start = os.environ.get(SQLITE_FROM)
    if start:  # an empty database migrated before: the run's migrate then finds nothing to do
        shutil.copyfile(start, Path(sqlite["ZOUFANG_VAR_DIR"]) / "zoufang.sqlite3")
    runs = [sqlite] + ([dict(os.environ)] if os.environ.get("DATABASE_URL") else [])
    for env in runs:
        subprocess.run([sys.executable, "-m", module, "--backend"], env=env, check=True)  # noqa: S603


def main() -> None:
    """SQLite in a temporary directory, then PostgreSQL when DATABASE_URL is set: one process each."""
    rows_n = int(os.environ.get("ZOUFANG_BENCH_IMPORT_ROWS") or 100_000)
    if len(sys.argv) > 1 and sys.argv[1] == "--backend":
        run_backend(rows_n)
        return
    each_backend("zoufang.bench")


if __name__ == "__main__":
    main()
