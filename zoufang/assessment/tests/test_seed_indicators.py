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


# Every indicator as a run names and scores it.
NAMED = {
    "quota_completion": ("走访任务完成（不少于分配数量）", RATE),
    "pace": ("月度走访进度达标", MONTHS),
    "registration_timeliness": ("问题意见2个工作日内登记", RATE),
    "handled_on_time": ("问题按时办结", RATE),
    "resolution": ("问题解决", RATE),
    "response": ("问题答复回应", RATE),
    "satisfaction": ("群众满意", RATE),
    "callback": ("第三方回访抽查查实问题", DEDUCTION),
    "integrity": ("走访真实性问题查实", DEDUCTION),
}
POINTS = {"callback": 20, "integrity": 50}


@pytest.mark.parametrize(("slug", "starts_on", "weights"), [
    ("jinxi-2017", dt.date(2017, 1, 1), {
        "quota_completion": 30, "pace": 10, "registration_timeliness": 10, "handled_on_time": 10, "resolution": 10,
        "response": 5, "satisfaction": 5, "callback": 10, "integrity": 10}),
    ("menghe-dazoufang", dt.date(2018, 3, 1), {  # no third party: no callback
        "quota_completion": 30, "pace": 10, "registration_timeliness": 5, "handled_on_time": 10, "resolution": 15,
        "response": 10, "satisfaction": 10, "integrity": 10}),
])
def test_each_shipped_campaign_weighs_what_its_seed_assesses(slug: str, starts_on: dt.date,
                                                             weights: dict[str, int]) -> None:
    weighed = _weighed(slug, starts_on)
    assert sum(row[2] for row in weighed) == 100
    assert weighed == [(key, NAMED[key][0], weight, NAMED[key][1], POINTS.get(key, 0))
                       for key, weight in weights.items()]
