"""Generating and issuing go through the queue (docs/jobs.md): progress on the job's page, the file in 我的下载,
a failure said in Chinese and retried, and a retry that makes no second draft and numbers nothing twice."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import AuditEvent
from zoufang.documents.models import Document
from zoufang.documents.tests.test_pages import as_user
from zoufang.jobs import services as jobs
from zoufang.jobs.models import Download
from zoufang.jobs.testing import queued_file

pytestmark = pytest.mark.django_db


def _as_if_the_worker_died_after_commit(download: Download) -> None:
    """The job's work committed, then its worker was killed before the job was marked done."""
    Download.objects.filter(pk=download.pk).update(status=Download.Status.FAILED, file="", error="中断")


def test_a_draft_is_generated_once_for_its_form_however_often_it_is_sent_or_retried(client: Client,
                                                                                       office_town: Any) -> None:
    as_user(client, office_town, "office")
    slug = office_town.campaign.slug
    key = "8c4bba1e-7a55-4b43-9b2b-7d2b36c1a0f1"
    first = client.post(reverse("documents:generate", args=[slug]), {"kind": "circular", "key": key})
    again = client.post(reverse("documents:generate", args=[slug]), {"kind": "circular", "key": key})
    assert "/downloads/" in first.url
    assert "/downloads/" in again.url
    download = Download.objects.filter(kind="document_generate").order_by("created_at").first()
    assert (download.status, download.done, download.total) == ("done", 3, 3)
    _as_if_the_worker_died_after_commit(download)
    assert jobs.retry(download)
    download.refresh_from_db()
    assert download.status == "done"
    document = Document.objects.get()
    assert str(document.request_key) == key
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(document.public_id)).count() == 1
    page = client.get(reverse("jobs:detail", args=[download.public_id])).content.decode()
    assert "打开草稿" in page
    assert reverse("documents:detail", args=[slug, document.public_id]) in page
    assert "草稿" in client.get(reverse("jobs:list")).content.decode()


def test_a_form_changed_and_sent_again_under_its_key_opens_the_first_job_and_says_so(client: Client,
                                                                                      office_town: Any) -> None:
    as_user(client, office_town, "office")
    slug = office_town.campaign.slug
    key = "3b0c7f52-6a1e-4d8e-b1c2-9f0e8d7c6b5a"
    first = client.post(reverse("documents:generate", args=[slug]), {"kind": "circular", "key": key})
    changed = client.post(reverse("documents:generate", args=[slug]), {"kind": "briefing", "key": key}, follow=True)
    assert changed.redirect_chain[-1][0] == first.url
    assert "未重复提交" in changed.content.decode()
    assert Download.objects.filter(kind="document_generate").count() == 1
    assert list(Document.objects.values_list("kind", flat=True)) == [Document.Kind.CIRCULAR]


def test_issuing_numbers_once_and_the_job_s_file_is_the_stored_one(client: Client, office_town: Any) -> None:
    from zoufang.documents import services

    office = office_town.users["office"]
    as_user(client, office_town, "office")
    slug = office_town.campaign.slug
    draft = services.generate_draft(office_town.campaign, "briefing", dt.date(2017, 6, 9), dt.date(2017, 6, 15),
                                    by=office)
    issued = queued_file(client, reverse("documents:issue", args=[slug, draft.public_id]))
    draft.refresh_from_db()
    assert (draft.status, draft.serial, draft.reference) == ("issued", 1, "第1期")
    assert bytes(issued.content) == bytes(draft.content)
    download = Download.objects.get(kind="document_issue")
    _as_if_the_worker_died_after_commit(download)
    assert jobs.retry(download)
    download.refresh_from_db()
    draft.refresh_from_db()
    assert (download.status, draft.serial) == ("done", 1)  # not numbered a second time
    assert Document.objects.filter(status="issued").count() == 1
    refused = client.post(reverse("documents:issue", args=[slug, draft.public_id]), follow=True)
    assert "该文稿已印发，不能再次印发" in refused.content.decode()
    assert Download.objects.filter(kind="document_issue").count() == 1


def test_a_failed_generation_says_why_in_chinese_and_can_be_retried(client: Client, office_town: Any,
                                                                     settings: Any) -> None:
    """The period was fine when asked for; by the time the job runs the day moved back (a clock fixed for
    the test): the job fails with the draft's own message, and succeeds when retried once it is right."""
    as_user(client, office_town, "office")
    slug = office_town.campaign.slug
    settings.ZOUFANG_TODAY = "2017-06-14"
    download = jobs.request(office_town.users["office"], "document_generate", {
        "slug": slug, "kind": "briefing", "starts_on": "2017-06-09", "ends_on": "2017-06-15",
        "key": "0f0e6a43-5d0a-4f57-8d8e-0c3b9d2a7a11"})
    download.refresh_from_db()
    assert download.status == "failed"
    assert "统计截止日不能晚于今天" in download.error
    page = client.get(reverse("jobs:detail", args=[download.public_id])).content.decode()
    assert "统计截止日不能晚于今天" in page
    assert "重试" in page
    assert not Document.objects.exists()
    settings.ZOUFANG_TODAY = "2017-06-15"
    client.post(reverse("jobs:retry", args=[download.public_id]))
    download.refresh_from_db()
    assert download.status == "done"
    assert Document.objects.filter(kind="briefing").count() == 1


@pytest.mark.parametrize("name", ["leader", "assessor", "dept", "outsider"])
def test_only_the_office_may_queue_a_draft_or_an_issue(client: Client, office_town: Any, name: str) -> None:
    from zoufang.documents.tests.test_pages import made

    _issued, draft = made(office_town)
    as_user(client, office_town, name)
    slug = office_town.campaign.slug
    assert client.post(reverse("documents:generate", args=[slug]), {"kind": "circular"}).status_code == 404
    assert client.post(reverse("documents:issue", args=[slug, draft.public_id])).status_code == 404
    assert not Download.objects.exists()
