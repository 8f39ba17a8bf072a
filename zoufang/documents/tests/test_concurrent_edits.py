"""Two clerks editing one draft: the second save is refused with who changed what, their text kept, never a
silent overwrite of the first."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.documents import services
from zoufang.documents.models import Document

pytestmark = pytest.mark.django_db


def _draft(town: Any) -> Document:
    return services.generate_draft(town.campaign, "briefing", dt.date(2017, 6, 9), dt.date(2017, 6, 15),
                                   by=town.users["office"])


def _second_clerk(town: Any) -> Any:
    clerk = ensure_user("office2", PASSWORD, role=RoleGrant.Role.OFFICE, region=town.town)
    clerk.first_name = "李四"
    clerk.save()
    return clerk


def _form(page: str, field: str) -> str:
    return page.split(f'name="{field}" value="', 1)[1].split('"', 1)[0]


def _opened_by_two_clerks(town: Any) -> tuple[Document, str, Client, Client, str]:
    """张三 and 李四 open one draft's page: the draft, its page, their browsers and the version both pages show."""
    document = _draft(town)
    url = reverse("documents:detail", args=[town.campaign.slug, document.public_id])
    zhang, li = Client(), Client()
    zhang.force_login(town.users["office"])
    li.force_login(_second_clerk(town))
    version = _form(zhang.get(url).content.decode(), "version")
    assert _form(li.get(url).content.decode(), "version") == version  # both opened the same draft
    return document, url, zhang, li, version


def test_the_second_save_of_a_draft_opened_by_two_clerks_is_refused_and_kept(office_town: Any) -> None:
    document, url, zhang, li, version = _opened_by_two_clerks(office_town)
    saved = li.post(url, {"version": version, "title": "第二季度走访动态", "text-typical": "李四写的典型经验。"})
    assert saved.status_code == 302
    refused = zhang.post(url, {"version": version, "title": "走访简报", "text-typical": "张三写的典型经验。"})
    page = refused.content.decode()

    document.refresh_from_db()
    assert document.title == "第二季度走访动态"  # the first save stands
    assert "李四写的典型经验。" in next(i["text"] for i in document.sections if i["key"] == "typical")
    assert "已被李四于" in page
    assert "您的修改未保存" in page
    assert "标题" in page
    assert "张三写的典型经验。" in page  # what the second clerk typed is on the page, not lost
    assert _form(page, "version") == str(document.version)  # saving again is a decision taken after reading
    assert zhang.post(url, {"version": _form(page, "version"), "title": "走访简报"}).status_code == 302
    document.refresh_from_db()
    assert document.title == "走访简报"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the row lock is PG's")
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_at_the_same_version_keep_one_and_refuse_the_other(office_town: Any) -> None:
    document = _draft(office_town)
    clerks = [office_town.users["office"], _second_clerk(office_town)]
    start = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def save(i: int) -> None:
        try:
            start.wait()
            services.update_draft(document, title=f"标题{i}", addressee="", texts={}, by=clerks[i],
                                  version=document.version)
            outcomes[i] = "saved"
        except services.StaleDraft as stale:
            outcomes[i] = stale
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["StaleDraft", "str"]
    document.refresh_from_db()
    assert document.version == 2
    assert document.title == f"标题{outcomes.index('saved')}"


def _opened_then_changed_by_li(town: Any) -> tuple[Document, Client, str]:
    """Both open a draft; 李四 then saves an edit of it. Returns the draft, 张三's browser and the version it shows."""
    document, url, zhang, li, version = _opened_by_two_clerks(town)
    assert li.post(url, {"version": version, "title": "第二季度走访动态", "text-typical": "李四写的典型经验。"}).status_code == 302
    return document, zhang, version


def test_a_draft_another_clerk_changed_since_the_page_was_opened_is_not_deleted(office_town: Any) -> None:
    document, zhang, version = _opened_then_changed_by_li(office_town)
    refused = zhang.post(reverse("documents:delete", args=[office_town.campaign.slug, document.public_id]),
                         {"version": version}, follow=True)
    page = refused.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()  # 李四's edit is not thrown away with the draft
    document.refresh_from_db()
    assert document.title == "第二季度走访动态"
    assert "已被李四于" in page
    assert "未删除" in page
    # Read, then deleted on purpose: the page now carries the version it shows.
    current = _form(page, "version")
    assert current == str(document.version)
    assert zhang.post(reverse("documents:delete", args=[office_town.campaign.slug, document.public_id]),
                      {"version": current}).status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()


def test_a_draft_another_clerk_changed_since_the_page_was_opened_is_not_issued(office_town: Any) -> None:
    document, zhang, version = _opened_then_changed_by_li(office_town)
    refused = zhang.post(reverse("documents:issue", args=[office_town.campaign.slug, document.public_id]),
                         {"version": version}, follow=True)
    page = refused.content.decode()
    document.refresh_from_db()
    assert not document.issued  # not printed with text the issuer never read
    assert "已被李四于" in page
    assert "未印发" in page


def test_issuing_refuses_a_draft_changed_after_the_version_it_was_asked_for(office_town: Any) -> None:
    """The check again when the background job issues: an edit saved between the click and the job is not printed."""
    document = _draft(office_town)
    asked = document.version
    services.update_draft(document, title="改过的标题", addressee="", texts={}, by=_second_clerk(office_town),
                          version=asked)
    with pytest.raises(services.DraftChanged):
        services.issue_document(document, by=office_town.users["office"], version=asked)
    document.refresh_from_db()
    assert not document.issued


def test_the_api_deletes_or_issues_a_draft_only_at_the_version_its_client_read(office_town: Any, api_token: Any) -> None:
    document = _draft(office_town)
    office = api_token("office")
    url = f"/api/v1/documents/{office_town.campaign.slug}/{document.public_id}"
    services.update_draft(document, title="改过的标题", addressee="", texts={}, by=_second_clerk(office_town),
                          version=document.version)
    assert Client().get(url, **office).json()["version"] == 2
    issuing = Client().post(f"{url}/issue", HTTP_IF_MATCH='"1"', **office)
    assert issuing.status_code == 409
    assert "未印发" in issuing.json()["detail"]
    stale = Client().delete(url, HTTP_IF_MATCH='"1"', **office)
    assert stale.status_code == 409
    assert "已被李四于" in stale.json()["detail"]
    assert Document.objects.filter(pk=document.pk).exists()
    assert Client().delete(url, HTTP_IF_MATCH='"2"', **office).status_code == 204


def test_the_api_refuses_to_delete_or_issue_a_draft_without_the_version_its_client_read(office_town: Any,
                                                                                     api_token: Any) -> None:
    """No If-Match, no version: 428 in the API's error shape (decision 0037, addendum), nothing deleted or queued."""
    from zoufang.jobs.models import Download

    document = _draft(office_town)
    office = api_token("office")
    url = f"/api/v1/documents/{office_town.campaign.slug}/{document.public_id}"
    for refused in (Client().post(f"{url}/issue", **office), Client().delete(url, **office),
                    Client().delete(url, HTTP_IF_MATCH="*", **office)):
        assert refused.status_code == 428
        assert refused.json() == {"detail": "请提供读取时的版本号（version 或 If-Match）。", "code": "version_required",
                                  "errors": {}}
    document.refresh_from_db()
    assert not document.issued
    assert not Download.objects.filter(kind="document_issue").exists()


def test_a_page_showing_unsaved_text_offers_neither_issuing_nor_deleting_the_stored_draft(office_town: Any) -> None:
    """After a refused save the page shows the clerk's own text, not the stored one: 印发 from there would print
    李四's text that 张三 has not read, and 删除 would drop it unseen. The page asks to save (or reload) first."""
    document, url, zhang, li, version = _opened_by_two_clerks(office_town)
    li.post(url, {"version": version, "title": "第二季度走访动态", "text-typical": "李四写的典型经验。"})
    page = zhang.post(url, {"version": version, "title": "走访简报", "text-typical": "张三写的典型经验。"}).content.decode()

    assert reverse("documents:issue", args=[office_town.campaign.slug, document.public_id]) not in page
    assert reverse("documents:delete", args=[office_town.campaign.slug, document.public_id]) not in page
    assert "尚未保存" in page
    reloaded = zhang.get(url).content.decode()  # read again: the stored text, and its actions
    assert "李四写的典型经验。" in reloaded
    assert reverse("documents:issue", args=[office_town.campaign.slug, document.public_id]) in reloaded


def test_a_save_or_a_delete_sent_twice_is_done_once_and_says_so(office_town: Any) -> None:
    """The same clerk's form sent again (a double click, a resend: decision 0058): not a conflict, not a 404."""
    document, url, zhang, _li, version = _opened_by_two_clerks(office_town)
    edit = {"version": version, "title": "第二季度走访动态", "text-typical": "张三写的典型经验。"}
    assert [zhang.post(url, edit)["Location"] for _sent in range(2)] == [url, url]
    document.refresh_from_db()
    assert document.version == int(version) + 1
    delete = reverse("documents:delete", args=[office_town.campaign.slug, document.public_id])
    index = reverse("documents:index", args=[office_town.campaign.slug])
    assert zhang.post(delete, {"version": str(document.version)})["Location"] == index
    again = zhang.post(delete, {"version": str(document.version)}, follow=True)
    assert again.redirect_chain == [(index, 302)]
    assert "草稿已删除：第二季度走访动态" in again.content.decode()
