"""A visit submission costs a constant number of queries, whatever the campaign's size (issue 14): the same
bound on a campaign of a few targets and on one grown by hundreds of assignments and visits."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.cases.models import Case
from zoufang.planning.models import Assignment
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db

# The token with its user and cadre (or the session), the assignment with its target and campaign (and whether
# the idempotency key is taken, and the newest questionnaire version's id: the current questionnaires then come
# from the process's cache), the categories, the deadline's working days (one statement for both tables), the
# visit, the target's kept visit row (its insert takes the campaign's shared advisory lock on PostgreSQL; a
# repeat visit then reads and moves it), its answers (one insert), one case draft with its event, the kept case
# results (the draft's contribution read, its tally rows upserted, its counted row: oversight.case_counters),
# the audit rows of the visit and the case chained together by the transaction's last statements (lock, one
# insert, head; decision 0009), the savepoint the test's own transaction makes of it, the viewer's grants:
# 20 on the API, 22 by the page's session, the same on SQLite and PostgreSQL. Nothing in it reads the
# campaign's other rows.
MAX_QUERIES = {"/api/v1/visits": 20, "/me/visits/": 22}
GROWN = 150


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def _grow(visiting: Any) -> None:
    """Hundreds more targets assigned to the same cadre and to another, each visited: a bigger campaign."""
    cadre = visiting.users["dept"].cadre
    other = visiting.users["village"].cadre
    group = visiting.households["shangxiatang"][0].region
    targets = TargetFactory.create_batch(GROWN, region=group)
    Assignment.objects.bulk_create(
        [Assignment(campaign=visiting.campaign, target=t, unit=visiting.police, cadre=cadre if i % 2 else other)
         for i, t in enumerate(targets)])
    moment = dt.datetime(2017, 6, 1, 9, tzinfo=dt.UTC)
    Visit.objects.bulk_create(
        [Visit(campaign=visiting.campaign, target=t, cadre=cadre if i % 2 else other, client_uuid=uuid.uuid4(),
               visited_at=moment, mode="home") for i, t in enumerate(targets)])


def _count(client: Any, url: str, headers: dict[str, str], data: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    return len(queries.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/visits", "/me/visits/"])
def test_a_submission_costs_the_same_queries_on_a_small_and_a_grown_campaign(
    client, visiting, api_token, login, url, django_assert_max_num_queries,
):
    if url.startswith("/api/"):
        headers = api_token("dept")
    else:
        login(visiting.users["dept"])
        headers = {}
    _count(client, url, headers, payload(visiting.enterprise))  # the first of the process fills the caches
    with django_assert_max_num_queries(MAX_QUERIES[url]):
        small = _count(client, url, headers, payload(visiting.enterprise))
    _grow(visiting)
    with django_assert_max_num_queries(MAX_QUERIES[url]):
        grown = _count(client, url, headers, payload(visiting.enterprise))
    assert grown == small
    assert Case.objects.filter(source_visit__target=visiting.enterprise).count() == 3


def test_an_identical_retry_costs_a_handful_of_queries(client, visiting, api_token, django_assert_max_num_queries):
    headers = api_token("dept")
    data = payload(visiting.enterprise)
    client.post("/api/v1/visits", data, content_type="application/json", **headers)
    with django_assert_max_num_queries(MAX_QUERIES["/api/v1/visits"]):
        again = client.post("/api/v1/visits", data, content_type="application/json", **headers)
    assert again.status_code == 200


def test_the_kept_configuration_follows_an_edited_campaign(visiting):
    from zoufang.campaigns import configcache
    from zoufang.campaigns.models import Campaign

    def loaded() -> Campaign:
        return configcache.attach(Campaign.objects.defer("config").get(pk=visiting.campaign.pk))

    assert loaded().config["registration_deadline_working_days"] == 2
    campaign = Campaign.objects.get(pk=visiting.campaign.pk)
    campaign.config = {**campaign.config, "registration_deadline_working_days": 3}
    campaign.version += 1
    campaign.save()
    assert loaded().config["registration_deadline_working_days"] == 3


def test_a_newly_published_questionnaire_version_is_answered_at_once(client, visiting, api_token):
    """The current versions come from the process's cache while no version is added: a new one is used at once."""
    from zoufang.forms.models import FormVersion

    headers = api_token("dept")
    first = client.post("/api/v1/visits", payload(visiting.enterprise), content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    current = FormVersion.objects.filter(form__key="enterprise_survey").order_by("-number").first()
    newer = FormVersion.objects.create(form=current.form, number=current.number + 1, label="v2", spec=current.spec,
                                       rows=current.rows, content_hash="0" * 64)
    again = client.post("/api/v1/visits", payload(visiting.enterprise), content_type="application/json", **headers)
    assert again.status_code == 201, again.content
    assert first.json()["answer_versions"]["enterprise_survey"] == current.number
    assert again.json()["answer_versions"]["enterprise_survey"] == newer.number
    stored = Visit.objects.get(public_id=again.json()["id"]).form_answers.get(form__key="enterprise_survey")
    assert stored.form_version_id == newer.pk
