"""Every figure against the hand-counted campaign of conftest.py (see its docstring for the counts)."""

import datetime as dt
from fractions import Fraction
from typing import Any

from django.db.models import Value

from zoufang.campaigns.models import Campaign
from zoufang.oversight import figures
from zoufang.oversight.pace import PaceRule, due_sql, pace_due
from zoufang.planning.models import Assignment
from zoufang.registry.tests.factories import TargetFactory

TODAY = dt.date(2017, 6, 15)
SEED_000 = PaceRule(starts_on=dt.date(2017, 5, 1), complete_by=dt.date(2017, 9, 30), share=Fraction(1, 5),
                    kinds=("registered_household",))


def rows(result: Any) -> dict[str, tuple[int, int]]:
    return {row.label: (row.assigned, row.visited) for row in result.rows}


def test_the_seed_rule_wants_a_fifth_of_the_total_for_every_month_ended(db: Any) -> None:
    assert pace_due(SEED_000, 10, dt.date(2017, 4, 30)) == 0
    assert pace_due(SEED_000, 10, dt.date(2017, 5, 30)) == 0
    assert pace_due(SEED_000, 10, dt.date(2017, 5, 31)) == 2
    assert pace_due(SEED_000, 10, dt.date(2017, 6, 15)) == 2
    assert pace_due(SEED_000, 10, dt.date(2017, 6, 30)) == 4
    assert pace_due(SEED_000, 10, dt.date(2017, 9, 29)) == 8
    assert pace_due(SEED_000, 10, dt.date(2017, 9, 30)) == 10
    # ⌈3/5⌉ = 1 a month: 3 months ended covers all 3 before the deadline.
    assert pace_due(SEED_000, 3, dt.date(2017, 7, 31)) == 3
    assert pace_due(SEED_000, 0, dt.date(2017, 9, 30)) == 0


def test_without_a_monthly_share_the_total_is_spread_evenly_up_to_the_deadline(db: Any) -> None:
    menghe = PaceRule(starts_on=dt.date(2018, 1, 1), complete_by=dt.date(2018, 4, 30), share=None,
                      kinds=("registered_household",))
    assert pace_due(menghe, 10, dt.date(2018, 1, 31)) == 3  # ⌈10 × 1/4⌉
    assert pace_due(menghe, 10, dt.date(2018, 2, 28)) == 5
    assert pace_due(menghe, 10, dt.date(2018, 4, 30)) == 10
    no_deadline = PaceRule(dt.date(2018, 1, 1), None, None, ("registered_household",))
    assert pace_due(no_deadline, 10, dt.date(2018, 6, 30)) == 0


def test_the_database_s_pace_due_is_the_exact_rule_as_python_s(counted: Any) -> None:
    """⌈share × assigned⌉ and the even spread in exact arithmetic on both sides (`pace_due`, and `pace.due_sql` that the
    behind-pace lists order by): in floats, 7/12 × 108 = 63 came out 63.00000000000001 and was rounded up to 64."""
    start, end, kinds = dt.date(2017, 5, 1), dt.date(2017, 9, 30), ("registered_household",)
    rules = [PaceRule(start, end, Fraction(7, 12), kinds), PaceRule(start, end, Fraction(9, 11), kinds),
             PaceRule(start, end, Fraction(1, 5), kinds), PaceRule(start, end, None, kinds)]
    assert pace_due(rules[0], 108, dt.date(2017, 6, 15)) == 63
    assert pace_due(rules[1], 77, dt.date(2017, 6, 15)) == 63
    one = Campaign.objects.filter(pk=counted.campaign.pk)
    for rule in rules:
        for day in (dt.date(2017, 4, 30), dt.date(2017, 6, 15), dt.date(2017, 8, 31), end):
            for assigned in (0, 1, 4, 5, 6, 77, 108, 1001):
                in_sql = one.annotate(due=due_sql(rule, day, lambda _kinds, a=assigned: Value(a))).values_list("due", flat=True)
                assert in_sql.get() == pace_due(rule, assigned, day), (rule.share, day, assigned)


def test_coverage_counts_each_assigned_target_once_and_drops_a_moved_visit(counted: Any) -> None:
    campaign = counted.campaign
    assert rows(figures.coverage(campaign, "unit", TODAY)) == {"镇党政班子": (3, 2), "派出所": (3, 1)}
    assert rows(figures.coverage(campaign, "cadre", TODAY)) == {"王文（镇党政班子）": (3, 2),
                                                               "派出所党员甲（派出所）": (3, 1)}
    by_village = figures.coverage(campaign, "village", TODAY)
    assert rows(by_village) == {"上下塘社区": (3, 1), "计家墩村": (3, 2)}
    assert (by_village.total.assigned, by_village.total.visited) == (6, 3)
    assert by_village.total.percent == 50.0
    enterprise = by_village.total.kind("enterprise")
    assert (enterprise.assigned, enterprise.visited) == (1, 1)
    households = by_village.total.kind("registered_household")
    assert (households.assigned, households.visited) == (5, 2)
    assert rows(figures.coverage(campaign, "group", TODAY)) == {
        "第1居民小组": (3, 1), "第1村民小组": (2, 1), "（未细分到村（居）民小组）": (1, 1)}
    assert rows(figures.coverage(campaign, "town", TODAY)) == {"锦溪镇": (6, 3)}
    assert rows(figures.coverage(campaign, "city", TODAY)) == {"苏州市": (6, 3)}
    assert rows(figures.coverage(campaign, "grid", TODAY)) == {"（未细分到网格）": (6, 3)}  # no grids in this town
    # The direct count also sees the unassigned target visited once; coverage counts the plan only.
    assert figures.visited_targets(campaign) == 4


def test_pace_per_cadre_on_the_demo_day_and_later(counted: Any) -> None:
    campaign = counted.campaign
    by_cadre = {row.label: row.pace for row in figures.coverage(campaign, "cadre", TODAY).rows}
    officer = by_cadre["派出所党员甲（派出所）"]
    # 3 assigned: ⌈3/5⌉ = 1 a month; May has ended (1 due), June's is due by 30 June (2).
    assert (officer.assigned, officer.visited, officer.due_today, officer.due_next) == (3, 1, 1, 2)
    assert (officer.behind, officer.next_gap, officer.remaining) == (0, 1, 2)
    # 1 target in the 46 days since 1 May: the other 2 take 92 more days.
    assert officer.projected_finish == dt.date(2017, 9, 15)
    later = figures.coverage(campaign, "cadre", dt.date(2017, 7, 1))
    assert [(row.label, row.pace.behind) for row in later.behind()] == [("派出所党员甲（派出所）", 1)]
    end = figures.coverage(campaign, "unit", dt.date(2017, 9, 30))
    assert [(row.label, row.pace.behind) for row in end.behind()] == [("派出所", 2), ("镇党政班子", 1)]
    assert figures.cadre_standing(campaign, counted.officer, TODAY) == officer


def test_weekly_first_visits_against_the_pace_line(counted: Any) -> None:
    points = figures.weekly_visits(counted.campaign, TODAY)
    assert points[0].week == dt.date(2017, 5, 1)
    assert points[-1].week == dt.date(2017, 6, 12)
    by_week = {p.week: (p.visits, p.cumulative, p.due) for p in points}
    assert by_week[dt.date(2017, 5, 8)] == (1, 1, 0)  # sxt h0, 10 May (its second visit, 2 June, not again)
    assert by_week[dt.date(2017, 5, 15)] == (1, 2, 0)  # jjd h0, 20 May
    assert by_week[dt.date(2017, 5, 29)] == (0, 2, 2)  # May ended on the Wednesday: ⌈6/5⌉ = 2 due
    assert by_week[dt.date(2017, 6, 12)] == (1, 3, 2)  # the enterprise; the unassigned target is not counted


def test_case_results_in_total(counted: Any) -> None:
    total = figures.case_figures(counted.campaign, "unit", TODAY).total
    assert (total.total, total.registered, total.registered_on_time, total.dispatched) == (5, 4, 3, 4)
    assert (total.due_or_done, total.done_on_time, total.answered, total.resolved) == (3, 1, 2, 1)
    assert (total.rated, total.satisfied, total.open, total.overdue, total.escalated) == (2, 1, 3, 1, 1)
    assert total.registration_rate == 75.0
    assert total.on_time_rate == 33.3
    assert total.response_rate == 50.0
    assert total.resolution_rate == 25.0
    assert total.satisfaction_rate == 50.0


def test_case_results_by_unit_village_category_and_week(counted: Any) -> None:
    campaign = counted.campaign
    by_unit = {row.label: (row.total, row.answered, row.overdue, row.escalated)
               for row in figures.case_figures(campaign, "unit", TODAY).rows}
    assert by_unit == {"镇党政班子": (1, 1, 0, 0), "派出所": (3, 1, 1, 1), "未交办": (1, 0, 0, 0)}
    by_village = {row.label: row.total for row in figures.case_figures(campaign, "village", TODAY).rows}
    assert by_village == {"上下塘社区": 4, "计家墩村": 1}
    by_category = {row.label: row.total for row in figures.case_figures(campaign, "category", TODAY).rows}
    assert by_category == {"1 在收集社情民意方面": 3, "2 在宣传政策方面": 1, "未分类": 1}
    by_week = {row.key: row.total for row in figures.case_figures(campaign, "week", TODAY).rows}
    assert by_week == {dt.date(2017, 5, 29): 4, dt.date(2017, 6, 5): 1}
    by_week_label = [row.label for row in figures.case_figures(campaign, "week", TODAY).rows]
    assert by_week_label == ["2017年5月29日—6月4日", "2017年6月5日—6月11日"]  # a span as the pages say one (0045)
    by_month = {row.label: row.total for row in figures.case_figures(campaign, "month", TODAY).rows}
    assert by_month == {"2017年6月": 5}  # a month as `clock.month` says it, not ISO's 2017-06


def test_drill_downs_list_the_rows_behind_the_figures(counted: Any) -> None:
    campaign = counted.campaign
    unvisited = figures.unvisited_assignments(campaign)
    assert sorted(a.target.pk for a in unvisited) == sorted(
        [t.pk for t in counted.households["shangxiatang"][1:]] + [counted.households["jijiadun"][1].pk])
    police = figures.assignments(campaign, unit=counted.police)
    assert figures.visits_of(campaign, police).count() == 2  # sxt h0 twice; the moved visit is gone
    assert [c.description for c in figures.overdue_cases(campaign, TODAY)] == ["c2"]


def test_a_visit_before_the_rule_starts_counts_from_the_first_week(counted: Any) -> None:
    from zoufang.oversight.tests.conftest import visit

    visit(counted.campaign, counted.households["jijiadun"][1], counted.wangwen, "2017-04-20")
    points = figures.weekly_visits(counted.campaign, TODAY)
    assert (points[0].week, points[0].visits, points[0].cumulative) == (dt.date(2017, 5, 1), 0, 1)
    assert points[-1].cumulative == 4  # sxt h0, jjd h0, jjd h1 and the enterprise


def test_a_rate_too_slow_to_finish_within_the_calendar_projects_no_day() -> None:
    rule = figures.PaceRule(starts_on=dt.date(2017, 5, 1), complete_by=dt.date(2017, 9, 30), share=Fraction(1, 5),
                            kinds=("registered_household",), note="")
    # 12 visits in nine years leave 11 382 targets for centuries: no date, rather than a server error.
    assert figures.projected_finish(rule, 12, 11394, dt.date(2026, 12, 2)) is None
    # 100 in the ten days 1–10 May: 10 a day, the other 100 by 20 May.
    assert figures.projected_finish(rule, 100, 200, dt.date(2017, 5, 10)) == dt.date(2017, 5, 20)


def test_the_projected_finish_says_why_it_names_no_day() -> None:
    """A blank cell reads as a figure missing: the table names the day, or why there is none."""
    from zoufang.oversight.tables import coverage_rows_table

    def finish(assigned: int, visited: int, day: dt.date | None = None) -> object:
        row = figures.CoverageRow(None, "甲")
        row.pace = figures.Pace(assigned=assigned, visited=visited, due_today=0, due_next=0, projected_finish=day)
        return coverage_rows_table("cadre", [row], row).rows[0][-1]

    assert finish(3, 1, dt.date(2017, 9, 15)) == dt.date(2017, 9, 15)  # a date: the xlsx prints it 2017年9月15日, the API 2017-09-15
    assert finish(3, 3) == "已全部走访"
    assert finish(3, 0) == "尚无走访"
    assert finish(11394, 12) == "无法预计"  # a rate too slow to finish within the calendar
    assert finish(0, 0) == "—"  # no target of the kinds the pace rule counts


def test_the_behind_list_from_the_database_counts_the_targets_no_cadre_holds(counted: Any) -> None:
    campaign = counted.campaign
    for target in TargetFactory.create_batch(3, region=counted.households["jijiadun"][0].region):
        Assignment.objects.create(campaign=campaign, target=target, unit=counted.police)  # 上级单位只给数量
    placed = set()  # the groupings whose list holds the row no node holds: its place among the pages is checked
    for day in (TODAY, dt.date(2017, 7, 1), dt.date(2017, 9, 30)):
        for by in ("unit", "cadre", "village", "group"):
            whole = figures.coverage(campaign, by, day).behind()
            placed |= {by for row in whole if row.key is None}
            shown, count = figures.behind(campaign, by, day, limit=1)
            assert (count, [row.label for row in shown]) == (len(whole), [row.label for row in whole[:1]]), by
            # A download's pages of one row: the row no node holds in its place among them.
            count, read = figures.behind_pages(campaign, by, day)
            assert [row.label for start in range(count) for row in read(start, 1)] == [row.label for row in whole], by
    assert placed >= {"cadre"}, placed


def test_the_assignments_are_filtered_as_written_though_the_filter_is_built_late(counted: Any) -> None:
    """`assignments` defers building its filter (a kept read needs only its mark): evaluated or narrowed, it is the
    campaign's assignments of the unit, the cadre or the region asked, the same statement as the filter written out."""
    campaign = counted.campaign
    held = Assignment.objects.filter(campaign=campaign, unit=counted.police).select_related("cadre", "target__region")
    officer, village = held[0].cadre, held[0].target.region
    asked: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({}, {}), ({"unit": counted.police}, {"unit": counted.police}), ({"cadre": officer}, {"cadre": officer}),
        ({"region": village}, {"target__region__path__startswith": village.path})]
    for where, written_out in asked:
        rows = figures.assignments(campaign, **where)
        written = Assignment.objects.filter(campaign=campaign, **written_out)
        assert str(rows.query) == str(written.query)
        assert sorted(rows.values_list("pk", flat=True)) == sorted(written.values_list("pk", flat=True))
        assert rows.filter(cadre=officer).count() == written.filter(cadre=officer).count()
    assert figures.assignments(campaign, unit=counted.police).count() == 3
