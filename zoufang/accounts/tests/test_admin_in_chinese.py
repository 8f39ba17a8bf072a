"""The admin site in Chinese for the break-glass superuser too: what Chromium shows on the index and a user's change
page (the group and permission pickers are drawn by the admin's JavaScript) holds no English word; and
`createsuperuser` answers in Chinese."""

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from zoufang.conftest import PASSWORD, browser_login

# Proper names and codes a Chinese page keeps as they are.
ALLOWED = {"Control", "Command", "Mac",  # the keys to press to choose several (按住 Control 键或 Mac 上的 Command 键)
           "OTP", "TOTP", "API", "ID", "xlsx", "csv", "docx", "Open311", "PNG", "GB", "T", "UTC", "Asia", "Shanghai"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9']+")


def english(text: str, *usernames: str) -> list[str]:
    """Latin-letter words that are not proper names, nor an account's name (in any case), an e-mail or an
    address."""
    for username in usernames:
        text = re.sub(re.escape(username), " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\S+@\S+|https?://\S+|/\S*", " ", text)
    return sorted({word for word in WORD.findall(text) if word not in ALLOWED})


def _visible(page: Any) -> str:
    """The text a reader sees, with the buttons' and fields' labels read by screen readers; not the stored password
    hash's summary (its algorithm, salt and digits are data, as an account name is)."""
    page.eval_on_selector_all(".field-password bdi", "els => els.forEach(e => e.remove())")
    labels = page.eval_on_selector_all(
        "[title]:not(link):not(meta), [placeholder], [aria-label], input[type=submit], img[alt]",
        "els => els.filter(e => e.offsetParent !== null || e.getClientRects().length).map(e => "
        "[e.title, e.placeholder, e.getAttribute('aria-label'), e.type === 'submit' ? e.value : '', e.alt]"
        ".filter(Boolean).join(' '))")
    return page.inner_text("body") + "\n" + "\n".join(labels)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_index_and_a_users_page_hold_no_english_for_a_superuser(browser, live_server, town):
    root = get_user_model().objects.create_superuser("root", "root@example.cn", PASSWORD)
    office = town.users["office"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        browser_login(page, live_server.url, root.username)
        found = {}
        for path in ("/admin/", f"/admin/auth/user/{office.pk}/change/", "/admin/auth/user/add/"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            if words := english(_visible(page), root.username, office.username):
                found[path] = words
        assert found == {}, "\n".join(f"{path}: {' '.join(words)}" for path, words in found.items())
    finally:
        page.close()


@pytest.mark.django_db
def test_createsuperuser_answers_in_chinese(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Zf-first-2017")  # the rules hold for the first account too
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.cn", stdout=out)
    # The last line is the command's own answer (a test database may add Django's note on unapplied migrations).
    answer = out.getvalue().strip().splitlines()[-1]
    assert english(answer) == [], answer
    assert "超级用户创建成功" in answer


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_header_names_the_account_as_typed(browser, live_server, town):
    """Django's admin writes its header in capitals: “欢迎， LIMING.ZF.” is not the account its holder typed."""
    get_user_model().objects.create_superuser("LiMing.zf", "root@example.cn", PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        browser_login(page, live_server.url, "LiMing.zf")
        page.goto(live_server.url + "/admin/")
        assert page.inner_text("#user-tools strong") == "LiMing.zf"
        # In Chinese: 欢迎，LiMing.zf — not Django's “欢迎， LiMing.zf.” with an English full stop after the name.
        assert re.match(r"欢迎，LiMing\.zf\s+查看站点", page.inner_text("#user-tools")), page.inner_text("#user-tools")
    finally:
        page.close()
