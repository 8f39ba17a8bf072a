"""A correction that would set an ID or phone number kept out by an erasure on request (privacy.ErasedNumber) is
refused, naming the field and the rule and what to do: the office lifts the hold first, recording the resident's new
consent, then corrects (decision 0039, addendum h3). A phone is held only where no ID number names the holder, as in
an import."""

import datetime as dt
from typing import Any

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.conftest import TOWN_BORN
from zoufang.privacy import suppression
from zoufang.privacy.tests.conftest import _client
from zoufang.privacy.tests.test_correction import NEW_PHONE, _correct, _corrections
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import id_number

HELD_ID = id_number(7, born=TOWN_BORN)
RULE = "对应的个人信息已于2017年5月2日按本人要求删除（撤回同意），不能更正为这一号码"


def _hold(resident: Any, number: str, kind: str) -> None:
    suppression.keep(number, resident.shangxiatang, kind=kind, reason="withdrawn", by=resident.users["office"],
                     today=dt.date(2017, 5, 2))


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "number", "kind", "label"), [
    ("id_number", HELD_ID, suppression.ID, "身份证号码"),
    ("phone", NEW_PHONE, suppression.PHONE, "电话号码"),
])
def test_a_number_under_an_erasure_hold_is_refused_naming_the_field_and_the_rule(resident, field, number, kind,
                                                                                  label):
    zhang = resident.zhang
    if field == "phone":  # a phone is held where no ID number names the holder
        Target.objects.filter(pk=zhang.pk).update(id_number="")
        zhang.refresh_from_db()
    _hold(resident, number, kind)
    response = _correct(_client(resident.users["office"]), zhang, number=zhang.phone, address="上下塘社区3号",
                        **{field: number})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"该{label}{RULE}" in page
    assert "请由走访办在“个人信息查阅与删除”中按这一号码查找、解除后再更正" in page
    assert f'id="correct_{zhang.public_id.hex[:12]}_{field}_error"' in page or "errorlist" in page
    zhang.refresh_from_db()
    assert (getattr(zhang, field), zhang.address) != (number, "上下塘社区3号")
    assert zhang.address == "上下塘社区1号"
    assert _corrections(zhang) == []


@pytest.mark.django_db
def test_a_held_phone_on_a_record_whose_id_number_names_the_holder_is_corrected(resident):
    zhang = resident.zhang
    _hold(resident, NEW_PHONE, suppression.PHONE)
    assert _correct(_client(resident.users["office"]), zhang, phone=NEW_PHONE).status_code == 200
    zhang.refresh_from_db()
    assert zhang.phone == NEW_PHONE


@pytest.mark.django_db
def test_once_the_office_lifts_the_hold_the_correction_is_made(resident):
    zhang, office = resident.zhang, _client(resident.users["office"])
    _hold(resident, HELD_ID, suppression.ID)
    assert _correct(office, zhang, id_number=HELD_ID).status_code == 400
    lifted = office.post("/privacy/lift/", {"number": HELD_ID, "note": "本人于2017-06-15书面同意重新登记", "confirm": "on"})
    assert lifted.status_code == 200
    assert _correct(office, zhang, id_number=HELD_ID).status_code == 200
    zhang.refresh_from_db()
    assert zhang.id_number == HELD_ID
    assert AuditEvent.objects.filter(object_type="privacy.ErasedNumber", action=AuditEvent.Action.UPDATE).count() == 1
