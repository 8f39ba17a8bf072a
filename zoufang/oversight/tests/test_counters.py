"""The kept coverage counts (oversight.counters) against a full recount: after visits, repeats, moves, deletions,
reassignment and planning, under concurrent visits, and `zoufang oversight verify` catching a tampered count."""

import datetime as dt
import importlib
from contextlib import nullcontext
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F

from zoufang.core.rawrows import Columns
from zoufang.oversight import counters, figures
from zoufang.oversight.models import (
    CadreCoverage,
    CadreTally,
    CoverageTally,
    UnitCadres,
    VisitedTarget,
    WeeklyTally,
    kind_columns,
)
from zoufang.oversight.tests.conftest import at, in_threads, visit
from zoufang.planning.models import Assignment
from zoufang.planning.services import reassign
from zoufang.registry.models import Cadre, Target
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit

from .test_figures import TODAY

PARTS = ("whole", "unit", "cadre", "region")


def by_unit(campaign: Any) -> dict[str, tuple[int, int]]:
    return {r.label: (r.assigned, r.visited) for r in figures.coverage(campaign, "unit", TODAY).rows}


def _shown(result: figures.Coverage) -> list[tuple[Any, ...]]:
    return [(row.label, sorted((k, c.assigned, c.visited) for k, c in row.kinds.items()), row.pace)
            for row in [*result.rows, result.total]]


def assert_kept_equals_recount(town: Any) -> int:
    """Every grouping of every part the kept counts answer for shows the recount's figures (a clone of the
    queryset, `.all()`, is recounted); and verify agrees."""
    campaign = town.campaign
    compared = 0
    for part in PARTS:
        narrowing = {"whole": {}, "unit": {"unit": town.police}, "cadre": {"cadre": town.officer},
                     "region": {"region": town.shangxiatang}}[part]
        rows = figures.assignments(campaign, **narrowing)
        for by in figures.GROUPINGS:
            if figures.kept_counts(campaign, by, getattr(rows, figures.PART)) is None:
                continue
            kept = figures.coverage(campaign, by, TODAY, rows)
            assert _shown(kept) == _shown(figures.coverage(campaign, by, TODAY, rows.all())), (part, by)
            compared += 1
    kept_weeks = figures.weekly_visits(campaign, TODAY)
    assert kept_weeks == figures.weekly_visits(campaign, TODAY, figures.assignments(campaign).all())
    # The whole campaign's by-cadre table cut a page at a time from the kept cadre counts (UnitCadres), every page
    # of one row: the recount's rows in turn.
    whole = figures.coverage(campaign, "cadre", TODAY, figures.assignments(campaign).all())
    for start in range(len(whole.rows) + 1):
        page = figures.coverage(campaign, "cadre", TODAY, figures.assignments(campaign), page=(start, 1))
        assert (page.count, _shown(page)) == (whole.count, _shown(whole)[:-1][start:start + 1] + _shown(whole)[-1:])
    # The whole campaign's cadres behind pace, read from the cadres' rows by kind (CadreCoverage): the recount's
    # list, on days before, inside and after the pace's months.
    for day in (dt.date(2017, 5, 31), TODAY, dt.date(2017, 7, 31), dt.date(2017, 9, 30)):
        assert figures._late_nodes(campaign, "cadre", day, figures.assignments(campaign)).counted is not None
        late = figures.coverage(campaign, "cadre", day, figures.assignments(campaign).all()).behind()
        shown, count = figures.behind(campaign, "cadre", day, limit=None)
        assert count == len(late), day
        assert [(row.label, row.pace.behind, row.assigned, row.visited) for row in shown] == \
            [(row.label, row.pace.behind, row.assigned, row.visited) for row in late], day
    verdict = counters.verify(campaign.pk)
    assert verdict.ok, (verdict.nodes, verdict.target_rows, verdict.weeks, verdict.cadres, verdict.cadre_kinds)
    return compared


def test_kept_counts_equal_the_recount_after_visits_repeats_and_a_move(counted: Any) -> None:
    assert assert_kept_equals_recount(counted) >= 20
    sxt0 = counted.households["shangxiatang"][0]
    assert VisitedTarget.objects.get(campaign=counted.campaign, target=sxt0).visits == 2  # visited twice
    whole = CoverageTally.objects.get(campaign=counted.campaign, kind="registered_household", region=0, unit=0,
                                      cadre=0)
    assert (whole.assigned, whole.visited) == (5, 2)  # counted once each, the moved one not at all


def test_a_filtered_queryset_is_recounted_not_read_from_the_kept_counts(counted: Any) -> None:
    rows = figures.assignments(counted.campaign).filter(target__kind="enterprise")
    assert getattr(rows, figures.PART, None) is None
    assert {r.label: (r.assigned, r.visited) for r in figures.coverage(counted.campaign, "unit", TODAY, rows).rows} \
        == {"镇党政班子": (1, 1)}


def test_deleting_visits_uncounts_a_target_only_with_its_last_visit(counted: Any) -> None:
    campaign, sxt0 = counted.campaign, counted.households["shangxiatang"][0]
    first, second = Visit.objects.filter(campaign=campaign, target=sxt0).order_by("visited_at")
    first.delete()
    kept = VisitedTarget.objects.get(campaign=campaign, target=sxt0)
    assert (kept.visits, kept.first_at) == (1, second.visited_at)  # the next visit is the first now
    assert by_unit(campaign)["派出所"] == (3, 1)  # 派出所 still has sxt0
    assert_kept_equals_recount(counted)
    second.delete()
    assert not VisitedTarget.objects.filter(campaign=campaign, target=sxt0).exists()
    assert by_unit(campaign) == {"镇党政班子": (3, 2), "派出所": (3, 0)}
    assert_kept_equals_recount(counted)


def test_a_visit_moved_to_another_target_or_back_counts_where_it_is_now(counted: Any) -> None:
    campaign, sxt = counted.campaign, counted.households["shangxiatang"]
    moved = Visit.objects.get(target=sxt[1])  # the one moved to the other campaign by the fixture
    moved.campaign = campaign
    moved.save()
    assert by_unit(campaign)["派出所"] == (3, 2)
    moved.target = sxt[2]
    moved.visited_at = at("2017-05-02")
    moved.save()
    assert VisitedTarget.objects.get(campaign=campaign, target=sxt[2]).first_at == at("2017-05-02")
    assert not VisitedTarget.objects.filter(campaign=campaign, target=sxt[1]).exists()
    assert_kept_equals_recount(counted)


def test_assignments_made_reassigned_and_removed_move_assigned_and_visited(counted: Any) -> None:
    campaign = counted.campaign
    assignment = Assignment.objects.get(campaign=campaign, target=counted.households["shangxiatang"][0])
    reassign(assignment, counted.wangwen.pk, by=None)  # a visited target to another unit's cadre
    assert by_unit(campaign) == {"镇党政班子": (4, 3), "派出所": (2, 0)}
    assert_kept_equals_recount(counted)
    Assignment.objects.create(campaign=campaign, target=counted.extra, unit=counted.police, cadre=counted.officer)
    assert by_unit(campaign)["派出所"] == (3, 1)  # extra was visited before it was assigned
    Assignment.objects.filter(campaign=campaign, target=counted.enterprise).delete()
    assert_kept_equals_recount(counted)


def test_a_bulk_delete_uncounts_visited_and_unvisited_rows_in_a_bounded_number_of_queries(counted: Any) -> None:
    """AssignmentQuerySet.delete uncounts in one pass: the same counts as the receiver's row-by-row upkeep,
    in queries that do not grow with the rows deleted (a town's plan of 18,000 rows deleted in one go)."""
    from django.test.utils import CaptureQueriesContext

    campaign = counted.campaign
    rows = Assignment.objects.filter(campaign=campaign, target__in=counted.households["shangxiatang"])
    assert rows.filter(target__visits__isnull=False).exists()
    assert rows.filter(target__visits__isnull=True).exists()
    with CaptureQueriesContext(connection) as one_village:
        deleted, _by_model = rows.delete()
    assert deleted >= 3
    assert_kept_equals_recount(counted)
    single = Assignment.objects.filter(campaign=campaign).order_by("id").first()
    single.delete()  # one model instance: the post_delete receiver, as before
    assert_kept_equals_recount(counted)
    with CaptureQueriesContext(connection) as everything:
        Assignment.objects.filter(campaign=campaign).delete()
    assert len(everything) <= len(one_village) + 2  # the delete's own statements per table, not per row
    assert_kept_equals_recount(counted)
    assert not CoverageTally.objects.filter(campaign=campaign).exclude(assigned=0).exists()


def test_a_target_moved_to_another_village_or_kind_moves_its_counts(counted: Any) -> None:
    """Saved through the ORM the target moves its counts itself; a bulk write (an import's bulk_update) reads
    the placements before and hands them to `targets_moved` after."""
    from zoufang.registry.models import Target

    campaign = counted.campaign
    villages = lambda: {r.label: (r.assigned, r.visited)  # noqa: E731
                        for r in figures.coverage(campaign, "village", TODAY).rows}
    before = villages()
    visited = counted.households["shangxiatang"][0]  # visited twice
    visited.region = counted.households["jijiadun"][0].region
    visited.save()
    assert villages()["计家墩村"] == (before["计家墩村"][0] + 1, before["计家墩村"][1] + 1)
    assert_kept_equals_recount(counted)
    moved = list(Target.objects.filter(pk__in=[t.pk for t in counted.households["jijiadun"]]))
    placed = counters.placements([t.pk for t in moved])
    for target in moved:
        target.region = counted.households["shangxiatang"][1].region
        target.kind = Target.Kind.RESIDENT_HOUSEHOLD
    with transaction.atomic():  # as the import's write runs (registry/imports/runner.py): the lock held to its end
        Target.objects.bulk_update(moved, ["region", "kind"])
        assert not counters.verify(campaign.pk).ok  # no signal: stale until told
        counters.targets_moved(placed)
    assert_kept_equals_recount(counted)


def test_verify_finds_a_tampered_count_in_chinese_and_repair_rewrites_it(counted: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command("oversight", "verify", "--campaign", counted.campaign.slug, stdout=out)
    assert "计数与重新统计一致" in out.getvalue()
    CoverageTally.objects.filter(campaign=counted.campaign, region=counted.shangxiatang.pk, unit=0, cadre=0) \
        .update(visited=3)
    VisitedTarget.objects.filter(campaign=counted.campaign, target=counted.extra).update(visits=7)
    WeeklyTally.objects.filter(campaign=counted.campaign, kind="enterprise").update(first_visits=5)
    with pytest.raises(SystemExit) as exit_:
        call_command("oversight", "verify", "--campaign", counted.campaign.slug, stdout=out, stderr=err)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert "1 项计数、1 个对象的走访记录、1 周的首次走访数与重新统计不一致" in text
    assert "上下塘社区·户籍户：已分配 应为 3 实为 3，已走访 应为 1 实为 3" in text
    assert f"对象 {counted.extra.name}：走访记录 1 次（首次 2017年6月12日 10:00），保存的为 7 次" in text
    assert "2017年6月12日起的一周·企业：首次走访对象 应为 1 实为 5" in text
    assert "1 个走访活动的计数与重新统计不一致" in err.getvalue()
    out = StringIO()
    call_command("oversight", "verify", "--campaign", counted.campaign.slug, "--repair", stdout=out)
    assert "已按重新统计改正，复核一致" in out.getvalue()
    assert counters.verify(counted.campaign.pk).ok


def test_verify_names_a_cadres_tampered_count_by_kind_and_repair_rewrites_it(counted: Any) -> None:
    officer = Cadre.objects.get(name="派出所党员甲")
    CadreCoverage.objects.filter(campaign=counted.campaign, cadre=officer.pk).update(registered_household_visited=3)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("oversight", "verify", "--campaign", counted.campaign.slug, stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "0 项计数、0 个对象的走访记录、0 周的首次走访数、1 项干部分类计数与重新统计不一致" in text
    assert "派出所党员甲（各单位合计）·户籍户：已分配 应为 3 实为 3，已走访 应为 1 实为 3" in text
    call_command("oversight", "verify", "--campaign", counted.campaign.slug, "--repair", stdout=StringIO())
    assert counters.verify(counted.campaign.pk).ok


def test_every_target_kind_has_its_pair_of_cadre_counts() -> None:
    columns = {field.name for field in CadreCoverage._meta.fields if field.name.endswith(("_assigned", "_visited"))}
    assert columns == {column for kind in Target.Kind for column in kind_columns(kind)}


def test_the_whole_campaigns_behind_cadres_count_the_paces_kinds_and_share_every_kind(counted: Any) -> None:
    """Projects are not among the pace's kinds (PACE): a cadre's projects leave what they are short of as it was,
    and move their share visited (the order among cadres equally short), as the recount has it."""
    campaign, officer = counted.campaign, Cadre.objects.get(name="派出所党员甲")
    projects = TargetFactory.create_batch(4, region=counted.shangxiatang, kind=Target.Kind.PROJECT)
    for target in projects:
        Assignment.objects.create(campaign=campaign, target=target, unit=counted.police, cadre=officer)
    visit(campaign, projects[0], officer, "2017-06-01")
    row = CadreCoverage.objects.get(campaign=campaign, cadre=officer.pk)
    assert (row.project_assigned, row.project_visited, row.registered_household_assigned) == (4, 1, 3)
    assert assert_kept_equals_recount(counted) >= 20


def test_a_units_behind_list_builds_only_the_rows_it_shows_and_equals_its_table(counted: Any, monkeypatch: Any) -> None:
    """A unit's cadres behind pace are paced from the unit's statement's numbers (`figures._unit_behind`): every
    page is the unit table's behind list's, the row no cadre holds and a node whose cadre is gone (counted there,
    as the table does) in their places, and a page of one row builds one cadre."""
    campaign, police = counted.campaign, counted.police
    for n, size in enumerate((2, 5)):
        cadre = Cadre.objects.create(name=f"派出所党员{n}", unit=police, role=Cadre.Role.PARTY_MEMBER)
        for target in TargetFactory.create_batch(size, region=counted.shangxiatang):
            Assignment.objects.create(campaign=campaign, target=target, unit=police, cadre=cadre)
    for target in TargetFactory.create_batch(2, region=counted.shangxiatang):
        Assignment.objects.create(campaign=campaign, target=target, unit=police)  # no cadre yet
    node = {"campaign": campaign, "kind": "registered_household", "region": 0, "unit": police.pk}
    CoverageTally.objects.create(**node, cadre=987_654, assigned=4)  # its cadre deleted since
    CoverageTally.objects.filter(**node, cadre=0).update(assigned=F("assigned") + 4)
    loads = []
    load = Columns.load_joined
    monkeypatch.setattr(Columns, "load_joined", lambda *args, **kw: loads.append(1) or load(*args, **kw))
    for day in (dt.date(2017, 5, 31), TODAY, dt.date(2017, 9, 30)):
        late = figures.coverage(campaign, "cadre", day, figures.assignments(campaign, unit=police)).behind()
        for limit, offset in ((None, 0), (1, 0), (1, 1), (2, 2), (2, len(late))):
            loads.clear()
            shown, count = figures.behind(campaign, "cadre", day, figures.assignments(campaign, unit=police),
                                          limit=limit, offset=offset)
            assert count == len(late), day
            assert [(row.label, row.pace, row.assigned, row.visited) for row in shown] == \
                [(row.label, row.pace, row.assigned, row.visited)
                 for row in late[offset:None if limit is None else offset + limit]], (day, limit, offset)
            assert len(loads) <= len(shown)
    # Three cadres, and the row no cadre holds with the targets given to no cadre and the gone cadre's: all behind.
    assert len(late) == 4
    assert [row.assigned for row in late if row.key is None] == [6]


def test_planning_writes_keep_the_counts_through_a_rebuild(counted: Any) -> None:
    CoverageTally.objects.all().delete()
    counters.rebuild_tallies(counted.campaign.pk)
    assert_kept_equals_recount(counted)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("written_last", [False, True], ids=["at-once", "written-last"])
def test_concurrent_visits_lose_no_increment(town: Any, written_last: bool) -> None:
    """Sixteen visitors at once over four targets that share every region, unit and cadre node: each target
    counts once, every node's visited is exact, the repeat counts are exact — with the increments written by
    each visit's insert or held to the end of its transaction (a submission's `written_last`)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nothing runs concurrently to race")
    campaign = town.campaign
    cadre = Cadre.objects.get(name="派出所党员甲")
    targets = town.households["shangxiatang"] + town.households["jijiadun"][:1]
    for target in targets:
        Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=cadre)

    def work(i: int) -> None:
        with counters.written_last() if written_last else nullcontext():
            visit(campaign, targets[i % len(targets)], cadre, f"2017-05-{1 + i:02d}")

    errors = in_threads(16, work)
    assert not errors, errors
    whole = CoverageTally.objects.get(campaign=campaign, kind="registered_household", region=0, unit=0, cadre=0)
    assert (whole.assigned, whole.visited) == (4, 4)
    assert sorted(VisitedTarget.objects.filter(campaign=campaign).values_list("visits", flat=True)) == [4, 4, 4, 4]
    assert counters.verify(campaign.pk).ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_count_each_cadre_once(town: Any) -> None:
    """Sixteen assignments made at once, then removed at once, for two cadres new to the campaign (households and
    an enterprise): each cadre's unit counts it once while it holds any, and none after."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nothing runs concurrently to race")
    campaign = town.campaign
    pair = [Cadre.objects.create(name=f"并发干部{n}", unit=town.police, role=Cadre.Role.PARTY_MEMBER) for n in (1, 2)]
    targets = [TargetFactory(region=town.shangxiatang, kind="enterprise" if n % 3 else "registered_household")
               for n in range(16)]

    def give(i: int) -> None:
        Assignment.objects.create(campaign=campaign, target=targets[i], unit=town.police, cadre=pair[i % 2])

    assert not in_threads(16, give)
    assert dict(CadreTally.objects.filter(campaign=campaign).values_list("cadre", "assigned")) == \
        {pair[0].pk: 8, pair[1].pk: 8}
    assert UnitCadres.objects.get(campaign=campaign, unit=town.police.pk).cadres == 2
    assert counters.verify(campaign.pk).ok

    def take(i: int) -> None:
        Assignment.objects.get(campaign=campaign, target=targets[i]).delete()

    assert not in_threads(16, take)
    assert UnitCadres.objects.get(campaign=campaign, unit=town.police.pk).cadres == 0
    assert set(CadreTally.objects.filter(campaign=campaign).values_list("assigned", flat=True)) == {0}
    assert counters.verify(campaign.pk).ok


def test_the_migration_backfills_a_campaign_counted_before_the_kept_counts(counted: Any) -> None:
    from django.apps import apps

    backfill = importlib.import_module("zoufang.oversight.migrations.0002_backfill_counts").backfill
    for model in (CoverageTally, VisitedTarget, WeeklyTally):
        model.objects.all().delete()
    assert not counters.verify(counted.campaign.pk).ok
    backfill(apps, None)
    assert_kept_equals_recount(counted)
    # The kept order of the by-cadre table (0004): counted from the coverage tallies, the node of the assignments
    # no cadre holds too.
    CadreTally.objects.all().delete()
    UnitCadres.objects.all().delete()
    CoverageTally.objects.filter(cadre=counters.NO_CADRE).delete()
    assert not counters.verify(counted.campaign.pk).ok
    importlib.import_module("zoufang.oversight.migrations.0004_cadre_order").backfill(apps, connection.schema_editor())
    assert_kept_equals_recount(counted)
    # Each cadre's counts by kind over their units (0008): counted from the cadres' coverage tallies.
    CadreCoverage.objects.all().delete()
    assert not counters.verify(counted.campaign.pk).ok
    importlib.import_module("zoufang.oversight.migrations.0008_cadre_coverage").backfill(apps,
                                                                                       connection.schema_editor())
    assert_kept_equals_recount(counted)


def test_counts_written_last_are_held_to_the_blocks_end_and_equal_the_recount(counted: Any) -> None:
    """A first visit, a repeat, and a repeat recorded for an earlier week inside one `written_last` block: the
    shared rows do not move inside it, and after it every figure is the recount's."""
    campaign, cadre = counted.campaign, Cadre.objects.get(name="王文")
    fresh = counted.households["jijiadun"][1]  # assigned to 王文, not visited yet
    whole = {"campaign": campaign, "kind": fresh.kind, "region": 0, "unit": 0, "cadre": 0}
    before = CoverageTally.objects.get(**whole).visited
    weeks = dict(WeeklyTally.objects.filter(campaign=campaign).values_list("week", "first_visits"))
    with counters.written_last():
        visit(campaign, fresh, cadre, "2017-06-12")
        visit(campaign, fresh, cadre, "2017-06-13")
        visit(campaign, fresh, cadre, "2017-05-02")  # late, for an earlier week: the first visit moves
        assert CoverageTally.objects.get(**whole).visited == before
        assert dict(WeeklyTally.objects.filter(campaign=campaign).values_list("week", "first_visits")) == weeks
        assert VisitedTarget.objects.get(campaign=campaign, target=fresh).visits == 3  # the target's own row
    assert CoverageTally.objects.get(**whole).visited == before + 1
    assert assert_kept_equals_recount(counted) >= 20


def test_a_failed_block_writes_no_count(counted: Any) -> None:
    campaign, cadre = counted.campaign, Cadre.objects.get(name="王文")
    fresh = counted.households["jijiadun"][1]

    def refused_submission() -> None:
        with transaction.atomic(), counters.written_last():
            visit(campaign, fresh, cadre, "2017-06-12")
            raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        refused_submission()
    assert assert_kept_equals_recount(counted) >= 20
