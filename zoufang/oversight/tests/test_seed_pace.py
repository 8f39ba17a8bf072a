"""The pace each shipped campaign file asks, read as the figures read it (oversight/pace.pace_rule).

Seed 000 二(一): 每月走访居民户和企业数不少于实际安排总数的1/5，9月底前完成全部走访. Seed 002 五1: 确保在4月底前全面
完成集中走访任务 (no monthly share: the months from 1 March share the total evenly).
"""

import datetime as dt

from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.oversight.pace import checkpoints, pace_due, pace_rule

D = dt.date


def _rule(slug: str, starts_on: dt.date):
    return pace_rule(Campaign(slug=slug, starts_on=starts_on, config=read_campaign_file(
        shipped_campaign_path(slug)).data))


def test_jinxi_asks_a_fifth_of_households_and_enterprises_each_month_and_all_by_the_end_of_september() -> None:
    rule = _rule("jinxi-2017", D(2017, 1, 1))
    assert set(rule.kinds) == {"registered_household", "resident_household", "enterprise"}
    # A town leader's 50 households and 20 enterprises: 14 a month, all 70 by 30 September.
    assert [pace_due(rule, 70, day) for day in (D(2017, 4, 30), D(2017, 5, 31), D(2017, 6, 30), D(2017, 8, 31),
                                                D(2017, 9, 29), D(2017, 9, 30))] == [0, 14, 28, 56, 56, 70]
    assert checkpoints(rule, D(2017, 1, 1), D(2017, 12, 31)) == [
        D(2017, 5, 31), D(2017, 6, 30), D(2017, 7, 31), D(2017, 8, 31), D(2017, 9, 30)]


def test_menghe_asks_every_concentrated_visit_by_the_end_of_april() -> None:
    rule = _rule("menghe-dazoufang", D(2018, 3, 1))
    assert "project" in rule.kinds
    # A town leader's 3 key enterprises, 3 SMEs and 3 key projects: half by 31 March, all by 30 April.
    assert [pace_due(rule, 9, day) for day in (D(2018, 3, 30), D(2018, 3, 31), D(2018, 4, 29), D(2018, 4, 30),
                                               D(2018, 6, 30))] == [0, 5, 5, 9, 9]
