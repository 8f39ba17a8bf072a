"""An erased resident does not come back by re-import: the erasure keeps the keyed blind index of their ID number
(never the number) with the date and the reason; the household import leaves out a row with that number, naming
the row and the rule; the office lifts it, audited, when the resident consents again (decision 0039, addendum)."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zoufang.accounts.models import AuditEvent
from zoufang.core.crypto import blind_index
from zoufang.privacy.models import ErasedNumber
from zoufang.privacy.tests.conftest import ID, PHONE, _client, _close, _erase
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import id_number
from zoufang.registry.tests.test_import_support import xlsx_file

HEADER = ["户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭"]
OTHER = id_number(777, born=dt.date(1971, 5, 6))


def _register() -> list[list[Any]]:
    """The town's original register: the erased resident's row (his number typed with a lower-case x or spaces
    would be the same number) and a neighbour's."""
    return [HEADER,
            ["户籍户", "上下塘社区", "", "", "张建国", 3, PHONE, ID.lower(), "上下塘社区1号", "否"],
            ["户籍户", "上下塘社区", "", "", "李春花", 2, "13812340077", OTHER, "上下塘社区2号", "否"]]


def _erased(resident: Any, settings: Any) -> Client:
    settings.ZOUFANG_TODAY = "2018-03-01"  # the campaign ended on 2017-12-31
    _close(resident.problem, resident.hotline)
    office = _client(resident.users["office"])
    assert _erase(office, PHONE, reason="withdrawn").status_code == 200
    return office


@pytest.mark.django_db
def test_the_erasure_keeps_only_the_keyed_index_of_the_id_number_with_the_date_and_reason(resident, settings):
    _erased(resident, settings)
    kept = ErasedNumber.objects.get(kind="id")
    assert kept.index == blind_index(ID, "id")
    assert (kept.erased_on.isoformat(), kept.reason, kept.lifted_at) == ("2018-03-01", "withdrawn", None)
    stored = repr([(f.name, getattr(kept, f.attname)) for f in ErasedNumber._meta.concrete_fields])
    for held in (ID, ID[6:14], PHONE, "张建国"):
        assert held not in stored, held


@pytest.mark.django_db
def test_a_re_import_leaves_out_the_erased_resident_naming_the_row_and_the_rule_and_imports_the_rest(
        resident, settings):
    _erased(resident, settings)
    before = Target.objects.count()
    report = run_import("households", xlsx_file(_register()), filename="原始花名册.xlsx", campaign=resident.campaign,
                        by=resident.users["office"])
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 0)
    assert Target.objects.count() == before + 1
    assert not Target.objects.filter(id_number=ID).exists()
    assert not Target.objects.filter(name="张建国").exists()
    assert Target.objects.filter(id_number=OTHER, name="李春花").exists()
    note = next(n for n in report.notes if "第2行" in n)
    assert "第2行【身份证号码】" in note
    assert "该身份证号码对应的个人信息已于2018年3月1日按本人要求删除（撤回同意），不再导入" in note
    assert "如本人重新同意，请由走访办在“个人信息查阅与删除”中解除" in note
    assert ID not in repr(report.notes)
    again = run_import("households", xlsx_file(_register()), filename="原始花名册.xlsx", campaign=resident.campaign,
                       by=resident.users["office"])
    assert (again.created, again.unchanged) == (0, 1)  # a retry duplicates nothing and still leaves him out


@pytest.mark.django_db
def test_the_office_lifts_it_when_the_resident_consents_again_audited_and_the_import_brings_him_back(
        resident, settings):
    office = _erased(resident, settings)
    page = office.post("/privacy/", {"number": ID}).content.decode()
    assert '已于<time datetime="2018-03-01">2018年3月1日</time>按本人要求删除' in page
    assert "解除" in page
    refused = office.post("/privacy/lift/", {"number": ID})  # the resident's consent must be confirmed
    assert refused.status_code == 400
    assert ErasedNumber.objects.get(kind="id").lifted_at is None
    lifted = office.post("/privacy/lift/", {"number": ID, "note": "本人书面同意重新登记", "confirm": "on"})
    assert lifted.status_code == 200
    assert "已解除" in lifted.content.decode()
    kept = ErasedNumber.objects.get(kind="id")
    assert kept.lifted_at is not None
    assert kept.lifted_by == resident.users["office"]
    trail = AuditEvent.objects.filter(object_type="privacy.ErasedNumber").get()
    assert "本人书面同意重新登记" in trail.summary
    assert "320583********" in trail.summary
    assert ID not in repr((trail.summary, trail.changes))
    again = office.post("/privacy/lift/", {"number": ID, "note": "本人书面同意重新登记", "confirm": "on"})
    assert "没有" in again.content.decode()
    assert AuditEvent.objects.filter(object_type="privacy.ErasedNumber").count() == 1
    report = run_import("households", xlsx_file(_register()), filename="原始花名册.xlsx", campaign=resident.campaign,
                        by=resident.users["office"])
    assert report.created == 2
    assert Target.objects.get(id_number=ID).name == "张建国"


@pytest.mark.django_db
def test_no_one_but_the_office_may_lift(resident, settings):
    _erased(resident, settings)
    for name in ("leader", "dept", "village", "auditor"):
        response = _client(resident.users[name]).post("/privacy/lift/", {"number": ID, "note": "x", "confirm": "on"})
        assert response.status_code == 404, name
    assert ErasedNumber.objects.get(kind="id").lifted_at is None
