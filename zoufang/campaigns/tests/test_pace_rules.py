"""Pace rules other towns write: a share per week, two weeks, month or quarter, cumulative milestones, a rule per
target kind. Each impossible or contradictory rule is refused naming its key (and its line in a file)."""

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from zoufang.campaigns.config import read_campaign_file, validate_campaign_file, validate_config
from zoufang.campaigns.models import Campaign
from zoufang.oversight.pace import pace_rule
from zoufang.planning.tests.qiandeng import CONFIG

Config = dict[str, Any]
HOUSEHOLDS = ["registered_household", "resident_household"]


def _pace(**pace: Any) -> Callable[[Config], None]:
    def change(config: Config) -> None:
        config["pace"] = {"complete_by": "2017-09-30", **pace}
    return change


MILESTONES = [{"by": "2017-06-30", "share": "30%"}, {"by": "2017-08-31", "share": "7/10"}]
BY_KIND = [{"target_kinds": HOUSEHOLDS, "monthly_min_share": "1/5", "starts_on": "2017-05-01"},
           {"target_kinds": ["enterprise"], "complete_by": "2017-06-30"}]

VALID = [
    ("seed_000_as_written", _pace(monthly_min_share="1/5", starts_on="2017-05-01")),
    ("quarterly", _pace(every="quarter", min_share="1/4", starts_on="2017-01-01", complete_by="2017-12-31")),
    ("every_two_weeks", _pace(every="two_weeks", min_share="1/10", starts_on="2017-05-01")),
    ("weekly_in_percent", _pace(every="week", min_share="4%", starts_on="2017-05-01")),
    ("milestones", _pace(milestones=MILESTONES, starts_on="2017-05-01")),
    ("milestones_with_a_monthly_share", _pace(milestones=MILESTONES, monthly_min_share="1/10")),
    ("a_rule_per_kind", _pace(rules=BY_KIND)),
]


@pytest.mark.parametrize("change", [case[1] for case in VALID], ids=[case[0] for case in VALID])
def test_it_accepts_the_forms_other_towns_write(jinxi: Config, change: Callable[[Config], None]) -> None:
    change(jinxi)

    assert validate_config(jinxi) == []


BROKEN = [
    ("milestone_share_goes_down", _pace(milestones=[{"by": "2017-06-30", "share": "7/10"},
                                                    {"by": "2017-08-31", "share": "30%"}]),
     "pace.milestones[2].share：累计比例 30% 低于上一节点（2017-06-30）的 7/10：累计完成的比例不能下降"),
    ("milestones_out_of_order", _pace(milestones=[{"by": "2017-08-31", "share": "3/10"},
                                                  {"by": "2017-06-30", "share": "7/10"}]),
     "pace.milestones[2].by：节点日期 2017-06-30 应晚于上一节点的 2017-08-31（按时间先后排列）"),
    ("milestone_after_completion", _pace(milestones=[{"by": "2017-10-31", "share": "1/2"}]),
     "pace.milestones[1].by：节点日期 2017-10-31 晚于完成日期 2017-09-30"),
    ("milestone_before_start", _pace(starts_on="2017-05-01", milestones=[{"by": "2017-04-30", "share": "1/2"}]),
     "pace.milestones[1].by：节点日期 2017-04-30 早于进度起算日期 2017-05-01"),
    ("milestone_not_a_date", _pace(milestones=[{"by": "2017-06-31", "share": "1/2"}]),
     "pace.milestones[1].by：“2017-06-31”不是有效的日期"),
    ("milestone_share_above_one", _pace(milestones=[{"by": "2017-06-30", "share": "120%"}]),
     "pace.milestones[1].share：累计比例 120% 应大于 0 且不超过 1"),
    ("period_share_above_one", _pace(every="quarter", min_share="5/4"),
     "pace.min_share：每季度最低比例 5/4 应大于 0 且不超过 1"),
    ("unknown_period", _pace(every="fortnight", min_share="1/10"), "pace.every：取值“fortnight”无效"),
    ("period_without_share", _pace(every="quarter"), "pace.every：写了 every（每期）应同时写 min_share（每期最低比例）"),
    ("share_without_period", _pace(min_share="1/4"), "pace.min_share：写了 min_share 应同时写 every"),
    ("monthly_share_and_another_period", _pace(monthly_min_share="1/5", every="quarter", min_share="1/4"),
     "pace.monthly_min_share：monthly_min_share 不能与 every、min_share 同时使用"),
    ("no_quarter_ends_before_completion", _pace(every="quarter", min_share="1/4", starts_on="2017-07-01",
                                                complete_by="2017-08-31"),
     "pace.min_share：自 2017-07-01 至完成日期 2017-08-31 没有一个完整的季度结束，“每季度不少于 1/4”无从计算"),
    ("a_kind_in_two_rules", _pace(rules=[*BY_KIND, {"target_kinds": ["enterprise", "project"], "min_share": "1/4",
                                                    "every": "quarter", "starts_on": "2017-01-01"}]),
     "pace.rules[3].target_kinds：对象类型 enterprise 已在 pace.rules[2] 中规定进度，每类对象只能有一条进度规则"),
    ("a_rule_for_a_kind_outside_the_campaign", _pace(rules=[{"target_kinds": ["notable_person"]}]),
     "pace.rules[1].target_kinds：对象类型 notable_person 不在本活动的 target_kinds 中"),
    ("rules_and_a_share_above_them", _pace(rules=BY_KIND, monthly_min_share="1/5"),
     "pace.monthly_min_share：已用 rules 按对象类型分别规定进度，monthly_min_share 应写在各条规则中"),
    ("a_rule_ending_after_everything", _pace(rules=[{**BY_KIND[1], "complete_by": "2017-10-31"}]),
     "pace.rules[1].complete_by：完成日期 2017-10-31 晚于 pace.complete_by 的 2017-09-30（全部走访的完成日期）"),
    ("a_rule_ending_before_its_start", _pace(rules=[{**BY_KIND[1], "starts_on": "2017-07-01"}]),
     "pace.rules[1].complete_by：完成日期 2017-06-30 早于进度起算日期 2017-07-01"),
    ("a_rule_without_kinds", _pace(rules=[{"complete_by": "2017-06-30"}]), "pace.rules[1].target_kinds：缺少必填键"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_it_refuses_an_impossible_or_contradictory_rule_naming_the_key(
    jinxi: Config, change: Callable[[Config], None], message: str,
) -> None:
    change(jinxi)

    errors = validate_config(jinxi)

    assert any(error.startswith(message) for error in errors), errors


def test_a_file_s_error_names_the_line_of_the_milestone(jinxi: Config, write_yaml: Callable[[Any], Path]) -> None:
    _pace(milestones=[{"by": "2017-06-30", "share": "7/10"}, {"by": "2017-08-31", "share": "1/2"}])(jinxi)
    path = write_yaml(jinxi)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "share: 1/2" in text)

    errors = validate_campaign_file(path)

    assert errors == [f"第 {line} 行 pace.milestones[2].share：累计比例 1/2 低于上一节点（2017-06-30）的 7/10："
                      "累计完成的比例不能下降"]


def test_shares_that_add_up_to_more_than_everything_are_accepted_and_capped(jinxi: Config) -> None:
    """Seed 000: 1/5 a month from May and all by 30 September is 5 × 1/5, the whole. Written from April (six
    months, 6/5) or per quarter at 2/5 from January, a town's rule is still what it wrote: at least that much each
    period until everything is visited (decision 0021); the due never passes the assigned total."""
    from zoufang.oversight.pace import pace_due

    assert validate_config(jinxi) == []
    jinxi["pace"]["starts_on"] = "2017-04-01"
    assert validate_config(jinxi) == []
    quarterly = {**jinxi, "pace": {"every": "quarter", "min_share": "2/5", "starts_on": "2017-01-01",
                                   "complete_by": "2017-09-30"}}
    assert validate_config(quarterly) == []
    rule = pace_rule(Campaign(config=jinxi, starts_on=dt.date(2017, 3, 1)))
    assert pace_due(rule, 100, dt.date(2017, 7, 31)) == 80  # April to July: 4 × 20
    assert pace_due(rule, 100, dt.date(2017, 8, 31)) == 100  # five months ended: the whole, and no more after
    assert pace_due(rule, 100, dt.date(2017, 9, 29)) == 100


def test_mechanisms_may_meet_every_two_weeks(jinxi: Config) -> None:
    jinxi["mechanisms"].append({"key": "biweekly_report", "name": "每两周一报", "every": "two_weeks"})

    assert validate_config(jinxi) == []


def test_the_third_town_s_file_states_its_milestones_and_fortnightly_report(db: Any) -> None:
    """千灯镇 (a stranger's file): 4月底前完成30%，6月底前完成70%，9月底前全部完成; 每两周一报."""
    assert validate_campaign_file(CONFIG) == []
    data = read_campaign_file(CONFIG).data
    rule = pace_rule(Campaign(starts_on=dt.date(2019, 3, 1), config=data))
    assert [(m.by, m.share) for m in rule.milestones] == [(dt.date(2019, 4, 30), Fraction(3, 10)),
                                                           (dt.date(2019, 6, 30), Fraction(7, 10))]
    assert (rule.starts_on, rule.complete_by, rule.share) == (dt.date(2019, 3, 16), dt.date(2019, 9, 30), None)
    assert data["mechanisms"][0]["every"] == "two_weeks"
