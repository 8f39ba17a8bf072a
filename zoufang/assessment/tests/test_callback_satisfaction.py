"""群众满意 counts the people's satisfaction as the third party asked it, beside the office's ratings of the cases.

The hand-counted campaign (conftest.py, test_scoring.py's comments) with one batch of its visits called back
("您对这次走访是否满意？"):
  派出所党员甲 05-10, 张建国 (上下塘社区) — 不满意;      居委会干部甲 06-02, 张建国 (上下塘社区) — 满意;
  王文 05-20, 赵桂兰 (计家墩村) — 满意;                 王文 06-12, the enterprise (计家墩村) — 基本满意;
  王文 06-12, the extra household (计家墩村) — says it was not visited: no answer on satisfaction, not counted.
Cases' ratings (unchanged): 派出所 1 of 1 (c1 满意); 镇党政班子 0 of 1 (c3 不满意).
  派出所: 1/1 + 0/1 = 1/2 → 50.0 (was 100.0): (3498.5 − 5×100 + 5×50) ÷ 80 = 3248.5 ÷ 80 = 40.61 (was 43.73).
  镇党政班子: 0/1 + 2/2 = 2/3 → 66.7 (was 0.0): (4501 + 5×66.7) ÷ 80 = 4834.5 ÷ 80 = 60.43 (was 56.26).
  派出所党员甲: 1/1 + 0/1 → 50.0;  王文: 0/1 (c3 on his 赵桂兰) + 2/2 → 66.7.
  上下塘社区: c1 1/1 + 满意 and 不满意 1/2 → 2/3 → 66.7;  计家墩村: c3 0/1 + 2/2 → 66.7.
"""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.assessment import indicators as indicator_module
from zoufang.assessment.export import workbook
from zoufang.assessment.services import run_assessment
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.visits.models import Visit

YEAR = {"starts_on": dt.date(2017, 5, 1), "ends_on": dt.date(2017, 12, 31)}
SAID = {"visited": "yes", "same_visitor": "yes", "mode": "home", "answered": "none_raised"}


@pytest.fixture
def called(assessed: Any) -> Any:
    """The batch above, its answers recorded as a completed call leaves them."""
    campaign = assessed.campaign
    batch = CallbackBatch.objects.create(campaign=campaign, number=1, period_starts_on=dt.date(2017, 5, 1),
                                         period_ends_on=dt.date(2017, 6, 30), count=5, seed=7)
    visits = Visit.objects.filter(campaign=campaign).select_related("cadre", "target").order_by("visited_at", "id")
    said = {("派出所党员甲", "张建国"): "unsatisfied", ("居委会干部甲", "张建国"): "satisfied",
            ("王文", "赵桂兰"): "satisfied", ("王文", "锦溪精密机械有限公司"): "fairly"}
    for position, visit in enumerate(visits, start=1):
        answer = said.get((visit.cadre.name, visit.target.name))
        answers = {**SAID, "satisfaction": answer} if answer else {"visited": "no"}
        outcome = CallbackSample.Outcome.CONFIRMED if answer else CallbackSample.Outcome.NOT_VISITED
        CallbackSample.objects.create(batch=batch, visit=visit, position=position, reason="random",
                                      outcome=outcome, answers=answers)
    assert CallbackSample.objects.filter(batch=batch).count() == 5
    return assessed


@pytest.fixture
def connected(monkeypatch: Any) -> None:
    monkeypatch.setitem(indicator_module.PROVIDERS, "satisfaction", "zoufang.callbacks.findings.satisfaction_by")


def _run(town: Any) -> Any:
    return run_assessment(town.campaign, **YEAR, title="2017年度考核", by=town.users["assessor"])


def test_it_counts_the_third_partys_answers_beside_the_cases_ratings(called: Any, connected: None) -> None:
    assessment = _run(called)

    police = assessment.scores.get(level="unit", unit=called.police)
    leadership = assessment.scores.get(level="unit", unit=called.wangwen.unit)
    assert police.cells["satisfaction"] == {"value": 50.0, "numerator": 1, "denominator": 2, "absent": False,
                                            "parts": [[1, 1], [0, 1]]}
    assert leadership.cells["satisfaction"] == {"value": 66.7, "numerator": 2, "denominator": 3, "absent": False,
                                                "parts": [[0, 1], [2, 2]]}
    assert police.total == Decimal("40.61")
    assert leadership.total == Decimal("60.43")
    cadre = {s.cadre.name: s.cells["satisfaction"] for s in assessment.scores.filter(level="cadre")}
    assert (cadre["派出所党员甲"]["value"], cadre["王文"]["value"]) == (50.0, 66.7)
    assert cadre["王文"]["parts"] == [[0, 1], [2, 2]]
    village = {s.region.name: s.cells["satisfaction"] for s in assessment.scores.filter(level="village")}
    assert village["上下塘社区"]["parts"] == [[1, 1], [1, 2]]
    assert village["计家墩村"]["parts"] == [[0, 1], [2, 2]]
    assert assessment.indicators[6]["part_absent"] is False


def test_only_the_visits_of_the_period_are_counted(called: Any, connected: None) -> None:
    assessment = run_assessment(called.campaign, starts_on=dt.date(2017, 6, 1), ends_on=dt.date(2017, 6, 30),
                                title="", by=called.users["assessor"])

    leadership = assessment.scores.get(level="unit", unit=called.wangwen.unit)
    assert leadership.cells["satisfaction"]["parts"] == [[0, 1], [1, 1]]  # the enterprise's 06-12 visit only


def test_the_page_the_api_and_the_xlsx_name_each_source(called: Any, connected: None, login: Any,
                                                        client: Any, api_token: Any) -> None:
    assessment = _run(called)
    police = assessment.scores.get(level="unit", unit=called.police)
    text = "满意和基本满意 1 / 已评价 2（问题回访 1 / 1，第三方回访抽查 0 / 1）"

    slug = called.campaign.slug
    page = login(called.users["assessor"]).get(f"/assessment/{slug}/{assessment.public_id}/scores/{police.public_id}/")
    assert text in page.content.decode()
    body = client.get(f"/api/v1/assessment/{slug}/{assessment.public_id}", **api_token("assessor")).json()
    cell = next(c for s in body["scores"] if s["label"] == "派出所" for c in s["cells"] if c["key"] == "satisfaction")
    assert (cell["value"], cell["text"]) == (50.0, text)
    assert cell["parts"] == [
        {"source": "cases", "label": "问题回访", "numerator": 1, "denominator": 1, "absent": False},
        {"source": "callbacks", "label": "第三方回访抽查", "numerator": 0, "denominator": 1, "absent": False}]
    book = load_workbook(io.BytesIO(workbook(assessment)))
    detail = [row for row in book["明细-派出所"].iter_rows(min_row=4, values_only=True)]
    assert detail[6][:5] == (7, "群众满意", 5, text, 50)


def test_without_the_callbacks_provider_the_cases_count_alone_and_the_notes_say_so(called: Any) -> None:
    """The conftest disconnects every provider: the part is 数据未接入, never guessed; the cases' rate stands."""
    assessment = _run(called)

    police = assessment.scores.get(level="unit", unit=called.police)
    assert police.cells["satisfaction"] == {"value": 100.0, "numerator": 1, "denominator": 1, "absent": False,
                                            "parts": [[1, 1], None]}
    assert police.total == Decimal("43.73")  # as test_scoring counts it
    assert assessment.indicators[6]["part_absent"] is True
    book = load_workbook(io.BytesIO(workbook(assessment)))
    detail = [row for row in book["明细-派出所"].iter_rows(min_row=4, values_only=True)]
    assert detail[6][3] == "满意和基本满意 1 / 已评价 1（问题回访 1 / 1，第三方回访抽查：数据未接入）"
    notes = [row[0] for row in book["单位考核表"].iter_rows(min_row=7, values_only=True) if row[0]]
    assert any("群众满意：第三方回访抽查数据未接入，只按问题回访计算" in note for note in notes)
