"""合并重复 on the case page: a likely duplicate already closed is shown for reference but not offered as the case to
merge into (the action refuses a closed master); an open one is, with how alike it is in plain words."""

import re

import pytest

from zoufang.cases import actions, answers
from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db


def _closed(town, case):
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已更换灯具")
    case = answers.reply_case(case, by=town.users["office"], version=case.version, channel="phone", content="已修复")
    case = answers.record_callback(case, by=town.users["office"], version=case.version, satisfaction="satisfied")
    return answers.close_case(case, by=town.users["office"], version=case.version)


def _offers(page):
    """Each suggested duplicate's number, and whether it can be merged into from the page."""
    panel = re.search(r"<h2>可能重复的件</h2>.*?</section>", page, re.S).group(0)
    return {number: "合并到此件" in item
            for item in re.findall(r"<li.*?</li>", panel, re.S)
            for number in re.findall(r'<a href="/cases/[^"]+/">(\w{8})</a>', item)[:1]}


def test_a_closed_duplicate_is_shown_but_not_offered_to_merge_into(client, cases_town, make_case):
    town = cases_town
    closed = _closed(town, make_case("上下塘社区东侧路灯损坏，夜间出行不便"))
    open_one = make_case("上下塘社区东侧路灯坏了，夜间出行不便")
    case = make_case("东侧路灯损坏了，晚上出行不方便", target=town.households["shangxiatang"][2])
    assert closed.status == Case.Status.CLOSED
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert _offers(page) == {closed.number: False, open_one.number: True}
    assert "已结案，不能合并" in page


def test_it_says_how_alike_a_duplicate_is_in_percent(client, cases_town, make_case):
    town = cases_town
    make_case("上下塘社区东侧路灯损坏，夜间出行不便")
    case = make_case("上下塘社区东侧路灯损坏，夜间出行不便", target=town.households["shangxiatang"][2])
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "内容相似 100%" in page
    assert "相似度 1.0" not in page


def test_merging_asks_once_more_before_it_is_done(client, cases_town, make_case):
    """A merge is not undone (no action reverses 已合并): 合并到此件 opens a line saying what will happen and the button
    that does it, so a stray tap while scrolling on a phone merges nothing."""
    town = cases_town
    master = make_case("上下塘社区东侧路灯坏了，夜间出行不便")
    case = make_case("东侧路灯损坏了，晚上出行不方便", target=town.households["shangxiatang"][2])
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    offer = re.search(r"<details class=\"merge-confirm\">\s*<summary[^>]*>合并到此件</summary>(.*?)</details>", page, re.S)
    assert offer is not None
    assert f"本件将标为“已合并”，不再单独办理，由 {master.number} 办理并答复" in offer.group(1)
    assert re.search(r'<button[^>]*type="submit"[^>]*>确认合并</button>', offer.group(1))
