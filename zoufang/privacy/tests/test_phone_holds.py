"""An erasure on request holds by phone too: a household without an ID number, a notable person and an enterprise's
contact are known to the register by their phone. The erasure keeps the phone's keyed blind index; an imported row
that has no ID number of its own (an ID number names its holder better than a phone shared or reassigned) and
carries that phone is left out, or, for an enterprise, imported without that phone; the office finds the hold by
the phone and lifts it (decision 0039, addendum h2)."""

import datetime as dt
from typing import Any

import pytest

from zoufang.core.crypto import blind_index
from zoufang.privacy.models import ErasedNumber
from zoufang.privacy.tests.conftest import ID, PHONE, _client, _erase
from zoufang.privacy.tests.test_suppression import HEADER, OTHER, _erased
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import TargetFactory
from zoufang.registry.tests.test_import_support import xlsx_file

HELD = "该电话号码对应的个人信息已于2018年3月1日按本人要求删除（撤回同意）"


def _import(resident: Any, kind: str, rows: list[list[Any]]) -> Any:
    report = run_import(kind, xlsx_file(rows), filename="花名册.xlsx", campaign=resident.campaign,
                        by=resident.users["office"])
    assert report.ok, report.errors
    return report


@pytest.mark.django_db
def test_the_erasure_keeps_the_phones_keyed_index_beside_the_id_numbers_and_neither_number(resident, settings):
    _erased(resident, settings)
    kept = {e.kind: e for e in ErasedNumber.objects.all()}
    assert set(kept) == {"id", "phone"}
    assert kept["phone"].index == blind_index(PHONE, "phone")
    assert kept["id"].index == blind_index(ID, "id")
    stored = repr([(f.name, getattr(e, f.attname)) for e in kept.values() for f in ErasedNumber._meta.concrete_fields])
    assert PHONE not in stored
    assert ID not in stored


@pytest.mark.django_db
def test_a_household_row_without_an_id_number_but_with_the_erased_phone_is_left_out_naming_the_rule(
        resident, settings):
    _erased(resident, settings)
    report = _import(resident, "households", [
        HEADER,
        ["户籍户", "上下塘社区", "", "", "张建国", 3, "138-1234-0001", "", "上下塘社区1号", "否"],
        ["户籍户", "上下塘社区", "", "", "李春花", 2, PHONE, OTHER, "上下塘社区2号", "否"]])
    assert report.created == 1  # 李春花: her own ID number names her, whatever phone she gave
    assert Target.objects.filter(id_number=OTHER, phone=PHONE).exists()
    assert not Target.objects.filter(name="张建国").exists()
    note = next(n for n in report.notes if "第2行" in n)
    assert "第2行【联系电话】" in note
    assert HELD in note
    assert "不再导入" in note
    assert PHONE not in repr(report.notes)


@pytest.mark.django_db
def test_a_notable_persons_row_with_the_erased_phone_is_left_out(resident, settings):
    settings.ZOUFANG_TODAY = "2018-03-01"
    TargetFactory(kind=Target.Kind.NOTABLE_PERSON, region=resident.shangxiatang, name="顾文彬",
                  phone="13912345678", id_number="", address="上下塘社区8号")
    assert _erase(_client(resident.users["office"]), "13912345678").status_code == 200
    report = _import(resident, "notable_persons", [
        ["姓名", "村（社区）", "领域", "联系电话", "地址", "说明"],
        ["顾文彬", "上下塘社区", "文化", "13912345678", "上下塘社区8号", ""],
        ["沈括", "上下塘社区", "教育", "13912345679", "", ""]])
    assert report.created == 1
    assert not Target.objects.filter(name="顾文彬").exists()
    assert HELD in next(n for n in report.notes if "第2行【联系电话】" in n)


@pytest.mark.django_db
def test_an_enterprise_row_imports_without_its_contacts_erased_phone(resident, settings):
    settings.ZOUFANG_TODAY = "2018-03-01"
    firm = resident.enterprise
    assert _erase(_client(resident.users["office"]), firm.phone).status_code == 200
    report = _import(resident, "enterprises", [
        ["企业名称", "统一社会信用代码", "村（社区）", "地址", "行业", "联系电话"],
        [firm.name, firm.credit_code, "计家墩村", firm.address, "精密机械", "13812349999"]])
    firm.refresh_from_db()
    assert (firm.phone, firm.industry) == ("", "精密机械")
    assert report.updated == 1
    note = next(n for n in report.notes if "第2行【联系电话】" in n)
    assert "不导入这一号码" in note


@pytest.mark.django_db
def test_the_office_finds_the_phone_hold_by_the_phone_and_lifts_it_leaving_the_id_hold(resident, settings):
    office = _erased(resident, settings)
    page = office.post("/privacy/", {"number": PHONE}).content.decode()
    assert '该电话号码对应的个人信息已于<time datetime="2018-03-01">2018年3月1日</time>按本人要求删除' in page
    lifted = office.post("/privacy/lift/", {"number": PHONE, "note": "本人书面同意重新登记", "confirm": "on"})
    assert "已解除：电话号码 138****0001" in lifted.content.decode()
    assert ErasedNumber.objects.get(kind="phone").lifted_at is not None
    assert ErasedNumber.objects.get(kind="id").lifted_at is None
    report = _import(resident, "households", [
        HEADER, ["户籍户", "上下塘社区", "", "", "张建国", 3, PHONE, "", "上下塘社区1号", "否"]])
    assert report.created == 1


@pytest.mark.django_db
def test_a_later_erasure_of_a_lifted_phone_holds_it_again(resident, settings):
    office = _erased(resident, settings)
    office.post("/privacy/lift/", {"number": PHONE, "note": "本人书面同意重新登记", "confirm": "on"})
    TargetFactory(region=resident.shangxiatang, name="张建国", phone=PHONE, id_number="", address="上下塘社区1号")
    assert _erase(office, PHONE).status_code == 200
    assert ErasedNumber.objects.filter(kind="phone", lifted_at__isnull=True).count() == 1
    assert dt.date(2018, 3, 1) == ErasedNumber.objects.get(kind="phone", lifted_at__isnull=True).erased_on
