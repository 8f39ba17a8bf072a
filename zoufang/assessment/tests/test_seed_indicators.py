"""What each shipped campaign's annual assessment weighs, read from its file as a run reads it.

Seed 000 三(三) assesses 不少于分配数量, the 1/5 pace, 2个工作日内登记, 不拖延, 事事有回音, and the third party's 回访抽查
(“作为考核依据”); seed 002 六3 纳入年度考核 with no third party. The weights are ours (docs/assessment.md). The
`integrity` indicator counts the 走访真实性提示 the office upheld, and says so: not 廉洁纪律, which no figure here measures
(decision 0068).
"""

import datetime as dt

import pytest

from zoufang.assessment.indicators import DEDUCTION, MONTHS, RATE, indicators
from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path
from zoufang.campaigns.models import Campaign


def _weighed(slug: str, starts_on: dt.date) -> list[tuple[str, str, int, str, int]]:
    campaign = Campaign(slug=slug, starts_on=starts_on, config=read_campaign_file(shipped_campaign_path(slug)).data)
    return [(i.key, i.label, i.weight, i.scoring, i.deduction) for i in indicators(campaign)]


@pytest.mark.parametrize(("slug", "starts_on", "expected"), [
    ("jinxi-2017", dt.date(2017, 1, 1), [
        ("quota_completion", "走访任务完成（不少于分配数量）", 30, RATE, 0),
        ("pace", "月度走访进度达标", 10, MONTHS, 0),
        ("registration_timeliness", "问题意见2个工作日内登记", 10, RATE, 0),
        ("handled_on_time", "问题按时办结", 10, RATE, 0),
        ("resolution", "问题解决", 10, RATE, 0),
        ("response", "问题答复回应", 5, RATE, 0),
        ("satisfaction", "群众满意", 5, RATE, 0),
        ("callback", "第三方回访抽查查实问题", 10, DEDUCTION, 20),
        ("integrity", "走访真实性问题查实", 10, DEDUCTION, 50),
    ]),
    ("menghe-dazoufang", dt.date(2018, 3, 1), [
        ("quota_completion", "走访任务完成（不少于分配数量）", 30, RATE, 0),
        ("pace", "月度走访进度达标", 10, MONTHS, 0),
        ("registration_timeliness", "问题意见2个工作日内登记", 5, RATE, 0),
        ("handled_on_time", "问题按时办结", 10, RATE, 0),
        ("resolution", "问题解决", 15, RATE, 0),
        ("response", "问题答复回应", 10, RATE, 0),
        ("satisfaction", "群众满意", 10, RATE, 0),
        ("integrity", "走访真实性问题查实", 10, DEDUCTION, 50),
    ]),
])
def test_each_shipped_campaign_weighs_what_its_seed_assesses(slug: str, starts_on: dt.date, expected: list) -> None:
    weighed = _weighed(slug, starts_on)
    assert [row[0] for row in weighed] == [row[0] for row in expected]
    assert sum(row[2] for row in weighed) == 100
    assert weighed == expected
