"""Every indicator and the weighted total on the hand-counted campaign (zoufang/oversight/tests/conftest.py).

On 2017-07-15, over the campaign's period 2017-05-01 to 12-31 (figures read as of 07-15; pace months May and June, ⌈3/5⌉ = 1 target a month):
  派出所 / 派出所党员甲 / 上下塘社区: 3 assigned, 1 visited (h0: 05-10) → 33.3; May kept (1 ≥ 1), June not (1 < 2) → 50.
  镇党政班子 / 王文 / 计家墩村: 3 assigned, 2 visited (h0 05-20, the enterprise 06-12) → 66.7; both months kept → 100.
  Cases handled by 派出所 (c1 closed on time 满意, c2 registered late and overdue, c6 escalated past its 06-30
  deadline): registered 3, on time 2 → 66.7; dispatched 3; due or done 3, done on time 1 → 33.3; resolved 1 → 33.3;
  answered 1 → 33.3; rated 1, satisfied 1 → 100. 上下塘社区 has the same (and c4, an unregistered draft).
  镇党政班子 / 计家墩村 (c3 explained 06-09 after its 06-08 deadline, 不满意): 100, 0, 0, 100, 0.
  派出所党员甲's targets raised c1 and c2: registration 1/2, on time 1/2, resolved 1/2, answered 1/2 → 50; satisfied 1/1.
  callback and integrity: 数据未接入 — their 20 points of weight go to the other 80.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zoufang.assessment import indicators as indicator_module
from zoufang.assessment.models import Score
from zoufang.assessment.services import run_assessment
from zoufang.assessment.tests import providers

YEAR = {"starts_on": dt.date(2017, 5, 1), "ends_on": dt.date(2017, 12, 31)}  # the campaign's period
ORDER = ["quota_completion", "pace", "registration_timeliness", "handled_on_time", "resolution", "response",
         "satisfaction", "callback", "integrity"]


def _values(score: Score) -> list[Any]:
    return [score.cells[key]["value"] for key in ORDER]


def _run(town: Any) -> Any:
    return run_assessment(town.campaign, **YEAR, title="2017年度考核", by=town.users["assessor"])


def test_it_scores_every_indicator_of_every_unit(assessed: Any) -> None:
    assessment = _run(assessed)

    police = assessment.scores.get(level="unit", unit=assessed.police)
    leadership = assessment.scores.get(level="unit", unit=assessed.wangwen.unit)
    assert _values(police) == [33.3, 50.0, 66.7, 33.3, 33.3, 33.3, 100.0, None, None]
    assert _values(leadership) == [66.7, 100.0, 100.0, 0.0, 0.0, 100.0, 0.0, None, None]
    # (30×33.3 + 10×50 + 10×66.7 + 10×33.3 + 10×33.3 + 5×33.3 + 5×100) ÷ 80 = 3498.5 ÷ 80
    assert police.base_total == police.total == Decimal("43.73")
    # (30×66.7 + 10×100 + 10×100 + 0 + 0 + 5×100 + 0) ÷ 80 = 4501 ÷ 80
    assert leadership.total == Decimal("56.26")
    assert (leadership.rank, police.rank) == (1, 2)
    assert police.cells["quota_completion"] == {"value": 33.3, "numerator": 1, "denominator": 3, "absent": False}
    assert police.cells["pace"] == {"value": 50.0, "numerator": 1, "denominator": 2, "absent": False}
    assert police.cells["handled_on_time"]["numerator"] == 1
    assert police.cells["handled_on_time"]["denominator"] == 3
    assert police.cells["callback"] == {"value": None, "numerator": None, "denominator": None, "absent": True}


def test_it_scores_cadres_on_their_own_targets_and_villages_on_theirs(assessed: Any) -> None:
    assessment = _run(assessed)

    officer = assessment.scores.get(level="cadre", cadre=assessed.officer)
    wangwen = assessment.scores.get(level="cadre", cadre=assessed.wangwen)
    assert _values(officer) == [33.3, 50.0, 50.0, 50.0, 50.0, 50.0, 100.0, None, None]
    assert officer.total == Decimal("46.86")  # (999 + 500 + 500 + 500 + 500 + 250 + 500) ÷ 80 = 3749 ÷ 80
    assert officer.unit == assessed.police  # the unit whose detail sheet lists the cadre
    assert wangwen.total == Decimal("56.26")
    assert assessment.scores.filter(level="cadre").count() == 2  # 居委会干部甲 has no assignment and no case
    sxt = assessment.scores.get(level="village", region=assessed.shangxiatang)
    jjd = assessment.scores.get(level="village", region=assessed.jijiadun)
    assert _values(sxt) == _values(assessment.scores.get(level="unit", unit=assessed.police))
    assert (sxt.total, jjd.total, jjd.rank, sxt.rank) == (Decimal("43.73"), Decimal("56.26"), 1, 2)


def test_it_stores_the_indicators_and_weights_it_used(assessed: Any) -> None:
    assessment = _run(assessed)

    assert [i["key"] for i in assessment.indicators] == ORDER
    assert [i["weight"] for i in assessment.indicators] == [30, 10, 10, 10, 10, 5, 5, 10, 10]
    assert [i["available"] for i in assessment.indicators][-2:] == [False, False]
    assert assessment.indicators[2]["label"] == "问题意见2个工作日内登记"
    assert str(assessment.as_of) == "2017-07-15"


@pytest.fixture
def integrity_connected(monkeypatch: Any) -> Any:
    monkeypatch.setitem(indicator_module.PROVIDERS, "integrity", "zoufang.assessment.tests.providers.upheld_against")
    providers.CALLS.clear()
    yield providers.UPHELD
    providers.UPHELD.clear()


def test_it_deducts_findings_upheld_once_their_provider_is_connected(assessed: Any, integrity_connected: Any) -> None:
    integrity_connected["unit"] = {assessed.police.pk: 1}

    assessment = _run(assessed)

    police = assessment.scores.get(level="unit", unit=assessed.police)
    leadership = assessment.scores.get(level="unit", unit=assessed.wangwen.unit)
    assert police.cells["integrity"] == {"value": 50.0, "numerator": 1, "denominator": None, "absent": False}
    assert leadership.cells["integrity"]["value"] == 100.0
    assert police.total == Decimal("44.43")  # (3498.5 + 10×50) ÷ 90
    assert leadership.total == Decimal("61.12")  # (4501 + 10×100) ÷ 90
    assert {(by, str(start), str(end)) for _c, by, start, end in providers.CALLS} == {
        (level, "2017-05-01", "2017-12-31") for level in ("unit", "cadre", "village")}


def test_it_counts_only_the_cases_raised_in_the_period(assessed: Any) -> None:
    assessment = run_assessment(assessed.campaign, starts_on=YEAR["starts_on"],
                                ends_on=dt.date(2017, 6, 5),
                                title="", by=assessed.users["assessor"])

    police = assessment.scores.get(level="unit", unit=assessed.police)
    # as of 06-05: c6 (raised 06-08) is out; c1 answered, c2 not yet due → on time 1 of 1
    assert police.cells["registration_timeliness"]["denominator"] == 2
    assert police.cells["handled_on_time"]["value"] == 100.0
    assert police.cells["pace"]["value"] == 100.0  # only May has ended
    assert assessment.title == "2017年度考核"


def test_the_callbacks_app_is_the_callback_indicator_s_provider(assessed: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(indicator_module.PROVIDERS, "callback", "zoufang.callbacks.findings.upheld_by")
    assessment = _run(assessed)
    police = assessment.scores.get(level="unit", unit=assessed.police)
    # No finding upheld against anyone in the fixture: full marks on the indicator, now part of the total.
    assert police.cells["callback"]["value"] == 100.0
    assert police.total == Decimal("49.98")  # (3498.5 + 10×100) ÷ 90


def test_the_integrity_app_is_the_integrity_indicator_s_provider(assessed: Any, monkeypatch: Any) -> None:
    """One flag upheld (查实) against 派出所党员甲 for his 05-10 visit in 上下塘社区, one cleared against 王文: the
    indicator gets 100 − 50 × 1 = 50 for him, 派出所 and 上下塘社区, 100 for the others."""
    from zoufang.integrity.models import FlagClearance
    from zoufang.visits.models import Visit

    monkeypatch.setitem(indicator_module.PROVIDERS, "integrity", "zoufang.integrity.flags.upheld_against")
    officer_visit = Visit.objects.get(cadre=assessed.officer, campaign=assessed.campaign)
    wangwen_visit = Visit.objects.filter(cadre=assessed.wangwen).order_by("visited_at").first()
    assert wangwen_visit is not None
    FlagClearance.objects.create(campaign=assessed.campaign, key=f"night:{officer_visit.pk}", kind="night",
                                 cadre=assessed.officer, reason="电话回访：当晚未入户", visit_ids=[officer_visit.pk],
                                 visited_on=dt.date(2017, 5, 10), outcome=FlagClearance.Outcome.UPHELD)
    FlagClearance.objects.create(campaign=assessed.campaign, key=f"night:{wangwen_visit.pk}", kind="night",
                                 cadre=assessed.wangwen, reason="属实", visit_ids=[wangwen_visit.pk],
                                 visited_on=dt.date(2017, 5, 20))
    assessment = _run(assessed)

    police = assessment.scores.get(level="unit", unit=assessed.police)
    leadership = assessment.scores.get(level="unit", unit=assessed.wangwen.unit)
    officer = assessment.scores.get(level="cadre", cadre=assessed.officer)
    sxt = assessment.scores.get(level="village", region=assessed.shangxiatang)
    jjd = assessment.scores.get(level="village", region=assessed.jijiadun)
    assert police.cells["integrity"] == {"value": 50.0, "numerator": 1, "denominator": None, "absent": False}
    assert (officer.cells["integrity"]["value"], sxt.cells["integrity"]["value"]) == (50.0, 50.0)
    assert (leadership.cells["integrity"]["value"], jjd.cells["integrity"]["value"]) == (100.0, 100.0)
    assert [i["available"] for i in assessment.indicators][-2:] == [False, True]
    assert police.total == Decimal("44.43")  # (3498.5 + 10×50) ÷ 90
    assert leadership.total == Decimal("61.12")  # (4501 + 10×100) ÷ 90
    assert officer.total == Decimal("47.21")  # (3749 + 10×50) ÷ 90 = 47.21
    # Outside the period the finding does not count.
    june = run_assessment(assessed.campaign, starts_on=dt.date(2017, 6, 1), ends_on=dt.date(2017, 6, 30),
                          title="", by=assessed.users["assessor"])
    assert june.scores.get(level="unit", unit=assessed.police).cells["integrity"]["value"] == 100.0


def test_a_rule_of_milestones_is_kept_at_its_milestones(assessed: Any) -> None:
    """4 … milestones instead of months: 30% by 31 May and 70% by 30 June are the days checked by 15 July.
    派出所 (3: h0 visited 05-10): 1 due by May's milestone, kept; 3 by June's, 1 visited, not → 50.
    镇党政班子 (3: h0 05-20, the enterprise 06-12): kept in May, 2 < 3 in June → 50 (100 under seed 000's months)."""
    from zoufang.assessment.presenters import cell_text
    from zoufang.assessment.services import indicators_of

    campaign = assessed.campaign
    campaign.config = {**campaign.config, "pace": {
        "starts_on": "2017-05-01", "complete_by": "2017-09-30",
        "target_kinds": ["registered_household", "resident_household", "enterprise"],
        "milestones": [{"by": "2017-05-31", "share": "30%"}, {"by": "2017-06-30", "share": "70%"}]}}
    campaign.save()

    assessment = _run(assessed)

    police = assessment.scores.get(level="unit", unit=assessed.police)
    leadership = assessment.scores.get(level="unit", unit=assessed.wangwen.unit)
    assert police.cells["pace"] == {"value": 50.0, "numerator": 1, "denominator": 2, "absent": False}
    assert leadership.cells["pace"]["value"] == 50.0
    pace = next(i for i in indicators_of(assessment) if i.key == "pace")
    assert pace.label == "走访进度达标（按节点）"
    assert cell_text(pace, police.cells["pace"]) == "1 / 2 个检查日达到进度要求"
