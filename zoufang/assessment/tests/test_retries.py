"""加减分 sent twice — a double click, the back button, a client's retry — is registered once; a changed form
under the same key is refused with what was typed kept."""

import re
import uuid
from decimal import Decimal
from typing import Any

import pytest

from zoufang.assessment.models import Adjustment
from zoufang.assessment.services import run_assessment
from zoufang.assessment.tests.test_actions import END, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_score(assessed: Any) -> Any:
    assessment = run_assessment(assessed.campaign, starts_on=START, ends_on=END, title="2017年度考核",
                                by=assessed.users["assessor"])
    return assessment.scores.get(level="unit", unit=assessed.police)


def _url(score: Any) -> str:
    assessment = score.assessment
    return f"/assessment/{assessment.campaign.slug}/{assessment.public_id}/scores/{score.public_id}/"


def _form_key(page: str) -> str:
    return re.search(r'name="key" value="([0-9a-f-]{36})"', page).group(1)


def test_it_registers_points_sent_twice_from_one_form_once(assessed: Any, login: Any, police_score: Any) -> None:
    client = login(assessed.users["assessor"])
    key = _form_key(client.get(_url(police_score)).content.decode())
    body = {"points": "2", "reason": "获市级表彰", "key": key}
    assert client.post(_url(police_score) + "adjust/", body).status_code == 302
    assert client.post(_url(police_score) + "adjust/", body).status_code == 302  # the double click
    police_score.refresh_from_db()
    assert police_score.adjustment == Decimal("2.00")
    assert Adjustment.objects.count() == 1
    assert "未重复登记" in client.get(_url(police_score)).content.decode()


def test_it_keeps_a_changed_form_under_the_same_key_and_asks(assessed: Any, login: Any, police_score: Any) -> None:
    client = login(assessed.users["assessor"])
    key = _form_key(client.get(_url(police_score)).content.decode())
    client.post(_url(police_score) + "adjust/", {"points": "2", "reason": "获市级表彰", "key": key})
    changed = client.post(_url(police_score) + "adjust/", {"points": "-1", "reason": "台账不全", "key": key})
    page = changed.content.decode()
    assert changed.status_code == 400
    assert "本次内容不同，未登记" in page
    assert "台账不全" in page
    assert _form_key(page) != key
    assert list(Adjustment.objects.values_list("reason", flat=True)) == ["获市级表彰"]


def test_it_answers_an_api_retry_with_the_points_already_registered(assessed: Any, client: Any, api_token: Any,
                                                                     police_score: Any) -> None:
    headers = api_token("assessor")
    url = f"/api/v1/assessment/{assessed.campaign.slug}/{police_score.assessment.public_id}/adjustments"
    body = {"score": str(police_score.public_id), "points": -1.5, "reason": "走访记录不全", "key": str(uuid.uuid4())}
    first = client.post(url, body, content_type="application/json", **headers)
    again = client.post(url, body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["total"] == again.json()["total"]
    other = client.post(url, {**body, "points": 3}, content_type="application/json", **headers)
    assert other.status_code == 409
    assert Adjustment.objects.count() == 1
