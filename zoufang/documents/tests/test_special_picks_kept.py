"""No action on 问题办理 loses the picks (decision 0084): the chips' × and 清除 are buttons of the list's form; the
filtered 专报 sends the filters applied, which its count is of; a case page opened from the list carries the list
back, adds its case to the picks (加入专报) and sends them on (生成专报). A village cadre's list names the village once."""

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from zoufang.cases.presenters import village_name
from zoufang.documents.tests.test_special_picks import LIST, ids, page

pytestmark = pytest.mark.django_db


def query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def hidden(html: str, form_id: str) -> list[tuple[str, str]]:
    """The hidden fields of the form with this id, in order."""
    form = html.split(f'id="{form_id}"')[1].split("</form>")[0]
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)


def test_a_chip_s_cross_and_clear_are_buttons_of_the_list_s_form_that_keep_the_picks(client: Client,
                                                                                   office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    police = str(office_town.police.public_id)
    c1, c2 = ids(office_town, "c1", "c2")
    shown = page(client, LIST, {"unit": police, "route": "coordination", "q": "c"})
    assert 'form="case-list" name="drop" value="unit"' in shown
    assert 'form="case-list" name="drop" value="route"' in shown
    assert 'type="submit" name="drop" value="filters">清除<' in shown  # inside the form
    # What the form sends with the chip's ×: its filters, its boxes ticked, the button.
    sent = {"q": "c", "unit": police, "route": "coordination", "pick": [c1, c2], "after": "x"}
    assert query(client.get(LIST, {**sent, "drop": "unit"})["Location"]) == {
        "q": ["c"], "route": ["coordination"], "pick": [c1, c2]}
    assert query(client.get(LIST, {**sent, "drop": "route"})["Location"]) == {
        "q": ["c"], "unit": [police], "pick": [c1, c2]}
    assert query(client.get(LIST, {**sent, "drop": "filters"})["Location"]) == {"pick": [c1, c2]}
    assert query(client.get(LIST, {**sent, "drop": "anything"})["Location"]) == {
        "q": ["c"], "unit": [police], "route": ["coordination"], "pick": [c1, c2]}  # nothing taken off


def test_a_page_without_boxes_of_its_own_still_carries_the_picks(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    c1, = ids(office_town, "c1")
    shown = page(client, LIST, {"status": "merged", "pick": c1})  # c5 only: merged, no box
    assert 'data-pick ' not in shown
    assert "data-pick>" not in shown
    assert f'<input type="hidden" name="pick" value="{c1}">' in shown
    assert "已选 1 件" in shown


def test_the_filtered_report_sends_the_filters_applied_that_its_count_is_of(client: Client, office_town: Any) -> None:
    """Typing a new search and pressing the button without 查询: the list's form is not what it sends."""
    client.force_login(office_town.users["office"])
    c1, = ids(office_town, "c1")
    shown = page(client, LIST, {"status": "accepted", "pick": c1})  # c2 only
    assert "以当前筛选结果生成专报（1 件）" in shown
    assert hidden(shown, "report-filtered") == [("status", "accepted"), ("pick", c1)]
    assert 'value="filtered"' not in shown.split('id="case-list"')[1].split("</form>")[0]  # not the list's form's
    assert 'form="case-list" formaction="' + reverse("documents:picked") + '" name="report" value="filtered"' not in shown
    sent = client.get(reverse("documents:picked"), {**dict(hidden(shown, "report-filtered")), "report": "filtered"})
    assert query(sent["Location"])["numbers"] == [office_town.cases["c2"].number]


def test_the_list_s_rows_open_their_case_carrying_the_list(client: Client, office_town: Any, settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 2
    client.force_login(office_town.users["office"])
    c1, c3, c6 = ids(office_town, "c1", "c3", "c6")
    shown = page(client, LIST, {"kind": "problem", "pick": [c3, c6]})
    link = re.search(rf'href="(/cases/{c1}/[^"]*)" data-list-link="case-list"', shown).group(1).replace("&amp;", "&")
    place = QueryDict(query(link)["list"][0])
    assert (place.getlist("kind"), place.getlist("pick")) == (["problem"], [c3, c6])
    client.force_login(office_town.users["leader"])  # no picks on the leader's list: its links as before
    assert f'href="/cases/{c1}/">' in page(client, LIST, {"kind": "problem"})


def test_add_to_report_on_a_case_page_adds_to_the_list_s_picks(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    c1, c2, c5 = ids(office_town, "c1", "c2", "c5")
    url = reverse("cases:detail", args=[c2])
    came = f"status=open&pick={c1}&pick={c5}&pick=not-an-id&pick=00000000-0000-4000-8000-000000000000"
    shown = page(client, url, {"list": came})
    assert "已选 1 件" in shown  # c1 only: merged, malformed and unknown picks are not carried
    back = f'href="/cases/?status=open&amp;pick={c1}"'
    assert back in shown  # the breadcrumb back to the list, as filtered and picked
    add = shown.split(f'action="{url}"')[1].split("</form>")[0]
    assert "加入专报" in add
    added = QueryDict(re.search(r'name="list" value="([^"]*)"', add).group(1).replace("&amp;", "&"))
    assert added.getlist("pick") == [c1, c2]
    again = page(client, url, {"list": added.urlencode()})
    assert "已选 2 件（含本件）" in again
    assert "移出专报" in again
    assert "加入专报" not in again.split('id="report-picks-title"')[1]
    assert f'href="/cases/?status=open&amp;pick={c1}&amp;pick={c2}"' in again
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                        again.split(f'action="{reverse("documents:picked")}"')[1].split("</form>")[0])
    assert fields == [("status", "open"), ("pick", c1), ("pick", c2)]
    sent = QueryDict(mutable=True)
    for key, value in [*fields, ("report", "picked")]:
        sent.appendlist(key, value)
    location = client.get(f"{reverse('documents:picked')}?{sent.urlencode()}")["Location"]
    assert sorted(query(location)["numbers"][0].split()) == sorted(
        office_town.cases[name].number for name in ("c1", "c2"))
    removed = page(client, url, {"list": f"status=open&pick={c1}"})
    assert "已选 1 件" in removed
    assert "加入专报" in removed


def test_a_case_page_reached_otherwise_starts_the_picks_with_its_case(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    c2, = ids(office_town, "c2")
    url = reverse("cases:detail", args=[c2])
    shown = page(client, url)
    assert "尚未选定问题" in shown
    assert 'href="/cases/">问题办理' in shown
    added = re.search(r'name="list" value="([^"]*)"><button class="btn" type="submit">加入专报', shown).group(1)
    assert added == f"pick={c2}"
    assert "已选 1 件（含本件）" in page(client, url, {"list": added})
    assert "加入专报" not in page(client, reverse("cases:detail", args=ids(office_town, "c5")))  # merged
    client.force_login(office_town.users["leader"])
    led = page(client, url, {"list": f"pick={c2}&q=x"})
    assert "加入专报" not in led
    assert "已选" not in led
    assert 'href="/cases/?q=x">问题办理' in led  # the way back, without picks the leader cannot make


def test_an_action_sent_from_a_case_page_keeps_the_list_it_came_from(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    c1, c2 = ids(office_town, "c1", "c2")
    url = reverse("cases:detail", args=[c2])
    came = f"pick={c1}"
    shown = page(client, url, {"list": came})
    publish = reverse("cases:publish", args=[c2])
    assert f'action="{publish}?list=pick%3D{c1}"' in shown
    stamp = re.search(r'name="seen" value="([^"]*)"', shown).group(1)
    sent = client.post(f"{publish}?list=pick%3D{c1}", {"summary": "路灯已修复", "seen": stamp})
    assert sent["Location"] == f"{url}?list=pick%3D{c1}"


def test_a_village_s_list_names_its_village_once_in_the_heading(client: Client, office_town: Any) -> None:
    village = village_name(office_town.cases["c1"])
    client.force_login(office_town.users["village"])
    shown = page(client, LIST)
    heading = shown.split('class="page-head"')[1].split("</div>")[0]
    assert village in heading
    assert "村（社区）" not in shown.split("<table")[1]
    assert shown.count(village) == 1
    client.force_login(office_town.users["office"])
    office = page(client, LIST)
    assert 'data-label="村（社区）"' in office
    assert village not in office.split('class="page-head"')[1].split("</div>")[0]
