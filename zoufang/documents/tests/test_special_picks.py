"""A 专报's picks, finished (decision 0079): the case list keeps them across its pages and filters (its one GET
form carries them, script or not) and clears them; documents, not cases, takes and checks them, against what the
viewer may read; a case's own page starts a 专报 with it; the form shows its subject fields for a 专报 only."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.documents import special
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db
LIST = "/cases/"


def page(client: Client, url: str, params: Any = None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def ids(town: Any, *names: str) -> list[str]:
    return [str(town.cases[name].public_id) for name in names]


def test_it_carries_picks_from_another_page_in_the_list_s_form_and_counts_them(client: Client, office_town: Any,
                                                                               settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 2  # c6 and c1 … on page one (newest first): c3 is on another page
    client.force_login(office_town.users["office"])
    c3, c6 = ids(office_town, "c3", "c6")
    shown = page(client, LIST, {"pick": [c3, c6]})
    assert f'<input type="hidden" name="pick" value="{c3}">' in shown  # not on this page: carried by the form
    assert f'form="case-list" name="pick" value="{c6}" checked' in shown  # on this page: its box ticked
    listed = shown.split('id="case-list"')[1].split("</form>")[0]  # the list's own form
    assert f'<input type="hidden" name="pick" value="{c6}">' not in listed  # not carried twice
    assert "已选 2 件" in shown
    assert "其中 1 件在其他页或其他筛选条件下" in shown
    # The next page is a button of the same form: what is ticked here goes along without script.
    assert 'form="case-list" name="after" value="' in shown
    after = shown.split('form="case-list" name="after" value="')[1].split('"')[0]
    second = page(client, LIST, {"pick": [c3, c6], "after": after})
    assert f'form="case-list" name="pick" value="{c3}" checked' in second
    assert f'<input type="hidden" name="pick" value="{c6}">' in second  # page one's pick, carried now
    assert "已选 2 件" in second


def test_a_filter_changed_keeps_the_picks_and_clearing_drops_them(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    c1, c2 = ids(office_town, "c1", "c2")
    shown = page(client, LIST, {"status": "accepted", "pick": [c1, c2]})  # c1 is closed: not in this filter
    assert f'<input type="hidden" name="pick" value="{c1}">' in shown
    assert f'value="{c2}" checked' in shown
    assert "已选 2 件" in shown
    clear = shown.split('data-pick-clear')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "pick=" not in clear
    assert "status=accepted" in clear.replace("&amp;", "&")
    cleared = page(client, LIST + clear.replace("&amp;", "&"))
    assert ">勾选问题后生成专报<" in cleared
    assert 'type="hidden" name="pick"' not in cleared


def test_only_the_viewer_s_unmerged_cases_are_carried(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    c5, = ids(office_town, "c5")  # merged into c1
    shown = page(client, LIST, {"status": "accepted", "pick": [c5, "not-an-id", "00000000-0000-4000-8000-000000000000"]})
    assert 'type="hidden" name="pick"' not in shown
    assert "勾选问题后生成专报" in shown


def test_the_case_list_only_sends_its_picks_to_documents(client: Client, office_town: Any) -> None:
    """The bar's buttons submit the list's form to documents:picked; an old list's `?report=` is passed on there."""
    client.force_login(office_town.users["office"])
    shown = page(client, LIST)
    assert f'formaction="{reverse("documents:picked")}" name="report" value="picked"' in shown
    c1, = ids(office_town, "c1")
    old = client.get(LIST, {"report": "picked", "pick": c1})
    target = urlsplit(old["Location"])
    assert (target.path, parse_qs(target.query)) == (reverse("documents:picked"), {"report": ["picked"], "pick": [c1]})


def test_picked_numbers_are_checked_against_what_the_viewer_reads(office_town: Any) -> None:
    """A user who sees fewer cases (计家墩's village cadre: c3 only) names no other case of the campaign."""
    region = office_town.cases["c3"].region
    while region.level != Region.Level.VILLAGE:
        region = region.parent
    narrow = ensure_user("jjd", PASSWORD, role=RoleGrant.Role.VILLAGE, region=region)
    c2, c3 = office_town.cases["c2"], office_town.cases["c3"]
    subject = special.chosen(office_town.campaign, special.CASES, c3.number, viewer=narrow)
    assert subject.cases == (str(c3.public_id),)
    with pytest.raises(special.SubjectError, match=c2.number):
        special.chosen(office_town.campaign, special.CASES, f"{c3.number} {c2.number}", viewer=narrow)
    both = special.chosen(office_town.campaign, special.CASES, f"{c3.number} {c2.number}",
                          viewer=office_town.users["office"])
    assert len(both.cases) == 2


def test_a_viewer_who_may_not_write_documents_is_sent_back_saying_so(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["leader"])
    shown = client.get(reverse("documents:picked"), {"pick": ids(office_town, "c1")}, follow=True)
    assert "只有本活动的走访办可以编写专报" in shown.content.decode()
    client.force_login(office_town.users["handler"])  # no case list of its own to pick from: the list's 404
    assert client.get(reverse("documents:picked"), {"pick": ids(office_town, "c1")}).status_code in (302, 404)


def test_the_case_page_starts_a_special_report_for_the_office_only(client: Client, office_town: Any) -> None:
    """加入专报 adds the case to the picks (decision 0084), which 生成专报 sends to documents."""
    c2 = office_town.cases["c2"]
    url = reverse("cases:detail", args=[c2.public_id])
    client.force_login(office_town.users["office"])
    shown = page(client, url)
    assert "加入专报" in shown
    assert f'action="{url}"' in shown
    picked = page(client, url, {"list": f"pick={c2.public_id}"})
    assert f'action="{reverse("documents:picked")}"' in picked
    response = client.get(reverse("documents:picked"), {"pick": str(c2.public_id), "report": "picked"})
    asked = parse_qs(urlsplit(response["Location"]).query)
    assert asked["numbers"] == [c2.number]
    assert "加入专报" not in page(client, reverse("cases:detail", args=[office_town.cases["c5"].public_id]))  # merged
    for who in ("leader", "handler"):
        client.force_login(office_town.users[who])
        response = client.get(url)
        if response.status_code == 200:
            assert "加入专报" not in response.content.decode(), who


def test_the_subject_fields_are_marked_for_a_special_report_and_ignored_for_other_kinds(client: Client,
                                                                                      office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    slug = office_town.campaign.slug
    shown = page(client, reverse("documents:index", args=[slug]))
    assert shown.count('data-shown-for-kind="special"') == 2  # the subject and the numbers
    assert "仅专报填写" not in shown
    response = client.post(reverse("documents:generate", args=[slug]), {
        "kind": "briefing", "subject": "cases", "numbers": "garbage", "key": "0b1c4a3e-0000-4000-8000-000000000001"})
    assert response.status_code == 302
    assert "/downloads/" in response["Location"] or "/jobs/" in response["Location"]  # a 简报 made; the subject ignored
