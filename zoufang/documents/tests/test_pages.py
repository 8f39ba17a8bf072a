"""The pages: the office writes; leaders and assessors read the issued documents; everyone else gets 404."""

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import AuditEvent
from zoufang.documents import services
from zoufang.documents.models import Document
from zoufang.jobs.testing import queued_file

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context
READERS = ["leader", "assessor"]
OUTSIDERS = ["dept", "village", "auditor", "handler", "outsider"]


def made(town: Any) -> tuple[Document, Document]:
    """An issued 通报 and a draft 简报."""
    office = town.users["office"]
    circular = services.generate_draft(town.campaign, "circular", dt.date(2017, 4, 1), dt.date(2017, 6, 15), by=office)
    circular = services.issue_document(circular, by=office)
    briefing = services.generate_draft(town.campaign, "briefing", dt.date(2017, 6, 9), dt.date(2017, 6, 15), by=office)
    return circular, briefing


def urls(town: Any, issued: Document, draft: Document) -> dict[str, str]:
    slug = town.campaign.slug
    return {
        "index": reverse("documents:index", args=[slug]),
        "issued": reverse("documents:detail", args=[slug, issued.public_id]),
        "issued_docx": reverse("documents:download", args=[slug, issued.public_id]),
        "draft": reverse("documents:detail", args=[slug, draft.public_id]),
        "draft_docx": reverse("documents:download", args=[slug, draft.public_id]),
    }


def as_user(client: Client, town: Any, name: str) -> Client:
    client.force_login(town.users[name])
    return client


def test_with_no_draft_the_office_is_told_how_to_make_one(client: Client, office_town: Any) -> None:
    as_user(client, office_town, "office")
    page = client.get(reverse("documents:index", args=[office_town.campaign.slug])).content.decode()
    assert "暂无草稿。在上方选择种类和统计日期，点“生成草稿”。" in page


def test_the_office_generates_edits_and_issues_a_briefing(client: Client, office_town: Any) -> None:
    as_user(client, office_town, "office")
    slug = office_town.campaign.slug
    response = client.post(reverse("documents:generate", args=[slug]), {"kind": "briefing"})
    document = Document.objects.get(kind="briefing")
    assert "/downloads/" in response.url  # built in the background: the job's page links to the draft
    draft_url = reverse("documents:detail", args=[slug, document.public_id])
    assert f'href="{draft_url}"' in client.get(response.url).content.decode()
    assert (document.period_starts_on, document.period_ends_on) == (dt.date(2017, 6, 9), dt.date(2017, 6, 15))
    page = client.get(draft_url).content.decode()
    assert "本期概况" in page
    assert 'name="text-typical"' in page
    client.post(draft_url, {"title": "第二季度走访动态", "text-typical": "计家墩村走访中发现并解决了路灯问题。"})
    document.refresh_from_db()
    assert document.title == "第二季度走访动态"
    issued = queued_file(client, reverse("documents:issue", args=[slug, document.public_id]))
    document.refresh_from_db()
    assert (document.status, document.reference) == ("issued", "第1期")
    assert bytes(issued.content) == bytes(document.content)  # the job's file is the stored, issued one
    download = client.get(reverse("documents:download", args=[slug, document.public_id]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert bytes(download.content) == bytes(document.content)
    # Two exports of the document: the job's file (built) and the page's download.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(document.public_id)).count() == 2


def test_the_office_names_its_abbreviation(client: Client, office_town: Any) -> None:
    as_user(client, office_town, "office")
    issuer = services.issuer_for(office_town.campaign)
    client.post(reverse("documents:issuer", args=[office_town.campaign.slug]), {
        "name": issuer.name, "abbreviation": "锦走办", "briefing_name": issuer.briefing_name, "copy_to": "市走访办",
        "printed_by": issuer.printed_by})
    issuer.refresh_from_db()
    assert (issuer.abbreviation, issuer.copy_to) == ("锦走办", "市走访办")


def test_a_future_period_is_refused_with_a_message(client: Client, office_town: Any) -> None:
    as_user(client, office_town, "office")
    response = client.post(reverse("documents:generate", args=[office_town.campaign.slug]),
                           {"kind": "circular", "ends_on": "2017-07-01"}, follow=True)
    assert "不能晚于今天" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", READERS)
def test_leaders_and_assessors_read_issued_documents_only(client: Client, office_town: Any, name: str) -> None:
    issued, draft = made(office_town)
    pages = urls(office_town, issued, draft)
    as_user(client, office_town, name)
    index = client.get(pages["index"]).content.decode()
    assert issued.reference in index
    assert draft.title not in index
    assert "生成草稿" not in index
    assert client.get(pages["issued"]).status_code == 200
    assert bytes(client.get(pages["issued_docx"]).content) == bytes(issued.content)
    assert client.get(pages["draft"]).status_code == 404
    assert client.get(pages["draft_docx"]).status_code == 404
    slug = office_town.campaign.slug
    assert client.post(reverse("documents:preview", args=[slug, draft.public_id])).status_code == 404
    assert client.post(reverse("documents:generate", args=[slug]), {"kind": "circular"}).status_code == 404
    assert client.post(reverse("documents:issue", args=[slug, draft.public_id])).status_code == 404
    assert client.post(pages["draft"], {"title": "改"}).status_code == 404
    assert client.post(reverse("documents:issuer", args=[slug]), {"abbreviation": "改"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.title != "改"


@pytest.mark.parametrize("name", OUTSIDERS)
def test_units_villages_auditors_and_outsiders_see_no_documents(client: Client, office_town: Any, name: str) -> None:
    issued, draft = made(office_town)
    as_user(client, office_town, name)
    for url in urls(office_town, issued, draft).values():
        assert client.get(url).status_code == 404, url
    preview = reverse("documents:preview", args=[office_town.campaign.slug, draft.public_id])
    assert client.post(preview).status_code == 404


def test_a_campaign_of_another_town_is_not_there_for_the_office(client: Client, office_town: Any) -> None:
    from zoufang.campaigns.models import Campaign
    from zoufang.regions.models import Region

    elsewhere = Region.objects.create(name="周庄镇", level=Region.Level.TOWN, parent=office_town.town.parent)
    Campaign.objects.create(slug="zhouzhuang", name="周庄走访", scope=elsewhere, starts_on=dt.date(2017, 1, 1),
                            ends_on=dt.date(2017, 12, 31))
    as_user(client, office_town, "office")
    assert client.get(reverse("documents:index", args=["zhouzhuang"])).status_code == 404
    assert client.post(reverse("documents:generate", args=["zhouzhuang"]), {"kind": "circular"}).status_code == 404


def test_a_tampered_file_is_not_served(client: Client, office_town: Any) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the trigger refuses the change this test makes (test_issuing covers it)")
    issued, draft = made(office_town)
    Document.objects.filter(pk=issued.pk).update(content=b"changed")
    as_user(client, office_town, "leader")
    response = client.get(urls(office_town, issued, draft)["issued_docx"])
    assert response.status_code == 409
    assert "校验值不符" in response.content.decode()


def test_the_drafts_word_is_rendered_in_the_background_as_the_request_rendered_it(client: Client,
                                                                                  office_town: Any) -> None:
    """预览 Word runs on the queue (docs/jobs.md): the same document as rendering it in the request; the old link of
    a draft's docx leads to its page, where the button is."""
    from docx import Document as read_docx

    from zoufang.documents import render
    from zoufang.jobs.testing import queued_file

    issued, draft = made(office_town)
    as_user(client, office_town, "office")
    slug = office_town.campaign.slug
    queued = queued_file(client, reverse("documents:preview", args=[slug, draft.public_id]))
    assert queued["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")

    def text(data: bytes) -> list[str]:
        made_docx = read_docx(io.BytesIO(data))
        cells = [cell.text for table in made_docx.tables for row in table.rows for cell in row.cells]
        return [p.text for p in made_docx.paragraphs] + cells

    assert text(queued.content) == text(render.docx_bytes(draft))
    assert draft.title in text(queued.content)
    old = client.get(urls(office_town, issued, draft)["draft_docx"])
    assert old.status_code == 302
    assert old["Location"] == reverse("documents:detail", args=[slug, draft.public_id])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(draft.public_id)).count() == 1


def test_the_issued_list_pages_by_cursor(client: Client, office_town: Any, settings: Any,
                                         django_assert_max_num_queries: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 1
    first_issued, draft = made(office_town)
    office = office_town.users["office"]
    later = services.issue_document(services.generate_draft(
        office_town.campaign, "circular", dt.date(2017, 4, 1), dt.date(2017, 6, 15), by=office), by=office)
    as_user(client, office_town, "office")
    index = reverse("documents:index", args=[office_town.campaign.slug])
    with django_assert_max_num_queries(40) as first_queries:
        first = client.get(index)
    assert list(first.context["issued"]) == [later]
    assert first.context["drafts"] == [draft]
    with django_assert_max_num_queries(len(first_queries)):
        second = client.get(index, {"after": first.context["page"].next_cursor})
    assert list(second.context["issued"]) == [first_issued]
    assert second.context["page"].next_cursor is None
    assert "第一页" in second.content.decode()
    assert list(client.get(index, {"after": "forged"}).context["issued"]) == [later]


def test_a_circular_draft_says_which_tables_go_into_its_attachment(client: Client, office_town: Any) -> None:
    """Decision 0023: the draft's page lists, under each text, its figure and the tables printed in the 附件."""
    as_user(client, office_town, "office")
    draft = services.generate_draft(office_town.campaign, "circular", dt.date(2017, 4, 1), dt.date(2017, 6, 15),
                                    by=office_town.users["office"])
    page = client.get(reverse("documents:detail", args=[office_town.campaign.slug, draft.public_id])).content.decode()
    assert "附件表1：各单位走访完成情况（截至2017年6月15日，进度滞后的单位在前，按落后多少排列）（3 行，印在落款之后的附件中）" in page
    assert "附图：各承办单位问题办理情况（2个，明细见附件表3）（2 项，按生成时的数字绘出）" in page
