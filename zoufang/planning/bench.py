"""Planner benchmark (`make bench`, or `python -m zoufang.planning.bench`): plan and check generated cities.

Sizes of 10k, 100k and 1.1M targets (the last: 1,000,000 registered households, 100,000
enterprises, 300 villages, 60,000 cadres in 1,500 units). Prints seconds per 1,000 targets at each
size and the process's peak memory, and the planner with its proof as a ratio to the database's own bulk
insert of the same assignment rows (goal ≤ 3×), on the database's default settings (PostgreSQL's work_mem
is shown, never raised). Uses DATABASE_URL when set (PostgreSQL), else a temporary SQLite database.
ZOUFANG_BENCH_MAX_TARGETS (e.g. 110000) drops the sizes above it for a quick run. Then compares the 锦溪镇 unit-to-village allocation with an exact MILP when SciPy
is installed.
"""

import copy
import math
import os
import resource
import sys
import tempfile
import time
from typing import Any

from django.utils.translation import gettext as _

CITY = {"households": 1_000_000, "enterprises": 100_000, "villages": 300, "departments": 1_200,
        "members": 45, "committees_cadres": 20}
GROUPS_PER_VILLAGE = 10
SIZES = (10_000, 100_000, 1_100_000)
RATIO_GOAL = 3.0


def _setup() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["ZOUFANG_VAR_DIR"] = tempfile.mkdtemp(prefix="zoufang-plan-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_city(name: str, scale: float) -> Any:
    """A generated town of the city's shape at `scale` (1.0 = the full city), with its campaign."""
    from django.db import transaction

    from zoufang.campaigns.config import shipped_campaign_path
    from zoufang.campaigns.models import Campaign
    from zoufang.campaigns.services import load_campaign_file
    from zoufang.regions.models import Region
    from zoufang.registry.models import Cadre, Target, Unit

    villages_n = max(3, round(CITY["villages"] * scale))
    households = round(CITY["households"] * scale)
    enterprises = round(CITY["enterprises"] * scale)
    departments = max(2, round(CITY["departments"] * scale))
    with transaction.atomic():
        root = Region.objects.get_or_create(name="基准市", level=Region.Level.CITY, parent=None)[0]
        town = Region(name=name, level=Region.Level.TOWN, parent=root)
        town.save()
        villages, groups = [], []
        for v in range(villages_n):
            village = Region(name=f"{name}{v + 1}村", level=Region.Level.VILLAGE, parent=town, sort_order=v)  # untranslated: bench data (generated registry rows)
            village.save()
            villages.append(village)
            for g in range(GROUPS_PER_VILLAGE):
                group = Region(name=f"第{g + 1}村民小组", level=Region.Level.GROUP, parent=village, sort_order=g)  # untranslated: bench data (generated registry rows)
                group.save()
                groups.append(group)
        per_group = households // len(groups)
        extra = households - per_group * len(groups)
        rows = []
        for i, group in enumerate(groups):
            for h in range(per_group + (1 if i < extra else 0)):
                rows.append(Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=group, name=f"户{i}-{h}",  # untranslated: bench data (generated registry rows)
                                   address=f"{group.name}{h + 1}号"))  # untranslated: bench data (generated registry rows)
            if len(rows) >= 50_000:
                Target.objects.bulk_create(rows, batch_size=5000)
                rows = []
        for e in range(enterprises):
            rows.append(Target(kind=Target.Kind.ENTERPRISE, region=villages[e % villages_n], name=f"{name}企业{e}"))  # untranslated: bench data (generated registry rows)
        Target.objects.bulk_create(rows, batch_size=5000)
        units = [Unit(name=f"{name}部门{d + 1}", kind=Unit.Kind.TOWN_DEPARTMENT, region=town, sort_order=d + 1)  # untranslated: bench data (generated registry rows)
                 for d in range(departments)]
        units += [Unit(name=f"{v.name}村委会", kind=Unit.Kind.VILLAGE_COMMITTEE, region=v, sort_order=10_000 + i)  # untranslated: bench data (generated registry rows)
                  for i, v in enumerate(villages)]
        Unit.objects.bulk_create(units)
        units = list(Unit.objects.filter(region__path__startswith=town.path))
        cadres = []
        for unit in units:
            village_committee = unit.kind == Unit.Kind.VILLAGE_COMMITTEE
            for c in range(CITY["committees_cadres"] if village_committee else CITY["members"]):
                cadres.append(Cadre(name=f"{unit.name}{c + 1}", unit=unit, sort_order=c,
                                    role=Cadre.Role.VILLAGE_CADRE if village_committee else Cadre.Role.PARTY_MEMBER))
        Cadre.objects.bulk_create(cadres, batch_size=5000)
        template = Campaign.objects.filter(slug="jinxi-2017").first() or load_campaign_file(
            shipped_campaign_path("jinxi-2017"))
        config = copy.deepcopy(template.config)
        config["slug"] = f"bench-{town.pk}"
        config["target_kinds"] = [Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.ENTERPRISE]
        members = departments * CITY["members"]
        low = max(1, enterprises // members)
        config["quotas"]["party_member"]["per_person"] = {"registered_household": 5, "enterprise": f"{low}-{low + 1}"}
        config["quotas"].pop("town_leader", None)
        campaign = Campaign.objects.create(slug=config["slug"], name=name, scope=town, config=config,
                                           starts_on="2017-01-01", ends_on="2017-12-31")
    return campaign, households + enterprises


def plan_and_check(campaign: Any) -> tuple[float, bool]:
    """run_plan proves the plan with plan check's own check before keeping it: both are timed together."""
    from zoufang.planning.services import PlanRejected, run_plan

    started = time.perf_counter()
    try:
        run_plan(campaign)
    except PlanRejected:
        return time.perf_counter() - started, False
    return time.perf_counter() - started, True


def bulk_insert_seconds(campaign: Any) -> float:
    """The floor: the plan's assignment rows inserted again by the planner's own bulk insert (COPY on
    PostgreSQL), into a twin campaign, their foreign keys checked, rolled back."""
    from django.db import connection, transaction

    from zoufang.campaigns.models import Campaign
    from zoufang.planning.models import Assignment
    from zoufang.planning.services import insert_assignments

    rows: list[tuple[int, tuple[int, int | None]]] = [(target, (unit, cadre)) for target, unit, cadre in
            Assignment.objects.filter(campaign=campaign).order_by("target_id")
            .values_list("target_id", "unit_id", "cadre_id").iterator(chunk_size=10_000)]
    with transaction.atomic():
        twin = Campaign.objects.create(slug=f"{campaign.slug}-twin", name=f"{campaign.name}（基准）",  # untranslated: bench data (generated registry rows)
                                       scope=campaign.scope, config=campaign.config,
                                       starts_on=campaign.starts_on, ends_on=campaign.ends_on)
        if connection.vendor == "postgresql":
            # The rows' foreign keys are checked at commit (Django's constraints are deferred), and this insert
            # is rolled back: checked here, with the insert, it is the whole cost the plan's own commit pays.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        started = time.perf_counter()
        insert_assignments(twin.pk, rows)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def database_settings() -> str:
    """What the run's database is tuned with: PostgreSQL's work_mem (left at its default), else the vendor."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return f"postgresql，work_mem={cursor.fetchone()[0]}"


def bench_sizes(args: list[str]) -> list[float]:
    """Scales from the command line, else the three sizes up to ZOUFANG_BENCH_MAX_TARGETS."""
    if args:
        return [float(a) for a in args]
    largest = int(os.environ.get("ZOUFANG_BENCH_MAX_TARGETS") or SIZES[-1])
    return [n / SIZES[-1] for n in SIZES if n <= largest] or [largest / SIZES[-1]]


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare_with_exact() -> None:
    """The 锦溪镇 registered-household placement: heuristic pairs against the MILP optimum."""
    from zoufang.planning.allocate import place

    remaining, demands = jinxi_registered_households()
    pairs, _rest = place(dict(enumerate(demands)), dict(enumerate(remaining)), order=range(len(demands)))
    print(_("锦溪镇 部门—村组合（户籍户）：启发式 %(n_pairs)s 个") % {"n_pairs": len(pairs)})
    try:
        best, bound = exact_pairs(demands, remaining)
    except ImportError:
        print("  精确解需要 SciPy（scipy.optimize.milp），未安装：未比较")
        return
    if best == bound:
        gap = len(pairs) - best
        print(_("  精确解（MILP）%(best)s 个；") % {"best": best} + ("启发式已是最优" if gap == 0 else _("差 %(gap)s 个") % {"gap": gap}))
    else:
        print(_("  MILP 限时内最好 %(best)s 个，已证下界 %(bound)s 个：启发式与最优之差至多 %(n_pairs)s 个") % {
            "best": best, "bound": bound, "n_pairs": len(pairs) - bound,
        })


def jinxi_registered_households() -> tuple[list[int], list[int]]:
    """From the seed's own tables: what each village has left after 附件1, 附件2 and 附件3-1, and each
    department's registered households in 附件4-1 — the instance the departments are placed on."""
    from zoufang.demo.loader import DATA
    from zoufang.planning.tables import (
        read_allocation_table,
        read_department_table,
        read_leader_household_table,
    )

    annex1 = read_allocation_table(DATA / "annex1.csv")
    left = {row.village: row.region_total for row in annex1.rows}
    taken = [(row.village, row.count) for row in [*annex1.rows, *read_allocation_table(DATA / "annex2.csv").rows]]
    taken += [(row.village, row.count) for row in read_leader_household_table(DATA / "annex3-1.csv").rows]
    for village, count in taken:
        left[village] -= count
    departments = read_department_table(DATA / "annex4-1.csv")
    column = departments.columns[0]  # 户籍户口
    return [n for n in left.values() if n], [row.figures[column] for row in departments.rows]


def exact_pairs(demands: list[int], supplies: list[int], time_limit: float = 120) -> tuple[int, int]:
    """Fewest (unit, village) pairs placing every demand: a MILP with x (amounts) and y (pair used).

    Returns (best found, proven lower bound); equal when the solver proved the optimum in time.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = len(demands), len(supplies)
    size = n * m
    cost = np.concatenate([np.zeros(size), np.ones(size)])
    rows: list[Any] = []
    lower: list[float] = []
    upper: list[float] = []
    for i in range(n):
        row = np.zeros(2 * size)
        row[i * m:(i + 1) * m] = 1
        rows.append(row)
        lower.append(demands[i])
        upper.append(demands[i])
    for j in range(m):
        row = np.zeros(2 * size)
        row[j:size:m] = 1
        rows.append(row)
        lower.append(0)
        upper.append(supplies[j])
    for k in range(size):
        i, j = divmod(k, m)
        row = np.zeros(2 * size)
        row[k] = 1
        row[size + k] = -min(demands[i], supplies[j])
        rows.append(row)
        lower.append(-np.inf)
        upper.append(0)
    result = milp(cost, constraints=LinearConstraint(np.array(rows), lower, upper),
                  integrality=np.ones(2 * size), bounds=Bounds(0, np.concatenate([np.full(size, np.inf),
                                                                                 np.ones(size)])),
                  options={"time_limit": time_limit})
    bound = math.ceil(getattr(result, "mip_dual_bound", result.fun) - 1e-6)
    return round(result.fun), bound


def main(argv: list[str] | None = None) -> None:
    sizes = bench_sizes(argv if argv is not None else sys.argv[1:])
    _setup()

    print(_("分配基准（%(database_settings)s）") % {"database_settings": database_settings()})
    previous = None
    for index, scale in enumerate(sizes):
        campaign, targets = build_city(f"基准镇{index + 1}", scale)  # untranslated: bench data (generated registry rows)
        seconds, clean = plan_and_check(campaign)
        per_thousand = seconds / targets * 1000
        growth = _("，是上一规模的 %(per_thousand).2f 倍") % {"per_thousand": per_thousand / previous} if previous else ""
        print(_("  %(targets)s 个对象：分配并核验 %(seconds)6.1f 秒，每千个 %(per_thousand)6.1f 毫秒%(growth)s"
                "，核验%(outcome)s，峰值内存 %(peak_memory_mib)s MiB") % {
            "targets": f'{targets:>9,}', "seconds": seconds, "per_thousand": per_thousand * 1000, "growth": growth,
            "outcome": _("通过") if clean else _("未通过"), "peak_memory_mib": f'{peak_memory_mib():,.0f}',
        })
        floor = bulk_insert_seconds(campaign)
        ratio = seconds / floor
        print(_("  %(blank)s   同样分配行的直接批量插入 %(floor)6.1f 秒：分配并核验是它的 %(ratio).2f 倍"
                "（目标 ≤ %(ratio_goal)g 倍，%(reached)s）") % {
            "blank": f"{'':>9}", "floor": floor, "ratio": ratio, "ratio_goal": RATIO_GOAL,
            "reached": _("达到") if ratio <= RATIO_GOAL else _("未达到"),
        })
        previous = per_thousand
    compare_with_exact()


if __name__ == "__main__":
    main()
