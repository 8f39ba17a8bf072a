"""A visit's free text comes out of the ledger and the answers export as text, never as a formula."""

import pytest

from zoufang.core.tests.test_formula_injection import assert_all_text
from zoufang.visits.tests.conftest import ENTERPRISE_ANSWERS, SIX_ONES_ANSWERS, payload

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/","点击")'
CALC = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _pinned_today(settings):
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_it_keeps_hostile_visit_text_as_text_in_the_ledger_and_the_answers(client, login, visiting, api_token):
    answers = {"enterprise_survey": dict(ENTERPRISE_ANSWERS),
               "six_ones_form": {**SIX_ONES_ANSWERS, "innovation": "+1+cmd|' /C calc'!A0"}}
    response = client.post("/api/v1/visits", payload(visiting.enterprise, summary=LINK, co_visitors=CALC,
                                                     answers=answers),
                           content_type="application/json", **api_token("dept"))
    assert response.status_code == 201, response.content
    ledger = login(visiting.users["dept"]).get("/me/ledger.xlsx")
    assert ledger.status_code == 200
    assert_all_text(ledger.content, [LINK, CALC])
    exported = client.get("/api/v1/forms/six_ones_form/answers.xlsx", **api_token("office"))
    assert exported.status_code == 200
    assert_all_text(b"".join(exported.streaming_content), ["+1+cmd|' /C calc'!A0"])
