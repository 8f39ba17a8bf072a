"""What the drafts say, on the oversight tests' hand-counted campaign (see its conftest for the counts)."""

import datetime as dt
from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.documents import content
from zoufang.oversight import figures
from zoufang.oversight.tests.conftest import at

pytestmark = pytest.mark.django_db


def text(draft: content.Draft, key: str) -> str:
    return next(item["text"] for item in draft.sections if item["key"] == key)


def test_the_period_figures_count_first_visits_and_cases_of_the_period(office_town: Any) -> None:
    campaign = office_town.campaign
    may, june = (dt.date(2017, 5, 1), dt.date(2017, 5, 31)), (dt.date(2017, 6, 1), dt.date(2017, 6, 15))
    # First visits: 上下塘 h0 on 5/10, 计家墩 h0 on 5/20, the enterprise on 6/12 (h0's second visit is not a first).
    assert figures.first_visited_between(campaign, *may) == 2
    assert figures.first_visited_between(campaign, *june) == 1
    # c1–c4 and c6 were collected in June; c5 is merged into c1.
    assert sorted(c.description for c in figures.cases_raised_between(campaign, *june)) == ["c1", "c2", "c3", "c4",
                                                                                              "c6"]
    # c1 resolved on 6/10, c3 explained on 6/9.
    assert sorted(c.description for c in figures.cases_answered_between(campaign, *june)) == ["c1", "c3"]
    assert not figures.cases_answered_between(campaign, dt.date(2017, 6, 11), dt.date(2017, 6, 15)).exists()


def test_the_circular_names_the_units_behind_pace_and_asks_them_to_catch_up(office_town: Any) -> None:
    # On 1 July two months have ended: ⌈3/5⌉ × 2 = 2 due for each unit; 派出所 has visited 1.
    draft = content.circular(office_town.campaign, dt.date(2017, 4, 1), dt.date(2017, 6, 30), dt.date(2017, 7, 1))
    assert draft.title == "关于2017年第二季度锦溪镇测试走访开展情况的通报"
    assert "以下1个单位走访进度滞后：派出所（应完成2个，已走访1个，落后1个）。" in text(draft, "behind")
    assert "镇党政班子" not in text(draft, "behind")
    requests = text(draft, "requests")
    assert "派出所要加快走访进度" in requests
    assert "派出所有1件问题超过办理期限" in requests  # c2, due 6/12
    assert text(draft, "cases").startswith("截至2017年7月1日，共收集问题和意见建议5件，已交办4件，已办结2件")
    assert [item["heading"][:2] for item in draft.sections] == ["一、", "二、", "三、", "四、"]


def test_the_briefing_lists_the_problems_solved_with_personal_numbers_masked(office_town: Any) -> None:
    case = office_town.cases["c1"]
    Case.objects.filter(pk=case.pk).update(description="路灯坏了，联系电话13812345678",
                                           resolved_at=at("2017-06-14"))
    draft = content.briefing(office_town.campaign, dt.date(2017, 6, 12), dt.date(2017, 6, 15), dt.date(2017, 6, 15))
    solved = text(draft, "solved")
    assert solved.splitlines()[0] == "本期办结问题1件。"
    assert "上下塘社区：路灯坏了，联系电话138****5678（派出所：已修复）" in solved
    assert "13812345678" not in solved
    assert text(draft, "period").startswith("2017年6月12日至2017年6月15日，全镇新走访对象1个。")


def test_the_meeting_papers_carry_the_month_s_agenda(office_town: Any) -> None:
    draft = content.consultation(office_town.campaign, dt.date(2017, 6, 1), dt.date(2017, 6, 15),
                                 dt.date(2017, 6, 15))
    assert draft.title == "2017年6月锦溪镇测试走访会商材料"
    escalated = text(draft, "escalated")
    assert escalated.startswith("镇级会商协调：")
    assert "c6（派出所）" in escalated
    assert text(draft, "signoff") == "无。"


def test_a_long_list_of_units_behind_pace_names_the_worst_and_tables_them_all() -> None:
    """Past five units the sentence names the five worst and says the table under it holds them all, worst first;
    five or fewer stay in the sentence alone."""
    rule = figures.PaceRule(dt.date(2017, 4, 1), dt.date(2017, 9, 30), 0.2, ("household",))

    def row(name: str, due: int, visited: int) -> figures.CoverageRow:
        kinds = {"household": figures.KindCount("household", "住户", 10 * due, visited)}
        return figures.CoverageRow(name, name, kinds, figures.Pace(10 * due, visited, due, due, None))

    rows = [row(f"单位{n}", 10 + n, n) for n in range(7)] + [row("达标单位", 5, 9)]
    many = figures.Coverage("unit", dt.date(2017, 7, 1), rule, rows, row("合计", 0, 0), [])
    sentence = content.behind_sentence(many, "单位")
    assert sentence.startswith("对照进度要求，7个单位走访进度滞后，落后最多的是单位0（应完成10个，已走访0个，落后10个）")
    assert "单位4（" in sentence
    assert "单位5" not in sentence
    assert sentence.endswith("全部滞后单位见下表。")
    [block] = content.behind_block(many, "单位")
    assert block["header"] == ["单位", "进度应完成", "已走访", "落后", "完成率（%）"]
    assert [line[0] for line in block["rows"]] == [f"单位{n}" for n in range(7)]  # 达标单位 is not behind
    assert block["rows"][6][1:4] == [16, 6, 10]

    few = figures.Coverage("unit", dt.date(2017, 7, 1), rule, rows[:5], row("合计", 0, 0), [])
    assert content.behind_sentence(few, "单位").startswith("对照进度要求，以下5个单位走访进度滞后：单位0")
    assert content.behind_block(few, "单位") == []


def test_the_targets_of_no_village_behind_pace_are_not_counted_as_a_village() -> None:
    """By village, the row of targets that sit in no village (（未填村）) is not a village: the sentence counts and
    names the villages behind, leaves that row out of the table and says how far its targets are behind apart."""
    rule = figures.PaceRule(dt.date(2017, 4, 1), dt.date(2017, 9, 30), 0.2, ("household",))

    def row(key: str | None, label: str, due: int, visited: int) -> figures.CoverageRow:
        kinds = {"household": figures.KindCount("household", "住户", 10 * due, visited)}
        return figures.CoverageRow(key, label, kinds, figures.Pace(10 * due, visited, due, due - visited, None))

    villages = [row(None, "（未填村）", 30, 0)] + [row(f"村{n}", f"村{n}", 10 + n, n) for n in range(6)]
    coverage = figures.Coverage("village", dt.date(2017, 7, 1), rule, villages, row("合计", "合计", 0, 0), [])
    sentence = content.behind_sentence(coverage, "村（社区）")
    assert sentence.startswith("对照进度要求，6个村（社区）走访进度滞后，落后最多的是村0（")
    assert sentence.endswith("全部滞后村（社区）见下表。另有未落实到村（社区）的走访对象，应完成30个，已走访0个，落后30个。")
    assert "（未填村）" not in sentence
    [block] = content.behind_block(coverage, "村（社区）")
    assert [line[0] for line in block["rows"]] == [f"村{n}" for n in range(6)]

    alone = figures.Coverage("village", dt.date(2017, 7, 1), rule, villages[:1], row("合计", "合计", 0, 0), [])
    assert content.behind_sentence(alone, "村（社区）") == (
        "各村（社区）走访进度均达到要求。另有未落实到村（社区）的走访对象，应完成30个，已走访0个，落后30个。")
    assert content.behind_block(alone, "村（社区）") == []


def test_the_circular_asks_a_unit_behind_for_what_the_next_checkpoint_wants() -> None:
    """Seed 000's month: 本月底前; a rule of milestones: the next milestone's day, named."""
    rule = figures.PaceRule(dt.date(2017, 5, 1), dt.date(2017, 9, 30), None, ("household",))
    today = dt.date(2017, 6, 15)

    def asked(next_on: dt.date) -> str:
        kinds = {"household": figures.KindCount("household", "住户", 10, 1)}
        pace = figures.Pace(10, 1, 3, 7, None, next_on=next_on, today=today)
        by_unit = figures.Coverage("unit", today, rule, [figures.CoverageRow("k", "派出所", kinds, pace)],
                                   figures.CoverageRow(None, "合计"), [])
        return content.requests_text(by_unit, figures.CaseFigures("unit", today, [], figures.CaseRow(None, "合计")))

    assert "（一）派出所要加快走访进度，本月底前还需走访6个对象。" in asked(dt.date(2017, 6, 30))
    assert "（一）派出所要加快走访进度，7月31日前还需走访6个对象。" in asked(dt.date(2017, 7, 31))
