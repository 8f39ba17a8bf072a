"""更正 (个人信息保护法 第四十六条): after a find, the office corrects the resident's own registered data on the records
found — name, address, phone, ID number — by the registry's rules, audited masked, never over another's edit."""

import threading
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD, TOWN_BORN
from zoufang.privacy import correction
from zoufang.privacy.holdings import parse_number
from zoufang.privacy.tests.conftest import ID, PHONE, _client
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import id_number

NEW_PHONE = "13912340002"


def _fields(target: Target, **changed: Any) -> dict[str, Any]:
    return {"name": target.name, "address": target.address, "phone": target.phone, "id_number": target.id_number,
            **changed}


def _correct(client: Any, target: Target, number: str = ID, version: int | None = None, **changed: Any) -> Any:
    """Post the correction form of `target` as the office read it (its values also carried as read), `changed` typed."""
    return client.post("/privacy/correct/", {
        "number": number, "target": str(target.public_id),
        "version": target.version if version is None else version, **_fields(target, **changed),
        **{f"read_{name}": value for name, value in _fields(target).items()}})


def _corrections(target: Target) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(target.public_id))
                .order_by("seq"))


@pytest.mark.django_db
def test_it_shows_a_correction_form_for_each_record_found_with_its_values_and_version(resident):
    page = _client(resident.users["office"]).post("/privacy/", {"number": ID}).content.decode()
    assert 'action="/privacy/correct/"' in page
    assert f'name="target" value="{resident.zhang.public_id}"' in page
    assert f'name="version" value="{resident.zhang.version}"' in page
    assert 'value="上下塘社区1号"' in page
    assert "按更新导入更正" not in page  # the page corrects now; it no longer sends the office to the import


@pytest.mark.django_db
def test_it_corrects_the_address_and_phone_and_writes_one_audit_row_with_the_numbers_masked(resident):
    zhang = resident.zhang
    response = _correct(_client(resident.users["office"]), zhang, address="上下塘社区3号", phone="139 1234 0002")
    assert response.status_code == 200
    page = response.content.decode()
    assert "已更正" in page
    zhang.refresh_from_db()
    assert (zhang.address, zhang.phone, zhang.name, zhang.id_number) == ("上下塘社区3号", NEW_PHONE, "张建国", ID)
    assert zhang.modified_by == resident.users["office"]
    assert list(Target.objects.filter(phone=NEW_PHONE)) == [zhang]  # the blind index follows the number
    assert not Target.objects.filter(phone=PHONE).exists()
    [row] = _corrections(zhang)
    assert "第四十六条" in row.summary
    assert "320583********" in row.summary
    assert row.changes["fields"] == {"地址": ["上下塘社区1号", "上下塘社区3号"],
                                     "联系电话": ["138****0001", "139****0002"]}
    assert PHONE not in repr((row.summary, row.changes))
    assert NEW_PHONE not in repr((row.summary, row.changes))


@pytest.mark.django_db
def test_it_refuses_an_id_number_that_breaks_gb_11643_naming_what_is_wrong_and_changes_nothing(resident):
    zhang = resident.zhang
    wrong = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    response = _correct(_client(resident.users["office"]), zhang, id_number=wrong, address="上下塘社区3号")
    assert response.status_code == 400
    page = response.content.decode()
    assert "身份证号码不符合 GB 11643" in page
    assert "末位校验码应为" in page
    zhang.refresh_from_db()
    assert (zhang.id_number, zhang.address) == (ID, "上下塘社区1号")
    assert _corrections(zhang) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("changed", "message"), [
    ({"phone": "1381234000"}, "电话号码应为11位手机号或带区号的固定电话"),
    ({"name": ""}, "这个字段是必填项"),
    ({"id_number": id_number(2, born=TOWN_BORN)}, "同一类别中已登记了这个身份证号码"),
])
def test_it_refuses_what_the_registry_refuses(resident, changed, message):
    response = _correct(_client(resident.users["office"]), resident.zhang, **changed)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _corrections(resident.zhang) == []


@pytest.mark.django_db
def test_an_edit_made_meanwhile_is_never_overwritten_and_a_second_deliberate_submit_applies(resident):
    zhang, office = resident.zhang, _client(resident.users["office"])
    read_at = zhang.version
    Target.objects.filter(pk=zhang.pk).update(address="上下塘社区9号", version=F("version") + 1)
    response = _correct(office, zhang, version=read_at, address="上下塘社区3号")
    assert response.status_code == 409
    page = response.content.decode()
    assert "您的更正未保存" in page
    zhang.refresh_from_db()
    assert zhang.address == "上下塘社区9号"
    assert _corrections(zhang) == []
    assert f'name="version" value="{zhang.version}"' in page  # drawn again at the current version
    assert 'value="上下塘社区9号"' in page  # with the record as it is now, not what the office typed over it
    assert "您填写的是：地址“上下塘社区3号”" in page
    assert _correct(office, zhang, address="上下塘社区3号").status_code == 200
    zhang.refresh_from_db()
    assert zhang.address == "上下塘社区3号"


@pytest.mark.django_db
def test_a_refusal_names_only_what_someone_else_changed_since_the_read_with_the_value_now_stored(resident):
    zhang, office = resident.zhang, _client(resident.users["office"])
    read_at = zhang.version
    meanwhile = Target.objects.get(pk=zhang.pk)
    meanwhile.phone, meanwhile.version, meanwhile.modified_by = NEW_PHONE, read_at + 1, resident.users["village"]
    meanwhile.save()
    response = _correct(office, zhang, version=read_at, address="上下塘社区3号")
    assert response.status_code == 409
    page = response.content.decode()
    assert f"其间改动的是：联系电话，现为“{NEW_PHONE}”。" in page
    assert "您填写的是：地址“上下塘社区3号”。" in page
    assert "地址，现为" not in page  # the office's own correction, not someone else's change
    assert f"联系电话“{PHONE}”" not in page  # what the office read and left as it was is not "typed over"
    assert "姓名" not in page.split("其间改动的是：")[1].split("下面是现在的内容")[0]
    zhang.refresh_from_db()
    assert (zhang.address, zhang.phone) == ("上下塘社区1号", NEW_PHONE)


@pytest.mark.django_db
def test_a_refusal_masks_the_values_now_stored_as_the_viewers_role_masks_them(resident):
    zhang = resident.zhang
    Target.objects.filter(pk=zhang.pk).update(id_number=id_number(3, born=TOWN_BORN), version=F("version") + 1)
    now = Target.objects.get(pk=zhang.pk)
    read = _fields(zhang)
    typed = _fields(zhang, address="上下塘社区3号")
    for_office = correction.since_read(resident.users["office"], now, read, typed)
    assert f"身份证号码，现为“{now.id_number}”" in for_office
    for_leader = correction.since_read(resident.users["leader"], now, read, typed)
    assert now.id_number not in for_leader
    assert f"身份证号码，现为“{now.id_number[:6]}********{now.id_number[-4:]}”" in for_leader


@pytest.mark.django_db
def test_a_resent_correction_is_done_once_even_when_it_changed_the_number_asked_by(resident):
    zhang, office = resident.zhang, _client(resident.users["office"])
    read_at = zhang.version
    assert _correct(office, zhang, number=PHONE, phone=NEW_PHONE).status_code == 200
    again = _correct(office, zhang, number=PHONE, version=read_at, phone=NEW_PHONE)
    assert again.status_code == 200
    assert "未重复更正" in again.content.decode()
    assert len(_corrections(zhang)) == 1
    zhang.refresh_from_db()
    assert zhang.version == read_at + 1


@pytest.mark.django_db
def test_an_enterprise_found_by_its_contacts_phone_has_only_the_contacts_numbers_corrected(resident):
    firm, office = resident.enterprise, _client(resident.users["office"])
    page = office.post("/privacy/", {"number": firm.phone}).content.decode()
    assert f'name="target" value="{firm.public_id}"' in page
    response = _correct(office, firm, number=firm.phone, phone=NEW_PHONE, name="别的公司", address="别处")
    assert response.status_code == 200
    firm.refresh_from_db()
    assert (firm.phone, firm.name, firm.address) == (NEW_PHONE, "锦溪精密机械有限公司", "计家墩村工业区8号")
    assert list(_corrections(firm)[0].changes["fields"]) == ["联系电话"]


@pytest.mark.django_db
def test_only_a_record_the_number_finds_in_the_offices_area_and_only_by_the_office(resident):
    li = resident.households["shangxiatang"][1]  # the office's area, but not the resident asking
    office = _client(resident.users["office"])
    assert _correct(office, li, address="别处").status_code == 404
    elsewhere = ensure_user("jjd_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=resident.jijiadun)
    assert _correct(_client(elsewhere), resident.zhang, address="别处").status_code == 404
    for name in ("leader", "dept", "village", "auditor", "outsider"):
        assert _correct(_client(resident.users[name]), resident.zhang, address="别处").status_code == 404, name
    li.refresh_from_db()
    resident.zhang.refresh_from_db()
    assert "别处" not in (li.address, resident.zhang.address)
    assert _corrections(li) == _corrections(resident.zhang) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_corrections_at_once_from_one_read_apply_one_and_refuse_the_other(resident):
    """Two office clerks correct 张建国's phone from the same page in the same moment: one number is written, the other
    clerk is told, and the trail holds one correction."""
    zhang, office = resident.zhang, resident.users["office"]
    read_at, start = zhang.version, threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def correct_at_once(i: int, phone: str) -> None:
        try:
            start.wait()
            outcomes[i] = correction.correct(office, parse_number(ID), zhang.public_id, read_at,
                                             {**_fields(zhang), "phone": phone})
        except correction.Stale as refused:
            outcomes[i] = refused
        finally:
            connection.close()

    threads = [threading.Thread(target=correct_at_once, args=(i, phone))
               for i, phone in enumerate(["13912340002", "13912340003"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [o for o in outcomes if isinstance(o, correction.Correction)]
    assert len(done) == 1
    assert any(isinstance(o, correction.Stale) for o in outcomes)
    zhang.refresh_from_db()
    assert zhang.version == read_at + 1
    assert zhang.phone == done[0].target.phone
    assert len(_corrections(zhang)) == 1
