"""A second top-level region is refused while units without a region exist (decision 0032, addenda h8 and h15): in a
one-city installation such a unit reaches every campaign; once a second city exists it would reach none until
placed. Every path that adds a top region says which units and how to place them, and writes nothing: the regions
import, the admin, and `zoufang campaign load`."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.conftest import PASSWORD
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Unit
from zoufang.registry.tests.test_import_support import region, xlsx_file

pytestmark = pytest.mark.django_db

CHANGZHOU = [["上级区划", "名称", "层级"], ["", "常州市", "市"], ["常州市", "新北区", "区县"], ["常州市/新北区", "孟河镇", "镇"]]


@pytest.fixture
def kunshan() -> Region:
    return region("锦溪镇", Region.Level.TOWN, region("昆山市", Region.Level.COUNTY, None))


@pytest.fixture
def unplaced(kunshan) -> list[Unit]:
    """Registered while 昆山市 was the only city: without a region, they reach every campaign."""
    return [Unit.objects.create(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT),
            Unit.objects.create(name="苏州市妇联", kind=Unit.Kind.OUTSIDE_BODY)]


def _says_what_to_do(message: str) -> None:
    assert "市府办、苏州市妇联" in message, message
    assert "没有所属区划" in message, message
    assert "先为它们填写所属区划" in message, message
    assert "管理后台“单位”" in message, message
    assert "单位导入" in message, message


def test_the_regions_import_refuses_a_second_city_naming_the_unplaced_units(unplaced):
    regions = Region.objects.count()
    report = run_import("regions", xlsx_file(CHANGZHOU), filename="区划.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(2, "上级区划")]
    _says_what_to_do(str(report.errors[0]))
    assert Region.objects.count() == regions


def test_the_regions_import_adds_the_second_city_once_the_units_are_placed(unplaced, kunshan):
    rows = [["单位名称", "单位类型", "所属区划"], ["市府办", "市级机关部门", "昆山市"], ["苏州市妇联", "其他单位", "昆山市"]]
    placing = run_import("units", xlsx_file(rows), filename="单位.xlsx")  # as the refusal says: the units import
    assert (placing.created, placing.updated) == (0, 2), [str(e) for e in placing.errors]
    assert set(Unit.objects.values_list("region__name", flat=True)) == {"昆山市"}
    report = run_import("regions", xlsx_file(CHANGZHOU), filename="区划.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert Region.objects.filter(parent__isnull=True).count() == 2


def test_without_unplaced_units_a_second_city_is_added_as_before(kunshan):
    Unit.objects.create(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT, region=kunshan.parent)
    assert run_import("regions", xlsx_file(CHANGZHOU), filename="区划.xlsx").ok


def test_the_regions_import_still_adds_under_the_one_city(unplaced):
    rows = [["上级区划", "名称", "层级"], ["昆山市", "周庄镇", "镇"]]
    assert run_import("regions", xlsx_file(rows), filename="区划.xlsx").ok


def test_the_admin_refuses_a_second_top_region(unplaced, client):
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    regions = Region.objects.count()
    response = client.post("/admin/regions/region/add/", {"name": "常州市", "level": Region.Level.CITY,
                                                          "code": "", "sort_order": "0"})
    assert response.status_code == 200
    _says_what_to_do(response.content.decode())
    assert Region.objects.count() == regions
    kunshan = Region.objects.get(name="昆山市")
    response = client.post("/admin/regions/region/add/", {"name": "周庄镇", "level": Region.Level.TOWN,
                                                          "parent": kunshan.pk, "code": "", "sort_order": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_loading_another_citys_campaign_is_refused(unplaced):
    regions = Region.objects.count()
    said = io.StringIO()
    with pytest.raises(CommandError):
        call_command("campaign", "load", str(shipped_campaign_path("menghe-dazoufang")), stdout=None, stderr=said)
    assert said.getvalue().startswith("scope[1]：不能新增最上级区划“常州市”"), said.getvalue()
    _says_what_to_do(said.getvalue())
    assert Region.objects.count() == regions
    assert not Campaign.objects.exists()
