"""Each role's menu leads only where it may go: every link of every demo account's main navigation opens (200) and
is a page the account can use, never one that only tells it to ask the office for a scope."""

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

# The templates answer this alike on both engines; the PostgreSQL half leaves it (decision 0046).
pytestmark = pytest.mark.one_database("sqlite")

NAV = re.compile(r'<nav class="nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')
NO_SCOPE = "请联系走访办"


def menu(client: Client) -> dict[str, str]:
    """The main navigation of the home page: {label: url}."""
    html = client.get("/", follow=True).content.decode()
    found = NAV.search(html)
    assert found, "no main navigation"
    return {label: url.replace("&amp;", "&") for url, label in LINK.findall(found.group(1))}


def test_it_opens_every_link_of_every_demo_accounts_menu(demo: Any, db: Any, client: Client) -> None:
    dead: list[str] = []
    for user in get_user_model().objects.filter(is_active=True).order_by("username"):
        client.force_login(user)
        for label, url in menu(client).items():
            response = client.get(url, follow=True)
            if response.status_code != 200:
                dead.append(f"{user.username} {label} {url}: {response.status_code}")
            elif label != "首页" and NO_SCOPE in response.content.decode():
                dead.append(f"{user.username} {label} {url}: asks to contact the office")
        client.logout()
    assert dead == [], "\n".join(dead)


CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>')


def test_each_menu_link_marks_its_page_as_the_one_open(demo: Any, db: Any, client: Client) -> None:
    """On the page a menu link opens, that link is the one marked current (分配, 考核 and 审计记录 marked none: the
    menu compared names their pages do not have)."""
    unmarked: list[str] = []
    for user in get_user_model().objects.filter(is_active=True).order_by("username"):
        client.force_login(user)
        for label, url in menu(client).items():
            if url.startswith("/admin/"):
                continue
            found = NAV.search(client.get(url, follow=True).content.decode())
            marked = [name for _href, name in CURRENT.findall(found.group(1))] if found else []
            if marked != [label]:
                unmarked.append(f"{user.username} {label} {url}: {marked}")
        client.logout()
    assert unmarked == [], "\n".join(unmarked)


@pytest.mark.parametrize(("username", "shown", "hidden"), [
    ("sysadmin", {"首页", "我的下载", "管理后台"}, {"区划", "走访对象", "问题办理", "走访记录", "分配", "导入"}),
    ("security", {"首页", "我的下载", "管理后台"}, {"区划", "走访对象", "问题办理", "走访记录", "分配", "导入"}),
    ("office", {"走访记录", "区划", "走访对象", "问题办理", "回访抽查", "分配", "导入", "考核"}, set()),
    ("dept", {"我的走访", "区划", "走访对象"}, {"走访记录", "问题办理", "分配", "导入"}),
    ("fuban", {"区划", "走访对象", "问题办理", "走访记录"}, {"分配", "导入"}),
])
def test_it_shows_each_role_what_it_may_use(demo: Any, db: Any, client: Client, username: str, shown: set[str],
                                            hidden: set[str]) -> None:
    client.force_login(get_user_model().objects.get(username=username))
    labels = set(menu(client))
    assert shown <= labels
    assert not hidden & labels
