"""What 我的走访 keeps on the phone (390 px, touch, real Chromium) is named once, on the server (visits/on_phone.py):
the page writes its outbox and drafts under the names it is handed, and 退出 reads the same names, so renaming them
can never make 退出 miss a record not yet sent or leave a typed form behind."""

from typing import Any

import pytest

from zoufang.visits import on_phone as names
from zoufang.visits.models import Visit
from zoufang.visits.tests.test_phone_day_browser import _fill_household, _keep_unsent, _open_form, on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEYS = "() => Object.keys(localStorage).sort()"


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_the_outbox_and_drafts_live_under_the_names_the_server_gives_and_logout_reads_them(
        browser, live_server, visiting, monkeypatch):
    monkeypatch.setattr(names, "OUTBOX", "zoufang.outbox.v9.")  # a rename, made in one place
    monkeypatch.setattr(names, "DRAFTS", "zoufang.draft.v9.")
    monkeypatch.setattr(names, "CLOCK", "zoufang.clock.v9")  # the clocks' difference, for an offline copy's "now"
    cadre = visiting.users["dept"].cadre
    unsent, typed = visiting.households["shangxiatang"][:2]
    outbox = f"zoufang.outbox.v9.{cadre.public_id}"
    with on_phone(browser, live_server.url) as (context, page):
        _keep_unsent(page, unsent)
        _open_form(page, typed)
        _fill_household(page)  # typed, not sent: a draft
        page.evaluate("() => localStorage.setItem('zoufang.draft.v9.another-cadre.x', '{}')")  # another's, same phone
        assert page.evaluate(KEYS) == sorted([outbox, f"zoufang.draft.v9.{cadre.public_id}.{typed.public_id}",
                                              "zoufang.draft.v9.another-cadre.x", "zoufang.me.cadre",
                                              "zoufang.clock.v9"])
        assert len(page.evaluate(f"() => JSON.parse(localStorage.getItem('{outbox}'))")) == 1

        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.locator("nav button", has_text="退出").click()
        page.wait_for_url("**/login/**")
        assert asked
        assert "1 条走访记录" in asked[0]  # 退出 found the unsent record under the name the page wrote it
        # As before the rename: every typed form forgotten, the unsent record kept for this cadre's next login (and
        # the clocks' difference, no one's data).
        assert page.evaluate(KEYS) == sorted([outbox, "zoufang.me.cadre", "zoufang.clock.v9"])
        assert not Visit.objects.exists()
