"""/api/v1/plan/: the proof and a re-planning preview for the office, nothing for anyone else."""

import pytest

from zoufang.jobs.testing import api_job
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.recorded_templates  # reads response.context


def test_it_gives_the_office_the_stored_proof_computed_in_the_background(client, town, api_token,
                                                                          django_assert_max_num_queries):
    headers, url = api_token("office"), f"/api/v1/plan/{town.campaign.slug}/check"
    never = client.get(url, **headers).json()
    assert (never["computed_at"], never["targets"], never["problem_count"]) == (None, {}, 0)
    job = api_job(client, client.post(f"{url}s", **headers), headers)
    assert (job["kind"], job["report"]["clean"]) == ("plan_check", False)
    with django_assert_max_num_queries(8):  # the stored result: no count over the campaign's targets
        response = client.get(url, **headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"targets", "assigned", "unassigned", "duplicated", "quota_violations", "computed_at",
                         "stale", "clean", "problem_count"}
    assert body["targets"]["registered_household"] == 5
    assert (body["stale"], body["clean"], body["problem_count"]) == (False, False, job["report"]["problems"])
    assert body["problem_count"] > 1
    # The problems a page at a time along (proof, position), the same queries for every page.
    first = client.get(f"{url}/problems?page_size=1", **headers).json()
    assert (first["count"], len(first["items"]), first["items"][0]["position"]) == (body["problem_count"], 1, 1)
    with django_assert_max_num_queries(8):
        second = client.get(f"{url}/problems?page_size=1&after={first['next']}", **headers).json()
    assert second["items"][0]["position"] == 2
    assert client.get(f"{url}/problems?after=forged", **headers).status_code == 400


def test_it_previews_then_applies_a_plan(client, town, api_token):
    # The village cadres take the rest of their own village (兜底); 计家墩村 gets its committee.
    town.campaign.config = {"roles": {"village_cadre": {"cadre_role": "village_cadre"}},
                            "quotas": {"village_cadre": {"remainder": True}}}
    town.campaign.save()
    committee = Unit.objects.create(name="计家墩村村委会", kind=Unit.Kind.VILLAGE_COMMITTEE, region=town.jijiadun)
    CadreFactory(name="村委会干部乙", unit=committee, role=Cadre.Role.VILLAGE_CADRE)
    headers = api_token("office")
    url = f"/api/v1/plan/{town.campaign.slug}/runs"
    preview = api_job(client, client.post(url, {"dry_run": True}, content_type="application/json", **headers),
                      headers)
    assert (preview["kind"], preview["file_url"]) == ("plan_run", "")
    assert preview["report"]["applied"] is False
    assert preview["report"]["preview"] is True
    assert preview["report"]["failures"] == []
    assert not Assignment.objects.filter(campaign=town.campaign).exists()
    applied = api_job(client, client.post(url, {"dry_run": False}, content_type="application/json", **headers),
                      headers)
    assert applied["report"]["applied"] is True
    assert applied["id"] != preview["id"]
    assert Assignment.objects.filter(campaign=town.campaign).count() == 6


def test_a_plan_run_s_job_is_its_requester_s_only(client, town, api_token):
    url = f"/api/v1/plan/{town.campaign.slug}/runs"
    asked = client.post(url, {"dry_run": True}, content_type="application/json", **api_token("office"))
    assert asked.status_code == 202
    assert asked.json()["status_url"] == f"/api/v1/jobs/{asked.json()['id']}"
    for username in ("leader", "dept", "outsider"):
        assert client.get(asked.json()["status_url"], **api_token(username)).status_code == 404
    assert client.get(asked.json()["status_url"]).status_code == 401


def test_it_refuses_to_apply_a_plan_that_leaves_targets_out(client, town, api_token):
    """No village cadres, no roles: nobody visits 计家墩村. The preview says why; applying writes nothing."""
    headers = api_token("office")
    url = f"/api/v1/plan/{town.campaign.slug}/runs"
    preview = api_job(client, client.post(url, {"dry_run": True}, content_type="application/json", **headers),
                      headers)["report"]
    assert any("计家墩村" in f for f in preview["failures"])
    refused = api_job(client, client.post(url, {"dry_run": False}, content_type="application/json", **headers),
                      headers)["report"]
    assert refused["applied"] is False
    assert refused["preview"] is False
    assert any("计家墩村" in f for f in refused["failures"])
    assert not Assignment.objects.filter(campaign=town.campaign).exists()


def test_a_run_sent_again_with_its_key_is_the_first_run(client, town, api_token):
    """A client's retry carries the same key and body: the first run's job, planned once; another body under the
    same key is a 409, and a run without a key plans each time (as before)."""
    headers, url = api_token("office"), f"/api/v1/plan/{town.campaign.slug}/runs"
    body = {"dry_run": False, "key": "6f1c7a52-0c55-4d3e-9a43-3f1f0c1b2a11"}
    first = client.post(url, body, content_type="application/json", **headers)
    again = client.post(url, body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    other = client.post(url, {**body, "dry_run": True}, content_type="application/json", **headers)
    assert (other.status_code, other.json()["code"]) == (409, "conflict")
    unkeyed = [client.post(url, {"dry_run": False}, content_type="application/json", **headers).json()["id"]
               for _ in range(2)]
    assert len({first.json()["id"], *unkeyed}) == 3


@pytest.mark.parametrize("username", ["dept", "leader", "village", "auditor", "outsider"])
def test_it_refuses_everyone_but_the_office(client, town, api_token, username):
    response = client.get(f"/api/v1/plan/{town.campaign.slug}/check", **api_token(username))
    assert response.status_code == 403
    run = client.post(f"/api/v1/plan/{town.campaign.slug}/runs", {"dry_run": True}, content_type="application/json",
                      **api_token(username))
    assert run.status_code == 403


def test_it_hides_another_towns_plan_from_the_office(client, town, api_token):
    from zoufang.campaigns.models import Campaign
    from zoufang.regions.models import Region

    other_town = Region(name="孟河镇", level=Region.Level.TOWN)
    other_town.save()
    Campaign.objects.create(slug="menghe-test", name="孟河镇测试", scope=other_town,
                            starts_on=town.campaign.starts_on, ends_on=town.campaign.ends_on)
    assert client.get("/api/v1/plan/menghe-test/check", **api_token("office")).status_code == 404
    client.force_login(town.users["office"])
    asked = client.get("/plan/?campaign=menghe-test")  # the office's own plan instead, said so (decision 0035)
    assert asked.context["campaign"] == town.campaign
    assert "所指的走访活动不存在或不在您的可见范围内" in asked.content.decode()
    assert "孟河" not in asked.content.decode()
    assert client.get("/plan/").status_code == 200
