"""/api/v1/summaries/: who owes a 工作总结 and who handed it in, read as the office's list page reads it (decision 0073);
each version's file as the page gives it."""

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client

from zoufang.accounts.models import AuditEvent
from zoufang.documents import summaries
from zoufang.documents.tests.test_summaries import NOTE, PDF, owed  # noqa: F401 — the fixture, shared

pytestmark = pytest.mark.django_db


def test_the_office_reads_who_owes_and_who_handed_in(client: Client, owed: Any, api_token: Any) -> None:  # noqa: F811
    first, _made = summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "派出所总结.pdf", PDF, "初稿")
    latest, _made = summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "派出所总结.pdf",
                                      PDF + b"\n", NOTE)
    answer = client.get(f"/api/v1/summaries/{owed.campaign.slug}", **api_token("office"))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["label"], body["due"], body["overdue"], body["submitted"], body["owing"]) == (
        "工作总结", "2017-06-30", False, 1, 2)
    units = {row["unit"]["name"]: row for row in body["units"]}
    assert set(units) == {"派出所", "镇党政班子"}
    police, leadership = units["派出所"], units["镇党政班子"]
    assert (police["handed_in"], police["late"], police["versions"]) == (True, False, 2)
    assert police["unit"]["id"] == str(owed.police.public_id)
    current = police["current"]
    assert (current["id"], current["version"], current["file_name"], current["kind"]) == (
        str(latest.public_id), 2, "派出所总结.pdf", "pdf")
    assert current["sha256"] == hashlib.sha256(PDF + b"\n").hexdigest()
    assert abs(dt.datetime.fromisoformat(current["submitted_at"]) - latest.submitted_at) < dt.timedelta(milliseconds=1)
    assert "139****0099" in current["note"]
    assert "0100 1X" not in current["note"]
    assert (leadership["handed_in"], leadership["current"], leadership["versions"]) == (False, None, 0)
    assert first.version == 1


def test_the_file_comes_as_the_page_gives_it_audited(client: Client, owed: Any, api_token: Any) -> None:  # noqa: F811
    summary, _made = summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "派出所总结.pdf", PDF)
    url = f"/api/v1/summaries/{owed.campaign.slug}/files/{summary.public_id}"
    for reader in ("office", "handler"):
        taken = client.get(url, **api_token(reader))
        assert taken.status_code == 200, taken.content
        assert taken.content == PDF
        assert taken["Content-Type"] == "application/pdf"
        assert taken["X-Content-SHA256"] == summary.sha256
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(summary.public_id)).count() == 2
    assert client.get(url, **api_token("leadership_handler")).status_code == 404  # another unit's


def test_the_list_is_the_readers_as_the_page_is(client: Client, owed: Any, api_token: Any) -> None:  # noqa: F811
    url = f"/api/v1/summaries/{owed.campaign.slug}"
    for reader in ("leader", "assessor"):
        assert client.get(url, **api_token(reader)).status_code == 200
    for refused in ("handler", "dept", "village", "outsider"):  # a unit reads its own on its page, not the list
        assert client.get(url, **api_token(refused)).status_code == 404, refused
    owed.campaign.config.pop("summaries")
    owed.campaign.save()
    assert client.get(url, **api_token("office")).status_code == 404  # a campaign asking for none
