"""The assessor's pages and the API: run, review with drill-downs, adjust, freeze, download; who reads what."""

import io
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.assessment.models import Assessment
from zoufang.jobs.testing import api_job, queued_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = {"starts_on": "2017-05-01", "ends_on": "2017-12-31", "title": "2017年度考核"}


def _run(client: Any, slug: str, data: dict[str, str] | None = None) -> Assessment:
    """运行考核 as the page does: queued (docs/jobs.md), run at once by the tests' backend, its page done."""
    response = client.post(f"/assessment/{slug}/run/", data or PERIOD)
    assert response.status_code == 302, response.content
    assert "/downloads/" in response["Location"]
    state = client.get(response["Location"] + "status.json").json()
    assert state["status"] == "done", state
    return Assessment.objects.latest("created_at")


def test_the_assessor_runs_reviews_adjusts_freezes_and_downloads(assessed: Any, login: Any) -> None:
    slug = assessed.campaign.slug
    client = login(assessed.users["assessor"])
    assert f'href="/assessment/{slug}/"' in client.get("/assessment/").content.decode()  # two campaigns: a list
    assert "运行考核" in client.get(f"/assessment/{slug}/").content.decode()

    assessment = _run(client, slug)
    base = f"/assessment/{slug}/{assessment.public_id}/"
    page = client.get(base).content.decode()
    police = assessment.scores.get(level="unit", unit=assessed.police)
    assert "待审定" in page
    assert "43.73" in page
    assert "数据未接入" in page
    assert f"/oversight/{slug}/units/{assessed.police.public_id}/" in page  # quota and pace drill into the unit
    assert f"/oversight/{slug}/rows/?what=cases&amp;unit={assessed.police.public_id}" in page
    cadres = client.get(base + "?level=cadre").content.decode()
    assert f"what=unvisited&amp;cadre={assessed.officer.public_id}" in cadres
    score_url = f"{base}scores/{police.public_id}/"
    detail = client.get(score_url).content.decode()
    assert "已走访 1 / 应走访 3" in detail
    assert "按时办结 1 / 已办结或已到期 3" in detail

    refused = client.post(score_url + "adjust/", {"points": "2", "reason": ""})
    assert refused.status_code == 400
    assert client.post(score_url + "adjust/", {"points": "2", "reason": "获市级表彰"}).status_code == 302
    assert "获市级表彰" in client.get(score_url).content.decode()

    client.post(base + "freeze/", {})  # not confirmed
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT
    assert client.post(base + "freeze/", {"confirm": "1"}).status_code == 302
    page = client.get(base).content.decode()
    assert "已定稿" in page
    assert "登记加减分" not in client.get(score_url).content.decode()
    assert client.post(score_url + "adjust/", {"points": "1", "reason": "再加"}).status_code == 400

    download = queued_file(client, base + "xlsx/")
    assert download["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(download.content))
    assert book["单位考核表"]["B4"].value == "派出所"
    assert book["单位考核表"]["N4"].value == 45.73  # 43.73 + 2


@pytest.mark.parametrize("who", ["office", "leader"])
def test_the_office_and_leaders_read_but_do_not_run(assessed: Any, login: Any, client: Any, who: str) -> None:
    slug = assessed.campaign.slug
    assessment = _run(login(assessed.users["assessor"]), slug)
    base = f"/assessment/{slug}/{assessment.public_id}/"
    police = assessment.scores.get(level="unit", unit=assessed.police)

    login(assessed.users[who])
    assert client.get(base).status_code == 200
    assert "运行考核" not in client.get(f"/assessment/{slug}/").content.decode()
    assert client.post(f"/assessment/{slug}/run/", PERIOD).status_code == 404
    assert client.post(f"{base}scores/{police.public_id}/adjust/", {"points": "1", "reason": "x"}).status_code == 404
    assert client.post(base + "freeze/", {"confirm": "1"}).status_code == 404
    assert Assessment.objects.count() == 1
    assert not police.adjustments.exists()


@pytest.mark.parametrize("who", ["dept", "village", "auditor", "outsider", "handler"])
def test_others_see_no_assessment(assessed: Any, login: Any, client: Any, api_token: Any, who: str) -> None:
    slug = assessed.campaign.slug
    assessment = _run(login(assessed.users["assessor"]), slug)
    police = assessment.scores.get(level="unit", unit=assessed.police)
    base = f"/assessment/{slug}/{assessment.public_id}/"

    login(assessed.users[who])
    for url in ("/assessment/", f"/assessment/{slug}/", base, f"{base}scores/{police.public_id}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(base + "xlsx/").status_code == 404  # asked for in the background: refused as before
    headers = api_token(who)
    assert client.get(f"/api/v1/assessment/{slug}", **headers).status_code == 404
    assert client.get(f"/api/v1/assessment/{slug}/{assessment.public_id}", **headers).status_code == 404


def test_the_api_runs_adjusts_and_freezes(assessed: Any, client: Any, api_token: Any) -> None:
    slug = assessed.campaign.slug
    headers = api_token("assessor")

    key = str(uuid.uuid4())
    asked = client.post(f"/api/v1/assessment/{slug}/runs", {**PERIOD, "key": key}, content_type="application/json",
                        **headers)
    job = api_job(client, asked, headers)
    assert job["kind"] == "assessment_run"
    created = client.get(job["made_url"], **headers)
    assert created.status_code == 200, created.content
    ident = created.json()["id"]
    # The same request again (a client's retry): the same version, never a second one.
    again = api_job(client, client.post(f"/api/v1/assessment/{slug}/runs", {**PERIOD, "key": key},
                                        content_type="application/json", **headers), headers)
    assert client.get(again["made_url"], **headers).json()["id"] == ident
    assert Assessment.objects.count() == 1
    cadres = client.get(f"/api/v1/assessment/{slug}/{ident}?level=cadre", **headers).json()
    officer = next(s for s in cadres["scores"] if s["subject_id"] == str(assessed.officer.public_id))
    assert officer["total"] == "46.86"
    assert officer["cells"][0] == {"key": "quota_completion", "value": 33.3, "numerator": 1, "denominator": 3,
                                   "absent": False, "text": "已走访 1 / 应走访 3", "parts": []}
    adjusted = client.post(f"/api/v1/assessment/{slug}/{ident}/adjustments",
                           {"score": officer["id"], "points": -1.5, "reason": "走访记录不全"},
                           content_type="application/json", **headers)
    assert adjusted.status_code == 201
    assert adjusted.json()["total"] == "45.36"
    assert client.post(f"/api/v1/assessment/{slug}/{ident}/freeze", **headers).json()["status"] == "frozen"
    frozen = client.post(f"/api/v1/assessment/{slug}/{ident}/adjustments",
                         {"score": officer["id"], "points": 1, "reason": "x"}, content_type="application/json",
                         **headers)
    assert frozen.status_code == 400
    assert "考核已定稿" in frozen.json()["detail"]
    office = api_token("office")
    assert client.post(f"/api/v1/assessment/{slug}/runs", PERIOD, content_type="application/json",
                       **office).status_code == 403
    assert [a["number"] for a in client.get(f"/api/v1/assessment/{slug}", **office).json()["items"]] == [1]


def test_the_assessments_are_listed_a_page_at_a_time_at_the_same_cost(assessed: Any, client: Any, login: Any,
                                                                      api_token: Any, monkeypatch: Any,
                                                                      django_assert_num_queries: Any) -> None:
    import datetime as dt

    from zoufang.assessment import views

    campaign = assessed.campaign
    for month, number in ((5, 1), (5, 2), (6, 1), (7, 1)):
        Assessment.objects.create(campaign=campaign, title=f"{month}月考核", starts_on=dt.date(2017, month, 1),
                                  ends_on=dt.date(2017, month, 28), as_of=dt.date(2017, month, 28), number=number,
                                  created_by=assessed.users["assessor"])
    expected = ["7月考核#1", "6月考核#1", "5月考核#2", "5月考核#1"]  # newest period first, then the later version
    url, headers = f"/api/v1/assessment/{campaign.slug}?page_size=1", api_token("assessor")
    client.get(url, **headers)  # the token's first use
    with django_assert_num_queries(5) as first:
        body = client.get(url, **headers).json()
    seen = [f"{a['title']}#{a['number']}" for a in body["items"]]
    while body["next"]:
        with django_assert_num_queries(len(first.captured_queries)):
            body = client.get(f"{url}&after={body['next']}", **headers).json()
        seen += [f"{a['title']}#{a['number']}" for a in body["items"]]
    assert seen == expected
    assert client.get(f"{url}&after=forged", **headers).status_code == 400
    # The page: 历次考核 a page at a time, 第一页 / 下一页.
    monkeypatch.setattr(views, "ASSESSMENTS_PAGE_SIZE", 3)
    reader = login(assessed.users["assessor"])
    page = reader.get(f"/assessment/{campaign.slug}/").content.decode()
    assert "7月考核" in page
    assert "5月考核（第1版）" not in page
    following = page.split('href="?after=')[1].split('"')[0].replace("&amp;", "&")
    rest = reader.get(f"/assessment/{campaign.slug}/?after={following}").content.decode()
    assert "5月考核（第1版）" in rest
    assert "7月考核" not in rest
    assert "第一页" in rest


def test_running_is_a_job_a_resubmitted_form_makes_one_version_and_a_refusal_says_why(
        assessed: Any, login: Any) -> None:
    from zoufang.jobs import services as jobs
    from zoufang.jobs.models import Download

    slug = assessed.campaign.slug
    client = login(assessed.users["assessor"])
    form = {**PERIOD, "key": str(uuid.uuid4())}
    first = _run(client, slug, form)
    assert _run(client, slug, form) == first  # the same form posted twice (or its job retried): one version
    assert Assessment.objects.count() == 1
    job = Download.objects.filter(kind="assessment_run").latest("created_at")
    assert client.get(f"/downloads/{job.public_id}/").status_code == 200
    assert f"/assessment/{slug}/{first.public_id}/" in client.get(f"/downloads/{job.public_id}/").content.decode()
    refused = client.post(f"/assessment/{slug}/run/", {**PERIOD, "starts_on": "2018-01-01"}, follow=True)
    assert "考核期止不能早于考核期起" in refused.content.decode()  # at once, nothing queued
    assert Download.objects.filter(kind="assessment_run").count() == 1  # the form sent twice: its one job
    # Refused when it runs (the campaign's dates changed after it was queued): the job fails with the reason.
    failed = jobs.request(assessed.users["assessor"], "assessment_run", {
        "slug": slug, "starts_on": "2016-01-01", "ends_on": "2017-12-31", "key": str(uuid.uuid4())})
    failed.refresh_from_db()
    assert (failed.status, failed.error) == ("failed", "考核期应在活动期间（2017年5月1日至12月31日）内")
    assert jobs.may_retry(failed)
    assert Assessment.objects.count() == 1
