"""Work given after the plan day counts from its own day (decision 0042): a cadre given more households on 20 August is
not at once behind for May to July.

派出所党员甲 holds 10 registered households of 上下塘社区 given with the plan on 1 May and 5 more given on 20 August;
the rule is seed 000's (each month ⌈a × 1/5⌉, all by 30 September, from 1 May); they visited 6 of the first 10.

  day     the 10 of 1 May            the 5 of 20 August           due   逾期未完成   (all 15 on the plan's schedule)
  8/19    May–July ended: 3 × 2 = 6   not given yet: 0              6        0         3 × 3 = 9, 3
  8/20    6                           August is its first: 0        6        0         9, 3
  8/31    May–August: 4 × 2 = 8       August ended: 1 × 1 = 1       9        3         4 × 3 = 12, 6
  9/29    8                           1                             9        3         12, 6
  9/30    complete_by: 10             complete_by: 5               15        9         15, 9
"""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.oversight import counters, figures
from zoufang.oversight.pace import later_classes, pace_due, pace_rule
from zoufang.oversight.tests.conftest import PACE, visit
from zoufang.planning.models import Assignment
from zoufang.planning.services import reassign
from zoufang.registry.models import Cadre, Target
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.rules import pace_for

D = dt.date
PLAN_DAY, LATER = D(2017, 5, 1), D(2017, 8, 20)
# day → (due, 逾期未完成) each counted from its own day, and all on the plan's schedule
BY_HAND = {
    D(2017, 8, 19): ((6, 0), (9, 3)),
    D(2017, 8, 20): ((6, 0), (9, 3)),
    D(2017, 8, 31): ((9, 3), (12, 6)),
    D(2017, 9, 29): ((9, 3), (12, 6)),
    D(2017, 9, 30): ((15, 9), (15, 9)),
}


def _frozen(day: dt.date) -> Any:
    return clock.frozen(timezone.make_aware(dt.datetime.combine(day, dt.time(9))))


@pytest.fixture
def given(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-08-20"
    campaign = town.campaign
    campaign.starts_on = PLAN_DAY
    campaign.config = {"pace": PACE}
    campaign.plan_given_on = PLAN_DAY
    campaign.save()
    officer = Cadre.objects.get(name="派出所党员甲")
    region = town.households["shangxiatang"][0].region
    first = [*town.households["shangxiatang"],
             *(TargetFactory(region=region, kind=Target.Kind.REGISTERED_HOUSEHOLD) for _ in range(7))]
    with _frozen(PLAN_DAY):
        for target in first:
            Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=officer,
                                      given_on=clock.today())
    with _frozen(LATER):
        for _n in range(5):
            target = TargetFactory(region=region, kind=Target.Kind.REGISTERED_HOUSEHOLD)
            Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=officer,
                                      given_on=clock.today())
    for n, target in enumerate(first[:6]):
        visit(campaign, target, officer, f"2017-06-{10 + n}")
    town.campaign = Campaign.objects.get(pk=campaign.pk)
    town.officer = officer
    return town


def _standing(town: Any, day: dt.date) -> dict[str, tuple[int, int]]:
    """(due, 逾期未完成) of the cadre as each consumer reads it on `day`."""
    campaign = town.campaign
    row = next(r for r in figures.coverage(campaign, "cadre", day).rows if r.key == town.officer)
    unit = next(r for r in figures.coverage(campaign, "unit", day).rows if r.key == town.police)
    total = figures.coverage(campaign, "kind", day).total
    mine = pace_for(campaign, town.officer, day)
    late = {r.key: r.pace.behind for r in figures.behind(campaign, "cadre", day)[0]}
    in_unit = {r.key: r.pace.behind for r in figures.behind(campaign, "cadre", day,
                                                            figures.assignments(campaign, unit=town.police))[0]}
    village = figures.coverage(campaign, "village", day, figures.assignments(campaign, cadre=town.officer)).total
    assert row.pace is not None
    assert unit.pace is not None
    assert total.pace is not None
    assert village.pace is not None
    return {
        "cadre's row": (row.pace.due_today, row.pace.behind),
        "unit's row": (unit.pace.due_today - _others(town, day), unit.pace.behind),
        "campaign": (total.pace.due_today - _others(town, day), total.pace.behind),
        "my list": (mine.due_today or 0, mine.past_due),
        "behind list": (row.pace.due_today, late.get(town.officer, 0)),
        "unit's cadres": (row.pace.due_today, in_unit.get(town.officer, 0)),
        "recounted part": (village.pace.due_today, village.pace.behind),
    }


def _others(town: Any, day: dt.date) -> int:
    """What the town's other assignments (given with the plan) are due: none besides the officer's in this fixture."""
    rest = Assignment.objects.filter(campaign=town.campaign).exclude(cadre=town.officer)
    counts: dict[str, int] = {}
    for kind in rest.values_list("target__kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return pace_due(pace_rule(town.campaign), counts, day)


@pytest.mark.parametrize("day", list(BY_HAND))
def test_it_counts_work_given_later_from_its_own_day(given: Any, day: dt.date) -> None:
    each_day, _plan = BY_HAND[day]
    standing = _standing(given, day)
    assert standing == dict.fromkeys(standing, each_day)


@pytest.mark.parametrize("day", list(BY_HAND))
def test_all_given_with_the_plan_counts_on_the_plans_schedule(given: Any, day: dt.date) -> None:
    Assignment.objects.filter(campaign=given.campaign).update(given_on=PLAN_DAY)
    counters.rebuild_later(given.campaign.pk)  # a bulk UPDATE moves no kept count: its writer rebuilds them
    _each_day, plan = BY_HAND[day]
    standing = _standing(given, day)
    assert standing == dict.fromkeys(standing, plan)


def _behind_lists(town: Any, day: dt.date, *, recount: bool) -> dict[str, tuple[int, int]]:
    """(due, 逾期未完成) of the node holding the cadre's work in each behind-pace list, read from the kept counts
    (the database orders the nodes, `due_sql` with the work given later) or, with `recount`, over the assignments
    (`coverage(...).behind()`); a node not listed is not behind: (None, 0)."""
    campaign, officer, police = town.campaign, town.officer, town.police
    region = Assignment.objects.filter(campaign=campaign, cadre=officer).first().target.region
    village = next(r for r in region.ancestors() if r.level == "village")  # ancestors() holds the region itself
    lists = {
        "units": ("unit", None, police.pk),
        "cadres": ("cadre", None, officer.pk),
        "villages": ("village", None, village.pk),
        f"{region.level}s": (region.level, None, region.pk),
        "town by village": ("village", figures.assignments(campaign, region=town.town), village.pk),
        "unit by village": ("village", figures.assignments(campaign, unit=police), village.pk),
        "unit's cadres": ("cadre", figures.assignments(campaign, unit=police), officer.pk),
        "cadre by unit": ("unit", figures.assignments(campaign, cadre=officer), police.pk),
    }
    found = {}
    for label, (by, rows, node) in lists.items():
        if recount:
            rows = (rows if rows is not None else figures.assignments(campaign)).all()  # no kept part: recounted
        elif label != "unit's cadres":  # ordered in the database, not paced row by row in Python
            ordered = figures._late_nodes(campaign, by, day, rows)
            assert ordered is not None
            assert ordered.ranking is not None
            shorts = {key: short for key, short, *_rest in ordered._ranked(None)}
            found[f"{label} (SQL)"] = (None, shorts.get(node, 0))
        late, count = figures.behind(campaign, by, day, rows, limit=None, keyed=True)
        assert count == len(late)
        row = next((r for r in late if getattr(r.key, "pk", r.key) == node), None)
        found[label] = (row.pace.due_today, row.pace.behind) if row is not None else (None, 0)
    return found


@pytest.mark.parametrize("recount", [False, True], ids=["kept", "recounted"])
@pytest.mark.parametrize("day", list(BY_HAND))
def test_every_behind_list_counts_work_given_later_from_its_own_day(given: Any, day: dt.date, recount: bool) -> None:
    (due, short), _plan = BY_HAND[day]
    found = _behind_lists(given, day, recount=recount)
    assert found == {label: (None, short) if label.endswith("(SQL)") else (due, short) if short else (None, 0)
                     for label in found}


@pytest.mark.parametrize("recount", [False, True], ids=["kept", "recounted"])
@pytest.mark.parametrize("day", list(BY_HAND))
def test_every_behind_list_counts_all_given_with_the_plan_on_its_schedule(given: Any, day: dt.date,
                                                                        recount: bool) -> None:
    Assignment.objects.filter(campaign=given.campaign).update(given_on=PLAN_DAY)
    counters.rebuild_later(given.campaign.pk)
    _each_day, (due, short) = BY_HAND[day]
    found = _behind_lists(given, day, recount=recount)
    assert found == {label: (None, short) if label.endswith("(SQL)") else (due, short) if short else (None, 0)
                     for label in found}


def test_work_given_later_is_kept_per_node_and_day_and_verified(given: Any) -> None:
    from zoufang.oversight.models import GivenLaterTally

    kept = counters.kept_later(given.campaign.pk)
    assert kept == counters.recount_later(given.campaign.pk)
    assert {day for (_k, _r, _u, _c, day) in kept} == {LATER}
    assert kept[("registered_household", 0, 0, 0, LATER)] == 5
    moved = Assignment.objects.filter(campaign=given.campaign, given_on=LATER).first()
    moved.delete()  # taken back: its nodes' work given later follows in the same transaction
    assert counters.kept_later(given.campaign.pk)[("registered_household", 0, 0, 0, LATER)] == 4
    assert counters.verify(given.campaign.pk).ok
    GivenLaterTally.objects.filter(campaign=given.campaign, region=0, unit=0, cadre=0).update(assigned=7)
    verdict = counters.verify(given.campaign.pk)
    assert [(key, counted, kept_n) for key, counted, kept_n in verdict.later] == [
        (("registered_household", 0, 0, 0, LATER), 4, 7)]
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("oversight", "verify", "--campaign", given.campaign.slug, stdout=out, stderr=StringIO())
    assert "1 项追加分配数" in out.getvalue()


def test_the_next_checkpoint_counts_each_days_work(given: Any) -> None:
    # On 20 August the month's end asks 8 of the plan's 10 and 1 of August's 5.
    row = next(r for r in figures.coverage(given.campaign, "cadre", LATER).rows if r.key == given.officer)
    assert (row.pace.next_on, row.pace.due_next) == (D(2017, 8, 31), 9)
    assert pace_for(given.campaign, given.officer, LATER).expected_by_next == 9


def test_the_weekly_curve_counts_each_days_work(given: Any) -> None:
    points = {p.week: p.due for p in figures.weekly_visits(given.campaign, D(2017, 9, 30))}
    assert points[D(2017, 8, 14)] == 6  # Sunday 20 August: May–July of the plan's 10
    assert points[D(2017, 8, 28)] == 9 + _others(given, D(2017, 9, 3))  # Sunday 3 September


def test_a_hand_reassignment_gives_the_target_on_that_day(given: Any) -> None:
    other = Cadre.objects.exclude(pk=given.officer.pk).filter(archived_on__isnull=True).first()
    moved = Assignment.objects.filter(campaign=given.campaign, given_on=PLAN_DAY).first()
    with _frozen(D(2017, 9, 2)):
        done = reassign(moved, other.pk, by=None)
    assert done.given_on == D(2017, 9, 2)
    assert Campaign.objects.get(pk=given.campaign.pk).given_later_on == D(2017, 9, 2)
    with _frozen(D(2017, 9, 3)):  # the same cadre again: nothing is given anew
        assert reassign(done, other.pk, by=None).given_on == D(2017, 9, 2)


def test_a_campaign_saved_from_an_older_read_keeps_the_day(given: Any) -> None:
    stale = Campaign.objects.get(pk=given.campaign.pk)
    Campaign.objects.filter(pk=stale.pk).update(given_later_on=None)
    Assignment.objects.filter(campaign=stale, given_on=LATER).first().save()  # marks its day again
    stale.name = stale.name + "（改）"
    stale.save()
    assert Campaign.objects.get(pk=stale.pk).given_later_on == LATER


def test_the_kept_counts_still_equal_a_recount(given: Any) -> None:
    out = StringIO()
    call_command("oversight", "verify", "--campaign", given.campaign.slug, stdout=out)
    assert "计数与重新统计一致" in out.getvalue()


def test_a_plan_gives_its_targets_on_its_day_and_a_later_plan_its_new_ones_on_its_own(db: Any, tmp_path: Any) -> None:
    from zoufang.demo.loader import SeedFigures
    from zoufang.oversight.tests.conftest import FILES, VILLAGES
    from zoufang.planning.demo import plan_as_given
    from zoufang.planning.services import run_plan
    from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town

    campaign = build_town(tmp_path, "周庄镇", "zhouzhuang-test", SeedFigures(VILLAGES, [("综治办", 2)]), FILES,
                          REGISTRY_STEPS)
    plan_as_given(campaign)  # on the campaign's first day, as the demo towns give theirs
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert set(Assignment.objects.filter(campaign=campaign).values_list("given_on", flat=True)) == {campaign.starts_on}
    assert (campaign.plan_given_on, campaign.given_later_on) == (campaign.starts_on, None)
    household = Assignment.objects.filter(campaign=campaign, target__kind=Target.Kind.REGISTERED_HOUSEHOLD).first()
    new = TargetFactory(region=household.target.region, kind=Target.Kind.REGISTERED_HOUSEHOLD)
    later = campaign.starts_on + dt.timedelta(days=40)
    with _frozen(later):
        run_plan(campaign)
    days = dict(Assignment.objects.filter(campaign=campaign).values_list("target_id", "given_on"))
    assert days[new.pk] == later
    assert days[household.target_id] in (campaign.starts_on, later)  # kept, or moved to make room
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.plan_given_on, campaign.given_later_on) == (campaign.starts_on, later)


def test_work_given_on_days_the_rule_counts_alike_is_pooled_before_rounding_up(given: Any) -> None:
    rule = pace_rule(given.campaign)
    plan = {"registered_household": 10}
    two_days = {D(2017, 8, 20): {"registered_household": 1}, D(2017, 8, 21): {"registered_household": 1}}
    # by 31 August: the plan's 10 owe 4 × 2 = 8; August's 1 + 1, one batch, ⌈2/5⌉ = 1 (not 1 + 1)
    assert pace_due(rule, {"registered_household": 12}, D(2017, 8, 31), two_days) == 8 + 1
    assert [days for _rule, days in later_classes(rule, two_days, D(2017, 8, 31))] == [list(two_days)]
    # a day in September is counted apart, and asks nothing before it
    apart = {D(2017, 8, 20): {"registered_household": 1}, D(2017, 9, 1): {"registered_household": 1}}
    assert [days for _rule, days in later_classes(rule, apart, D(2017, 9, 15))] == [[D(2017, 8, 20)], [D(2017, 9, 1)]]
    assert [days for _rule, days in later_classes(rule, apart, D(2017, 8, 31))] == [[D(2017, 8, 20)]]
    assert pace_due(rule, {"registered_household": 12}, D(2017, 8, 31), apart) == pace_due(rule, plan, D(2017, 8, 31)) + 1


# 我的走访's 本月应至少走访 N 个: what the month adds to the due, each piece of work from its own day (`pace_due`).
#   month       the 10 of 1 May               the 5 of 20 August             N    (⌈15 × 1/5⌉ on the plan's schedule)
#   August      by 8/31 8 − by 7/31 6 = 2     by 8/31 1 − not given 0 = 1    3     3
#   September   complete_by 10 − 8 = 2        complete_by 5 − 1 = 4          6     3
MONTHLY_MINIMUM = {D(2017, 8, 19): 2, D(2017, 8, 20): 3, D(2017, 8, 31): 3, D(2017, 9, 1): 6, D(2017, 9, 30): 6}


@pytest.mark.parametrize("day", list(MONTHLY_MINIMUM))
def test_the_months_minimum_counts_each_days_work(given: Any, day: dt.date) -> None:
    if day < LATER:  # the 5 of 20 August are not given yet
        Assignment.objects.filter(campaign=given.campaign, given_on=LATER).delete()
    lines = pace_for(given.campaign, given.officer, day).periods
    assert [(line.period, line.minimum) for line in lines] == [("本月", MONTHLY_MINIMUM[day])]


# The assessment's 月度走访进度达标 (months kept ÷ months measured), May to September, each month end judged on the
# work given by then, what was due by then for it and its visits by then:
#   派出所党员甲 (10 of 1 May, visited 10–15 June; 5 of 20 August):
#     5/31 due 2, visited 0 ✗   6/30 4, 6 ✓   7/31 6, 6 ✓   8/31 8 + 1 = 9, 6 ✗   9/30 15, 6 ✗      → 2 / 5
#   王文 (5 households given on 20 August, none visited): May to July held nothing, not measured (the plan's
#     checkpoints judged them kept on work not yet given: 3 / 5);   8/31 due 1 ✗   9/30 5 ✗         → 0 / 2
def test_the_assessments_checkpoints_judge_the_work_given_by_each(given: Any) -> None:
    from zoufang.assessment.indicators import MONTHS, Indicator
    from zoufang.assessment.scoring import Period, score_level

    newcomer = Cadre.objects.get(name="王文")
    region = given.households["shangxiatang"][0].region
    with _frozen(LATER):
        for _n in range(5):
            Assignment.objects.create(campaign=given.campaign, target=TargetFactory(region=region), cadre=newcomer,
                                      unit=newcomer.unit, given_on=clock.today())
    pace = Indicator(key="pace", label="走访进度达标", weight=100, scoring=MONTHS)
    subjects = score_level(given.campaign, "cadre", Period(PLAN_DAY, D(2017, 9, 30), D(2017, 9, 30)), [pace])
    cells = {subject.key: subject.cells["pace"] for subject in subjects}
    assert (cells[given.officer].numerator, cells[given.officer].denominator) == (2, 5)
    assert (cells[newcomer].numerator, cells[newcomer].denominator, cells[newcomer].value) == (0, 2, 0.0)
    units = {subject.key: subject.cells["pace"] for subject in score_level(
        given.campaign, "unit", Period(PLAN_DAY, D(2017, 9, 30), D(2017, 9, 30)), [pace])}
    assert (units[newcomer.unit].numerator, units[newcomer.unit].denominator) == (0, 2)


# A page of each kept table reads the work given later from GivenLaterTally (one statement), never the assignments:
# (grouping, part, statements: the kept counts' page as before, and the one of the work given later).
PAGES = {"unit": ("unit", None, 3), "cadre": ("cadre", None, 4), "village": ("village", None, 3),
         "unit's cadres": ("cadre", "unit", 2), "unit by village": ("village", "unit", 3),
         "town by village": ("village", "town", 3)}


@pytest.mark.parametrize("table", list(PAGES))
def test_a_tables_page_reads_the_work_given_later_from_the_kept_rows(given: Any, table: str,
                                                                     django_assert_num_queries: Any) -> None:
    by, part, statements = PAGES[table]
    campaign = given.campaign
    rows = {None: None, "unit": figures.assignments(campaign, unit=given.police),
            "town": figures.assignments(campaign, region=given.town)}[part]
    day = D(2017, 8, 31)
    with django_assert_num_queries(statements) as read:
        page = figures.coverage(campaign, by, day, rows, page=(0, 20))
    assert not [query["sql"] for query in read.captured_queries if "planning_assignment" in query["sql"]]
    assert len([query for query in read.captured_queries if "oversight_givenlatertally" in query["sql"]]) == 1
    assert page.total.later == {LATER: {"registered_household": 5}}
    mine = next(row for row in page.rows if getattr(row.key, "pk", None) in (given.officer.pk, given.police.pk)
                or (by == "village" and row.later))
    assert (mine.later, mine.pace.due_today) == ({LATER: {"registered_household": 5}}, 9)


@pytest.mark.parametrize("part", [None, "unit"])
def test_the_row_no_cadre_holds_reads_its_work_given_later_from_the_kept_rows(given: Any, part: str | None) -> None:
    campaign = given.campaign
    with _frozen(LATER):  # a target given to the unit on 20 August, no cadre named yet
        Assignment.objects.create(campaign=campaign, target=TargetFactory(region=given.households["shangxiatang"][0]
                                                                          .region), unit=given.police,
                                  given_on=clock.today())
    rows = figures.assignments(campaign, unit=given.police) if part else None
    kept = figures.coverage(campaign, "cadre", D(2017, 8, 31), rows, page=(0, 20))
    recounted = figures.coverage(campaign, "cadre", D(2017, 8, 31), (rows or figures.assignments(campaign)).all())
    assert [(row.label, row.later) for row in kept.rows] == [(row.label, row.later) for row in recounted.rows]
    assert kept.rows[-1].key is None
    assert kept.rows[-1].later == {LATER: {"registered_household": 1}}
    assert kept.total.later == recounted.total.later == {LATER: {"registered_household": 6}}
