"""The upgrade to `registry/0012` (decision 0069): stored names written with another dot take the standard's ·, each
row audited; a cadre whose new name another of its unit holds keeps its own, and targets that now share a name are
printed, never merged."""

import datetime as dt

import pytest

from zoufang.accounts.audit import digest
from zoufang.registry.tests.test_upgrade_unit_names import migrate, region, scratch_database

pytestmark = pytest.mark.django_db
BEFORE = [("registry", "0011_target_natural_order"), ("cases", "0009_case_follows"),
          ("accounts", "0011_cadre_account_batches")]
AFTER = [("registry", "0012_canonical_name_dots")]


def test_an_upgrade_writes_the_standard_dot_audits_each_row_and_merges_nothing(tmp_path, capsys):
    with scratch_database(tmp_path):
        apps = migrate(BEFORE)
        Target, Cadre, Unit = (apps.get_model("registry", m) for m in ("Target", "Cadre", "Unit"))
        Case, Campaign = apps.get_model("cases", "Case"), apps.get_model("campaigns", "Campaign")
        town = region(apps, "锦溪镇", "town")
        village = region(apps, "上下塘社区", "village", town)
        police = Unit.objects.create(name="派出所", kind="town_department", region=town)
        police_list = Target.objects.create(kind="registered_household", region=village, name="阿卜杜•热合曼")
        village_list = Target.objects.create(kind="registered_household", region=village, name="阿卜杜·热合曼")
        other = Target.objects.create(kind="notable_person", region=village, name="古丽．努尔")
        firm = Target.objects.create(kind="enterprise", region=village, name="锦溪.水乡有限公司",
                                     contact_name="艾力‧吐尔逊", credit_code="91320583MA1XXXXX0X")
        latin = Target.objects.create(kind="registered_household", region=village, name="A.热合曼")
        kept = Cadre.objects.create(unit=police, name="努尔兰⋅别克", role="party_member")
        Cadre.objects.create(unit=police, name="努尔兰·别克", role="party_member")
        moved = Cadre.objects.create(unit=police, name="扎西.顿珠", role="party_member")
        campaign = Campaign.objects.create(slug="c", name="c", scope=town, starts_on=dt.date(2017, 1, 1),
                                           ends_on=dt.date(2017, 12, 31))
        at = dt.datetime(2017, 3, 1, tzinfo=dt.UTC)
        case = Case.objects.create(campaign=campaign, kind="problem", description="路灯坏了", raised_at=at,
                                   registration_due=at.date(), raiser_name="买买提。艾力", version=1)

        apps = migrate(AFTER)

        Target, Cadre = apps.get_model("registry", "Target"), apps.get_model("registry", "Cadre")
        names = dict(Target.objects.values_list("pk", "name"))
        assert names[police_list.pk] == names[village_list.pk] == "阿卜杜·热合曼"  # both kept: not merged
        assert names[other.pk] == "古丽·努尔"
        assert names[firm.pk] == "锦溪.水乡有限公司"  # an enterprise's name is no person's
        assert Target.objects.get(pk=firm.pk).contact_name == "艾力·吐尔逊"
        assert names[latin.pk] == "A.热合曼"
        assert Target.objects.get(pk=police_list.pk).version == 2
        assert Cadre.objects.get(pk=kept.pk).name == "努尔兰⋅别克"  # its unit has a 努尔兰·别克 already
        assert Cadre.objects.get(pk=moved.pk).name == "扎西·顿珠"
        assert apps.get_model("cases", "Case").objects.get(pk=case.pk).raiser_name == "买买提·艾力"
        events = list(apps.get_model("accounts", "AuditEvent").objects.order_by("seq"))
        assert {(e.object_type, e.object_id) for e in events} == {
            ("registry.Target", str(police_list.public_id)), ("registry.Target", str(other.public_id)),
            ("registry.Target", str(firm.public_id)), ("registry.Cadre", str(moved.public_id)),
            ("cases.Case", str(case.public_id))}
        assert all(e.hash == digest(e) for e in events)
        [event] = [e for e in events if e.object_id == str(police_list.public_id)]
        assert event.changes == {"name": ["阿卜杜•热合曼", "阿卜杜·热合曼"]}
        shown = capsys.readouterr().out
        assert "5 record(s)" in shown
        assert f"cadre {kept.public_id} kept" in shown
        assert f"{police_list.public_id}, {village_list.public_id}" in shown

