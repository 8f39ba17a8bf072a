"""Export benchmark (`make bench`, or `python -m zoufang.exportbench`): a unit's visit ledger at 100 k and 1 M visits.

Generates the visits with the database's bulk path (COPY on PostgreSQL when DATABASE_URL is set, else
executemany into a temporary SQLite database), then exports the ledger in a child process through the download
job's own path (`jobs.services.run`: the read-only snapshot, progress beside it), which reports its
own peak resident memory (VmHWM) and CPU time beside the time the parent measured (on a shared machine the
child's CPU time is the steadier measure of linearity). Prints both sizes and the ratio of
the two beside the goal: peak under 300 MB at 1 M rows, time linear in rows.

ZOUFANG_EXPORT_BENCH_ROWS="2000,20000" makes it smaller for a quick run. On PostgreSQL the generated rows are
deleted at the end.
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

from django.utils.translation import gettext as _

GOAL_MB = 300
DEFAULT_SIZES = "100000,1000000"
CADRES = 50
TARGETS = 100_000
BATCH = 20_000


def _setup() -> None:
    if "DATABASE_URL" not in os.environ and "ZOUFANG_VAR_DIR" not in os.environ:
        os.environ["ZOUFANG_VAR_DIR"] = tempfile.mkdtemp(prefix="zoufang-export-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()


def build_world(name: str) -> tuple[Any, Any, list[int], list[int]]:
    """A town with villages and groups, one unit of CADRES cadres, TARGETS households and a campaign."""
    from django.db import transaction

    from zoufang.campaigns.models import Campaign
    from zoufang.regions.models import Region
    from zoufang.registry.models import Cadre, Target, Unit

    with transaction.atomic():
        root = Region.objects.get_or_create(name="导出基准市", level=Region.Level.CITY, parent=None)[0]
        town = Region(name=name, level=Region.Level.TOWN, parent=root)
        town.save()
        groups = []
        for v in range(10):
            village = Region(name=f"{name}{v + 1}村", level=Region.Level.VILLAGE, parent=town, sort_order=v)  # untranslated: bench data (generated registry rows)
            village.save()
            for g in range(10):
                group = Region(name=f"第{g + 1}村民小组", level=Region.Level.GROUP, parent=village, sort_order=g)  # untranslated: bench data (generated registry rows)
                group.save()
                groups.append(group)
        unit = Unit.objects.create(name=f"{name}部门", kind=Unit.Kind.TOWN_DEPARTMENT, region=town)  # untranslated: bench data (generated registry rows)
        Cadre.objects.bulk_create([Cadre(name=f"干部{c + 1:03d}", unit=unit, role=Cadre.Role.PARTY_MEMBER)  # untranslated: bench data (generated registry rows)
                                   for c in range(CADRES)])
        Target.objects.bulk_create(
            [Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=groups[i % len(groups)], name=f"户主{i}",  # untranslated: bench data (generated registry rows)
                    address=f"{groups[i % len(groups)].name}{i}号", phone=f"139{i:08d}") for i in range(TARGETS)],  # untranslated: bench data (generated registry rows)
            batch_size=5000)
        campaign = Campaign.objects.create(slug=f"export-bench-{town.pk}", name=name, scope=town, config={},
                                           starts_on="2017-01-01", ends_on="2017-12-31")
    cadres = list(Cadre.objects.filter(unit=unit).values_list("pk", flat=True))
    targets = list(Target.objects.filter(region__path__startswith=town.path).values_list("pk", flat=True))
    return campaign, unit, cadres, targets


def insert_visits(campaign: Any, cadres: list[int], targets: list[int], start: int, stop: int) -> None:
    """Visits number `start` … `stop` - 1, by the database's bulk path."""
    from django.db import connection, transaction

    from zoufang.visits.models import Visit

    fields = [f for f in Visit._meta.concrete_fields if not f.primary_key]
    first = dt.datetime(2017, 3, 1, 1, 0, tzinfo=dt.UTC)
    summary = "入户走访，了解家庭生产生活情况，宣传政策，征求对村务工作的意见建议。联系电话13912345678。"

    def values(i: int) -> dict[str, Any]:
        at = first + dt.timedelta(minutes=7 * i)
        return {"public_id": uuid.uuid4(), "created_at": at, "modified_at": at, "created_by": None,
                "modified_by": None, "version": 1, "campaign": campaign.pk, "target": targets[i % len(targets)],
                "cadre": cadres[i % len(cadres)], "client_uuid": uuid.uuid4(), "content_hash": f"{i:064x}",
                "visited_at": at, "mode": "home", "summary": f"{summary}第{i}次", "co_visitors": "",  # untranslated: bench data (generated registry rows)
                "latitude": None, "longitude": None, "location_accuracy": None, "settled_on_spot": i % 3 == 0,
                "registration_due": None, "recorded_late": False}

    names = [f.name for f in fields]
    missing = set(names) - set(values(0))
    if missing:
        raise SystemExit(_("基准数据缺少字段：%(missing)s") % {"missing": sorted(missing)})
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Visit._meta.db_table)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for i in range(start, stop):
                    row = values(i)
                    copy.write_row([row[n] for n in names])
            return
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            for low in range(start, stop, BATCH):
                rows = []
                for i in range(low, min(stop, low + BATCH)):
                    row = values(i)
                    rows.append([f.get_db_prep_save(row[f.name], connection) for f in fields])
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names from the model
                                   rows)


def export_child(unit_pk: int, path: str) -> None:
    """Run in the child: the unit's ledger as a superuser asks for it (every phone in full, audited), built as the
    task worker builds it — `jobs.services.run`: inside the read-only snapshot, its progress and audit through a
    connection of their own — then moved to `path`."""
    _setup()
    import shutil

    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from zoufang.jobs import services
    from zoufang.registry.models import Unit

    user = get_user_model().objects.filter(is_superuser=True, username="export-bench").first()
    unit = Unit.objects.get(pk=unit_pk)
    queue = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=queue):  # queued nowhere: built here, by the worker's own function
        download = services.request(user, "unit_ledger", {"unit": str(unit.public_id)})
    status = services.run(download.pk)
    download.refresh_from_db()
    built = services.file_path(download)
    if built is None:
        raise SystemExit(_("导出任务未完成（%(status)s）：%(error)s") % {"status": status, "error": download.error})
    shutil.move(built, path)
    download.delete()
    print(download.total, f"{cpu_seconds():.2f}", peak_rss_kb())


def cpu_seconds() -> float:
    """This process's own CPU time (user + system): on a shared machine, steadier than the wall clock."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_kb() -> int:
    """This process's peak resident memory since it started its own program (VmHWM).

    Not getrusage(RUSAGE_CHILDREN) in the parent: Linux carries the forking parent's high-water mark into a
    child's ru_maxrss across exec, so it would report the benchmark's own size, not the export's."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(unit_pk: int) -> tuple[int, float, float, float, int]:
    """(rows, seconds, the exporting child's CPU seconds, its peak RSS in MB, file bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ledger.xlsx")
        started = time.perf_counter()
        command = [sys.executable, "-m", "zoufang.exportbench", "--child", str(unit_pk), path]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, env=os.environ.copy())  # noqa: S603 - our own
        assert child.stdout is not None  # noqa: S101 - asked for above
        output = child.stdout.read().split()
        if child.wait() != 0:
            raise SystemExit(_("导出子进程失败（%(returncode)s）") % {"returncode": child.returncode})
        seconds = time.perf_counter() - started
        return int(output[-3]), seconds, float(output[-2]), int(output[-1]) / 1024, os.path.getsize(path)


def main() -> None:
    sizes = [int(s) for s in os.environ.get("ZOUFANG_EXPORT_BENCH_ROWS", DEFAULT_SIZES).split(",") if s.strip()]
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    User = get_user_model()  # noqa: N806 - Django's own spelling
    if not User.objects.filter(username="export-bench").exists():
        User.objects.create_superuser("export-bench", password=None)
    campaign, unit, cadres, targets = build_world(f"导出基准镇{int(time.time())}")  # untranslated: bench data (generated registry rows)
    print(_("台账导出基准（%(vendor)s），目标：100 万行峰值内存 < %(goal_mb)s MB，耗时与行数成正比") % {
        "vendor": connection.vendor, "goal_mb": GOAL_MB,
    })
    results = []
    done = 0
    try:
        for size in sizes:
            started = time.perf_counter()
            insert_visits(campaign, cadres, targets, done, size)
            done = size
            print(_("  生成 %(size)s 条走访（批量写入 %(perf_counter).1f 秒）") % {
                "size": f'{size:>9,}', "perf_counter": time.perf_counter() - started,
            }, flush=True)
            rows, seconds, cpu, peak, size_bytes = measure(unit.pk)
            results.append((rows, seconds, cpu, peak))
            print(_("  %(rows)s 行：导出 %(seconds)6.1f 秒（子进程 CPU %(cpu).1f 秒），每千行 %(seconds2).3f 秒，"
                    "子进程峰值内存 %(peak)6.1f MB（目标 < %(goal_mb)s MB：%(reached)s），"
                    "文件 %(size_bytes).1f MB") % {
                "rows": f'{rows:>9,}', "seconds": seconds, "cpu": cpu, "seconds2": seconds / rows * 1000,
                "peak": peak, "goal_mb": GOAL_MB, "reached": _("达到") if peak < GOAL_MB else _("未达到"),
                "size_bytes": size_bytes / 1e6,
            }, flush=True)
        if len(results) >= 2:
            (r1, s1, c1, p1), (r2, s2, c2, p2) = results[0], results[-1]
            time_ratio = (s2 / r2) / (s1 / r1)
            print(_("  %(r2)s 行与 %(r1)s 行之比：行数 %(r22).1f 倍，耗时 %(s2).2f 倍"
                    "（每行耗时之比 %(time_ratio).2f，线性为 1.0），子进程 CPU %(c2).2f 倍"
                    "（每行之比 %(c22).2f），峰值内存 %(p2).2f 倍（恒定为 1.0）") % {
                "r2": f'{r2:,}', "r1": f'{r1:,}', "r22": r2 / r1, "s2": s2 / s1, "time_ratio": time_ratio,
                "c2": c2 / max(c1, 0.01), "c22": (c2 / r2) / (max(c1, 0.01) / r1), "p2": p2 / p1,
            })
    finally:
        if connection.vendor == "postgresql":
            from zoufang.visits.models import Visit

            Visit.objects.filter(campaign=campaign)._raw_delete(connection.alias)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        export_child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
