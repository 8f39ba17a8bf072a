"""`plan table` stores a decided department table through the imports page's kind: matched again, not recreated."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from zoufang.demo.loader import DATA
from zoufang.planning.models import FixedQuota
from zoufang.planning.services import PlanningError, store_department_table
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_support import make_town


@pytest.fixture
def campaign(db):
    campaign = make_town()
    assert run_import("departments", DATA / "annex4-1.csv", campaign=campaign).ok
    return campaign


@pytest.mark.django_db
def test_it_reports_the_same_table_again_as_unchanged_and_keeps_the_ids(campaign):
    first = store_department_table(campaign, DATA / "annex4-1.csv", label="附件4-1")
    ids = set(FixedQuota.objects.values_list("pk", flat=True))

    out = StringIO()
    call_command("plan", "table", str(DATA / "annex4-1.csv"), label="附件4-1", campaign=campaign.slug, stdout=out)

    assert (first.created, len(ids)) == (29, 58)
    assert "附件4-1：共29行：新增0，更新0，未变29" in out.getvalue()
    assert set(FixedQuota.objects.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_it_updates_the_party_members_through_the_departments_kind(campaign, tmp_path):
    table = tmp_path / "annex4-2.csv"
    table.write_text((DATA / "annex4-2.csv").read_text(encoding="utf-8").replace("1,机关二支部,43,129,", "1,机关二支部,44,129,")
                     .replace("合计,365,806家", "合计,366,806家"), encoding="utf-8")

    store_department_table(campaign, table, label="附件4-2")

    assert Unit.objects.get(name="机关二支部").party_member_count == 44
    assert FixedQuota.objects.get(label="机关二支部").count == 129


@pytest.mark.django_db
def test_it_writes_nothing_when_the_table_is_refused(campaign, tmp_path):
    table = tmp_path / "annex4-2.csv"
    table.write_text("序号,单位,党员人数,走访企业数\n1,机关二支部,50,129\n2,新部门,3,6\n", encoding="utf-8")

    with pytest.raises(PlanningError, match="第3行【单位】：“新部门”未登记为镇部门"):
        store_department_table(campaign, table, label="附件4-2")

    assert not FixedQuota.objects.exists()
    assert Unit.objects.get(name="机关二支部").party_member_count == 43


@pytest.mark.django_db
def test_the_migration_joins_the_old_per_column_sources_into_one(campaign):
    unit = Unit.objects.get(name="机关二支部")
    for source, kind, count in (("附件4-1（户籍户口）", Target.Kind.REGISTERED_HOUSEHOLD, 215),
                                ("附件4-1（外来常住户）", Target.Kind.RESIDENT_HOUSEHOLD, 387)):
        quota = FixedQuota.objects.create(campaign=campaign, source=source, row_number=4, serial="1", label=unit.name,
                                          target_kind=kind, count=count, table=FixedQuota.Table.UNIT_HOUSEHOLDS)
        quota.units.set([unit])
    migration = importlib.import_module("zoufang.planning.migrations.0008_department_table_one_source")

    ids = set(FixedQuota.objects.values_list("pk", flat=True))

    migration.one_source_per_table(apps, None)

    assert set(FixedQuota.objects.values_list("source", flat=True)) == {"附件4-1"}
    report = store_department_table(campaign, DATA / "annex4-1.csv", label="附件4-1")
    assert (report.created, report.updated, report.deleted) == (28, 1, 0)  # the old rows had no table title
    assert set(FixedQuota.objects.filter(label="机关二支部").values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_a_name_written_with_other_brackets_is_the_registered_department(campaign, tmp_path):
    Unit.objects.create(name="市场监管分局（所）", kind=Unit.Kind.TOWN_DEPARTMENT, party_member_count=9)
    table = tmp_path / "annex4-2.csv"
    table.write_text("序号,单位,党员人数,走访企业数\n1,市场监管分局(所),10,20\n合计,10,20家\n", encoding="utf-8")

    store_department_table(campaign, table, label="附件4-2")

    unit = Unit.objects.get(name="市场监管分局（所）")
    assert unit.party_member_count == 10
    assert FixedQuota.objects.get(units=unit).count == 20
    assert not Unit.objects.filter(name="市场监管分局(所)").exists()
