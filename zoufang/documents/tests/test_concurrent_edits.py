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


def test_the_second_save_of_a_draft_opened_by_two_clerks_is_refused_and_kept(office_town: Any) -> None:
    document = _draft(office_town)
    url = reverse("documents:detail", args=[office_town.campaign.slug, document.public_id])
    zhang, li = Client(), Client()
    zhang.force_login(office_town.users["office"])
    li.force_login(_second_clerk(office_town))
    version = _form(zhang.get(url).content.decode(), "version")
    assert _form(li.get(url).content.decode(), "version") == version  # both opened the same draft

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
