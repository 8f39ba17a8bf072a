"""The proof's queries are joins and NOT EXISTS, which PostgreSQL hashes: never a NOT IN subplan, which at a
city's million targets does not finish within the default work_mem."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.planning.check import check_plan
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_support import make_town, region, village


@pytest.mark.django_db
def test_the_proof_counts_with_joins_and_not_exists_never_not_in():
    campaign = make_town()
    campaign.config = {"target_kinds": [Target.Kind.REGISTERED_HOUSEHOLD]}
    campaign.save()
    here = village("上下塘社区")
    elsewhere = region("周庄镇", Region.Level.TOWN, None)
    unit = Unit.objects.create(name="市文明办", kind=Unit.Kind.CITY_DEPARTMENT, region=campaign.scope)
    households = Target.objects.bulk_create([
        Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=here, name=f"户{i}", address=f"路{i}号")
        for i in range(5)])
    moved = Target.objects.create(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=here, name="迁出户",
                                  archived_on=dt.date(2017, 5, 1))
    away = Target.objects.create(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=elsewhere, name="外镇户")
    for target in [*households[:3], moved, away]:
        Assignment.objects.create(campaign=campaign, target=target, unit=unit)

    with CaptureQueriesContext(connection) as queries:
        result = check_plan(campaign)

    assert result["assigned"] == {Target.Kind.REGISTERED_HOUSEHOLD: 3}
    assert result["unassigned"] == {Target.Kind.REGISTERED_HOUSEHOLD: 2}
    assert result["stray_assignments"] == 2  # the archived household and the other town's
    sql = [" ".join(q["sql"].upper().split()) for q in queries]
    assert not [s for s in sql if "NOT IN (SELECT" in s or "NOT (\"PLANNING_ASSIGNMENT\".\"TARGET_ID\" IN" in s]
    assert not [s for s in sql if " IN (SELECT" in s and "PLANNING_ASSIGNMENT" in s and "REGISTRY_TARGET" in s]
    assert any("NOT EXISTS" in s or "NOT (EXISTS" in s for s in sql)
