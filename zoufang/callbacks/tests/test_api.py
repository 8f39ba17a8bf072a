"""/api/v1/callbacks/: the same batches, results, samples and upheld findings as the pages, the same 404s."""

import pytest

from zoufang.callbacks import services
from zoufang.callbacks.tests.conftest import MAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(sampling):
    return services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=4, seed=2,
                               caller=sampling.company)


def test_the_office_reads_results_samples_and_upheld_findings(sampling, batch, client, api_token):
    sample = batch.samples.first()
    services.record_attempt(sample, by=sampling.users["caller"], kind="completed", answers={"visited": "no"})
    services.verify(sample, by=sampling.users["office"], upheld=True, explanation="说明", note="属实")
    auth = api_token("office")
    batches = client.get("/api/v1/callbacks/batches", **auth).json()
    assert [(b["number"], b["sampled"], b["settled"]) for b in batches["items"]] == [(1, 4, 1)]
    assert (batches["count"], batches["next"]) == (1, None)
    body = client.get(f"/api/v1/callbacks/batches/{batch.public_id}", **auth).json()
    assert [t["key"] for t in body["tables"]] == ["unit", "village", "cadre"]
    assert body["tables"][0]["total"] == {**body["tables"][0]["total"], "sampled": 4, "not_visited": 1, "upheld": 1}
    samples = client.get(f"/api/v1/callbacks/batches/{batch.public_id}/samples", **auth).json()["items"]
    assert len(samples) == 4
    assert samples[0]["outcome"] == "not_visited"
    assert samples[0]["attempts"] == 1
    upheld = client.get(f"/api/v1/callbacks/upheld?campaign={batch.campaign.slug}&starts_on=2017-05-01"
                        "&ends_on=2017-05-31", **auth).json()
    assert upheld == [{"cadre": sample.visit.cadre.name, "unit": sample.visit.cadre.unit.name,
                       "visited_on": f"{sample.visit.visited_at:%Y-%m-%d}", "verified_on": upheld[0]["verified_on"]}]


def test_the_caller_lists_its_samples_but_not_the_results(sampling, batch, client, api_token):
    auth = api_token("caller")
    assert len(client.get("/api/v1/callbacks/batches", **auth).json()["items"]) == 1
    samples = client.get(f"/api/v1/callbacks/batches/{batch.public_id}/samples", **auth).json()["items"]
    assert len(samples) == 4
    assert all("*" in s["target"] for s in samples)
    assert client.get(f"/api/v1/callbacks/batches/{batch.public_id}", **auth).status_code == 404
    assert client.get(f"/api/v1/callbacks/upheld?campaign={batch.campaign.slug}&starts_on=2017-05-01"
                      "&ends_on=2017-05-31", **auth).status_code == 404


@pytest.mark.parametrize("name", ["auditor", "leader", "dept", "outsider"])
def test_others_see_no_batch(sampling, batch, client, api_token, name):
    auth = api_token(name)
    assert client.get("/api/v1/callbacks/batches", **auth).json()["items"] == []
    for url in (f"/api/v1/callbacks/batches/{batch.public_id}", f"/api/v1/callbacks/batches/{batch.public_id}/samples"):
        response = client.get(url, **auth)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_samples_page_by_cursor_in_a_constant_number_of_queries(sampling, batch, client, api_token,
                                                                django_assert_max_num_queries):
    auth = api_token("office")
    url = f"/api/v1/callbacks/batches/{batch.public_id}/samples"
    for sample in batch.samples.all():  # attempts would cost a query each if counted per sample
        services.record_attempt(sample, by=sampling.users["caller"], kind="no_answer", answers={})
    with django_assert_max_num_queries(12) as first_queries:
        first = client.get(f"{url}?page_size=3", **auth).json()
    assert [s["position"] for s in first["items"]] == [1, 2, 3]
    assert [s["attempts"] for s in first["items"]] == [1, 1, 1]
    assert first["count"] == 4
    with django_assert_max_num_queries(len(first_queries)):
        second = client.get(f"{url}?page_size=3&after={first['next']}", **auth).json()
    assert ([s["position"] for s in second["items"]], second["next"]) == ([4], None)


def test_batches_page_by_cursor_and_refuse_a_forged_one(sampling, batch, client, api_token,
                                                       django_assert_max_num_queries):
    office = sampling.users["office"]
    second_batch = services.draw_batch(sampling.town.campaign, MAY, by=office, count=2, seed=3)
    third_batch = services.draw_batch(sampling.town.campaign, MAY, by=office, count=2, seed=4)
    sizes = {b.number: b.samples.count() for b in (batch, second_batch, third_batch)}
    auth = api_token("office")
    with django_assert_max_num_queries(10) as counted:
        first = client.get("/api/v1/callbacks/batches?page_size=2", **auth).json()
    assert [(b["number"], b["sampled"]) for b in first["items"]] == [(3, sizes[3]), (2, sizes[2])]
    with django_assert_max_num_queries(len(counted)):
        second = client.get(f"/api/v1/callbacks/batches?page_size=2&after={first['next']}", **auth).json()
    assert [(b["number"], b["sampled"]) for b in second["items"]] == [(1, 4)]
    assert second["next"] is None
    forged = first["next"][:-2] + ("AA" if not first["next"].endswith("AA") else "BB")
    refused = client.get(f"/api/v1/callbacks/batches?after={forged}", **auth)
    assert refused.status_code == 400
    assert "after" in refused.json()["detail"]
    assert "next" in refused.json()["detail"]
