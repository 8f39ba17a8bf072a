"""Permissions come only from roles (decision 0043). A Django permission or group, given to an account in the admin
beside (or instead of) its role, opens nothing: not another town's cases, visits, quotas or residents, not the audit
trail, not another account. Only a superuser, break-glass, holds every permission."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import checks
from django.test import Client

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target
from zoufang.visits.models import Visit

User = get_user_model()


def _account(username: str) -> Any:
    return User.objects.get(username=username)


@pytest.fixture
def zhouzhuang(demo: Any, db: Any) -> Any:
    """周庄镇, beside the demo's 锦溪镇 in 昆山市: its office, its campaign and one row of its 附件1."""
    town = Region.objects.get_or_create(name="周庄镇", level=Region.Level.TOWN, parent=demo.scope.parent)[0]
    campaign = Campaign.objects.create(slug="zhouzhuang-test", name="周庄镇测试走访", scope=town,
                                       starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    FixedQuota.objects.create(campaign=campaign, table=FixedQuota.Table.UPPER_LEVEL, source="附件1", row_number=1,
                              label="周庄市妇联", target_kind=Target.Kind.REGISTERED_HOUSEHOLD, count=30)
    return ensure_user("zhouzhuang", PASSWORD, full_name="周庄镇走访办", role=RoleGrant.Role.OFFICE, region=town)


def _jinxi_rows(demo: Any) -> dict[str, Any]:
    town = demo.scope
    return {
        "case": Case.objects.filter(campaign=demo).exclude(description="").first(),
        "visit": Visit.objects.filter(campaign=demo).select_related("target").first(),
        "quota": FixedQuota.objects.filter(campaign=demo).exclude(label="").first(),
        "target": Target.objects.filter(region__path__startswith=town.path).first(),
        "cadre": Cadre.objects.filter(unit__region__path__startswith=town.path).first(),
        "event": AuditEvent.objects.order_by("-seq").first(),
        "office": _account("office"),
    }


def _urls(rows: dict[str, Any]) -> list[str]:
    return [f"/admin/cases/case/{rows['case'].pk}/change/", f"/admin/visits/visit/{rows['visit'].pk}/change/",
            f"/admin/planning/fixedquota/{rows['quota'].pk}/change/", f"/admin/registry/target/{rows['target'].pk}/change/",
            f"/admin/registry/cadre/{rows['cadre'].pk}/change/", f"/admin/accounts/auditevent/{rows['event'].pk}/change/",
            f"/admin/auth/user/{rows['office'].pk}/change/", f"/admin/auth/user/{rows['office'].pk}/password/"]


def _shown(rows: dict[str, Any]) -> list[str]:
    """Texts of 锦溪镇's rows that no page may show another town's office."""
    return [rows["case"].description[:20], rows["visit"].target.name, rows["quota"].label, rows["target"].name]


LISTS = ["/admin/cases/case/", "/admin/visits/visit/", "/admin/planning/fixedquota/", "/admin/registry/target/",
         "/admin/accounts/auditevent/", "/admin/cases/casereminder/", "/admin/documents/document/"]


def _refused_everything(client: Client, rows: dict[str, Any]) -> None:
    for url in _urls(rows):
        assert client.get(url).status_code in (302, 403, 404), url
    texts = _shown(rows)
    for url in LISTS:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code != 200 or not [t for t in texts if t and t in html], url
    quota = rows["quota"]
    client.post(f"/admin/planning/fixedquota/{quota.pk}/change/", {"label": "改了", "count": 1})
    quota.refresh_from_db()
    assert quota.label != "改了"
    office = rows["office"]
    client.post(f"/admin/auth/user/{office.pk}/password/", {"password1": "Zf-taken-0ver!", "password2": "Zf-taken-0ver!"})
    office.refresh_from_db()
    assert not office.check_password("Zf-taken-0ver!")


@pytest.mark.parametrize("given", ["user_permissions", "groups"])
def test_it_opens_nothing_of_another_town_to_an_office_given_raw_permissions(demo, zhouzhuang, given):
    """周庄镇's office, let into the admin and given every permission Django has, directly or through a group."""
    rows = _jinxi_rows(demo)
    assert all(rows.values()), rows
    attacker = _account("zhouzhuang")
    attacker.is_staff = True
    attacker.save(update_fields=["is_staff"])
    if given == "groups":
        group = Group.objects.create(name="值班")
        group.permissions.set(Permission.objects.all())
        attacker.groups.add(group)
    else:
        attacker.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(attacker)
    _refused_everything(client, rows)
    attacker = _account("zhouzhuang")
    assert not attacker.has_perm("cases.view_case")
    assert not attacker.has_perm("accounts.view_auditevent")


def test_it_opens_nothing_to_an_account_without_a_role_given_raw_permissions(demo, db):
    rows = _jinxi_rows(demo)
    outsider = _account("outsider")
    outsider.is_staff = True
    outsider.save(update_fields=["is_staff"])
    outsider.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(outsider)
    _refused_everything(client, rows)
    assert _account("outsider").get_all_permissions() == set()
    for url in ("/api/v1/cases/", "/api/v1/targets"):
        response = client.get(url)
        assert response.status_code != 200 or not response.json().get("items"), url


def test_an_office_let_into_the_admin_keeps_to_its_own_towns_quotas(demo, zhouzhuang):
    """The office's own admin duty (regions, units, cadres, campaigns, quotas of its town) comes from its role."""
    zhouzhuang = _account("zhouzhuang")
    zhouzhuang.is_staff = True
    zhouzhuang.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(zhouzhuang)
    own = FixedQuota.objects.get(campaign__slug="zhouzhuang-test")
    jinxi = FixedQuota.objects.filter(campaign=demo).first()
    assert client.get(f"/admin/planning/fixedquota/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/planning/fixedquota/{jinxi.pk}/change/").status_code in (302, 403, 404)
    listed = client.get("/admin/planning/fixedquota/").content.decode()
    assert f"/admin/planning/fixedquota/{jinxi.pk}/change/" not in listed


def test_the_admin_offers_no_raw_permissions_nor_groups_even_to_a_superuser(demo, db, client):
    root = User.objects.create_superuser("root", "root@example.cn", "x")
    client.force_login(root)
    page = client.get(f"/admin/auth/user/{_account('office').pk}/change/").content.decode()
    assert 'name="user_permissions"' not in page
    assert 'name="groups"' not in page
    assert 'name="is_superuser"' in page  # the break-glass account's own field stays the superuser's
    assert "在后台能做什么只由下方的角色授权决定" in page  # is_staff: the door, not a key
    assert client.get("/admin/auth/group/").status_code == 404
    assert "/admin/auth/group/" not in client.get("/admin/").content.decode()


def test_a_superuser_still_holds_every_permission(db):
    root = User.objects.create_superuser("root", "root@example.cn", "x")
    assert root.has_perm("cases.view_case")


def test_the_system_check_refuses_a_backend_that_grants_raw_permissions(settings):
    from zoufang.accounts.checks import permissions_only_from_roles

    assert permissions_only_from_roles(None) == []
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "django.contrib.auth.backends.ModelBackend"]
    found = permissions_only_from_roles(None)
    assert [message.id for message in found] == ["zoufang.E001"]
    assert isinstance(found[0], checks.Error)
    assert "ModelBackend" in found[0].msg
