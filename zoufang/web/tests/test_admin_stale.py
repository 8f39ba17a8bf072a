"""Two administrators (or one in two tabs) on one row in the admin: the second never silently replaces the first.

Each test opens the pages with two real test clients, as two browsers would, and sends back what the page holds.
"""

import datetime as dt
import re
import threading
import time
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.test import Client, RequestFactory

from zoufang.accounts import tokens
from zoufang.accounts.admin_audit import AuditedAdminMixin, AuditedModelAdmin, guarded_delete_selected
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator
from zoufang.campaigns.models import CaseCategory, Phase
from zoufang.conftest import PASSWORD
from zoufang.core.testforms import form_values
from zoufang.documents import services as documents
from zoufang.regions.models import Region
from zoufang.registry.models import Unit
from zoufang.workdays.models import DayOverride, OfficialYear

pytestmark = pytest.mark.recorded_templates  # reads response.context

Role = RoleGrant.Role
WHEN = r"于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d "  # as clock.minute prints a moment
# Actions that set a state (doing one twice is doing it once) and so carry no row as shown.
STATE_SETTING_ACTIONS = {"reset_two_factor"}


def _admin(username: str, name: str, role: str) -> Client:
    client = Client()
    client.force_login(ensure_administrator(username, PASSWORD, full_name=name, role=role))
    return client


@pytest.fixture
def sysadmins(town: Any) -> tuple[Client, Client]:
    return _admin("sys1", "系统管理员甲", Role.SYSADMIN), _admin("sys2", "系统管理员乙", Role.SYSADMIN)


def change_form(client: Client, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200, url
    return form_values(page.content.decode(), f"{page.context['opts'].model_name}_form")


def confirmation(response: Any) -> dict[str, Any]:
    assert response.status_code == 200
    return form_values(response.content.decode(), containing="post")


def test_every_admin_and_inline_uses_the_guard_and_offers_no_unguarded_bulk_write(town: Any) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    request = RequestFactory().get("/admin/")
    request.user = root
    assert len(admin.site._registry) >= 27  # noqa: SLF001 - every registered admin, the packages' included
    for model, model_admin in admin.site._registry.items():  # noqa: SLF001
        assert isinstance(model_admin, AuditedAdminMixin), model._meta.label
        assert not model_admin.list_editable, model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, AuditedAdminMixin), f"{model._meta.label}: {inline.__name__}"
        for name, (action, _name, _description) in model_admin.get_actions(request).items():
            assert action is guarded_delete_selected or name in STATE_SETTING_ACTIONS, f"{model._meta.label}: {name}"


def test_an_admin_with_a_bulk_edit_list_cannot_be_registered() -> None:
    class EditableList(AuditedModelAdmin):
        list_editable = ("name",)

    with pytest.raises(ImproperlyConfigured, match="list_editable"):
        EditableList(Group, admin.site)


def test_the_second_of_two_saves_of_one_field_is_refused_naming_who_when_and_the_field(town, sysadmins):
    first, second = sysadmins
    url = f"/admin/regions/region/{town.jijiadun.pk}/change/"
    shown_first, shown_second = change_form(first, url), change_form(second, url)
    assert first.post(url, {**shown_first, "name": "计家墩村（甲）"}).status_code == 302
    refused = second.post(url, {**shown_second, "name": "计家墩村（乙）"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert re.search("这条记录在您打开此页后已被系统管理员甲（sys1）" + WHEN + "修改：名称 现为“计家墩村（甲）”，您填写的“计家墩村（乙）”",
                     page), page[:3000]
    assert 'value="计家墩村（乙）"' in page  # the typed value stays on the form
    region = Region.objects.get(pk=town.jijiadun.pk)
    assert (region.name, region.version) == ("计家墩村（甲）", 2)
    updates = AuditEvent.objects.filter(object_type="regions.Region", action=AuditEvent.Action.UPDATE)
    assert list(updates.values_list("actor_username", flat=True)) == ["sys1"]
    # Sent again unchanged, it is refused again: only a page opened anew saves over the first's change.
    assert second.post(url, {**shown_second, "name": "计家墩村（乙）"}).status_code == 200
    assert second.post(url, {**change_form(second, url), "name": "计家墩村（乙）"}).status_code == 302
    assert Region.objects.get(pk=town.jijiadun.pk).name == "计家墩村（乙）"


def test_a_field_this_form_left_as_shown_keeps_the_other_administrators_change(town, sysadmins):
    first, second = sysadmins
    url = f"/admin/regions/region/{town.jijiadun.pk}/change/"
    shown_first, shown_second = change_form(first, url), change_form(second, url)
    assert first.post(url, {**shown_first, "name": "计家墩村（甲）"}).status_code == 302
    saved = second.post(url, {**shown_second, "code": "320583106201"}, follow=True)
    assert saved.status_code == 200
    assert re.search("这条记录在您打开此页后已被系统管理员甲（sys1）" + WHEN + "修改，已保留其修改：名称", saved.content.decode())
    region = Region.objects.get(pk=town.jijiadun.pk)
    assert (region.name, region.code, region.version) == ("计家墩村（甲）", "320583106201", 3)
    second_change = AuditEvent.objects.filter(object_type="regions.Region", actor_username="sys2").get()
    assert second_change.changes == {"code": [town.jijiadun.code, "320583106201"]}


def test_a_row_without_a_version_is_guarded_by_its_fields_as_shown(town, sysadmins):
    day = DayOverride.objects.create(date=dt.date(2017, 10, 7), is_workday=False, name="国庆节")
    first, second = sysadmins
    url = f"/admin/workdays/dayoverride/{day.pk}/change/"
    shown_first, shown_second = change_form(first, url), change_form(second, url)
    assert shown_first["initial-name"] == "国庆节"
    assert first.post(url, {**shown_first, "name": "国庆节、中秋节"}).status_code == 302
    refused = second.post(url, {**shown_second, "name": "国庆"})
    assert re.search("已被系统管理员甲（sys1）" + WHEN + "修改：说明 现为“国庆节、中秋节”，您填写的“国庆”", refused.content.decode())
    # The same form marking the day a working day instead: the first's 说明 is kept.
    merged = {**shown_second, "is_workday": "on"}
    assert second.post(url, merged).status_code == 302
    day.refresh_from_db()
    assert (day.name, day.is_workday) == ("国庆节、中秋节", True)
    assert AuditEvent.objects.filter(object_type="workdays.DayOverride", action=AuditEvent.Action.UPDATE).count() == 2


def test_inline_rows_are_not_overwritten_nor_deleted_after_another_change(town, sysadmins):
    phase = Phase.objects.create(campaign=town.campaign, key="focus", name="集中走访", starts_on=dt.date(2017, 3, 1),
                                 ends_on=dt.date(2017, 4, 30), sort_order=1)
    first, second = sysadmins
    url = f"/admin/campaigns/campaign/{town.campaign.pk}/change/"
    shown_first, shown_second, shown_third = change_form(first, url), change_form(second, url), change_form(second, url)
    assert first.post(url, {**shown_first, "phases-0-ends_on": "2017-05-31"}).status_code == 302
    refused = second.post(url, {**shown_second, "phases-0-ends_on": "2017-04-15"})
    assert refused.status_code == 200
    assert re.search("阶段“集中走访”在您打开此页后已被系统管理员甲（sys1）" + WHEN + "修改：结束日期 现为“2017-05-31”，您填写的“2017-04-15”",
                     refused.content.decode())
    deleting = second.post(url, {**shown_third, "phases-0-DELETE": "on"})
    assert deleting.status_code == 200
    assert re.search("阶段“集中走访”在您打开此页后已被系统管理员甲（sys1）" + WHEN + "修改（结束日期），未删除", deleting.content.decode())
    phase.refresh_from_db()
    assert phase.ends_on == dt.date(2017, 5, 31)
    # Another row of the same page, left as shown, is saved over nothing.
    assert second.post(url, {**change_form(second, url), "phases-0-DELETE": "on"}).status_code == 302
    assert not Phase.objects.filter(pk=phase.pk).exists()


def test_a_deletion_of_a_row_changed_since_its_confirmation_was_shown_is_refused(town, sysadmins):
    unit = Unit.objects.create(name="文体站", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    first, second = sysadmins
    delete_url = f"/admin/registry/unit/{unit.pk}/delete/"
    confirm = confirmation(second.get(delete_url))
    change_url = f"/admin/registry/unit/{unit.pk}/change/"
    assert first.post(change_url, {**change_form(first, change_url), "party_member_count": "12"}).status_code == 302
    refused = second.post(delete_url, confirm, follow=True)
    assert re.search("“文体站”在您打开此页后已被系统管理员甲（sys1）" + WHEN + "修改（党员人数），未删除", refused.content.decode())
    assert Unit.objects.filter(pk=unit.pk).exists()
    # The confirmation shown again, with the row as it is now: confirmed, it is deleted.
    assert second.post(delete_url, confirmation(refused)).status_code == 302
    assert not Unit.objects.filter(pk=unit.pk).exists()


def test_the_bulk_delete_deletes_nothing_when_a_selected_row_changed_since_it_was_shown(town, sysadmins):
    days = [DayOverride.objects.create(date=dt.date(2017, 10, d), is_workday=False, name="国庆节") for d in (7, 8)]
    first, second = sysadmins
    listing = "/admin/workdays/dayoverride/"
    confirm = confirmation(second.post(listing, {"action": "delete_selected", "_selected_action": [d.pk for d in days]}))
    change_url = f"/admin/workdays/dayoverride/{days[1].pk}/change/"
    assert first.post(change_url, {**change_form(first, change_url), "is_workday": "on"}).status_code == 302
    refused = second.post(listing, confirm, follow=True)
    assert re.search("所选记录均未删除：“2017年10月8日 上班 国庆节”在您打开此页后已被系统管理员甲（sys1）" + WHEN + "修改（是否工作日）",
                     refused.content.decode())
    assert DayOverride.objects.count() == 2
    confirm = confirmation(second.post(listing, {"action": "delete_selected", "_selected_action": [d.pk for d in days]}))
    assert second.post(listing, confirm).status_code == 302
    assert DayOverride.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="workdays.DayOverride", action=AuditEvent.Action.DELETE).count() == 2


def test_two_security_administrators_on_one_role_grant(town):
    grant = RoleGrant.objects.create(user=town.users["outsider"], role=Role.ASSESSOR, region=town.town)
    first = _admin("sec1", "安全管理员甲", Role.SECURITY_ADMIN)
    second = _admin("sec2", "安全管理员乙", Role.SECURITY_ADMIN)
    url = f"/admin/accounts/rolegrant/{grant.pk}/change/"
    shown_first, shown_second = change_form(first, url), change_form(second, url)
    assert first.post(url, {**shown_first, "region": town.shangxiatang.pk}).status_code == 302
    refused = second.post(url, {**shown_second, "region": town.jijiadun.pk})
    assert re.search("已被安全管理员甲（sec1）" + WHEN + "修改：区划范围 现为“上下塘社区”，您填写的“计家墩村”", refused.content.decode())
    grant.refresh_from_db()
    assert grant.region == town.shangxiatang


def test_a_form_that_does_not_carry_what_it_showed_is_refused(town, sysadmins):
    first, _second = sysadmins
    url = f"/admin/regions/region/{town.jijiadun.pk}/change/"
    bare = {name: value for name, value in change_form(first, url).items()
            if not name.startswith(("initial-", "_zoufang"))}
    refused = first.post(url, {**bare, "name": "计家墩村（甲）"})
    assert "此页缺少打开时的记录内容" in refused.content.decode()
    assert Region.objects.get(pk=town.jijiadun.pk).name == "计家墩村"
    delete_url = f"/admin/regions/region/{town.jijiadun.pk}/delete/"
    refused = first.post(delete_url, {"post": "yes"}, follow=True)
    assert "此页缺少打开时的记录内容，未删除" in refused.content.decode()
    assert Region.objects.filter(pk=town.jijiadun.pk).exists()


def test_every_change_form_sent_back_as_shown_saves_without_a_refusal_or_a_change(town, client):
    """Each field's value as shown reads back equal to the row's: no change form refuses a save nobody raced."""
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    DayOverride.objects.create(date=dt.date(2017, 10, 7), is_workday=False, name="国庆节")
    OfficialYear.objects.create(year=2017, source="国务院办公厅通知")
    documents.issuer_for(town.campaign)
    tokens.issue(town.users["office"], client="测试")
    Phase.objects.create(campaign=town.campaign, key="focus", name="集中走访", starts_on=dt.date(2017, 3, 1))
    CaseCategory.objects.create(campaign=town.campaign, code="1", title="一次走访")
    RoleGrant.objects.create(user=town.users["outsider"], role=Role.ASSESSOR, region=town.town)
    client.force_login(root)
    request = RequestFactory().get("/admin/")
    request.user = root
    saved = []
    for model, model_admin in admin.site._registry.items():  # noqa: SLF001
        obj = model._default_manager.order_by("pk").first()
        if obj is None or not model_admin.has_change_permission(request, obj):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/"
        since = AuditEvent.objects.order_by("seq").last().seq
        shown = change_form(client, url)
        response = client.post(url, shown)
        assert response.status_code == 302, (url, response.content.decode()[:3000])
        # Nothing typed, nothing changed (a stamp such as OfficialYear.imported_at moves with any save).
        changed = {name for event in AuditEvent.objects.filter(seq__gt=since, action=AuditEvent.Action.UPDATE)
                   for name in event.changes}
        assert not changed & set(shown), (url, changed)
        saved.append(model._meta.label)
    assert {"regions.Region", "campaigns.Campaign", "workdays.DayOverride", "auth.User", "accounts.RoleGrant",
            "documents.Issuer", "accounts.ApiToken", "registry.Target"} <= set(saved)


POSTGRES = connection.vendor == "postgresql"


@pytest.mark.skipif(not POSTGRES, reason="row locks are PostgreSQL's; SQLite runs one writer at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_on_postgres_exactly_one_wins(town):
    first = _admin("sys1", "系统管理员甲", Role.SYSADMIN)
    second = _admin("sys2", "系统管理员乙", Role.SYSADMIN)
    url = f"/admin/regions/region/{town.jijiadun.pk}/change/"
    sent = [(first, {**change_form(first, url), "name": "计家墩村（甲）"}),
            (second, {**change_form(second, url), "name": "计家墩村（乙）"})]
    answers: list[Any] = []

    def save(client: Client, data: dict[str, Any]) -> None:
        try:
            answers.append(client.post(url, data).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            answers.append(exc)
        finally:
            connections.close_all()

    # Hold the row from another connection until both saves wait for it, then let them go at once.
    holder = type(connections["default"])({**connections["default"].settings_dict}, alias="default")  # the test database, in a session of its own
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM regions_region WHERE id = %s FOR UPDATE", [town.jijiadun.pk])
            threads = [threading.Thread(target=save, args=args) for args in sent]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 20
            while _waiting_on_locks(holder) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _waiting_on_locks(holder) == 2, answers
            cursor.execute("COMMIT")
        for thread in threads:
            thread.join()
    finally:
        holder.close()
    assert sorted(answers) == [200, 302], answers
    region = Region.objects.get(pk=town.jijiadun.pk)
    assert region.version == 2
    assert region.name in ("计家墩村（甲）", "计家墩村（乙）")
    assert AuditEvent.objects.filter(object_type="regions.Region", action=AuditEvent.Action.UPDATE).count() == 1


def _waiting_on_locks(holder: Any) -> int:
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is otherwise read once
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                       "current_database()")
        return int(cursor.fetchone()[0])

