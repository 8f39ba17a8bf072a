"""A minority name written with another dot is the same name (decision 0069): the police station's list and the
village's, one with • and one with ・, register one person; the report says once how many names it read so."""

import pytest

from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests.test_import_support import id_number, make_town, xlsx_file
from zoufang.registry.tests.test_import_targets import credit_code

HOUSEHOLDS = ["户别", "村（社区）", "户主姓名", "身份证号码", "地址"]
ABDU = id_number(71)


@pytest.fixture
def campaign(db):
    campaign = make_town(["上下塘社区", "长云村"])
    Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=campaign.scope)
    return campaign


def _households(name: str, *more: list[object]) -> object:
    return xlsx_file([HOUSEHOLDS, ["户籍户", "上下塘社区", name, ABDU, "上下塘街7号"], *more])


def test_the_same_household_written_with_two_dots_is_one_and_no_rename(campaign):
    police = run_import("households", _households("阿卜杜•热合曼"), filename="派出所.xlsx", campaign=campaign)
    assert (police.created, police.errors) == (1, [])
    assert list(Target.objects.values_list("name", flat=True)) == ["阿卜杜·热合曼"]
    assert police.notes == ["1个姓名中的间隔点（表中写作“•”）按国家标准读作“·”，如“阿卜杜•热合曼”读作“阿卜杜·热合曼”"]
    village = run_import("households", _households("阿卜杜 ・ 热合曼"), filename="村.xlsx", campaign=campaign)
    assert (village.created, village.updated, village.unchanged, village.errors) == (0, 0, 1, [])
    standard = run_import("households", _households("阿卜杜·热合曼"), filename="村.xlsx", campaign=campaign)
    assert (standard.unchanged, standard.notes) == (1, [])  # the standard's own dot is nothing to say


def test_the_note_counts_names_once_each(campaign):
    rows = [["户籍户", "长云村", "买买提．艾力", id_number(72), "长云路1号"],
            ["户籍户", "长云村", "扎西.顿珠", id_number(73), "长云路2号"]]
    report = run_import("households", _households("阿卜杜•热合曼", *rows), filename="h.xlsx", campaign=campaign)
    assert report.created == 3
    [note] = report.notes
    assert note.startswith("3个姓名中的间隔点（表中写作“•”、“．”、“.”）按国家标准读作“·”")
    assert sorted(Target.objects.values_list("name", flat=True)) == ["买买提·艾力", "扎西·顿珠", "阿卜杜·热合曼"]


def test_persons_contacts_and_cadres_take_the_standard_dot(campaign):
    persons = [["姓名", "村（社区）", "领域"], ["古丽•努尔", "长云村", "文化"]]
    assert run_import("notable_persons", xlsx_file(persons), filename="p.xlsx", campaign=campaign).created == 1
    enterprises = [["企业名称", "统一社会信用代码", "法定代表人", "联系人"],
                   ["昆山锦溪丙有限公司", credit_code(31), "艾力‧吐尔逊", "热依拉∙买买提"]]
    assert run_import("enterprises", xlsx_file(enterprises), filename="e.xlsx", campaign=campaign).created == 1
    cadres = [["姓名", "单位", "角色"], ["努尔兰⋅别克", "派出所", "部门党员干部"]]
    assert run_import("cadres", xlsx_file(cadres), filename="c.xlsx", campaign=campaign).created == 1
    assert Target.objects.filter(name="古丽·努尔").exists()
    assert Target.objects.filter(legal_representative="艾力·吐尔逊", contact_name="热依拉·买买提").exists()
    assert Cadre.objects.get().name == "努尔兰·别克"
    again = run_import("cadres", xlsx_file([cadres[0], ["努尔兰・别克", "派出所", "部门党员干部"]]), filename="c.xlsx",
                       campaign=campaign)
    assert (again.created, again.unchanged) == (0, 1)


def test_a_latin_initial_and_a_trailing_dot_are_kept(campaign):
    report = run_import("households", _households("A.热合曼"), filename="h.xlsx", campaign=campaign)
    assert (report.created, report.notes) == (1, [])
    assert Target.objects.get().name == "A.热合曼"
