"""The upgrade to `registry/0009` (decision 0032, addendum h8): where two cities share the database, each regionless
unit is placed above the towns whose campaigns use it, audited; one unused stays regionless and is named."""

import datetime as dt

import pytest

from zoufang.accounts.audit import digest
from zoufang.registry.tests.test_upgrade_unit_names import migrate, region, scratch_database

pytestmark = pytest.mark.django_db
BEFORE = [("registry", "0008_unit_town"), ("planning", "0008_department_table_one_source"),
          ("cases", "0008_case_request_key"), ("callbacks", "0003_batch_request_key")]
AFTER = [("registry", "0009_place_shared_units")]


def test_an_upgrade_places_the_shared_units_where_their_campaigns_lie(tmp_path, capsys):
    with scratch_database(tmp_path):
        apps = migrate(BEFORE)
        Unit, Campaign = apps.get_model("registry", "Unit"), apps.get_model("campaigns", "Campaign")
        FixedQuota = apps.get_model("planning", "FixedQuota")
        suzhou, changzhou = region(apps, "苏州市", "city"), region(apps, "常州市", "city")
        kunshan, xinbei = region(apps, "昆山市", "county", suzhou), region(apps, "新北区", "county", changzhou)
        jinxi, zhouzhuang = region(apps, "锦溪镇", "town", kunshan), region(apps, "周庄镇", "town", kunshan)
        menghe = region(apps, "孟河镇", "town", xinbei)

        def campaign(town):
            return Campaign.objects.create(slug=f"c{town.pk}", name=town.name, scope=town,
                                           starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))

        fuban, fulian, unused = (Unit.objects.create(name=n, kind="city_department") for n in ("市府办", "市妇联", "市档案局"))
        for row, (unit, town) in enumerate(((fuban, jinxi), (fuban, zhouzhuang), (fulian, menghe))):
            quota = FixedQuota.objects.create(campaign=campaign(town), table="upper_level", source="附件2",
                                              row_number=row + 1, label=unit.name, target_kind="registered_household",
                                              count=10)
            quota.units.add(unit)

        apps = migrate(AFTER)

        Unit = apps.get_model("registry", "Unit")
        assert Unit.objects.get(pk=fuban.pk).region_id == kunshan.pk  # above both 昆山 towns, not in one of them
        assert Unit.objects.get(pk=fulian.pk).region_id == xinbei.pk
        assert Unit.objects.get(pk=unused.pk).region_id is None
        assert Unit.objects.get(pk=fuban.pk).version == 2
        events = list(apps.get_model("accounts", "AuditEvent").objects.order_by("seq"))
        assert {(e.object_id, e.changes["region"][1]) for e in events} == {
            (str(fuban.public_id), "昆山市"), (str(fulian.public_id), "新北区")}
        assert all(e.hash == digest(e) for e in events)
        shown = capsys.readouterr().out
        assert "2 regionless unit(s) placed" in shown
        assert "市档案局" in shown


def test_an_upgrade_of_a_one_city_installation_moves_nothing(tmp_path):
    with scratch_database(tmp_path):
        apps = migrate(BEFORE)
        Unit = apps.get_model("registry", "Unit")
        region(apps, "苏州市", "city")
        shared = Unit.objects.create(name="市府办", kind="city_department")
        apps = migrate(AFTER)
        assert apps.get_model("registry", "Unit").objects.get(pk=shared.pk).region_id is None
        assert not apps.get_model("accounts", "AuditEvent").objects.exists()
