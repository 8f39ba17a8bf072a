"""The upper levels' allocation tables (附件1, 附件2) with the seed's real figures, as fixed quotas."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.planning.models import FixedQuota
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_support import (
    SEED_VILLAGES,
    add_registered_households,
    annex1_rows,
    annex2_rows,
    csv_file,
    make_town,
    village,
    xlsx_file,
)


@pytest.fixture
def campaign(db):
    campaign = make_town(name for name, _total in SEED_VILLAGES)
    add_registered_households(dict(SEED_VILLAGES))
    for name, kind in [("苏州市妇联", Unit.Kind.OUTSIDE_BODY), ("市府办", Unit.Kind.CITY_DEPARTMENT),
                       ("市妇联", Unit.Kind.OUTSIDE_BODY), ("市粮食局", Unit.Kind.CITY_DEPARTMENT),
                       ("市商务局", Unit.Kind.CITY_DEPARTMENT), ("市交通局", Unit.Kind.CITY_DEPARTMENT)]:
        Unit.objects.create(name=name, kind=kind)
    return campaign


def quotas(source):
    return FixedQuota.objects.filter(source=source).order_by("row_number")


@pytest.mark.django_db
def test_it_stores_annex_1_as_fixed_quotas(campaign):
    report = run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv", campaign=campaign)
    assert report.ok, report.errors
    assert (report.total_rows, report.created) == (23, 23)
    rows = list(quotas("附件1"))
    first, line = rows[0], rows[-1]
    assert (first.row_number, first.serial, first.label, first.region, first.count, first.stated_region_total) == (
        4, "1", "苏州市妇联", village("上下塘社区"), 100, 2667)
    assert [u.name for u in first.units.all()] == ["苏州市妇联"]
    assert (first.table, first.target_kind) == (FixedQuota.Table.UPPER_LEVEL, Target.Kind.REGISTERED_HOUSEHOLD)
    assert (line.target_kind, line.region, line.count, [u.name for u in line.units.all()]) == (
        Target.Kind.ENTERPRISE, None, 53, ["苏州市妇联"])
    assert sum(q.count for q in rows[:-1]) == 1360


@pytest.mark.django_db
def test_it_reads_annex_2_continuation_rows_and_enterprise_units(campaign):
    report = run_import("allocation", xlsx_file(annex2_rows()), filename="附件2.xlsx", campaign=campaign)
    assert report.ok, report.errors
    guijiabang = quotas("附件2").get(row_number=5)
    assert (guijiabang.serial, guijiabang.label, guijiabang.region.name, guijiabang.count) == ("", "市府办", "顾家浜村", 67)
    assert [u.name for u in guijiabang.units.all()] == ["市府办"]
    households = quotas("附件2").filter(target_kind=Target.Kind.REGISTERED_HOUSEHOLD)
    assert sum(q.count for q in households) == 9880
    line = quotas("附件2").get(target_kind=Target.Kind.ENTERPRISE)
    assert (line.label, line.count) == ("昆山市粮食局、妇联", 101)
    assert sorted(u.name for u in line.units.all()) == ["市妇联", "市粮食局"]


@pytest.mark.django_db
def test_it_changes_nothing_when_the_same_table_is_imported_again(campaign):
    run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign)
    again = run_import("allocation", csv_file(annex2_rows()), filename="附件2.csv", campaign=campaign)
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 24, 0)
    assert quotas("附件2").count() == 24
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_type="planning.FixedQuota").count() == 2


@pytest.mark.django_db
def test_it_replaces_the_rows_of_the_same_source(campaign):
    run_import("allocation", csv_file(annex2_rows()), filename="x.csv", source_label="附件2", campaign=campaign)
    rows = annex2_rows()
    rows[2][4] = "2000"
    rows[-2] = ["合    计", "13815户", "9827户"]
    del rows[-1]
    report = run_import("allocation", csv_file(rows), filename="x.csv", source_label="附件2", campaign=campaign)
    assert (report.updated, report.deleted, report.unchanged) == (1, 1, 22), report.errors
    assert quotas("附件2").get(row_number=3).version == 2
    assert not quotas("附件2").filter(target_kind=Target.Kind.ENTERPRISE).exists()


@pytest.mark.django_db
def test_it_refuses_a_total_that_disagrees_with_the_rows(campaign):
    report = run_import("allocation", csv_file(annex2_rows(("合    计", "13816户", "9870户"))),
                        filename="附件2.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第26行【户籍总户数（户）】：合计为13816户，各村、社区（重复出现的只计一次）之和为13815户，相差1户",
        "第26行【走访户数】：合计为9870户，各行之和为9880户，相差10户",
    ]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_table_that_disagrees_with_the_registry(campaign):
    ids = list(Target.objects.filter(region=village("上下塘社区")).values_list("pk", flat=True)[:7])
    Target.objects.filter(pk__in=ids).delete()
    report = run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第4行【户籍总户数（户）】：表中上下塘社区为2667户，登记库中为2660户，相差7户"]
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_refuses_inconsistent_village_totals_excess_visits_and_unknown_names(campaign):
    rows = annex2_rows()
    rows[4][3] = "390"  # 顾家浜村 under 市府办, 393 elsewhere
    rows[5][1] = "市水利局"
    rows[6][4] = "500"  # 盛塘村 has 496
    rows[7][2] = "马援村"
    report = run_import("allocation", csv_file(rows), filename="附件2.csv", campaign=campaign)
    messages = [str(e) for e in report.errors]
    assert "第5行【户籍总户数（户）】：表中顾家浜村为390户，登记库中为393户，相差3户" in messages
    assert "第17行【户籍总户数（户）】：顾家浜村在第5行为390户，此处为393户，相差3户" in messages
    assert "第6行【走访单位】：单位“市水利局”未登记，请先导入单位" in messages
    assert "第7行【走访户数】：走访户数500户超过户籍总户数496户，多4户" in messages
    assert any(m.startswith("第8行【村、社区名称】：锦溪镇没有名为“马援村”的村（社区）") for m in messages)
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_it_requires_a_campaign(campaign):
    report = run_import("allocation", csv_file(annex1_rows()), filename="附件1.csv")
    assert [e.message for e in report.errors] == ["请指定走访活动（命令行加 --campaign 活动代号）"]
