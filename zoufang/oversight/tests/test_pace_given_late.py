"""Work given after the pace rule's start (a new town whose plan is given mid-campaign): the rule counts from the day
the plan was given, so no month before it is overdue. Counted by hand on one definition that every consumer reads:
the coverage tables, 我的走访, the behind-pace lists ordered in SQL, the rule's sentence, the assessment's checkpoints.

派出所党员甲 holds 10 registered households of 上下塘社区; the rule is seed 000's (each month ⌈10 × 1/5⌉ = 2, all by
30 September, from 1 May); the plan was given on 16 June and the cadre visited one household that day.

  day      periods ended since 16 June   due   visited   逾期未完成   (counted from 1 May: due, 逾期)
  6/16     none (June not ended)          0       1          0          2, 1
  6/30     June                           2       1          1          4, 3
  7/31     June, July                     4       1          3          6, 5
  9/29     June … August                  6       1          5         8, 7
  9/30     complete_by: everything       10       1          9         10, 9
"""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from zoufang.oversight import figures
from zoufang.oversight.pace import checkpoints, describe, pace_rule
from zoufang.oversight.tests.conftest import PACE, visit
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Target
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.rules import pace_for

D = dt.date
GIVEN = D(2017, 6, 16)
# day → (due, 逾期未完成) counted from the day the plan was given, and from the rule's own start
BY_HAND = {
    D(2017, 6, 16): ((0, 0), (2, 1)),
    D(2017, 6, 30): ((2, 1), (4, 3)),
    D(2017, 7, 31): ((4, 3), (6, 5)),
    D(2017, 9, 29): ((6, 5), (8, 7)),
    D(2017, 9, 30): ((10, 9), (10, 9)),
}


@pytest.fixture
def late(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-16"
    campaign = town.campaign
    campaign.starts_on = D(2017, 5, 1)
    campaign.config = {"pace": PACE}
    campaign.plan_given_on = GIVEN
    campaign.save()
    officer = Cadre.objects.get(name="派出所党员甲")
    sxt = town.households["shangxiatang"]
    more = [TargetFactory(region=sxt[0].region, kind=Target.Kind.REGISTERED_HOUSEHOLD) for _ in range(7)]
    for target in (*sxt, *more):
        Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=officer)
    visit(campaign, sxt[0], officer, "2017-06-16")
    town.officer = officer
    return town


def _standing(town: Any, day: dt.date) -> dict[str, tuple[int, int]]:
    """(due, 逾期未完成) of the cadre as each consumer reads it on `day`."""
    campaign = town.campaign
    row = next(r for r in figures.coverage(campaign, "cadre", day).rows if r.key == town.officer)
    mine = pace_for(campaign, town.officer, day)
    late = {r.key: r.pace.behind for r in figures.behind(campaign, "cadre", day)[0]}  # ordered in SQL (due_sql)
    in_unit = {r.key: r.pace.behind for r in figures.behind(campaign, "cadre", day,
                                                            figures.assignments(campaign, unit=town.police))[0]}
    assert row.pace is not None
    return {
        "table": (row.pace.due_today, row.pace.behind),
        "my list": (mine.due_today or 0, mine.past_due),
        "behind list": (row.pace.due_today, late.get(town.officer, 0)),
        "unit's cadres": (row.pace.due_today, in_unit.get(town.officer, 0)),
    }


@pytest.mark.parametrize("day", list(BY_HAND))
def test_it_counts_the_pace_from_the_day_the_plan_was_given(late: Any, day: dt.date) -> None:
    given, _from_start = BY_HAND[day]
    assert set(_standing(late, day).values()) == {given}


@pytest.mark.parametrize("day", list(BY_HAND))
def test_it_counts_from_the_rules_start_when_the_plan_was_given_before_it(late: Any, day: dt.date) -> None:
    late.campaign.plan_given_on = D(2017, 4, 28)
    late.campaign.save()
    _given, from_start = BY_HAND[day]
    assert set(_standing(late, day).values()) == {from_start}


def test_it_says_from_when_it_counts_and_checks_no_month_before(late: Any) -> None:
    rule = pace_rule(late.campaign)
    assert "2017年6月16日" in describe(rule)
    assert "走访分配下达" in describe(rule)
    # The assessment's 进度达标 counts the month ends from June: May's was before the work was given.
    assert checkpoints(rule, D(2017, 5, 1), D(2017, 9, 30)) == [D(2017, 6, 30), D(2017, 7, 31), D(2017, 8, 31),
                                                                 D(2017, 9, 30)]


def test_the_sentence_names_the_day_it_counts_from_once(late: Any) -> None:
    """Moved to the day the plan was given, the rule's start is that day: said in the clause that explains it."""
    assert describe(pace_rule(late.campaign)) == (
        "进度要求：每月走访不少于分配总数的 1/5（向上取整），2017年9月30日前全部完成。"
        "进度自走访分配下达之日（2017年6月16日）起计算，此前的要求不计。")


def test_milestones_passed_before_the_plan_ask_nothing_of_it(late: Any) -> None:
    # 4月底前完成30%，7月底前完成70%，9月底前全部完成: given on 16 June, April's milestone asks nothing.
    late.campaign.config = {"pace": {"target_kinds": PACE["target_kinds"], "starts_on": "2017-03-16",
                                     "complete_by": "2017-09-30",
                                     "milestones": [{"by": "2017-04-30", "share": "30%"},
                                                    {"by": "2017-07-31", "share": "70%"}]}}
    late.campaign.save()
    due = {day: figures.coverage(late.campaign, "cadre", day).total.pace.due_today
           for day in (D(2017, 6, 16), D(2017, 7, 30), D(2017, 7, 31), D(2017, 9, 30))}
    assert due == {D(2017, 6, 16): 0, D(2017, 7, 30): 0, D(2017, 7, 31): 7, D(2017, 9, 30): 10}


def test_the_kept_counts_still_equal_a_recount(late: Any) -> None:
    out = StringIO()
    call_command("oversight", "verify", "--campaign", late.campaign.slug, stdout=out)
    assert "计数与重新统计一致" in out.getvalue()
