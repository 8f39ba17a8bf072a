"""查来电记录 is a read of a resident's records by the number the clerk typed: audited once a lookup, the number masked.
A call about a problem already closed (12345 “重复来电”) is received on its own and linked to the closed case, which
stays closed and unmerged (decision 0047)."""

import re
import uuid

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.cases.models import Case
from zoufang.cases.tests.test_hotline_repeat_caller import _call, _callers, _intake, _set

pytestmark = pytest.mark.django_db

PHONE = "13868841290"


def _lookups():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.READ, summary__startswith="查来电记录"))


def _last_seq():
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_it_audits_a_lookup_once_with_the_number_masked(client, cases_town):
    client.force_login(cases_town.users["office"])
    lamp = _call(client, cases_town, "家门口的路灯坏了一个多月，晚上看不见路", PHONE)
    bins = _call(client, cases_town, "小区垃圾桶满了没人清运", PHONE)
    mark = _last_seq()
    response = _intake(client, cases_town, url="/cases/new/?lookup=1", description="", raiser_phone="138 6884 1290")
    assert [number for number, _text in _callers(response.content.decode())] == [bins.number, lamp.number]
    written = list(AuditEvent.objects.filter(seq__gt=mark))
    assert len(written) == 1
    row = written[0]
    assert (row.action, row.actor, row.object_type) == (AuditEvent.Action.READ, cases_town.users["office"], "cases.Case")
    assert row.summary == "查来电记录：138****1290，2件"
    assert row.changes == {"phone": "138****1290", "total": 2,
                           "cases": [str(bins.public_id), str(lamp.public_id)]}
    assert PHONE not in row.summary + str(row.changes)


def test_a_lookup_that_finds_nothing_is_audited_too(client, cases_town):
    client.force_login(cases_town.users["office"])
    mark = _last_seq()
    page = _intake(client, cases_town, url="/cases/new/?lookup=1", description="").content.decode()
    assert "这个号码以前没有来电记录" in page
    assert [row.summary for row in AuditEvent.objects.filter(seq__gt=mark)] == ["查来电记录：138****1290，0件"]


@pytest.mark.parametrize("role", ["village", "dept", "leader", "auditor"])
def test_a_role_without_the_hotline_sees_nothing_and_nothing_is_written(client, cases_town, role):
    client.force_login(cases_town.users["office"])
    lamp = _call(client, cases_town, "家门口的路灯坏了一个多月，晚上看不见路", PHONE, region=cases_town.shangxiatang)
    client.force_login(cases_town.users[role])
    mark = _last_seq()
    response = _intake(client, cases_town, url="/cases/new/?lookup=1", description="")
    assert response.status_code == 404
    assert lamp.number not in response.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=mark).exists()


def test_the_api_answering_the_numbers_calls_is_audited_as_a_lookup(client, cases_town, api_token):
    client.force_login(cases_town.users["office"])
    token = api_token("office")
    lamp = _call(client, cases_town, "家门口的路灯坏了一个多月，晚上看不见路", PHONE)
    mark = _last_seq()
    body = {"campaign": cases_town.campaign.slug, "kind": "problem", "description": "上回说的事还没人管",
            "raiser_phone": PHONE}
    answer = client.post("/api/v1/cases/", body, content_type="application/json", **token).json()
    assert [c["number"] for c in answer["same_caller"]] == [lamp.number]
    lookups = [row for row in AuditEvent.objects.filter(seq__gt=mark) if row.action == AuditEvent.Action.READ]
    assert [(row.summary, row.changes["cases"]) for row in lookups] == [
        ("查来电记录：138****1290，1件", [str(lamp.public_id)])]


# 重复来电 about a closed case: linked, never merged or reopened.

def _closed_lamp(client, town):
    lamp = _call(client, town, "家门口的路灯坏了一个多月，晚上看不见路", PHONE)
    _set(lamp, status=Case.Status.CLOSED)
    lamp.refresh_from_db()
    return lamp


def test_the_clerk_links_a_call_to_the_closed_case_it_repeats(client, cases_town):
    client.force_login(cases_town.users["office"])
    lamp = _closed_lamp(client, cases_town)
    looked_up = _intake(client, cases_town, url="/cases/new/?lookup=1", description="").content.decode()
    assert re.search(rf'name="repeat_of" value="{lamp.public_id}"', looked_up)
    assert f"本次来电是已结案的 {lamp.number} 的重复来电" in looked_up
    before = lamp.version
    response = _intake(client, cases_town, repeat_of=str(lamp.public_id))
    assert response.status_code == 302
    again = Case.objects.exclude(pk=lamp.pk).get()
    assert (again.status, again.merged_into_id, again.follows_id) == (Case.Status.DRAFT, None, lamp.pk)
    lamp.refresh_from_db()
    assert (lamp.status, lamp.version, lamp.merged_into_id) == (Case.Status.CLOSED, before, None)
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(again.public_id))
    assert created.changes == {"follows": str(lamp.public_id)}
    assert f"前次来电 {lamp.number} 已结案" in created.summary


def test_both_case_pages_show_the_link(client, cases_town):
    client.force_login(cases_town.users["office"])
    lamp = _closed_lamp(client, cases_town)
    _intake(client, cases_town, repeat_of=str(lamp.public_id))
    again = Case.objects.exclude(pk=lamp.pk).get()
    page = client.get(f"/cases/{again.public_id}/").content.decode()
    assert re.search(rf'<dt>前次来电（已结案）</dt><dd><a href="/cases/{lamp.public_id}/">{lamp.number}</a>', page)
    assert "本件是该件结案后的重复来电（已关联）" in dict(_callers(page))[lamp.number]
    closed = client.get(f"/cases/{lamp.public_id}/").content.decode()
    assert re.search(rf'<dt>结案后的重复来电</dt><dd><a href="/cases/{again.public_id}/">{again.number}</a>', closed)
    assert "该件是本件结案后的重复来电（已关联）" in dict(_callers(closed))[again.number]


def test_the_api_takes_a_closed_repeat_as_a_link_and_shows_it_both_ways(client, cases_town, api_token):
    client.force_login(cases_town.users["office"])
    token = api_token("office")
    lamp = _closed_lamp(client, cases_town)
    body = {"campaign": cases_town.campaign.slug, "kind": "problem", "description": "上回说修好了，其实又坏了",
            "raiser_phone": PHONE}
    first = client.post("/api/v1/cases/", body, content_type="application/json", **token).json()
    assert [(c["number"], c["may_be_master"], c["may_be_followed"]) for c in first["same_caller"]] == [
        (lamp.number, False, True)]
    answer = client.post("/api/v1/cases/", {**body, "repeat_of": str(lamp.public_id), "key": str(uuid.uuid4())},
                         content_type="application/json", **token)
    assert answer.status_code == 201, answer.content
    again = answer.json()
    assert (again["status"], again["merged_into"], again["follows"]) == ("draft", None, str(lamp.public_id))
    read = client.get(f"/api/v1/cases/{lamp.public_id}", **token).json()
    assert (read["status"], read["followed_by"]) == ("closed", [again["id"]])


def test_a_merged_case_is_still_refused_as_the_earlier_call(client, cases_town):
    client.force_login(cases_town.users["office"])
    lamp = _call(client, cases_town, "家门口的路灯坏了一个多月，晚上看不见路", PHONE)
    merged = _call(client, cases_town, "路灯又坏了", PHONE)
    _set(merged, status=Case.Status.MERGED, merged_into=lamp)
    response = _intake(client, cases_town, repeat_of=str(merged.public_id))
    assert response.status_code == 200
    assert "已合并到其他件，不能选它" in response.content.decode()
    assert Case.objects.count() == 2


def test_a_case_reopened_since_the_lookup_is_not_linked(client, cases_town):
    from zoufang.cases.services import receive_case_once
    from zoufang.cases.transition import CaseError

    client.force_login(cases_town.users["office"])
    lamp = _closed_lamp(client, cases_town)
    Case.objects.filter(pk=lamp.pk).update(status=Case.Status.ACCEPTED)  # reopened after the form was drawn
    with pytest.raises(CaseError, match="已重新办理或合并"):
        receive_case_once(campaign=cases_town.campaign, kind=Case.Kind.PROBLEM, description="又坏了",
                          raised_at=lamp.raised_at, source=Case.Source.HOTLINE, raiser_phone=PHONE,
                          by=cases_town.users["office"], repeat_of=lamp)
    assert Case.objects.count() == 1
