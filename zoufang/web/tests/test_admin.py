from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.core.testforms import form_values
from zoufang.registry.models import Target

pytestmark = pytest.mark.recorded_templates  # reads response.context


@pytest.fixture
def root(town: Any) -> Any:
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


def _form_data(response: Any) -> dict[str, Any]:
    """The change form as the browser would post it back: its fields, each one's value as shown, the page's state."""
    return form_values(response.content.decode(), f"{response.context['opts'].model_name}_form")


def test_it_audits_a_change_with_old_and_new_values_and_bumps_the_version(town, client, root):
    target = town.households["shangxiatang"][0]
    old_address = target.address
    client.force_login(root)
    url = f"/admin/registry/target/{target.pk}/change/"
    data = _form_data(client.get(url))
    data["address"] = "上下塘街99号"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.address == "上下塘街99号"
    assert target.version == 2
    assert target.modified_by == root
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(target.public_id))
    assert event.actor == root
    assert event.changes == {"address": [old_address, "上下塘街99号"]}


def test_it_records_identifiers_masked_in_the_audit_trail(town, client, root):
    target = town.households["shangxiatang"][0]
    client.force_login(root)
    url = f"/admin/registry/target/{target.pk}/change/"
    data = _form_data(client.get(url))
    data["phone"] = "13900001111"
    client.post(url, data)
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert event.changes["phone"][1] == "139****1111"
    assert "13900001111" not in str(event.changes)


def test_it_audits_a_delete(town, client, root):
    target = town.households["jijiadun"][0]
    client.force_login(root)
    url = f"/admin/registry/target/{target.pk}/delete/"
    response = client.post(url, form_values(client.get(url).content.decode(), containing="post"))
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, object_id=str(target.public_id))
    assert event.changes["name"] == [target.name, None]


def test_it_audits_opening_a_full_record_in_the_admin(town, client, root):
    target = town.households["jijiadun"][0]
    client.force_login(root)
    assert client.get(f"/admin/registry/target/{target.pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(target.public_id)).exists()


def test_it_masks_identifiers_in_the_target_changelist(town, client, root):
    target = town.households["jijiadun"][0]
    client.force_login(root)
    html = client.get("/admin/registry/target/").content.decode()
    assert target.name in html
    assert target.id_number not in html
    assert target.phone not in html
    assert target.id_number[:6] + "********" + target.id_number[-4:] in html


def test_it_shows_a_sysadmin_no_residents(town, client):
    sysadmin = ensure_user("sys", PASSWORD, role=RoleGrant.Role.SYSADMIN, region=town.town)
    sysadmin.is_staff = True
    sysadmin.save()
    sysadmin.user_permissions.add(*Permission.objects.filter(codename__in=["view_target", "view_region"]))
    client.force_login(sysadmin)
    html = client.get("/admin/registry/target/").content.decode()
    assert town.households["jijiadun"][0].name not in html
    # Django's own permissions grant nothing (decision 0043): the page is refused, as the row would be unfound.
    assert client.get(f"/admin/registry/target/{town.households['jijiadun'][0].pk}/change/").status_code in (302, 403)
    assert "计家墩村" in client.get("/admin/regions/region/").content.decode()


def test_it_keeps_the_audit_trail_read_only(town, client, root):
    event = audit.record(None, AuditEvent.Action.LOGIN, object_type="auth.User")
    client.force_login(root)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_audits_a_campaigns_inline_phase(town, client, root):
    client.force_login(root)
    url = f"/admin/campaigns/campaign/{town.campaign.pk}/change/"
    data = _form_data(client.get(url))
    data.update({
        "phases-TOTAL_FORMS": "1", "phases-0-sort_order": "1", "phases-0-key": "focus", "phases-0-name": "集中走访",
        "phases-0-starts_on": "2017-03-01", "phases-0-ends_on": "2017-04-30", "phases-0-campaign": town.campaign.pk,
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="campaigns.Phase")
    assert event.changes["name"] == [None, "集中走访"]


def test_it_audits_a_change_of_the_day_the_plan_was_given(town, client, root):
    """分配下达日期 moves the pace's start (decision 0041): the admin's change of it is audited, old → new."""
    client.force_login(root)
    url = f"/admin/campaigns/campaign/{town.campaign.pk}/change/"
    data = _form_data(client.get(url))
    old = data.get("plan_given_on") or None
    data["plan_given_on"] = "2017-05-02"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="campaigns.Campaign").latest("seq")
    assert (event.actor, event.changes["plan_given_on"]) == (root, [old, "2017-05-02"])


def test_it_renders_every_admin_changelist_in_chinese(town, client, root):
    client.force_login(root)
    index = client.get("/admin/").content.decode()
    for label in ["行政区划", "走访对象", "走访干部", "单位", "走访活动", "固定分配", "走访分配", "角色授权", "接口令牌", "审计记录"]:
        assert label in index
    for path in ["regions/region", "registry/unit", "registry/cadre", "registry/target", "campaigns/campaign",
                 "campaigns/casecategory", "planning/fixedquota", "planning/assignment", "accounts/rolegrant",
                 "accounts/apitoken", "accounts/auditevent", "auth/user"]:
        assert client.get(f"/admin/{path}/").status_code == 200, path
        assert client.get(f"/admin/{path}/?q=锦溪").status_code == 200, path


def test_it_refuses_to_overwrite_a_change_saved_after_the_form_was_opened(town, client, root):
    target = town.households["shangxiatang"][0]
    client.force_login(root)
    url = f"/admin/registry/target/{target.pk}/change/"
    opened = client.get(url)
    data = _form_data(opened)
    assert data["initial-address"] == target.address  # the field as shown goes back with the save
    # Someone else saves the same household in the meantime.
    Target.objects.filter(pk=target.pk).update(address="别人改过的地址", version=2)
    data["address"] = "上下塘街99号"
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "在您打开此页后已被他人修改：地址 现为“别人改过的地址”，您填写的“上下塘街99号”" in page
    assert 'value="上下塘街99号"' in page  # what was typed stays on the form
    target.refresh_from_db()
    assert target.address == "别人改过的地址"
    assert target.version == 2


def test_it_audits_a_password_set_in_the_admin(town, client, root):
    outsider = town.users["outsider"]
    client.force_login(root)
    url = f"/admin/auth/user/{outsider.pk}/password/"
    response = client.post(url, {**form_values(client.get(url).content.decode(), containing="password1"),
                                 "password1": "Jinxi-2017-new", "password2": "Jinxi-2017-new"})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditEvent.Action.SECURITY, object_type="auth.User")
    assert (event.actor_username, event.summary) == ("root", "管理后台重设账号 outsider 的密码")


def test_it_makes_a_password_set_in_the_admin_a_first_login_password(town, client, root):
    """docs/security.md: a password an administrator sets (a new account's, or a reset) is changed at first login."""
    from zoufang.accounts import passwords

    client.force_login(root)
    added = client.get("/admin/auth/user/add/")
    assert "After you" not in added.content.decode()  # Django's own sentence, in Chinese
    response = client.post("/admin/auth/user/add/", {
        **form_values(added.content.decode(), containing="password1"), "username": "qd_office",
        "usable_password": "true", "password1": "Qiandeng-2025-a", "password2": "Qiandeng-2025-a"})
    assert response.status_code == 302, response.content.decode()[:2000]
    account = get_user_model().objects.get(username="qd_office")
    assert passwords.must_change_password(account).startswith("这是管理员设置的初始密码")

    passwords.require_change(account, required=False)  # the owner changed it
    url = f"/admin/auth/user/{account.pk}/password/"
    response = client.post(url, {**form_values(client.get(url).content.decode(), containing="password1"),
                                 "password1": "Qiandeng-2025-b", "password2": "Qiandeng-2025-b"})
    assert response.status_code == 302
    assert passwords.must_change_password(account).startswith("这是管理员设置的初始密码")
