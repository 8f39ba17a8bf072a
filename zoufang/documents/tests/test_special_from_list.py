"""A 专报 from 问题办理 (decision 0077): the office ticks cases on the case list (or takes the filtered list) and lands
on the 专报 new-draft form with the numbers filled in; the draft made covers exactly those cases. Other viewers see
no checkboxes; cases of two campaigns, or more than special.PICKED, are refused saying why."""

import datetime as dt
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.documents import special
from zoufang.documents.models import Document

pytestmark = pytest.mark.django_db
LIST = "/cases/"
PICKED = "/documents/special/picked/"  # where the list's bar sends its picks (decision 0079; was LIST itself)
BAR = "以选定的问题生成专报"
FILTERED = "以当前筛选结果生成专报"


def page(client: Client, url: str = LIST) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def office(client: Client, town: Any) -> Client:
    client.force_login(town.users["office"])
    return client


def test_the_office_sees_a_checkbox_per_case_and_the_bar_others_do_not(client: Client, office_town: Any) -> None:
    shown = page(office(client, office_town))
    assert BAR in shown
    for case in ("c1", "c2", "c3", "c6"):
        assert f'name="pick" value="{office_town.cases[case].public_id}"' in shown
    assert f'value="{office_town.cases["c5"].public_id}"' not in shown  # merged: counted in c1, not picked
    city = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=office_town.town.parent)
    for user in (office_town.users["leader"], office_town.users["handler"], city):
        client.force_login(user)
        response = client.get(LIST)
        if response.status_code == 404:  # a viewer without the case list sees no bar either
            continue
        shown = response.content.decode()
        assert [mark for mark in ('name="pick"', BAR, FILTERED) if mark in shown] == [], user.username


def test_three_picked_cases_lead_to_the_form_filled_in_and_a_draft_of_exactly_them(client: Client,
                                                                                   office_town: Any) -> None:
    office(client, office_town)
    picked = [office_town.cases[name] for name in ("c1", "c2", "c3")]
    response = client.get(PICKED, {"report": "picked", "pick": [str(c.public_id) for c in picked]})
    slug = office_town.campaign.slug
    target = urlsplit(response["Location"])
    assert (response.status_code, target.path) == (302, reverse("documents:index", args=[slug]))
    asked = parse_qs(target.query)
    assert (asked["kind"], asked["subject"]) == (["special"], ["cases"])
    assert asked["numbers"][0].split() == [c.number for c in picked]
    form = page(client, f"{target.path}?{target.query}")
    assert '<option value="special" selected>' in form
    assert '<option value="cases" selected>' in form
    assert f'value="{asked["numbers"][0]}"' in form
    assert "已从问题办理选定 3 件问题" in form
    assert 'name="starts_on"' in form  # the period is still the office's to confirm
    client.post(reverse("documents:generate", args=[slug]), {
        "kind": "special", "subject": "cases", "numbers": asked["numbers"][0], "key": uuid.uuid4()})
    made = Document.objects.get()
    assert made.kind == Document.Kind.SPECIAL
    assert sorted(made.subject["cases"]) == sorted(str(c.public_id) for c in picked)
    assert made.title == "关于3件群众反映问题办理情况的专报"


def test_nothing_picked_or_a_number_of_no_case_is_said_plainly(client: Client, office_town: Any) -> None:
    office(client, office_town)
    shown = client.get(PICKED, {"report": "picked", "status": "accepted"}, follow=True)
    assert "请先勾选要写入专报的问题" in shown.content.decode()
    assert shown.redirect_chain[-1][0] == f"{LIST}?status=accepted"  # back to the list as it was filtered
    shown = client.get(PICKED, {"report": "picked", "pick": ["garbage", str(uuid.uuid4())]}, follow=True)
    assert "请先勾选要写入专报的问题" in shown.content.decode()


def test_cases_of_two_campaigns_are_refused_naming_the_rule(client: Client, office_town: Any) -> None:
    office(client, office_town)
    other = Campaign.objects.get(slug="other")
    stray = Case.objects.create(campaign=other, kind=Case.Kind.PROBLEM, description="另一活动的问题",
                                region=office_town.cases["c1"].region, status=Case.Status.REGISTERED,
                                raised_at=dt.datetime(2017, 6, 3, 10, tzinfo=dt.UTC))
    shown = client.get(PICKED, {"report": "picked", "pick": [str(office_town.cases["c1"].public_id),
                                                           str(stray.public_id)]}, follow=True)
    text = shown.content.decode()
    assert "一份专报只能选同一走访活动的问题" in text
    assert "“锦溪镇测试走访”" in text
    assert "“另一活动”" in text
    assert shown.redirect_chain[-1][0].startswith(f"{LIST}?pick=")  # back with the boxes ticked, to untick one
    assert f'value="{stray.public_id}" checked' in text


def test_a_case_the_office_may_not_read_is_refused(client: Client, office_town: Any) -> None:
    """Another town's case, picked by its id in a handmade URL: not among the office's cases, so nothing picked."""
    office(client, office_town)
    elsewhere = Case.objects.exclude(campaign__scope=office_town.town).first()
    if elsewhere is None:
        from zoufang.regions.models import Region

        far = Region.objects.create(name="周庄镇", level=Region.Level.TOWN, parent=office_town.town.parent)
        campaign = Campaign.objects.create(slug="far", name="周庄镇走访", scope=far, starts_on=dt.date(2017, 1, 1),
                                           ends_on=dt.date(2017, 12, 31))
        elsewhere = Case.objects.create(campaign=campaign, kind=Case.Kind.PROBLEM, description="外镇的问题",
                                        status=Case.Status.REGISTERED,
                                        raised_at=dt.datetime(2017, 6, 3, 10, tzinfo=dt.UTC))
    shown = client.get(PICKED, {"report": "picked", "pick": [str(elsewhere.public_id)]}, follow=True)
    assert "请先勾选要写入专报的问题" in shown.content.decode()
    numbers = client.get(reverse("documents:index", args=[office_town.campaign.slug]),
                         {"kind": "special", "subject": "cases", "numbers": elsewhere.number})
    assert "本活动中没有这些编号的问题" in numbers.content.decode()  # typed or forged: named before generating


def test_the_filtered_list_of_at_most_fifty_makes_one_and_more_is_refused(client: Client, office_town: Any) -> None:
    office(client, office_town)
    shown = page(client, f"{LIST}?status=accepted")
    assert FILTERED in shown
    response = client.get(PICKED, {"report": "filtered", "status": "accepted"})
    numbers = parse_qs(urlsplit(response["Location"]).query)["numbers"][0].split()
    assert numbers == [office_town.cases["c2"].number]
    everything = client.get(PICKED, {"report": "filtered"})  # c5 is merged into c1: not among the picked
    numbers = parse_qs(urlsplit(everything["Location"]).query)["numbers"][0].split()
    assert sorted(numbers) == sorted(office_town.cases[n].number for n in ("c1", "c2", "c3", "c4", "c6"))
    assert "已合并到其他问题的1件不列入" in page(client, everything["Location"])
    Case.objects.bulk_create([
        Case(campaign=office_town.campaign, kind=Case.Kind.PROBLEM, description=f"第{i}件", status=Case.Status.ACCEPTED,
             region=office_town.cases["c2"].region, raised_at=dt.datetime(2017, 6, 4, 10, tzinfo=dt.UTC))
        for i in range(special.PICKED)])
    shown = page(client, f"{LIST}?status=accepted")
    assert FILTERED not in shown
    assert "请缩小筛选范围" in shown
    assert BAR in shown  # picking by hand still works
    refused = client.get(PICKED, {"report": "filtered", "status": "accepted"}, follow=True)
    assert "请缩小筛选范围" in refused.content.decode()
    assert not Document.objects.exists()
