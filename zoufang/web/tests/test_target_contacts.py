"""An enterprise's contact person and legal representative: persons' names, read as the enterprise's phone is."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.registry.models import Target
from zoufang.visits.tests.conftest import make_visiting


@pytest.fixture
def firm(town):
    make_visiting(town)  # the enterprise is assigned to the department party member (dept)
    Target.objects.filter(pk=town.enterprise.pk).update(contact_name="李美华", legal_representative="王建国")
    town.enterprise.refresh_from_db()
    return town.enterprise


def _reads(target):
    return AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(target.public_id)).count()


@pytest.mark.parametrize(("persona", "full"), [("office", True), ("dept", True), ("leader", False)])
def test_the_target_page_shows_the_contact_in_full_only_to_who_arranges_the_visit(town, login, firm, persona, full):
    html = login(town.users[persona]).get(f"/targets/{firm.public_id}/").content.decode()
    assert "<dt>联系人</dt>" in html
    assert "<dt>法定代表人</dt>" in html
    assert ("李美华" in html) is full
    assert ("王建国" in html) is full
    assert ("李**" in html) is not full
    assert ("王**" in html) is not full
    assert _reads(firm) == (1 if full else 0)  # a full read is audited, a masked one is not


def test_a_contact_alone_makes_a_full_read_audited(town, login, firm):
    Target.objects.filter(pk=firm.pk).update(phone="", legal_representative="")
    login(town.users["office"]).get(f"/targets/{firm.public_id}/")
    assert _reads(firm) == 1


@pytest.mark.parametrize(("persona", "full"), [("office", True), ("leader", False)])
def test_the_api_masks_the_contact_by_role(town, client, api_token, firm, persona, full):
    item = client.get(f"/api/v1/targets/{firm.public_id}", **api_token(persona)).json()
    assert (item["contact_name"], item["legal_representative"]) == (
        ("李美华", "王建国") if full else ("李**", "王**"))


def test_the_cadres_list_names_whom_to_ask_for(town, login, firm):
    html = login(town.users["dept"]).get("/me/").content.decode()
    assert "<dt>联系人</dt><dd>李美华</dd>" in html
    assert "<dt>法定代表人</dt><dd>王建国</dd>" in html


def test_a_households_page_has_no_contact_fields(town, login, firm):
    html = login(town.users["office"]).get(f"/targets/{town.households['shangxiatang'][0].public_id}/").content.decode()
    assert "<dt>联系人</dt>" not in html
