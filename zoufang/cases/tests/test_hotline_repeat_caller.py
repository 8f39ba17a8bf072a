"""受理来电 from a caller who has called before about the same problem: the case page offers the earlier call as a
likely duplicate of the same raiser, found by the number called from — a hotline case has no target, and the
clerk often cannot name the village."""

import re
import uuid

import pytest

from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db


def _call(client, town, description, phone, *, region=None):
    response = client.post("/cases/new/", {
        "campaign": town.campaign.pk, "kind": Case.Kind.PROBLEM, "source": Case.Source.HOTLINE,
        "region": region.pk if region else "", "description": description, "raiser_name": "周梅",
        "raiser_phone": phone, "key": str(uuid.uuid4())})
    assert response.status_code == 302, response.content.decode()
    return Case.objects.get(public_id=response.url.strip("/").rsplit("/", 1)[-1])


def _offered(page):
    """{number: whether it is marked as the same raiser} in the case page's 可能重复的件."""
    panel = re.search(r"<h2>可能重复的件</h2>.*?</section>", page, re.S)
    if panel is None:
        return {}
    return {number: "同一反映人" in item
            for item in re.findall(r"<li.*?</li>", panel.group(0), re.S)
            for number in re.findall(r'<a href="/cases/[^"]+/">(\w{8})</a>', item)[:1]}


def test_it_offers_the_same_callers_earlier_call_without_a_village(client, cases_town):
    client.force_login(cases_town.users["office"])
    first = _call(client, cases_town, "家门口的路灯坏了一个多月，晚上看不见路", "13868841290")
    again = _call(client, cases_town, "又打来：门口路灯还是坏的，晚上看不见路", "138 6884 1290")
    page = client.get(f"/cases/{again.public_id}/").content.decode()
    assert _offered(page) == {first.number: True}


def test_it_does_not_offer_another_callers_call_about_something_else(client, cases_town):
    client.force_login(cases_town.users["office"])
    _call(client, cases_town, "家门口的路灯坏了一个多月，晚上看不见路", "13868841290")
    other = _call(client, cases_town, "小区垃圾桶满了没人清运", "13868841290")
    stranger = _call(client, cases_town, "家门口的路灯坏了，晚上看不见路", "13912345678")
    assert _offered(client.get(f"/cases/{other.public_id}/").content.decode()) == {}
    assert _offered(client.get(f"/cases/{stranger.public_id}/").content.decode()) == {}
