"""An enterprise's and a project's contact person (联系人) and an enterprise's legal representative (法定代表人), as
other towns' registers (企业名录) carry them."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.registry.imports import run_import, write_template
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import make_town, xlsx_file
from zoufang.registry.tests.test_import_targets import credit_code

# A 企业名录 as another town keeps it: 法定代表人 and 联系人 among the columns, 负责人 for a project's contact.
REGISTER = [["序号", "企业名称", "统一社会信用代码", "村（社区）", "法定代表人", "联系人", "联系电话", "行业"],
            [1, "昆山锦溪甲有限公司", credit_code(11), "长云村", "王  建华", "李梅", "0512-57223456", "精密机械"],
            [2, "昆山锦溪乙有限公司", credit_code(12), "", "", "", "", ""]]


@pytest.fixture
def campaign(db):
    return make_town(["长云村", "计家墩村"])


def test_it_imports_the_legal_representative_and_the_contact_of_an_enterprise(campaign):
    report = run_import("enterprises", xlsx_file(REGISTER), filename="企业名录.xlsx", campaign=campaign)
    assert (report.created, report.errors) == (2, [])
    firm = Target.objects.get(credit_code=credit_code(11))
    assert (firm.legal_representative, firm.contact_name, firm.phone) == ("王建华", "李梅", "0512-57223456")
    assert Target.objects.get(credit_code=credit_code(12)).contact_name == ""


def test_re_importing_the_same_register_changes_nothing(campaign):
    run_import("enterprises", xlsx_file(REGISTER), filename="企业名录.xlsx", campaign=campaign)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count()
    again = run_import("enterprises", xlsx_file(REGISTER), filename="企业名录.xlsx", campaign=campaign)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == before


def test_a_new_contact_is_an_update_audited_and_a_blank_one_keeps_the_stored(campaign):
    run_import("enterprises", xlsx_file(REGISTER), filename="企业名录.xlsx", campaign=campaign)
    rows = [list(row) for row in REGISTER]
    rows[1][5] = "周敏"
    rows[1][4] = ""
    report = run_import("enterprises", xlsx_file(rows), filename="企业名录.xlsx", campaign=campaign)
    assert (report.updated, report.unchanged) == (1, 1)
    firm = Target.objects.get(credit_code=credit_code(11))
    assert (firm.contact_name, firm.legal_representative) == ("周敏", "王建华")
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(firm.public_id))
    assert event.changes["fields"]["联系人"] == ["李梅", "周敏"]


@pytest.mark.parametrize("header", ["企业联系人", "负责人"])
def test_it_reads_the_contacts_other_names(campaign, header):
    rows = [["企业名称", "统一社会信用代码", "法人代表", header], ["昆山锦溪丙有限公司", credit_code(13), "陈某", "沈某"]]
    report = run_import("enterprises", xlsx_file(rows), filename="e.xlsx", campaign=campaign)
    assert report.created == 1, report.errors
    firm = Target.objects.get(credit_code=credit_code(13))
    assert (firm.legal_representative, firm.contact_name) == ("陈某", "沈某")


def test_a_contact_over_fifty_characters_is_refused_naming_the_row_and_column(campaign):
    rows = [["企业名称", "统一社会信用代码", "联系人"], ["昆山锦溪丁有限公司", credit_code(14), "某" * 51]]
    report = run_import("enterprises", xlsx_file(rows), filename="e.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "联系人")]
    assert not Target.objects.exists()


def test_it_imports_a_projects_contact_and_phone(campaign):
    rows = [["项目名称", "村（社区）", "项目阶段", "项目负责人", "联系电话"], ["长云村标准厂房", "长云村", "在建", "赵刚", "13912345678"]]
    assert run_import("projects", xlsx_file(rows), filename="p.xlsx", campaign=campaign).created == 1
    project = Target.objects.get(kind=Target.Kind.PROJECT)
    assert (project.contact_name, project.phone) == ("赵刚", "13912345678")
    again = run_import("projects", xlsx_file(rows), filename="p.xlsx", campaign=campaign)
    assert (again.created, again.unchanged) == (0, 1)


@pytest.mark.parametrize(("kind", "columns"), [("enterprises", ["法定代表人", "联系人", "联系电话"]),
                                               ("projects", ["联系人", "联系电话"])])
def test_the_template_has_the_contact_columns(tmp_path, kind, columns):
    from openpyxl import load_workbook

    write_template(kind, tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    header = [cell.value for cell in book.worksheets[0][1]]
    assert all(column in header for column in columns)
    notes = " ".join(str(cell.value) for row in book.worksheets[1].iter_rows() for cell in row if cell.value)
    assert "走访时找谁" in notes


# A 企业名录 as many towns keep it: 负责人 is who answers for the enterprise (the boss), 联系人 who answers the phone.
BOSS_AND_CONTACT = ["企业名称", "统一社会信用代码", "负责人", "联系人", "联系电话"]


def test_beside_a_contact_the_person_in_charge_is_the_legal_representative(campaign):
    rows = [BOSS_AND_CONTACT, ["昆山锦溪丁有限公司", credit_code(14), "顾  国强", "钱丽", "13912345678"]]
    report = run_import("enterprises", xlsx_file(rows), filename="企业名录.xlsx", campaign=campaign)
    assert (report.created, report.errors) == (1, [])
    firm = Target.objects.get(credit_code=credit_code(14))
    assert (firm.legal_representative, firm.contact_name, firm.phone) == ("顾国强", "钱丽", "13912345678")
    assert "“负责人”一列按“法定代表人”导入：表中另有“联系人”，走访时联系的是联系人" in report.notes


def test_beside_a_legal_representative_and_a_contact_the_person_in_charge_is_left_out_and_said(campaign):
    rows = [["企业名称", "统一社会信用代码", "法定代表人", "负责人", "联系人"],
            ["昆山锦溪戊有限公司", credit_code(15), "孙伟", "孙总", "吴芳"]]
    report = run_import("enterprises", xlsx_file(rows), filename="企业名录.xlsx", campaign=campaign)
    assert (report.created, report.errors) == (1, [])
    firm = Target.objects.get(credit_code=credit_code(15))
    assert (firm.legal_representative, firm.contact_name) == ("孙伟", "吴芳")
    assert "“负责人”一列未导入：表中已有“法定代表人”和“联系人”" in report.notes


def test_a_projects_person_in_charge_beside_its_contact_is_left_out_and_said(campaign):
    rows = [["项目名称", "项目负责人", "联系人", "联系电话"], ["锦溪古镇保护三期", "郑工", "冯敏", "13912345678"]]
    report = run_import("projects", xlsx_file(rows), filename="项目.xlsx", campaign=campaign)
    assert (report.created, report.errors) == (1, [])
    assert Target.objects.get(name="锦溪古镇保护三期").contact_name == "冯敏"
    assert "“项目负责人”一列未导入：表中已有“联系人”" in report.notes
