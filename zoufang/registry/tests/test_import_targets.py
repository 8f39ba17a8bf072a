"""Importing enterprises (by credit code), projects and notable persons (by village and name)."""

import pytest

from zoufang.registry.identifiers import credit_code_check_digit
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import csv_file, make_town, xlsx_file

ENTERPRISE_HEADER = ["企业名称", "统一社会信用代码", "村（社区）", "地址", "企业规模", "重点企业", "行业", "联系电话"]


def credit_code(seq: int) -> str:
    body = f"91320583MA1N{seq:05d}"
    return body + credit_code_check_digit(body)


@pytest.fixture
def campaign(db):
    return make_town(["长云村", "计家墩村"])


@pytest.mark.django_db
def test_it_imports_enterprises_by_credit_code(campaign):
    rows = [ENTERPRISE_HEADER,
            ["昆山锦溪甲有限公司", credit_code(1), "长云村", "长云路1号", "规模以上", "是", "精密机械", "0512-57223456"],
            ["昆山锦溪乙有限公司", credit_code(2).lower(), "", "", "中小", "否", "", ""]]
    report = run_import("enterprises", xlsx_file(rows), filename="e.xlsx", campaign=campaign)
    assert report.created == 2, report.errors
    first = Target.objects.get(credit_code=credit_code(1))
    assert (first.kind, first.region.name, first.scale, first.is_key) == (
        Target.Kind.ENTERPRISE, "长云村", Target.Scale.ABOVE_SCALE, True)
    assert Target.objects.get(credit_code=credit_code(2)).region == campaign.scope

    rows[1][0] = "昆山锦溪甲精密有限公司"  # a rename by credit code is an update on purpose (issue 9 item 9)
    refused = run_import("enterprises", xlsx_file(rows), filename="e.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "统一社会信用代码")]
    again = run_import("enterprises", xlsx_file(rows), filename="e.xlsx", campaign=campaign, update=True)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)


@pytest.mark.django_db
def test_it_refuses_a_bad_credit_code_and_a_duplicate(campaign):
    bad = credit_code(3)[:17] + ("0" if credit_code(3)[17] != "0" else "1")
    rows = [ENTERPRISE_HEADER, ["甲", bad, "", "", "", "", "", ""], ["乙", credit_code(4), "", "", "大型", "", "", ""],
            ["丙", credit_code(4), "", "", "", "", "", ""]]
    report = run_import("enterprises", csv_file(rows), filename="e.csv", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "统一社会信用代码"), (3, "企业规模"), (4, "统一社会信用代码")]
    assert "校验码" in report.errors[0].message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_it_imports_projects_and_notable_persons_once(campaign):
    projects = [["项目名称", "村（社区）", "地址", "重点项目", "项目阶段", "说明"], ["古镇保护二期", "", "", "是", "在建", ""],
                ["长云村道路", "长云村", "", "", "", ""]]
    persons = [["姓名", "籍贯", "领域", "联系电话", "地址", "说明"], ["陈  某", "计家墩村", "文化", "", "", "书画家"]]
    assert run_import("projects", csv_file(projects), filename="p.csv", campaign=campaign).created == 2
    assert run_import("notable_persons", csv_file(persons), filename="n.csv", campaign=campaign).created == 1
    person = Target.objects.get(kind=Target.Kind.NOTABLE_PERSON)
    assert (person.name, person.region.name, person.industry, person.description) == ("陈某", "计家墩村", "文化", "书画家")
    project = Target.objects.get(name="古镇保护二期")
    assert (project.region, project.is_key, project.stage) == (campaign.scope, True, "在建")
    again = run_import("projects", csv_file(projects), filename="p.csv", campaign=campaign)
    assert (again.created, again.unchanged) == (0, 2)


@pytest.mark.django_db
def test_it_refuses_a_project_without_a_name(campaign):
    rows = [["项目名称", "村（社区）"], ["", "长云村"], ["某项目", "不存在村"]]
    report = run_import("projects", csv_file(rows), filename="p.csv", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "项目名称"), (3, "村（社区）")]
