"""/api/v1/documents/: the same readers, writers and actions as the pages; draft delete on the page too."""

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import AuditEvent
from zoufang.documents import services
from zoufang.documents.models import Document
from zoufang.documents.tests.test_pages import OUTSIDERS, READERS, as_user, made
from zoufang.jobs.testing import api_job

pytestmark = pytest.mark.django_db


def test_the_office_generates_issues_and_downloads_through_the_api(client: Client, office_town: Any,
                                                                   api_token: Any, settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    office = api_token("office")
    base = f"/api/v1/documents/{office_town.campaign.slug}"
    refused = client.post(f"{base}/drafts", {"kind": "memo"}, content_type="application/json", **office)
    assert refused.status_code == 400
    assert "kind" in refused.json()["detail"]
    future = client.post(f"{base}/drafts", {"kind": "briefing", "ends_on": "2017-07-01"},
                         content_type="application/json", **office)
    assert future.status_code == 400
    assert "不能晚于今天" in future.json()["detail"]
    job = api_job(client, client.post(f"{base}/drafts", {"kind": "briefing"}, content_type="application/json",
                                      **office), office)
    assert job["kind"] == "document_generate"
    assert b"".join(client.get(job["file_url"], **office).streaming_content)[:2] == b"PK"  # the draft's Word
    draft = client.get(job["made_url"], **office)
    assert draft.status_code == 200, draft.content
    body = draft.json()
    assert (body["status"], body["reference"], body["period_starts_on"]) == ("draft", "", "2017-06-09")
    assert body["sections"]
    assert all(s["heading"] for s in body["sections"])
    assert [d["id"] for d in client.get(f"{base}?drafts=true", **office).json()["items"]] == [body["id"]]
    assert client.get(base, **office).json()["items"] == []  # issued only, unless drafts asked for
    preview = api_job(client, client.get(f"{base}/{body['id']}/docx", **office), office)  # laid out in the background
    assert preview["kind"] == "document_draft"
    assert b"".join(client.get(preview["file_url"], **office).streaming_content)[:2] == b"PK"
    read_at = f'"{body["version"]}"'  # If-Match: the version read (decision 0037)
    issuing = api_job(client, client.post(f"{base}/{body['id']}/issue", HTTP_IF_MATCH=read_at, **office), office)
    issued = client.get(issuing["made_url"], **office).json()
    assert (issued["status"], issued["reference"]) == ("issued", "第1期")
    issued_file = client.get(issuing["file_url"], **office)
    assert hashlib.sha256(b"".join(issued_file.streaming_content)).hexdigest() == issued["sha256"]
    again = client.post(f"{base}/{body['id']}/issue", **office)
    assert again.status_code == 400
    assert "已印发" in again.json()["detail"]
    docx = client.get(f"{base}/{body['id']}/docx", **office)
    assert docx.status_code == 200
    assert docx["X-Content-SHA256"] == issued["sha256"] == hashlib.sha256(docx.content).hexdigest()
    assert docx.content[:2] == b"PK"
    deleted = client.delete(f"{base}/{body['id']}", HTTP_IF_MATCH=f'"{issued["version"]}"', **office)
    assert deleted.status_code == 400
    assert "已印发的文稿不能删除" in deleted.json()["detail"]
    assert Document.objects.filter(public_id=body["id"], status="issued").exists()


@pytest.mark.parametrize("name", READERS)
def test_readers_get_issued_documents_only_and_write_nothing(client: Client, office_town: Any, api_token: Any,
                                                             name: str) -> None:
    issued, draft = made(office_town)
    token = api_token(name)
    base = f"/api/v1/documents/{office_town.campaign.slug}"
    listed = client.get(f"{base}?drafts=true", **token).json()["items"]
    assert [d["id"] for d in listed] == [str(issued.public_id)]
    assert client.get(f"{base}/{issued.public_id}", **token).json()["reference"] == issued.reference
    assert client.get(f"{base}/{issued.public_id}/docx", **token).status_code == 200
    for path in (f"{base}/{draft.public_id}", f"{base}/{draft.public_id}/docx"):
        assert client.get(path, **token).status_code == 404
    assert client.post(f"{base}/drafts", {"kind": "circular"}, content_type="application/json",
                       **token).status_code == 404
    assert client.post(f"{base}/{draft.public_id}/issue", **token).status_code == 404
    assert client.delete(f"{base}/{draft.public_id}", **token).status_code == 404
    assert Document.objects.filter(pk=draft.pk, status="draft").exists()


@pytest.mark.parametrize("name", ["dept", "handler"])
def test_units_and_cadres_see_no_documents_over_the_api(client: Client, office_town: Any, api_token: Any,
                                                        name: str) -> None:
    issued, _draft = made(office_town)
    token = api_token(name)
    base = f"/api/v1/documents/{office_town.campaign.slug}"
    assert client.get(base, **token).status_code == 404
    assert client.get(f"{base}/{issued.public_id}/docx", **token).status_code == 404


def test_the_office_deletes_a_draft_audited_but_never_an_issued_document(client: Client, office_town: Any,
                                                                         api_token: Any) -> None:
    issued, draft = made(office_town)
    slug = office_town.campaign.slug
    as_user(client, office_town, "leader")
    assert client.post(reverse("documents:delete", args=[slug, draft.public_id])).status_code == 404
    as_user(client, office_town, "office")
    page = client.get(reverse("documents:detail", args=[slug, draft.public_id])).content.decode()
    assert "删除这份草稿" in page
    response = client.post(reverse("documents:delete", args=[slug, draft.public_id]), follow=True)
    assert "草稿已删除" in response.content.decode()
    assert not Document.objects.filter(pk=draft.pk).exists()
    row = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, object_type="documents.Document")
    assert row.changes["title"] == draft.title
    refused = client.post(reverse("documents:delete", args=[slug, issued.public_id]), follow=True)
    assert "已印发的文稿不能删除" in refused.content.decode()
    assert Document.objects.filter(pk=issued.pk).exists()
    second = made(office_town)[1]
    token = api_token("office")
    read_at = f'"{second.version}"'
    assert client.delete(f"/api/v1/documents/{slug}/{second.public_id}", HTTP_IF_MATCH=read_at, **token).status_code == 204
    assert client.delete(f"/api/v1/documents/{slug}/{second.public_id}", HTTP_IF_MATCH=read_at, **token).status_code == 404


@pytest.mark.parametrize("name", OUTSIDERS[:1])
def test_the_draft_delete_page_is_not_there_for_a_cadre(client: Client, office_town: Any, name: str) -> None:
    _issued, draft = made(office_town)
    as_user(client, office_town, name)
    slug = office_town.campaign.slug
    assert client.post(reverse("documents:delete", args=[slug, draft.public_id])).status_code == 404


def test_the_list_pages_drafts_first_then_the_newest_issued_in_constant_queries(
        client: Client, office_town: Any, api_token: Any, django_assert_max_num_queries: Any) -> None:
    first_issued, draft = made(office_town)
    later_issued = services.issue_document(services.generate_draft(
        office_town.campaign, "circular", dt.date(2017, 4, 1), dt.date(2017, 6, 15), by=office_town.users["office"]),
        by=office_town.users["office"])
    token = api_token("office")
    base = f"/api/v1/documents/{office_town.campaign.slug}?drafts=true&page_size=1"
    with django_assert_max_num_queries(15) as first_queries:
        page = client.get(base, **token).json()
    seen = [d["id"] for d in page["items"]]
    while page["next"]:
        with django_assert_max_num_queries(len(first_queries)):
            page = client.get(f"{base}&after={page['next']}", **token).json()
        seen += [d["id"] for d in page["items"]]
    assert seen == [str(d.public_id) for d in (draft, later_issued, first_issued)]
    assert page["count"] == 3
    refused = client.get(f"{base}&after=forged.cursor", **token)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "after：不是本列表返回的 next 值"


def test_a_key_sent_again_with_another_period_is_refused_not_answered_with_the_first(
        client: Client, office_town: Any, api_token: Any, settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    office = api_token("office")
    base = f"/api/v1/documents/{office_town.campaign.slug}"
    key = "0f5a8c3e-1d2b-4c6a-9e7f-3a2b1c0d9e8f"
    first = api_job(client, client.post(f"{base}/drafts", {"kind": "briefing", "key": key},
                                        content_type="application/json", **office), office)
    again = client.post(f"{base}/drafts", {"kind": "briefing", "key": key}, content_type="application/json", **office)
    assert again.status_code == 202
    assert again.json()["id"] == first["id"]  # the same request again: the job it made
    other = client.post(f"{base}/drafts", {"kind": "briefing", "starts_on": "2017-06-01", "key": key},
                        content_type="application/json", **office)
    assert other.status_code == 409
    assert other.json()["code"] == "conflict"
    assert Document.objects.count() == 1
