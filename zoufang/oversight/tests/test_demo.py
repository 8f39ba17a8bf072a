"""The figures on the 锦溪镇 2017 demo agree with counts taken directly, and with the seed's pace rule."""

import datetime as dt
import math
from fractions import Fraction
from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.oversight import figures
from zoufang.oversight.tests import test_case_counters
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre
from zoufang.visits.models import Visit
from zoufang.visits.rules import pace_for

DEMO_DAY = dt.date(2017, 6, 15)
SEED_KINDS = ("registered_household", "resident_household", "enterprise")


@pytest.fixture
def on_the_demo_day(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_the_dashboard_total_visited_is_the_direct_count(demo: Any, db: Any) -> None:
    assigned = Assignment.objects.filter(campaign=demo)
    direct = Visit.objects.filter(campaign=demo, target__in=assigned.values("target")) \
        .values("target_id").distinct().count()
    assert direct > 0
    for by in ("village", "unit", "cadre", "kind", "town"):
        total = figures.coverage(demo, by, DEMO_DAY)
        assert total.total.visited == direct, by
        assert sum(row.visited for row in total.rows) == direct, by
        assert total.total.assigned == assigned.count(), by
    weekly = figures.weekly_visits(demo, DEMO_DAY)
    counted_kinds = Visit.objects.filter(
        campaign=demo, target__in=assigned.filter(target__kind__in=SEED_KINDS).values("target")
    ).values("target_id").distinct().count()
    assert weekly[-1].cumulative == counted_kinds


def test_the_pace_due_for_a_cadre_on_the_demo_day_follows_the_seed(demo: Any, db: Any) -> None:
    """Seed 000: each month ≥ 1/5 of the assigned total, from May; on 15 June only May has ended."""
    rule = figures.pace_rule(demo)
    assert (rule.starts_on, rule.complete_by, rule.share) == (dt.date(2017, 5, 1), dt.date(2017, 9, 30),
                                                                        Fraction(1, 5))
    rows = figures.coverage(demo, "cadre", DEMO_DAY).rows
    checked = 0
    for row in rows:
        if not isinstance(row.key, Cadre) or row.pace is None or not row.pace.assigned:
            continue
        assigned = Assignment.objects.filter(campaign=demo, cadre=row.key, target__kind__in=SEED_KINDS).count()
        assert row.pace.assigned == assigned
        assert row.pace.due_today == min(assigned, math.ceil(assigned / 5))
        assert row.pace.due_next == min(assigned, 2 * math.ceil(assigned / 5))
        # 我的走访 says the same month-end figure.
        if checked < 3:
            assert pace_for(demo, row.key, DEMO_DAY).expected_by_next == row.pace.due_next
        checked += 1
    assert checked > 10


def test_the_case_results_match_direct_counts(demo: Any, db: Any) -> None:
    total = figures.case_figures(demo, "unit", DEMO_DAY).total
    cases = Case.objects.filter(campaign=demo).exclude(status=Case.Status.MERGED)
    assert total.total == cases.count()
    overdue = [c for c in cases if c.status in ("dispatched", "accepted", "signoff") and not c.paused_since
               and c.handling_due and c.handling_due < DEMO_DAY]
    assert total.overdue == len(overdue)
    by_unit = figures.case_figures(demo, "unit", DEMO_DAY)
    assert sum(row.total for row in by_unit.rows) == total.total
    by_category = figures.case_figures(demo, "category", DEMO_DAY)
    assert sum(row.total for row in by_category.rows) == total.total
    assert len(by_category.rows) <= 7  # the six 一s and, perhaps, 未分类


def test_the_case_funnel_narrows_at_every_step_on_the_demo(demo: Any, db: Any) -> None:
    """Each step of 问题办理漏斗 is within the one before (a step counting cases that skipped one before it, such as
    the satisfied of cases settled on the spot, made the funnel widen)."""
    from zoufang.oversight.tables import funnel_table

    funnel = funnel_table(figures.case_figures(demo, "unit", DEMO_DAY).total)
    counts = [count for _label, count in funnel.rows]
    assert counts == sorted(counts, reverse=True), funnel.rows
    assert counts[0] > counts[-1] > 0


def test_the_demo_dashboard_renders_for_the_office(demo: Any, client: Any, on_the_demo_day: Any) -> None:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="office"))
    page = client.get("/").content.decode()
    total = figures.coverage(demo, "village", DEMO_DAY).total
    assert f"{total.visited}<small> / {total.assigned}</small>" in page
    assert "进度落后的单位" in page


def test_the_demo_dashboard_first_load_is_within_150_kb_gzipped(demo: Any, client: Any, on_the_demo_day: Any) -> None:
    from django.contrib.auth import get_user_model

    from zoufang.web.tests.test_charts import FIRST_LOAD_BUDGET, _first_load_gzipped

    for username in ("office", "leader"):
        client.force_login(get_user_model().objects.get(username=username))
        size, loaded = _first_load_gzipped(client, "/")
        assert size <= FIRST_LOAD_BUDGET, f"{username}: {size} bytes gzipped ({loaded})"


def test_the_demo_upper_unit_account_sees_its_own_blocks(demo: Any, client: Any, on_the_demo_day: Any) -> None:
    """fuban (市府办, 附件2: 干家甸社区 357 + 顾家浜村 67) lands on its towns page; only its own figures."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="fuban"))
    home = client.get("/")
    assert home.status_code == 302
    page = client.get(home["Location"]).content.decode()
    mine = Assignment.objects.filter(campaign=demo, unit__name="市府办")
    assigned = mine.count()
    visited = Visit.objects.filter(campaign=demo, target__in=mine.values("target")).values("target").distinct().count()
    assert assigned == 357 + 67
    assert f"{visited}<small> / {assigned}</small>" in page
    assert "锦溪镇" in page
    assert "市交通局" not in page


def test_the_assessment_of_the_demo_is_explained_by_the_dashboards_figures(demo: Any, db: Any, on_the_demo_day: None) -> None:
    from django.contrib.auth import get_user_model

    from zoufang.assessment.services import run_assessment

    assessor = get_user_model().objects.get(username="assessor")
    assessment = run_assessment(demo, starts_on=demo.starts_on, ends_on=demo.ends_on, title="", by=assessor)

    by_unit = {row.key.pk: row for row in figures.coverage(demo, "unit", DEMO_DAY).rows if row.key}
    cases = {row.key.pk: row for row in figures.case_figures(demo, "unit", DEMO_DAY).rows if row.key}
    units = list(assessment.scores.filter(level="unit"))
    assert len(units) == len(set(by_unit) | set(cases))
    for score in units:
        coverage, handled = by_unit.get(score.unit_id), cases.get(score.unit_id)
        quota = score.cells["quota_completion"]
        assert (quota["numerator"], quota["denominator"]) == ((coverage.visited, coverage.assigned) if coverage
                                                              else (0, 0)), score.label
        if handled is not None:
            assert score.cells["resolution"]["value"] == handled.resolution_rate, score.label
            assert score.cells["registration_timeliness"]["denominator"] == handled.registered, score.label
    ranked = sorted((s for s in units if s.total is not None), key=lambda s: s.rank)
    assert ranked[0].rank == 1
    assert [s.total for s in ranked] == sorted((s.total for s in ranked), reverse=True)
    # The integrity indicator counts the one flag the office upheld (integrity/demo.py): 100 − 50 for the
    # desk-entry fabricator's unit, 100 for every other unit.
    fabricator = get_user_model().objects.get(username="ganbu2").cadre
    assert next(i for i in assessment.indicators if i["key"] == "integrity")["available"]
    assert {s.unit_id: s.cells["integrity"]["value"] for s in units if s.cells["integrity"]["value"] != 100.0} == {
        fabricator.unit_id: 50.0}
    villages = {row.key.pk: row for row in figures.coverage(demo, "village", DEMO_DAY).rows if row.key}
    for score in assessment.scores.filter(level="village", region_id__in=villages):
        row = villages[score.region_id]
        assert score.cells["quota_completion"]["value"] == min(100.0, row.percent), score.label


@pytest.mark.parametrize("day", [dt.date(2017, 5, 31), DEMO_DAY, dt.date(2017, 7, 31), dt.date(2017, 9, 30)])
def test_the_behind_lists_from_the_database_are_the_figures_worst_first(demo: Any, db: Any, day: dt.date) -> None:
    """`figures.behind` orders and counts in SQL what `coverage(...).behind()` orders in Python: the same rows,
    in the same order, with the same count, for the whole campaign and for a unit, by every node level."""
    unit = Assignment.objects.filter(campaign=demo).values_list("unit", flat=True).first()
    from zoufang.registry.models import Unit

    parts = [{}, {"unit": Unit.objects.get(pk=unit)}]
    for part in parts:
        for by in ("unit", "cadre", "village", "group"):
            if part and by == "unit":
                continue
            rows = figures.assignments(demo, **part)
            whole = figures.coverage(demo, by, day, rows).behind()
            for limit in (5, 20, 1000):
                shown, count = figures.behind(demo, by, day, figures.assignments(demo, **part), limit=limit)
                assert count == len(whole), (by, part, limit)
                assert [(row.label, row.pace.behind, row.assigned, row.visited) for row in shown] == \
                    [(row.label, row.pace.behind, row.assigned, row.visited) for row in whole[:limit]], (by, part)
            # A page from an offset (the API's), up to past the last row: the count comes with the rows or alone.
            for offset in (1, len(whole) - 1, len(whole), len(whole) + 3):
                shown, count = figures.behind(demo, by, day, figures.assignments(demo, **part), limit=5,
                                              offset=max(offset, 0))
                assert count == len(whole), (by, part, offset)
                assert [row.label for row in shown] == [row.label for row in whole[max(offset, 0):][:5]], (by, offset)
            # A download's pages (`behind_pages`): together, every row of the list in its order, whatever the page size.
            for size in (7, 200):
                count, read = figures.behind_pages(demo, by, day, figures.assignments(demo, **part))
                pages = [read(start, size) for start in range(0, count, size)]
                assert count == len(whole), (by, part)
                assert all(len(page) == min(size, count - n * size) for n, page in enumerate(pages)), (by, size)
                assert [(row.label, row.pace.behind, row.assigned, row.visited) for page in pages for row in page] == \
                    [(row.label, row.pace.behind, row.assigned, row.visited) for row in whole], (by, part, size)
    assert len(figures.coverage(demo, "cadre", dt.date(2017, 9, 30)).behind()) > 20  # the cut is exercised


def test_a_deep_page_of_the_behind_list_builds_only_its_own_rows(demo: Any, db: Any, monkeypatch: Any) -> None:
    """The API's pages of the behind list (offset cursors): the page at the end of a long list makes the rows it
    shows, not every row before it (a city's 100,000 cadres after the deadline)."""
    day = dt.date(2017, 9, 30)
    whole = figures.coverage(demo, "cadre", day).behind()
    built: list[int] = []
    rows = figures._LateNodes.rows

    def counted(self: Any, keys: list[Any], *, with_rest: bool) -> Any:
        built.append(len(keys))
        return rows(self, keys, with_rest=with_rest)

    monkeypatch.setattr(figures._LateNodes, "rows", counted)
    shown, count = figures.behind(demo, "cadre", day, figures.assignments(demo), limit=5, offset=len(whole) - 5)
    assert (count, [row.label for row in shown]) == (len(whole), [row.label for row in whole[-5:]])
    assert len(whole) > 20
    assert max(built) <= 5


def test_the_kept_results_equal_the_recount_on_the_demo(demo: Any, db: Any) -> None:
    days = (dt.date(2017, 5, 1), dt.date(2017, 6, 15), dt.date(2017, 9, 30))
    assert test_case_counters.assert_case_kept_equals_recount(demo, days) > 0
    assert figures.case_totals(demo, dt.date(2017, 6, 15)).total == Case.objects.filter(campaign=demo).exclude(
        status=Case.Status.MERGED).count()


def test_the_demo_town_keeps_up_unevenly_as_a_town_does(demo: Any, db: Any) -> None:
    """The demo's visits follow the pace unit by unit (visits/demo.py UNIT_PACE): the town's own departments as a
    whole a little behind, some not started, some behind, some ahead — so 督查 has something to show."""
    rows = [row for row in figures.coverage(demo, "unit", DEMO_DAY).rows
            if row.pace is not None and row.pace.due_today >= 20 and row.key.kind == "town_department"]
    assert len(rows) >= 10
    shares = [row.visited / row.pace.due_today for row in rows]
    assert any(share == 0 for share in shares)
    assert any(0 < share < 0.7 for share in shares)
    assert any(share > 1 for share in shares)
    kept_up = sum(row.visited for row in rows) / sum(row.pace.due_today for row in rows)
    assert 0.6 < kept_up < 1.1
