"""The office's findings over the API (查实 / 排除): the page's permissions and audit, a retry recorded once, a
change at a stale version refused with 409, never overwriting."""

import threading
from typing import Any

import pytest
from django.db import connection

from zoufang.accounts.models import AuditEvent
from zoufang.integrity.models import FlagClearance
from zoufang.integrity.scans import compute_scan

pytestmark = pytest.mark.django_db


def _post(client: Any, slug: str, token: dict[str, str], **body: Any) -> Any:
    return client.post(f"/api/v1/integrity/{slug}/findings", body, content_type="application/json", **token)


def test_it_records_a_finding_audited_and_answers_a_retry_with_it_once(client, visiting, desk_entry, api_token):
    slug, key, office = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}", api_token("office")
    compute_scan(visiting.campaign)
    first = _post(client, slug, office, key=key, outcome="upheld", reason="入户核实：5月未走访，系补造")
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["outcome"], body["version"], body["recorded"], body["kind"]) == ("upheld", 1, True, "late_bulk")
    assert body["visits"] == [str(v.public_id) for v in desk_entry]
    retry = _post(client, slug, office, key=key, outcome="upheld", reason="入户核实：5月未走访，系补造")
    assert retry.status_code == 200
    assert (retry.json()["version"], retry.json()["recorded"]) == (1, False)
    assert FlagClearance.objects.get().outcome == "upheld"
    assert AuditEvent.objects.filter(object_type="integrity.FlagClearance").count() == 1
    listed = client.get(f"/api/v1/integrity/{slug}/flags", **office).json()["items"][0]["flags"][0]
    assert (listed["upheld"]["version"], listed["upheld"]["reason"]) == (1, "入户核实：5月未走访，系补造")
    findings = client.get(f"/api/v1/integrity/{slug}/findings?outcome=upheld", **office).json()["items"]
    assert [(f["key"], f["outcome"]) for f in findings] == [(key, "upheld")]
    assert client.get(f"/api/v1/integrity/{slug}/findings?outcome=cleared", **office).json()["items"] == []


def test_a_change_names_the_version_it_read_and_a_stale_one_is_refused(client, visiting, desk_entry, api_token):
    slug, key, office = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}", api_token("office")
    compute_scan(visiting.campaign)
    assert _post(client, slug, office, key=key, outcome="cleared", reason="电话核实属实").status_code == 200
    # A second office's first decision, made from the same list: refused, the 排除 stands.
    second = _post(client, slug, office, key=key, outcome="upheld", reason="我看是补造")
    assert second.status_code == 409
    assert (second.json()["outcome"], second.json()["version"]) == ("cleared", 1)
    assert "已于" in second.json()["detail"]
    kept = FlagClearance.objects.get()
    assert (kept.outcome, kept.reason, kept.version) == ("cleared", "电话核实属实", 1)
    assert AuditEvent.objects.filter(object_type="integrity.FlagClearance").count() == 1
    changed = _post(client, slug, office, key=key, outcome="upheld", reason="复查：系补造", version=1)
    assert (changed.status_code, changed.json()["version"], changed.json()["recorded"]) == (200, 2, True)
    stale = _post(client, slug, office, key=key, outcome="cleared", reason="属实", version=1)
    assert stale.status_code == 409
    assert stale.json()["detail"] == "这条提示的结论在您读取后已重新核实，现为核实查实（版本 2），请重新读取后再改"
    assert stale.json()["version"] == 2
    # Changed back meanwhile: the client that read version 1 (排除) is not told it was "changed to" 排除.
    assert _post(client, slug, office, key=key, outcome="cleared", reason="再次核实属实", version=2).status_code == 200
    back = _post(client, slug, office, key=key, outcome="upheld", reason="我看是补造", version=1)
    assert (back.status_code, back.json()["version"]) == (409, 3)
    assert back.json()["detail"] == "这条提示的结论在您读取后已重新核实，现为核实排除（版本 3），请重新读取后再改"
    decision = FlagClearance.objects.get()
    assert (decision.outcome, decision.reason, decision.version) == ("cleared", "再次核实属实", 3)
    row = AuditEvent.objects.filter(object_type="integrity.FlagClearance").order_by("-id").first()
    assert row.changes["before"]["outcome"] == "upheld"


def test_only_the_office_records_findings_with_a_reason(client, visiting, desk_entry, api_token):
    slug, key = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}"
    compute_scan(visiting.campaign)
    refused = _post(client, slug, api_token("leader"), key=key, outcome="upheld", reason="我看是假的")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有走访办可以核实真实性提示"
    for name in ("dept", "auditor"):
        assert _post(client, slug, api_token(name), key=key, outcome="upheld", reason="假的").status_code == 404
    empty = _post(client, slug, api_token("office"), key=key, outcome="upheld", reason="  ")
    assert (empty.status_code, empty.json()["detail"]) == (400, "查实理由：必填，写明核实了什么")
    unknown = _post(client, slug, api_token("office"), key="late_bulk:0", outcome="cleared", reason="属实")
    assert unknown.status_code == 400
    assert not FlagClearance.objects.exists()
    assert client.get(f"/api/v1/integrity/{slug}/findings", **api_token("leader")).json()["items"] == []
    assert client.get(f"/api/v1/integrity/{slug}/findings", **api_token("dept")).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the row lock is PG's")
@pytest.mark.django_db(transaction=True)
def test_offices_deciding_at_once_one_wins_the_others_hear_409(visiting, desk_entry):
    """Two first decisions, then two changes at the same version, each pair at once: one is recorded, the other
    refused (the unique constraint, then the row lock and version), never overwriting the first."""
    from zoufang.integrity import services

    office, campaign, key = visiting.users["office"], visiting.campaign, f"late_bulk:{desk_entry[0].pk}"
    compute_scan(campaign)

    def race(calls: list[tuple[str, str, int | None]]) -> tuple[list[Any], list[BaseException]]:
        start = threading.Barrier(len(calls))
        done: list[Any] = []
        refused: list[BaseException] = []

        def call(outcome: str, reason: str, version: int | None) -> None:
            try:
                start.wait()
                done.append(services.record_finding(office, campaign, key, outcome, reason, version=version))
            except services.DecisionConflict as error:
                refused.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=call, args=args) for args in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return done, refused

    done, refused = race([("upheld", "入户核实：系补造", None), ("cleared", "电话核实属实", None)])
    assert (len(done), len(refused)) == (1, 1)
    first = FlagClearance.objects.get()
    assert first.outcome == done[0][0].outcome
    other = "cleared" if first.outcome == "upheld" else "upheld"
    done, refused = race([(other, "复查甲", 1), (other, "复查乙", 1)])
    assert (len(done), len(refused)) == (1, 1)
    decision = FlagClearance.objects.get()
    assert (decision.version, decision.reason) == (2, done[0][0].reason)
    assert AuditEvent.objects.filter(object_type="integrity.FlagClearance").count() == 2


def test_findings_page_latest_first_by_cursor_in_constant_queries(client, visiting, desk_entry, api_token,
                                                                   django_assert_max_num_queries):
    cadre = visiting.users["dept"].cadre
    made = [FlagClearance.objects.create(campaign=visiting.campaign, key=f"late_bulk:{visit.pk}", kind="late_bulk",
                                         cadre=cadre, outcome="cleared", reason=f"核实{n}", visit_ids=[visit.pk],
                                         cleared_by=visiting.users["office"])
            for n, visit in enumerate(desk_entry)]
    slug, office = visiting.campaign.slug, api_token("office")
    compute_scan(visiting.campaign)
    listing = f"/api/v1/integrity/{slug}/findings?page_size=4"
    with django_assert_max_num_queries(15) as first_queries:
        page = client.get(listing, **office).json()
    assert page["count"] == 6
    seen = [f["key"] for f in page["items"]]
    while page["next"]:
        with django_assert_max_num_queries(len(first_queries)):
            page = client.get(f"{listing}&after={page['next']}", **office).json()
        seen += [f["key"] for f in page["items"]]
    assert seen == [d.key for d in reversed(made)]  # created one after another: latest first
    assert page["items"][-1]["visits"] == [str(desk_entry[0].public_id)]
    for url in (f"{listing}&after=forged", f"/api/v1/integrity/{slug}/flags?after=forged"):
        refused = client.get(url, **office)
        assert refused.status_code == 400, url
        assert refused.json()["detail"] == "after：不是本列表返回的 next 值"
    flags = client.get(f"/api/v1/integrity/{slug}/flags?cleared=true&page_size=1", **office).json()
    assert (len(flags["items"]), flags["count"], flags["next"]) == (1, 1, None)
    too_many = client.get(f"/api/v1/integrity/{slug}/flags?page_size=201", **office)
    assert too_many.status_code == 400
    assert "page_size" in str(too_many.json())


def test_a_change_may_name_the_version_it_read_in_if_match(client, visiting, desk_entry, api_token):
    """As every other versioned write of the API: the version read in the body or in `If-Match`."""
    slug, key, office = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}", api_token("office")
    compute_scan(visiting.campaign)
    assert _post(client, slug, office, key=key, outcome="cleared", reason="电话核实属实").status_code == 200
    changed = _post(client, slug, {**office, "HTTP_IF_MATCH": '"1"'}, key=key, outcome="upheld", reason="复查：系补造")
    assert (changed.status_code, changed.json()["version"], changed.json()["outcome"]) == (200, 2, "upheld")
    stale = _post(client, slug, {**office, "HTTP_IF_MATCH": 'W/"1"'}, key=key, outcome="cleared", reason="属实")
    assert (stale.status_code, stale.json()["version"]) == (409, 2)
    bad = _post(client, slug, {**office, "HTTP_IF_MATCH": "²"}, key=key, outcome="cleared", reason="属实")
    assert bad.status_code == 400
    assert "If-Match" in str(bad.json())
    decision = FlagClearance.objects.get()
    assert (decision.outcome, decision.reason, decision.version) == ("upheld", "复查：系补造", 2)
