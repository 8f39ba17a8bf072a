"""A unit's and a cadre's own scores: a unit handler sees its unit's score in a frozen assessment with the
drill-down, a cadre their own; nobody else's, and nothing of a draft assessment."""

import datetime as dt
from typing import Any

import pytest

from zoufang.assessment.services import freeze_assessment, run_assessment

pytestmark = pytest.mark.django_db
YEAR = {"starts_on": dt.date(2017, 5, 1), "ends_on": dt.date(2017, 12, 31)}


def _assessment(town: Any, *, frozen: bool) -> Any:
    assessment = run_assessment(town.campaign, **YEAR, title="2017年度考核", by=town.users["assessor"])
    return freeze_assessment(assessment, by=town.users["assessor"]) if frozen else assessment


def test_a_draft_assessment_shows_nothing_yet(assessed: Any, login: Any) -> None:
    _assessment(assessed, frozen=False)
    page = login(assessed.users["handler"]).get("/assessment/my-scores/").content.decode()
    assert "暂无已定稿的考核得分" in page
    assert "我的考核" not in login(assessed.users["handler"]).get("/").content.decode()


def test_a_unit_handler_sees_its_unit_s_score_and_its_drill_down_only(assessed: Any, login: Any) -> None:
    assessment = _assessment(assessed, frozen=True)
    police = assessment.scores.get(level="unit", unit=assessed.police)
    leadership = assessment.scores.get(level="unit", unit=assessed.wangwen.unit)
    officer = assessment.scores.get(level="cadre", cadre=assessed.officer)
    client = login(assessed.users["handler"])
    assert 'href="/assessment/my-scores/"' in client.get("/").content.decode()  # the nav's 我的考核
    page = client.get("/assessment/my-scores/").content.decode()
    assert "派出所" in page
    assert str(police.total) in page
    assert "镇党政班子" not in page
    assert str(leadership.total) not in page
    assert "派出所党员甲" not in page  # a cadre's own score is theirs, not their unit's handler's
    detail = client.get(f"/assessment/my-scores/{police.public_id}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "33.3" in text
    assert "查看记录" in text
    assert "登记加减分" not in text
    assert f"/oversight/{assessed.campaign.slug}/units/{assessed.police.public_id}/" in text
    # Its drill-down opens for the handler (the oversight page scoped to its unit).
    assert client.get(f"/oversight/{assessed.campaign.slug}/units/{assessed.police.public_id}/").status_code == 200
    for other in (leadership, officer):
        assert client.get(f"/assessment/my-scores/{other.public_id}/").status_code == 404
    # The assessment's own pages stay closed to the handler.
    assert client.get(f"/assessment/{assessed.campaign.slug}/{assessment.public_id}/").status_code == 404


def test_a_cadre_sees_their_own_score_only(assessed: Any, login: Any) -> None:
    assessment = _assessment(assessed, frozen=True)
    officer = assessment.scores.get(level="cadre", cadre=assessed.officer)
    wangwen = assessment.scores.get(level="cadre", cadre=assessed.wangwen)
    police = assessment.scores.get(level="unit", unit=assessed.police)
    client = login(assessed.users["dept"])
    assert assessed.users["dept"].cadre == assessed.officer
    page = client.get("/assessment/my-scores/").content.decode()
    assert "派出所党员甲" in page
    assert str(officer.total) in page
    assert "王文" not in page
    assert client.get(f"/assessment/my-scores/{officer.public_id}/").status_code == 200
    for other in (wangwen, police):
        assert client.get(f"/assessment/my-scores/{other.public_id}/").status_code == 404


@pytest.mark.parametrize("who", ["office", "village", "outsider"])  # a leader who visits is a cadre too
def test_others_have_no_own_score_here(assessed: Any, login: Any, who: str) -> None:
    assessment = _assessment(assessed, frozen=True)
    client = login(assessed.users[who])
    assert "暂无已定稿的考核得分" in client.get("/assessment/my-scores/").content.decode()
    police = assessment.scores.get(level="unit", unit=assessed.police)
    assert client.get(f"/assessment/my-scores/{police.public_id}/").status_code == 404
