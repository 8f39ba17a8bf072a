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
    assert [(b["number"], b["sampled"], b["settled"]) for b in batches] == [(1, 4, 1)]
    body = client.get(f"/api/v1/callbacks/batches/{batch.public_id}", **auth).json()
    assert [t["key"] for t in body["tables"]] == ["unit", "village", "cadre"]
    assert body["tables"][0]["total"] == {**body["tables"][0]["total"], "sampled": 4, "not_visited": 1, "upheld": 1}
    samples = client.get(f"/api/v1/callbacks/batches/{batch.public_id}/samples", **auth).json()
    assert len(samples) == 4
    assert samples[0]["outcome"] == "not_visited"
    upheld = client.get(f"/api/v1/callbacks/upheld?campaign={batch.campaign.slug}&starts_on=2017-05-01"
                        "&ends_on=2017-05-31", **auth).json()
    assert upheld == [{"cadre": sample.visit.cadre.name, "unit": sample.visit.cadre.unit.name,
                       "visited_on": f"{sample.visit.visited_at:%Y-%m-%d}", "verified_on": upheld[0]["verified_on"]}]


def test_the_caller_lists_its_samples_but_not_the_results(sampling, batch, client, api_token):
    auth = api_token("caller")
    assert len(client.get("/api/v1/callbacks/batches", **auth).json()) == 1
    samples = client.get(f"/api/v1/callbacks/batches/{batch.public_id}/samples", **auth).json()
    assert len(samples) == 4
    assert all("*" in s["target"] for s in samples)
    assert client.get(f"/api/v1/callbacks/batches/{batch.public_id}", **auth).status_code == 404
    assert client.get(f"/api/v1/callbacks/upheld?campaign={batch.campaign.slug}&starts_on=2017-05-01"
                      "&ends_on=2017-05-31", **auth).status_code == 404


@pytest.mark.parametrize("name", ["auditor", "leader", "dept", "outsider"])
def test_others_see_no_batch(sampling, batch, client, api_token, name):
    auth = api_token(name)
    assert client.get("/api/v1/callbacks/batches", **auth).json() == []
    for url in (f"/api/v1/callbacks/batches/{batch.public_id}", f"/api/v1/callbacks/batches/{batch.public_id}/samples"):
        response = client.get(url, **auth)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
