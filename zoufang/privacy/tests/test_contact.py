"""An enterprise's contact person found by their phone: their name is theirs, read in the copy, corrected with their
numbers, erased with their phone and not brought back by a re-import of the register (decision 0039)."""

from typing import Any

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.privacy.tests.conftest import _client, _erase
from zoufang.privacy.tests.test_correction import _corrections
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import xlsx_file


@pytest.fixture
def firm(resident: Any) -> Target:
    Target.objects.filter(pk=resident.enterprise.pk).update(contact_name="李美华", legal_representative="王建国")
    resident.enterprise.refresh_from_db()
    return resident.enterprise


def _correct(client: Any, target: Target, **typed: Any) -> Any:
    read = {"contact_name": target.contact_name, "phone": target.phone, "id_number": target.id_number}
    return client.post("/privacy/correct/", {
        "number": target.phone, "target": str(target.public_id), "version": target.version, **read, **typed,
        **{f"read_{name}": value for name, value in read.items()}})


@pytest.mark.django_db
def test_the_contacts_name_is_in_what_the_office_is_shown_and_in_the_copy(resident, firm):
    office = _client(resident.users["office"])
    page = office.post("/privacy/", {"number": firm.phone}).content.decode()
    assert "李美华" in page
    assert 'name="contact_name" value="李美华"' in page


@pytest.mark.django_db
def test_the_office_corrects_the_contacts_name_once_with_one_audit_row(resident, firm):
    office = _client(resident.users["office"])
    assert _correct(office, firm, contact_name=" 李梅华 ").status_code == 200
    firm.refresh_from_db()
    assert (firm.contact_name, firm.legal_representative, firm.name) == ("李梅华", "王建国", "锦溪精密机械有限公司")
    [row] = _corrections(firm)
    assert row.changes["fields"] == {"联系人": ["李美华", "李梅华"]}
    firm.contact_name = "李美华"  # the same form sent again: already so, nothing written
    assert _correct(office, firm, contact_name="李梅华").status_code == 200
    assert len(_corrections(firm)) == 1


@pytest.mark.django_db
def test_a_stale_correction_names_the_contact_changed_meanwhile_masked_for_the_viewer(resident, firm):
    office = _client(resident.users["office"])
    read_at = firm.version
    Target.objects.filter(pk=firm.pk).update(contact_name="周敏", version=read_at + 1)
    firm.version = read_at
    response = _correct(office, firm, phone="13912340002")
    assert response.status_code == 409
    assert "其间改动的是：联系人，现为“周敏”" in response.content.decode()
    assert Target.objects.get(pk=firm.pk).phone == "13812349999"


@pytest.mark.django_db
def test_the_erasure_of_the_contact_blanks_their_name_and_phone_and_a_re_import_leaves_both_out(resident, firm,
                                                                                                 settings):
    settings.ZOUFANG_TODAY = "2018-03-01"
    assert _erase(_client(resident.users["office"]), firm.phone).status_code == 200
    firm.refresh_from_db()
    assert (firm.contact_name, firm.phone, firm.legal_representative) == ("", "", "王建国")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(firm.public_id)).last()
    assert set(event.changes["fields"]) == {"联系人", "联系电话"}
    assert "李美华" not in repr(event.changes)
    report = run_import("enterprises", xlsx_file([
        ["企业名称", "统一社会信用代码", "村（社区）", "地址", "法定代表人", "联系人", "联系电话"],
        [firm.name, firm.credit_code, "计家墩村", firm.address, "王建国", "李美华", "13812349999"]]),
        filename="企业名录.xlsx", campaign=resident.campaign, by=resident.users["office"])
    assert report.ok, report.errors
    firm.refresh_from_db()
    assert (firm.contact_name, firm.phone) == ("", "")
    assert "不导入这一号码和联系人姓名" in next(n for n in report.notes if "第2行【联系电话】" in n)


@pytest.mark.django_db
def test_the_copy_holds_the_contacts_name(resident, firm):
    import io

    from openpyxl import load_workbook

    response = _client(resident.users["office"]).post("/privacy/copy.xlsx", {"number": firm.phone})
    rows = list(load_workbook(io.BytesIO(response.content))["走访对象"].iter_rows(min_row=2, values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["联系人"] == "李美华"
