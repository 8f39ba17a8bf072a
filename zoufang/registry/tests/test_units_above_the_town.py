"""A town's units register lists the city's bodies that visit it (市府办 at 昆山市, 苏州市妇联 at 苏州市), as the town's
tables name them (decision 0032, addendum h8: a unit reaches the region it is placed at and below). The office may
name them there as they are registered; it may not register or change a body above its town, and is told who does."""

import pytest

from zoufang.registry.imports import run_import
from zoufang.registry.models import Unit
from zoufang.registry.tests.test_import_support import xlsx_file

pytestmark = pytest.mark.django_db

HEADER = ["序号", "单位名称", "单位类型", "所属区划"]


def _units(town, *rows: list[object], by: str | None = "office"):
    return run_import("units", xlsx_file([HEADER, *rows]), filename="单位.xlsx", campaign=town.campaign,
                      by=town.users[by] if by else None)


def _city_bodies(town) -> tuple[Unit, Unit]:
    county, city = town.town.parent, town.town.parent.parent
    return (Unit.objects.create(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT, region=county),
            Unit.objects.create(name="苏州市妇联", kind=Unit.Kind.OUTSIDE_BODY, region=city))


def test_it_takes_a_city_body_placed_at_the_city_as_the_registered_one(town):
    office, women = _city_bodies(town)
    report = _units(town, [1, "镇党政班子", "镇党政班子", "锦溪镇"], [2, "市府办", "市级机关部门", "昆山市"],
                    [3, "苏州市妇联", "其他单位", "苏州市"], [4, "财政所", "镇部门", "锦溪镇"])
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated, report.unchanged, report.changes) == (1, 0, 3, [])
    assert Unit.objects.filter(name="市府办").get() == office
    assert Unit.objects.filter(name="苏州市妇联").get() == women


def test_it_refuses_a_city_body_not_registered_saying_who_registers_it(town):
    before = list(Unit.objects.values_list("pk", flat=True))
    report = _units(town, [1, "市科技局", "市级机关部门", "昆山市"], [2, "财政所", "镇部门", "锦溪镇"])
    assert [(e.row, e.column) for e in report.errors] == [(2, "所属区划")]
    message = str(report.errors[0])
    assert "本镇没有区划" not in message
    assert "“市科技局”未在昆山市登记" in message
    assert "昆山市的单位由该区划的走访办或系统管理员登记" in message
    assert "登记后再导入本表，或删去这一行" in message
    assert list(Unit.objects.values_list("pk", flat=True)) == before


def test_it_refuses_changing_a_city_body_as_before(town):
    _city_bodies(town)
    report = _units(town, [1, "市府办", "其他单位", "昆山市"])
    assert [str(e) for e in report.errors] == [
        "第2行【单位名称】：“市府办”是上级或各镇共用的单位，本镇的导入不能修改它；需要修改请与上级走访办联系"]
    assert Unit.objects.get(name="市府办").kind == Unit.Kind.CITY_DEPARTMENT


def test_a_city_body_registered_under_another_city_region_is_not_taken_for_it(town):
    _city_bodies(town)  # 苏州市妇联 at 苏州市; the row places it at 昆山市: a move, not the office's to make
    report = _units(town, [1, "苏州市妇联", "其他单位", "昆山市"])
    assert [(e.row, e.column) for e in report.errors] == [(2, "单位名称")]
    assert "不能修改它" in str(report.errors[0])
    assert Unit.objects.get(name="苏州市妇联").region == town.town.parent.parent


def test_a_shell_run_registers_a_city_body_at_the_city(town):
    report = _units(town, [1, "市科技局", "市级机关部门", "昆山市"], by=None)
    assert report.ok, [str(e) for e in report.errors]
    assert Unit.objects.get(name="市科技局").region == town.town.parent


def test_a_row_does_not_move_the_towns_own_unit_up_to_the_city(town):
    report = _units(town, [1, "派出所", "镇部门", "昆山市"])
    assert [(e.row, e.column) for e in report.errors] == [(2, "所属区划")]
    assert Unit.objects.get(name="派出所").region == town.town
