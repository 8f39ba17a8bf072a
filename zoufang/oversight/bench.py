"""Oversight benchmark (`make bench`, or `python -m zoufang.oversight.bench`): the kept counts against the recount.

On PostgreSQL only (DATABASE_URL): a campaign of N visits over N/2 targets and N/10 cases (N = ZOUFANG_BENCH_VISITS,
default 10,000,000; e.g. ZOUFANG_BENCH_VISITS=1000000 for a shared machine) is generated inside PostgreSQL (one
INSERT … SELECT over generate_series a table, the loaded tables' secondary indexes and unique / foreign-key
constraints dropped for the load and made again after it, in one transaction) into a bench database of its own
(the DATABASE_URL's name + "_bench", created when missing; never a test database), its kept counts are built
(`counters.rebuild`, `case_counters.rebuild`), then each dashboard figure at each level (the whole campaign, a
town, a village, a grid, a unit, a cadre) is timed as the pages call it: `figures.coverage` / `weekly_visits`
reading the kept counts, and the same call on a copy of the queryset (`.all()`), which recounts with the GROUP BY
over assignments and visits the figures used before; the case results likewise (`figures.case_figures` /
`case_totals` on the kept case counts against the GROUP BY over the cases; the by-unit and by-village tables a
page of 200 rows, as the dashboard shows them). It prints each p95 in ms and their ratio beside the goals (p95 ≤
100 ms, ≥ 20 × faster). A second run with the same N reuses the generated campaign; ZOUFANG_BENCH_ONLY=<text>[|<text>…]
times only the figures whose label holds one of the texts; ZOUFANG_BENCH_VERIFY=0 skips the final `oversight verify`.
Each figure's kept read is made WARM_READS times untimed before it is timed (a server's connection is warm), and the
process's heap is settled first as a web or task worker's is (`core.heap.settle`: the loaded objects frozen out of
the collector's walks).
The bench database is VACUUMed and ANALYZEd before the timing, as autovacuum would have done after the load (a bench
or test database may run without it): the kept counts' index-only scans (oversight migration 0005) need the
visibility map, and a table a later migration filled (0008), its statistics.
Cold cache: the first pass over a level's nodes reads each node's pages for the first time in the run, the recount
of a node comes after its kept reads; neither is made cold by the bench itself (docs/oversight.md, "cold cache",
says how the cold figures were taken: PostgreSQL's buffers refilled, the database's files dropped from the OS
cache).
"""

import contextlib
import dataclasses
import datetime as dt
import functools
import math
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

GOAL_MS = 100
GOAL_RATIO = 20
TOWNS, VILLAGES, GRIDS, UNITS_PER_TOWN = 10, 50, 20, 200
TARGETS_PER_CADRE = 50
VISITED_SHARE = 0.8  # of the targets; the visits are spread over these, several each
TODAY = dt.date(2017, 7, 15)
STARTS = dt.datetime(2017, 3, 1, 1, 0, tzinfo=dt.UTC)
# A real year re-plans and reassigns: every LATER_EVERY-th assignment (5 %) was given on one of LATER_DAYS after the
# plan day (decision 0042), spread over the cadres, so the behind-pace lists sum the work given later per node.
LATER_EVERY = 20
LATER_DAYS = (dt.date(2017, 4, 12), dt.date(2017, 5, 20), dt.date(2017, 6, 3), dt.date(2017, 6, 28))
SAMPLES, WHOLE_SAMPLES = 40, 10  # kept-count reads per level (different nodes), per whole-campaign figure
PAGE = 200  # rows a page of a table shows (oversight.paged.PAGE_MAX)
# Kept reads made before timing a figure's: a web server's connection lives ZOUFANG_DB_CONN_MAX_AGE (60 s) and has
# read a hot statement many times, while PostgreSQL plans a prepared one (core.rawrows.prepared_rows) afresh on each
# of its first five executions on a connection, then keeps a generic plan.
WARM_READS = 5
# Kept reads are timed over the nodes again, up to KEPT_PASSES times while they took less than KEPT_BUDGET seconds
# in all: a fast figure's p95 then rests on a few hundred reads, not on the third slowest of 40.
KEPT_PASSES, KEPT_BUDGET = 5, 2.0
RECOUNT_BUDGET = 60.0  # seconds of recounts per figure (at least 3 runs): a recount at 10 M takes seconds


def bench_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name.startswith("test"):
        raise SystemExit(_("基准不在测试数据库 %(name)s 上运行") % {"name": name})
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def _setup() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("督查统计基准：需要 PostgreSQL（DATABASE_URL=postgres://…），跳过")
        return False
    import psycopg

    target = bench_url(url)
    name = urlsplit(target).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = target
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return True


def _reserve(table: str, count: int) -> int:
    """The first of `count` fresh ids from the table's sequence."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f"nextval(pg_get_serial_sequence('{table}', 'id')) + %s - 1)", [count])
        return int(cursor.fetchone()[0]) - count + 1


def _copy(table: str, columns: list[str], rows: Any) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


STAMP = ["id", "public_id", "created_at", "modified_at", "version"]


def generate(visits: int) -> Any:
    """The campaign `bench-<visits>`: 10 towns × 50 villages × 20 grids, 200 units a town, a cadre per 50
    targets, every target assigned, 80 % of them visited (N visits in all, spread over 20 weeks)."""
    from django.db import transaction

    from zoufang.campaigns.models import Campaign

    slug = f"bench-{visits}"
    found = Campaign.objects.filter(slug=slug).first()
    if found is not None:
        print(_("  沿用已生成的活动 %(slug)s") % {"slug": slug})
        return found
    targets = visits // 2
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with transaction.atomic():
        regions = _reserve("regions_region", 1 + TOWNS * (1 + VILLAGES * (1 + GRIDS)))
        tree: list[tuple[int, int | None, str, str, str, int]] = []  # id, parent, name, level, path, sort
        city = regions
        tree.append((city, None, f"基准市{visits}", "city", f"{city:06d}.", 0))  # untranslated: bench data (generated registry rows)
        grids: list[tuple[int, int, int, int]] = []  # grid id, town, village and grid index
        next_id = city + 1
        for t in range(TOWNS):
            town, next_id = next_id, next_id + 1
            town_path = f"{city:06d}.{town:06d}."
            tree.append((town, city, f"基准镇{t + 1}", "town", town_path, t))  # untranslated: bench data (generated registry rows)
            for v in range(VILLAGES):
                village, next_id = next_id, next_id + 1
                village_path = f"{town_path}{village:06d}."
                tree.append((village, town, f"基准{t + 1}镇{v + 1}村", "village", village_path, v))  # untranslated: bench data (generated registry rows)
                for g in range(GRIDS):
                    grid, next_id = next_id, next_id + 1
                    tree.append((grid, village, f"第{g + 1}网格", "grid", f"{village_path}{grid:06d}.", g))  # untranslated: bench data (generated registry rows)
                    grids.append((grid, t, v, g))
        _copy("regions_region", [*STAMP, "parent_id", "name", "level", "code", "path", "sort_order", "is_demo"],
              ((i, uuid.uuid4(), now, now, 1, parent, name, level, "", path, sort, False)
               for i, parent, name, level, path, sort in tree))
        units_n = TOWNS * UNITS_PER_TOWN
        per_unit = max(2, targets // TARGETS_PER_CADRE // units_n)
        first_unit = _reserve("registry_unit", units_n)
        _copy("registry_unit", [*STAMP, "name", "kind", "sort_order", "region_id", "party_member_count"],
              ((first_unit + u, uuid.uuid4(), now, now, 1, f"基准{visits}单位{u + 1}", "town_department", u,  # untranslated: bench data (generated registry rows)
                tree[1 + (u // UNITS_PER_TOWN) * (1 + VILLAGES * (1 + GRIDS))][0], per_unit)
               for u in range(units_n)))
        first_cadre = _reserve("registry_cadre", units_n * per_unit)
        _copy("registry_cadre", [*STAMP, "name", "role", "title", "phone", "phone_index", "sort_order", "is_demo",
                                 "unit_id"],
              ((first_cadre + c, uuid.uuid4(), now, now, 1, f"干部{c + 1}", "party_member", "", "", "", c % per_unit,  # untranslated: bench data (generated registry rows)
                False, first_unit + c // per_unit) for c in range(units_n * per_unit)))
        campaign = Campaign.objects.create(
            slug=slug, name=f"督查统计基准（{visits:,} 次走访）", scope_id=city, starts_on=STARTS.date(),  # untranslated: bench data (generated registry rows)
            ends_on=dt.date(2017, 12, 31), plan_given_on=STARTS.date(),
            config={"pace": {"monthly_min_share": "1/5", "starts_on": "2017-03-01", "complete_by": "2017-09-30",
                             "target_kinds": ["registered_household", "enterprise"]}})
        first_target = _reserve("registry_target", targets)
        first_visit = _reserve("visits_visit", visits)
        # Each grid's unit (its town's, four villages' grids a unit), by the grid's place in `grids`: a target i
        # lies in grid i mod G and its cadre is the unit's (i div G) mod per_unit-th.
        grid_ids = [grid for grid, _t, _v, _g in grids]
        grid_units = [t * UNITS_PER_TOWN + (v * 4 + g // 5) % UNITS_PER_TOWN for _grid, t, v, g in grids]
        shape = {"now": now, "campaign": campaign.pk, "targets": targets, "visits": visits, "g": len(grids),
                 "grids": grid_ids, "units": grid_units, "per_unit": per_unit, "first_target": first_target,
                 "first_unit": first_unit, "first_cadre": first_cadre, "first_visit": first_visit,
                 "visited": max(1, int(targets * VISITED_SHARE)), "starts": STARTS, "hours": 140 * 24,
                 # a prime: visit i goes to target (i × step) mod visited, each ~N / visited times
                 "step": 1_000_003, "plan_day": STARTS.date(), "later_every": LATER_EVERY,
                 "later_days": list(LATER_DAYS)}
        with _unindexed(LOADED):
            _insert(TARGETS_SQL, shape)
            _insert(ASSIGNMENTS_SQL, shape)
            Campaign.objects.filter(pk=campaign.pk).update(given_later_on=max(LATER_DAYS))
            _insert(VISITS_SQL, shape)
            cases = _insert_cases(campaign)
            loaded = time.perf_counter() - started
    print(_("  生成：%(towns)s 个镇、%(towns2)s 个村、%(n_grids)s 个网格、%(units_n)s 个单位、"
            "%(units_n2)s 名干部、%(targets)s 个对象、%(visits)s 次走访、%(cases)s 件问题"
            "（INSERT … SELECT，不带索引与外键）%(loaded).0f 秒；重建索引与外键后共 %(perf_counter).0f 秒") % {
        "towns": TOWNS, "towns2": TOWNS * VILLAGES, "n_grids": len(grids), "units_n": units_n,
        "units_n2": f'{units_n * per_unit:,}', "targets": f'{targets:,}', "visits": f'{visits:,}',
        "cases": f'{cases:,}', "loaded": loaded, "perf_counter": time.perf_counter() - started,
    })
    build(campaign)
    return campaign


CASE_EVERY = 5  # a case on every fifth assignment: N / 10 cases
STATUSES = ["draft", "registered", "dispatched", "dispatched", "accepted", "signoff", "escalated", "resolved",
            "resolved", "explained", "replied", "called_back", "closed"]

# The generated rows, made inside PostgreSQL (no row crosses the wire): %(…)s are `generate`'s `shape`.
TARGETS_SQL = (
    "INSERT INTO registry_target (id, public_id, created_at, modified_at, version, kind, name, address, phone, "
    "id_number, hardship, credit_code, scale, is_key, industry, stage, description, is_demo, region_id, "
    "id_number_index, phone_index, position_source, contact_name, legal_representative) "
    "SELECT %(first_target)s + i, gen_random_uuid(), %(now)s, %(now)s, 1, "
    "CASE WHEN i %% 10 = 9 THEN 'enterprise' ELSE 'registered_household' END, '对象' || i, '', '', '', false, '', "
    "'', false, '', '', '', false, (%(grids)s::bigint[])[1 + i %% %(g)s], '', '', '', '', '' "
    "FROM generate_series(0::bigint, %(targets)s - 1) AS i")
# A target's cadre: its grid's unit's (i div G) mod per_unit-th.
_CADRE = ("%(first_cadre)s + (%(units)s::int[])[1 + {i} %% %(g)s] * %(per_unit)s "
          "+ ({i} / %(g)s) %% %(per_unit)s")
ASSIGNMENTS_SQL = (
    "INSERT INTO planning_assignment (public_id, created_at, modified_at, version, campaign_id, target_id, unit_id, "
    "cadre_id, pinned, given_on) "
    "SELECT gen_random_uuid(), %(now)s, %(now)s, 1, %(campaign)s, %(first_target)s + i, "
    "%(first_unit)s + (%(units)s::int[])[1 + i %% %(g)s], " + _CADRE.format(i="i") + ", false, "
    # every grid and every cadre of a unit get some: the grid is i mod G, the cadre's place (i div G) mod per_unit
    "CASE WHEN (i + i / %(g)s) %% %(later_every)s = 7 "
    "THEN (%(later_days)s::date[])[1 + (i / %(later_every)s) %% cardinality(%(later_days)s::date[])] "
    "ELSE %(plan_day)s END "
    "FROM generate_series(0::bigint, %(targets)s - 1) AS i ORDER BY i")
VISITS_SQL = (
    "INSERT INTO visits_visit (id, public_id, created_at, modified_at, version, client_uuid, content_hash, "
    "visited_at, mode, summary, co_visitors, recorded_late, settled_on_spot, cadre_id, campaign_id, target_id) "
    "SELECT %(first_visit)s + i, gen_random_uuid(), %(now)s, %(now)s, 1, gen_random_uuid(), '', "
    "%(starts)s::timestamptz + interval '1 hour' * ((i * 7) %% %(hours)s), 'home', '', '', false, false, "
    + _CADRE.format(i="j") + ", %(campaign)s, %(first_target)s + j "
    "FROM generate_series(0::bigint, %(visits)s - 1) AS i CROSS JOIN LATERAL (SELECT (i * %(step)s) %% %(visited)s "
    "AS j) AS spread")
# The tables loaded in bulk: their secondary indexes and unique and foreign-key constraints are dropped for the
# load and made again after it (one sort each, not millions of random B-tree inserts and deferred FK checks).
LOADED = ("registry_target", "planning_assignment", "visits_visit", "cases_case")


def _insert(sql: str, shape: dict[str, Any]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, shape)
        return int(cursor.rowcount)


@contextlib.contextmanager
def _unindexed(tables: tuple[str, ...]) -> Any:
    """The tables without their secondary indexes and unique / foreign-key constraints while the block loads
    them, everything made again (and the foreign keys validated) when it ends, in the caller's transaction: a
    failure leaves the tables as they were."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Dropping or adding a foreign key alters the table it references too, which must have no deferred check
        # pending (the regions, units, cadres and campaign written before): they are checked now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype DESC",
                       [list(tables)])
        constraints = cursor.fetchall()  # unique first (a foreign key may lean on one), then foreign keys
        cursor.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                       "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
                       "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [list(tables)])
        indexes = cursor.fetchall()
        for table, name, _definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def generate_cases(campaign: Any) -> int:
    """The campaign's cases when a campaign generated before the bench made cases has none (see _insert_cases)."""
    from django.db import transaction

    from zoufang.cases.models import Case

    found = Case.objects.filter(campaign=campaign).count()
    if found:
        return found
    started = time.perf_counter()
    with transaction.atomic():
        made = _insert_cases(campaign)
    print(_("  生成 %(made)s 件问题（INSERT … SELECT）%(perf_counter).0f 秒") % {
        "made": f'{made:,}', "perf_counter": time.perf_counter() - started,
    })
    return made


def _insert_cases(campaign: Any) -> int:
    """One case on every CASE_EVERY-th assignment (N / 10), in one INSERT … SELECT over the assignments: 13
    statuses in turn (draft to closed), raised over 20 weeks, due 0–39 days after dispatch, one in six categories'
    items each, 满意 / 基本满意 / 不满意 on those called back. Returns how many."""
    from django.db import connection

    from zoufang.campaigns.models import CaseCategory

    items = []
    for n in range(6):
        top = CaseCategory.objects.create(campaign=campaign, code=str(n + 1), title=f"基准类别{n + 1}",  # untranslated: bench data (generated registry rows)
                                          sort_order=n * 3)
        items += [CaseCategory.objects.create(campaign=campaign, code=f"{n + 1}.{m + 1}", parent=top,
                                              title=f"基准类别{n + 1}.{m + 1}", sort_order=n * 3 + m + 1)  # untranslated: bench data (generated registry rows)
                  for m in range(2)]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_case (public_id, created_at, modified_at, version, campaign_id, kind, category_id, "
            "description, status, priority, source, target_id, raiser_name, raiser_phone_index, raiser_phone, "
            "external_id, region_id, raised_at, registered_on, registered_late, settled_on_spot, unit_id, "
            "dispatched_on, extension_days, handling_due, paused_since, paused_working_days, extension_reason, "
            "escalation_route, escalation_reason, resolution, resolved_at, explanation, satisfaction, "
            "reopen_count, public_summary) "
            "SELECT gen_random_uuid(), now(), now(), 1, a.campaign_id, 'problem', (%s::bigint[])[1 + a.id %% 12], "
            "'基准问题', (%s::text[])[1 + x.k], 'normal', 'visit', a.target_id, '', '', '', '', t.region_id, "
            "x.raised, CASE WHEN x.k > 0 THEN x.raised::date + 1 END, a.id %% 7 = 0, false, "
            "CASE WHEN x.k > 1 THEN a.unit_id END, CASE WHEN x.k > 1 THEN x.raised::date + 2 END, 0, "
            "CASE WHEN x.k > 1 THEN x.raised::date + 2 + (a.id %% 40)::int END, "
            "CASE WHEN x.k = 5 AND a.id %% 2 = 0 THEN x.raised::date + 3 END, 0, '', "
            "CASE WHEN x.k = 6 THEN 'coordination' ELSE '' END, '', "
            "CASE WHEN x.k IN (7, 8, 10, 11, 12) THEN '已解决' ELSE '' END, "
            "CASE WHEN x.k >= 7 THEN x.raised + interval '1 day' * (2 + a.id %% 45) END, "
            "CASE WHEN x.k = 9 THEN '已解释' ELSE '' END, "
            "CASE WHEN x.k = 11 THEN 'satisfied' WHEN x.k = 12 THEN (ARRAY['fairly', 'unsatisfied'])[1 + a.id %% 2] "
            "ELSE '' END, 0, '' "
            "FROM planning_assignment a JOIN registry_target t ON t.id = a.target_id "
            "CROSS JOIN LATERAL (SELECT ((a.id / %s) %% 13)::int AS k, "
            "%s::timestamptz + interval '1 hour' * ((a.id * 7) %% (140 * 24)) AS raised) x "
            "WHERE a.campaign_id = %s AND a.id %% %s = 0",
            [[item.pk for item in items], STATUSES, CASE_EVERY, STARTS, campaign.pk, CASE_EVERY])
        return int(cursor.rowcount)


def build(campaign: Any) -> None:
    from django.db import connection

    from zoufang.oversight import counters

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner must know the COPY's millions before the recount's joins
    counters.rebuild(campaign.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(_("  建立保存的计数并 ANALYZE：%(perf_counter).0f 秒") % {"perf_counter": time.perf_counter() - started})
    build_cases(campaign)


def build_cases(campaign: Any) -> None:
    from django.db import connection

    from zoufang.oversight import case_counters

    started = time.perf_counter()
    case_counters.rebuild(campaign.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(_("  建立保存的问题办理计数：%(perf_counter).0f 秒") % {"perf_counter": time.perf_counter() - started})


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def timed(func: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def measure(campaign: Any) -> list[tuple[str, float, float, int, int, bool]]:
    from zoufang.oversight import figures
    from zoufang.regions.models import Region
    from zoufang.registry.models import Cadre, Unit

    rng = random.Random(11)  # noqa: S311 - sampling nodes, not security
    scope = campaign.scope

    def nodes(model: Any, **where: Any) -> list[Any]:
        ids = list(model.objects.filter(**where).values_list("pk", flat=True))
        return list(model.objects.filter(pk__in=rng.sample(ids, min(SAMPLES, len(ids)))))

    under = {"path__startswith": scope.path}

    def pages(by: str) -> list[dict[str, Any]]:
        """The first and the last page of a table (cases-… or coverage), in turn."""
        if by.startswith("cases-"):
            count = figures.case_figures(campaign, by.removeprefix("cases-"), TODAY, page=(0, 1)).count
        else:
            count = figures.coverage(campaign, by, TODAY, figures.assignments(campaign), page=(0, 1)).count
        last = (count - 1) // PAGE * PAGE
        return [{"page": 0}, {"page": last}] * (WHOLE_SAMPLES // 2)

    levels: list[tuple[str, str, list[dict[str, Any]]]] = [
        ("全活动·按镇", "town", [{}] * WHOLE_SAMPLES),
        ("全活动·按村", "village", [{}] * WHOLE_SAMPLES),
        ("全活动·按单位", "unit", [{}] * WHOLE_SAMPLES),
        # The by-unit, by-cadre and by-village tables as the dashboard and the API show them: a page of 200 rows (the first and
        # the last), against grouping every assignment and cutting the page.
        ("全活动·按单位（一页200行）", "unit", pages("unit")),
        ("全活动·按干部（一页200行）", "cadre", pages("cadre")),
        ("全活动·按村（一页200行）", "village", pages("village")),
        ("全活动·每周曲线", "weekly", [{}] * WHOLE_SAMPLES),
        ("镇·按村", "village", [{"region": r} for r in nodes(Region, level="town", **under)]),
        ("村·按网格", "grid", [{"region": r} for r in nodes(Region, level="village", **under)]),
        ("网格·按类型", "kind", [{"region": r} for r in nodes(Region, level="grid", **under)]),
        ("单位·按干部", "cadre", [{"unit": u} for u in nodes(Unit, region__path__startswith=scope.path)]),
        ("干部·按类型（我的进度）", "kind", [{"cadre": c} for c in nodes(Cadre, unit__region__path__startswith=scope.path)]),
        ("全活动·按干部", "cadre", [{}] * 3),
        # The dashboard's behind-pace lists: the worst 20 and how many, counted and cut in the database.
        ("全活动·落后单位前20", "behind-unit", [{}] * WHOLE_SAMPLES),
        ("全活动·落后干部前20", "behind-cadre", [{}] * WHOLE_SAMPLES),
        ("单位·落后干部前20", "behind-cadre", [{"unit": u} for u in nodes(Unit, region__path__startswith=scope.path)]),
        # Case results (登记及时率 … 满意率, overdue now), as the dashboard, the unit page and the city page read them.
        ("问题·全活动·合计", "cases-total", [{}] * WHOLE_SAMPLES),
        # The by-unit and by-village tables as the dashboard shows them: a page of 200 rows (the first and the
        # last), against grouping every case and cutting the page.
        ("问题·全活动·按单位（一页200行）", "cases-unit", pages("cases-unit")),
        ("问题·全活动·按村（一页200行）", "cases-village", pages("cases-village")),
        ("问题·全活动·按类别", "cases-category", [{}] * WHOLE_SAMPLES),
        ("问题·全活动·按状态", "cases-status", [{}] * WHOLE_SAMPLES),
        ("问题·全活动·按周", "cases-week", [{}] * WHOLE_SAMPLES),
        ("问题·全活动·按月", "cases-month", [{}] * WHOLE_SAMPLES),
        ("问题·单位·按月", "cases-month", [{"unit": u} for u in nodes(Unit, region__path__startswith=scope.path)]),
        ("问题·单位·按类别", "cases-category",
         [{"unit": u} for u in nodes(Unit, region__path__startswith=scope.path)]),
    ]
    # e.g. 问题: the figures whose label holds it; 问题|一页: those holding either
    only = os.environ.get("ZOUFANG_BENCH_ONLY", "").split("|")
    results = []
    for label, by, parts in levels:
        if not any(text in label for text in only):
            continue
        def figure(part: dict[str, Any], fresh: bool, by: str = by) -> Any:
            if by.startswith("cases-"):
                part = dict(part)
                page = part.pop("page", None)
                cases = figures.case_rows(campaign, **part)
                cases = cases.all() if fresh else cases  # a clone: grouped afresh over the cases
                if by == "cases-total":
                    return figures.case_totals(campaign, TODAY, cases)
                if page is not None:  # the page starting at that row
                    return figures.case_figures(campaign, by.removeprefix("cases-"), TODAY, cases, page=(page, PAGE))
                return figures.case_figures(campaign, by.removeprefix("cases-"), TODAY, cases)
            part = dict(part)
            page = part.pop("page", None)
            rows = figures.assignments(campaign, **part)
            rows = rows.all() if fresh else rows
            if page is not None:  # the page starting at that row
                return figures.coverage(campaign, by, TODAY, rows, page=(page, PAGE))
            if by == "weekly":
                return figures.weekly_visits(campaign, TODAY, rows)
            if by.startswith("behind-"):
                return figures.behind(campaign, by.removeprefix("behind-"), TODAY, rows, limit=20)
            return figures.coverage(campaign, by, TODAY, rows)

        for part in parts[:WARM_READS]:  # untimed: the connection as a server's is after its first requests
            figure(part, False)
        # Only the first node's figure is kept beside the times (to compare, below): a server drops each answer once
        # sent, and a few hundred whole tables held alive would make the collector's walks the process's, not its.
        kept: list[float] = []
        first_kept: object = None
        for _pass in range(KEPT_PASSES):  # a sub-millisecond read's p95 rests on more than 40 reads
            for part in parts:
                took, answer = timed(functools.partial(figure, part, False))
                first_kept = answer if not kept else first_kept
                kept.append(took)
            if sum(kept) > KEPT_BUDGET:
                break
        recount: list[float] = []
        first_recount: object = None
        for part in parts:
            if len(recount) >= 3 and sum(recount) > RECOUNT_BUDGET:
                break
            took, answer = timed(functools.partial(figure, part, True))
            first_recount = answer if not recount else first_recount
            recount.append(took)
        # The same figure both ways, for the first node: the kept read must show what the recount shows.
        same = plain(first_kept) == plain(first_recount)
        results.append((label, p95(kept), p95(recount), len(kept), len(recount), same))
        report(*results[-1])
    return results


def plain(value: Any) -> Any:
    """A figure as plain values to compare: dataclasses as dicts, model instances as their ids."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value.pk if hasattr(value, "_meta") else value


def report(label: str, kept: float, recount: float, kept_n: int, recount_n: int, same: bool) -> None:
    ratio = recount / kept if kept else float("inf")
    verdict = "达标" if kept <= GOAL_MS and ratio >= GOAL_RATIO else "未达标"
    print(_("  %(label)s 保存计数 p95 %(kept)8.1f 毫秒（%(kept_n)s 次）  直接统计 p95 %(recount)9.1f 毫秒（%(recount_n)s 次）"
            "  快 %(ratio)7.1f 倍  %(verdict)s  %(outcome)s") % {
        "label": f'{label:<16}', "kept": kept, "kept_n": kept_n, "recount": recount, "recount_n": recount_n,
        "ratio": ratio, "verdict": verdict, "outcome": _("结果一致") if same else _("结果不一致"),
    }, flush=True)


def prepared(visits: int) -> Any:
    """The campaign `bench-<visits>` with its cases and kept counts, generated on the first run."""
    from zoufang.oversight.models import CaseTally, CoverageTally

    campaign = generate(visits)
    if not CoverageTally.objects.filter(campaign=campaign).exists():
        build(campaign)
    if generate_cases(campaign) and not CaseTally.objects.filter(campaign=campaign).exists():
        build_cases(campaign)  # a campaign generated before the bench made cases
    vacuum()
    return campaign


def vacuum() -> None:
    """VACUUM and ANALYZE the bench database, as autovacuum would after the load and the rebuild (a test or bench
    database may run without it): the visibility map set, the kept counts' index-only scans read no table page;
    a table a migration filled after the load (oversight 0008) has its statistics. Quick once done (all-visible
    pages are skipped, ANALYZE reads a sample)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(_("  VACUUM ANALYZE（如自动清理在载入后所为）：%(perf_counter).0f 秒") % {"perf_counter": time.perf_counter() - started})


def main() -> None:
    if not _setup():
        return
    visits = int(os.environ.get("ZOUFANG_BENCH_VISITS", "10000000"))
    from django.db import connection

    print(_("督查统计基准（PostgreSQL %(name)s）：%(visits)s 次走访、%(visits2)s 个对象；"
            "目标 p95 ≤ %(goal_ms)s 毫秒，且比直接统计快 ≥ %(goal_ratio)s 倍") % {
        "name": connection.settings_dict['NAME'], "visits": f'{visits:,}', "visits2": f'{visits // 2:,}',
        "goal_ms": GOAL_MS, "goal_ratio": GOAL_RATIO,
    })
    campaign = prepared(visits)
    from zoufang.core import heap

    heap.settle()  # as the web and task workers do once started: their collector's pauses, not a script's
    results = measure(campaign)
    from zoufang.oversight import case_counters, counters

    started = time.perf_counter()
    if os.environ.get("ZOUFANG_BENCH_VERIFY", "1") == "0":  # a 10 M recount of every case takes long on a small box
        ok = True
        print("  oversight verify：本次未运行（ZOUFANG_BENCH_VERIFY=0）")
    else:
        ok = counters.verify(campaign.pk).ok and case_counters.verify(campaign.pk).ok
        print(_("  oversight verify（覆盖与问题办理）：%(outcome)s"
                "（%(perf_counter).0f 秒）") % {
            "outcome": _("计数与重新统计一致") if ok else _("不一致"), "perf_counter": time.perf_counter() - started,
        })
    worst = max(kept for _label, kept, _recount, _n, _m, _same in results)
    least = min(recount / kept for _label, kept, recount, _n, _m, _same in results)
    differ = [label for label, *_times, same in results if not same]
    print(_("  最慢 p95 %(worst).1f 毫秒，最小倍数 %(least).1f 倍") % {
        "worst": worst, "least": least,
    } + (_("；结果不一致：%(differ)s") % {"differ": '、'.join(differ)} if differ else ""))
    if not ok or differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
