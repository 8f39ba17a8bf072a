"""Which units clash by name agrees with which units reach which regions (decision 0032, addendum h8): a unit
reaches its region's subtree and the regions above it; a regionless one reaches every campaign only while the
regions rise to one city. So a regionless unit left from a one-city installation clashes, once a second city is
added, with no unit of either city: it reaches none of them until it is placed."""

import pytest
from django.core.exceptions import ValidationError

from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Unit
from zoufang.registry.tests.test_import_support import region, xlsx_file
from zoufang.registry.unitnames import clashing

pytestmark = pytest.mark.django_db


@pytest.fixture
def kunshan():
    city = region("昆山市", Region.Level.COUNTY, None)
    return region("锦溪镇", Region.Level.TOWN, city)


def _regionless(name: str) -> Unit:
    return Unit.objects.create(name=name, kind=Unit.Kind.CITY_DEPARTMENT)  # registered while there was one city


def test_in_one_city_a_regionless_unit_clashes_with_a_towns_unit_of_its_name(kunshan):
    shared = _regionless("市府办")
    assert list(clashing("市府办", kunshan)) == [shared]
    with pytest.raises(ValidationError, match="各镇共用的单位中"):
        Unit(name="市府办", kind=Unit.Kind.TOWN_DEPARTMENT, region=kunshan).full_clean()


def test_with_two_cities_a_regionless_unit_clashes_with_no_placed_unit(kunshan):
    shared = _regionless("市府办")
    changzhou = region("常州市新北区", Region.Level.COUNTY, None)
    menghe = region("孟河镇", Region.Level.TOWN, changzhou)
    assert not clashing("市府办", menghe).exists()
    assert not clashing("市府办", kunshan).exists()
    Unit(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT, region=changzhou).full_clean()
    placed = Unit.objects.create(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT, region=changzhou)
    assert list(clashing("市府办", None, exclude=shared.pk)) == []  # placed units are out of a regionless one's reach
    assert list(clashing("市府办", None)) == [shared]  # the regionless ones still clash among themselves (the database)
    assert placed.region == changzhou


def test_with_two_cities_a_units_row_registers_the_towns_own_and_leaves_the_regionless_one_alone(kunshan):
    shared = _regionless("市府办")
    region("孟河镇", Region.Level.TOWN, region("常州市新北区", Region.Level.COUNTY, None))
    report = run_import("units", xlsx_file([["单位名称", "单位类型", "所属区划"], ["市府办", "市级机关部门", "孟河镇"]]),
                        filename="x.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 1
    shared.refresh_from_db()
    assert shared.region is None
    assert Unit.objects.get(name="市府办", region__name="孟河镇").kind == Unit.Kind.CITY_DEPARTMENT
