"""A unit's town is a column the database holds its name unique in (decision 0032's addendum): a town's 派出所 and a
village's 派出所 of that town are refused at the database, however many write at once."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Unit

pytestmark = pytest.mark.django_db


def test_it_keeps_each_units_town_from_its_region(town):
    county = town.town.parent
    police = Unit.objects.get(pk=town.police.pk)
    committee = Unit.objects.create(name="计家墩村委会", kind=Unit.Kind.VILLAGE_COMMITTEE, region=town.jijiadun)
    bureau = Unit.objects.create(name="交通局", kind=Unit.Kind.CITY_DEPARTMENT, region=county)
    shared = Unit.objects.create(name="市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    assert (police.town, committee.town, bureau.town, shared.town) == (town.town, town.town, None, None)
    made = Unit.objects.bulk_create([Unit(name="古保办", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.shangxiatang)])
    assert Unit.objects.get(pk=made[0].pk).town == town.town
    bureau.region = town.town
    Unit.objects.bulk_update([bureau], ["region"])
    assert Unit.objects.get(pk=bureau.pk).town == town.town
    committee.region = county
    committee.save(update_fields=["region"])
    assert Unit.objects.get(pk=committee.pk).town is None
    with pytest.raises(TypeError):
        Unit.objects.filter(pk=police.pk).update(region=county)


def test_it_refuses_a_villages_unit_named_as_its_towns_at_the_database(town):
    other = Region.objects.create(name="周庄镇", level=Region.Level.TOWN, parent=town.town.parent)
    Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=other)  # another town's: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(name="派出所", kind=Unit.Kind.VILLAGE_COMMITTEE, region=town.shangxiatang)  # clean() not asked
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.bulk_create([Unit(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.jijiadun)])


def test_an_import_that_lost_the_race_writes_nothing(town, tmp_path, monkeypatch):
    """The units import checks names when it reads the file and writes later: a village's 派出所 registered in between
    (another office, another import) makes its write fail, and the whole file is undone with a message."""
    from zoufang.registry.imports import records

    path = tmp_path / "units.csv"
    path.write_text("单位名称,单位类型,所属区划\n古保办,镇部门,锦溪镇\n城管中队,镇部门,锦溪镇/计家墩村\n", encoding="utf-8")
    plan = records.plan_records

    def meanwhile(*args, **kwargs):
        outcome = plan(*args, **kwargs)
        Unit.objects.create(name="城管中队", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)  # checked, not yet seen
        return outcome

    monkeypatch.setattr("zoufang.registry.imports.units.plan_records", meanwhile)
    report = run_import("units", path, campaign=town.campaign, by=town.users["office"])
    assert not report.ok
    assert "写入数据库时出错，已全部撤销" in report.errors[0].message
    assert not Unit.objects.filter(name="古保办").exists()
    assert list(Unit.objects.filter(name="城管中队").values_list("region", flat=True)) == [town.town.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once: PostgreSQL")
def test_it_lets_one_of_two_writers_at_the_same_instant_register_a_name_in_a_town(town):
    """Both check the name (Unit.clean, as the admin does) before either writes; the database lets one in."""
    barrier = threading.Barrier(2)
    results: list = [None, None]
    regions = [town.town, town.shangxiatang]

    def register(i):
        try:
            with transaction.atomic():
                unit = Unit(name="城管中队", kind=Unit.Kind.TOWN_DEPARTMENT, region=regions[i])
                unit.full_clean()
                barrier.wait(timeout=10)
                unit.save()
            results[i] = unit
        except Exception as exc:  # noqa: BLE001 - the test inspects what each writer met
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(result).__name__ for result in results) == ["IntegrityError", "Unit"], results
    assert Unit.objects.filter(name="城管中队").count() == 1
