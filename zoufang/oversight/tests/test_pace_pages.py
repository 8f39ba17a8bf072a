"""A campaign whose pace is milestones (30% by 31 May, 70% by 31 July, all by 30 September): every page, download
and API answer states that rule and its next milestone, none says “每月” or “本月底”.

On 2017-06-15 (conftest.py's hand-counted campaign): 派出所党员甲 3 assigned, 1 visited: ⌈0.9⌉ = 1 due, ⌈2.1⌉ = 3 by
31 July; 王文 3 assigned, 2 visited: the same; the whole campaign 6 and 3: ⌈1.8⌉ = 2 due, ⌈4.2⌉ = 5 by 31 July."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.oversight.tests.conftest import PACE

MILESTONES = {**{k: v for k, v in PACE.items() if k != "monthly_min_share"},
              "milestones": [{"by": "2017-05-31", "share": "30%"}, {"by": "2017-07-31", "share": "70%"}]}
RULE_TEXT = "进度要求：2017年5月31日前累计走访不少于分配总数的 30%，2017年7月31日前不少于 70%（向上取整），2017年9月30日前全部完成。"


@pytest.fixture
def milestones(counted: Any) -> Any:
    counted.campaign.config = {**counted.campaign.config, "pace": MILESTONES}
    counted.campaign.save()
    return counted


def test_the_dashboard_states_the_milestones_and_the_next_one(milestones: Any, login: Any) -> None:
    page = login(milestones.users["office"]).get(f"/oversight/{milestones.campaign.slug}/").content.decode()
    assert RULE_TEXT in page
    assert "“截至今日应完成”按已到的进度节点计算" in page
    assert "截至7月31日应累计" in page
    assert "本月底应累计" not in page
    assert "每月走访" not in page


def test_my_visits_counts_to_the_next_milestone(milestones: Any, login: Any) -> None:
    page = login(milestones.users["dept"]).get("/me/").content.decode()
    assert RULE_TEXT in page
    assert "按进度要求，到7月31日累计应走访 3 个" in page
    assert "已到的进度节点共要求走访 1 个" in page
    assert "应至少走访" not in page  # no share per period
    assert "本月底" not in page


def test_the_xlsx_heads_the_column_with_the_next_milestone(milestones: Any, login: Any) -> None:
    client = login(milestones.users["office"])
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{milestones.campaign.slug}/xlsx/coverage-unit/")
                                     .content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][5:8] == ["截至今日应完成", "逾期未完成", "截至7月31日应累计"]
    assert rows[4][:1] + rows[4][5:8] == ["合计", 2, 0, 5]


def test_the_api_gives_the_rule_as_written_and_the_next_milestone(milestones: Any, api_token: Any,
                                                                  client: Any) -> None:
    coverage = client.get(f"/api/v1/oversight/{milestones.campaign.slug}/coverage?by=unit",
                          **api_token("office")).json()
    assert coverage["rule"]["text"] == RULE_TEXT
    assert coverage["rule"]["monthly_share"] is None
    assert coverage["rule"]["rules"][0]["milestones"] == [{"by": "2017-05-31", "share": "30%"},
                                                          {"by": "2017-07-31", "share": "70%"}]
    pace = coverage["total"]["pace"]
    assert (pace["due_today"], pace["due_next"], pace["next_on"], pace["next_gap"]) == (2, 5, "2017-07-31", 2)


def test_a_rule_per_kind_is_stated_per_kind(counted: Any, login: Any, settings: Any) -> None:
    counted.campaign.config = {**counted.campaign.config, "pace": {"complete_by": "2017-09-30", "rules": [
        {"target_kinds": ["registered_household"], "every": "two_weeks", "min_share": "1/10",
         "starts_on": "2017-05-01"},
        {"target_kinds": ["enterprise"], "complete_by": "2017-06-30", "milestones": [
            {"by": "2017-05-31", "share": "1/2"}]}]}}
    counted.campaign.save()
    page = login(counted.users["office"]).get(f"/oversight/{counted.campaign.slug}/").content.decode()
    assert ("进度要求：户籍户：自 2017年5月1日 起每两周走访不少于分配总数的 1/10（向上取整），2017年9月30日前全部完成；"
            "企业：2017年5月31日前累计走访不少于分配总数的 1/2（向上取整），2017年6月30日前全部完成。") in page
    assert "“截至今日应完成”按已结束的两周、已到的进度节点计算" in page
    assert "截至6月25日应累计" in page  # the fortnight of 12–25 June ends first
    # What the fortnight adds to the due (`pace.period_minimum`): on 15 June nothing, the 3 households being all due
    # by 11 June (three fortnights of ⌈3 × 1/10⌉ = 1); in the fortnight of 15–28 May, ⌈3 × 1/10⌉ = 1.
    cadre = login(counted.users["dept"]).get("/me/").content.decode()
    assert "本两周应至少走访" not in cadre
    settings.ZOUFANG_TODAY = "2017-05-20"
    cadre = login(counted.users["dept"]).get("/me/").content.decode()
    assert "户籍户：本两周应至少走访 1 个，已走访 0 个" in cadre  # h0 was visited on 10 May, the fortnight before
