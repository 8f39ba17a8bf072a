"""What the drafts say, on the oversight tests' hand-counted campaign (see its conftest for the counts)."""

import datetime as dt
from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.documents import content
from zoufang.oversight import figures
from zoufang.oversight.tests.conftest import at, visit

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
    # The quarter ended on 30 June: the cases collected by then, their handling as it stands on 1 July.
    assert text(draft, "cases").startswith("截至2017年6月30日，共收集问题和意见建议5件。截至2017年7月1日，这些问题"
                                           "已交办4件，已办结2件")
    assert text(draft, "cases").endswith("超期未办结的问题涉及1个单位：派出所1件。")
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


def blocks(draft: content.Draft, key: str) -> list[dict[str, Any]]:
    return next(item["blocks"] for item in draft.sections if item["key"] == key)


def test_a_circular_about_a_past_month_reports_its_figures_as_of_the_month_s_end(office_town: Any) -> None:
    """May's 通报 drafted on 15 June: coverage and pace as of 31 May (recounted), the cases collected by 31 May
    with their handling as it stands on 15 June, both days said; the asks as of 15 June, said so.
    By hand: by 31 May 派出所 had visited 上下塘 h0 (5/10) and 镇党政班子 计家墩 h0 (5/20): 2 of 6 (the enterprise's
    visit came on 6/12: 3 of 6 today). One month of the rule had ended: ⌈3/5⌉ = 1 due each, 2 in all (⌈6/5⌉).
    c3 is moved to 25 May: the only case collected by 31 May; on 15 June it is dispatched and answered (explained
    on 6/9, due 6/8: late), not resolved, 不满意; c2 (派出所, due 6/12) is overdue on 15 June."""
    Case.objects.filter(pk=office_town.cases["c3"].pk).update(raised_at=at("2017-05-25"))
    draft = content.circular(office_town.campaign, dt.date(2017, 5, 1), dt.date(2017, 5, 31), dt.date(2017, 6, 15))
    assert draft.title == "关于2017年5月1日至2017年5月31日锦溪镇测试走访开展情况的通报"
    assert text(draft, "progress").startswith(
        "截至2017年5月31日，应走访对象6个，已走访2个，完成33.3%。按进度要求应完成2个，已达到进度要求。")
    [by_unit, by_village] = blocks(draft, "progress")
    assert by_unit["attached"]
    assert by_unit["number"] == 1
    assert "截至2017年5月31日" in by_unit["caption"]
    assert by_unit["rows"] == [["派出所", 3, 1, "33.3", 1, 0], ["镇党政班子", 3, 1, "33.3", 1, 0],
                               ["合计", 6, 2, "33.3", 2, 0]]
    assert by_village["rows"][-1] == ["合计", 6, 2, "33.3", 2, 0]
    assert text(draft, "cases") == (
        "截至2017年5月31日，共收集问题和意见建议1件。截至2017年6月15日，这些问题已交办1件，已办结1件（其中解决0件），"
        "按时办结率0.0%，解决率0.0%，满意率0.0%；超过办理期限尚未办结0件。")
    [chart, cases] = blocks(draft, "cases")
    assert chart["kind"] == "figure"
    assert cases["caption"] == "各单位问题办理情况（截至2017年5月31日收集的问题，办理情况截至2017年6月15日）"
    assert cases["rows"] == [["镇党政班子", 1, 1, "0.0", "0.0", "0.0", 0], ["合计", 1, 1, "0.0", "0.0", "0.0", 0]]
    requests = text(draft, "requests").splitlines()
    assert requests[0] == "以下按截至2017年6月15日的走访进度和问题办理情况提出："
    assert "（一）派出所有1件问题超过办理期限，要抓紧办结并答复反映人。" in requests  # c2: overdue on 15 June

    # The same period drafted on its last day reads today's (kept) figures: 3 of 6, the June cases none.
    same = content.circular(office_town.campaign, dt.date(2017, 6, 1), dt.date(2017, 6, 15), dt.date(2017, 6, 15))
    assert text(same, "progress").startswith("截至2017年6月15日，应走访对象6个，已走访3个，完成50.0%。")
    assert text(same, "cases").startswith("截至2017年6月15日，共收集问题和意见建议5件，已交办4件，已办结2件")
    assert not text(same, "requests").startswith("以下按")


def test_a_unit_behind_at_the_period_s_end_is_named_though_it_has_caught_up_since(office_town: Any) -> None:
    """The second quarter's 通报 drafted on 10 July: on 30 June two months had ended, 2 due for each unit, and
    派出所 had visited 1 (named behind, and drawn); it visited 上下塘 h2 on 3 July, so the asks (as of 10 July)
    no longer ask it to catch up."""
    town = office_town
    visit(town.campaign, town.households["shangxiatang"][2], town.officer, "2017-07-03")
    draft = content.circular(town.campaign, dt.date(2017, 4, 1), dt.date(2017, 6, 30), dt.date(2017, 7, 10))
    assert "以下1个单位走访进度滞后：派出所（应完成2个，已走访1个，落后1个）。" in text(draft, "behind")
    [figure, *_villages] = blocks(draft, "behind")
    assert figure["kind"] == "figure"
    assert figure["rows"] == [["派出所", 2, 1, 1]]
    assert figure["caption"] == "进度滞后的1个单位（全部单位见附件表1）"
    assert text(draft, "progress").startswith("截至2017年6月30日，应走访对象6个，已走访3个")
    assert "派出所要加快走访进度" not in text(draft, "requests")
    assert text(draft, "requests").startswith("以下按截至2017年7月10日的走访进度和问题办理情况提出：")


def test_a_briefing_of_a_past_week_reports_coverage_as_of_its_last_day(office_town: Any) -> None:
    draft = content.briefing(office_town.campaign, dt.date(2017, 5, 25), dt.date(2017, 5, 31), dt.date(2017, 6, 15))
    assert text(draft, "progress").startswith("截至2017年5月31日，应走访对象6个，已走访2个，完成33.3%。")
    [chart] = blocks(draft, "progress")
    assert chart["rows"][-1][:3] == ["合计", 6, 2]


def test_the_asks_name_every_unit_with_overdue_cases_however_many_are_behind() -> None:
    """Thirty units behind pace and three with overdue cases: the five worst asked by name, the other 25 in one
    ask pointing to the table, then every unit with overdue cases (once cut at ten asks, they were lost)."""
    rule = figures.PaceRule(dt.date(2017, 4, 1), dt.date(2017, 9, 30), 0.2, ("household",))
    today = dt.date(2017, 7, 1)

    def row(name: str, due: int, visited: int) -> figures.CoverageRow:
        kinds = {"household": figures.KindCount("household", "住户", 10 * due, visited)}
        pace = figures.Pace(10 * due, visited, due, due + 5, None, next_on=dt.date(2017, 7, 31), today=today)
        return figures.CoverageRow(name, name, kinds, pace)

    by_unit = figures.Coverage("unit", today, rule, [row(f"单位{n}", 40 - n, 0) for n in range(30)],
                               row("合计", 0, 0), [])
    overdue = [figures.CaseRow(f"k{n}", f"超期单位{n}", overdue=n + 1) for n in range(3)]
    cases = figures.CaseFigures("unit", today, overdue, figures.CaseRow(None, "合计"))
    asks = content.requests_text(by_unit, cases, where="附件表1").splitlines()
    assert [ask.split("）")[0] + "）" for ask in asks] == [f"（{content.chinese(n)}）" for n in range(1, 11)]
    assert asks[0] == "（一）单位0要加快走访进度，本月底前还需走访45个对象。"
    assert asks[5] == "（六）其余25个走访进度滞后的单位（见附件表1）要对照进度要求，逐户逐企补齐差额。"
    assert asks[6:9] == [f"（{content.chinese(7 + n)}）超期单位{2 - n}有{3 - n}件问题超过办理期限，要抓紧办结并答复反映人。"
                         for n in range(3)]
    assert [content.chinese(n) for n in (1, 10, 11, 20, 25)] == ["一", "十", "十一", "二十", "二十五"]
    # A past period's 附件表1 is as of its end, the asks as of today: the other units are named, not pointed to a
    # table that lists another day's units behind.
    later = content.requests_text(by_unit, cases, where="附件表1", read_on=today).splitlines()
    assert later[0] == "以下按截至2017年7月1日的走访进度和问题办理情况提出："
    assert later[6] == ("（六）其余25个走访进度滞后的单位（" + "、".join(f"单位{n}" for n in range(5, 30))
                        + "）要对照进度要求，逐户逐企补齐差额。")
    assert "附件表1" not in "\n".join(later)
