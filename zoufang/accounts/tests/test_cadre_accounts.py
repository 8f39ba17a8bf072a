"""干部账号: the office opens accounts for its own town's cadres and links existing ones, within the separation of
duties — no role granted, nothing across towns, each change audited, a retry changing nothing twice."""

import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from zoufang.accounts import passwords
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator, ensure_user
from zoufang.conftest import PASSWORD, Town, _region
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.recorded_templates  # reads response.context

User = get_user_model()
LIST = "/cadre-accounts/"


@pytest.fixture
def cadres(town: Town) -> dict[str, Any]:
    """Two of 派出所's party members without an account; 周庄镇 next door with its own office and cadre."""
    zhouzhuang = _region("周庄镇", Region.Level.TOWN, town.town.parent)
    unit = Unit.objects.create(name="周庄镇党政办", kind=Unit.Kind.TOWN_DEPARTMENT, region=zhouzhuang)
    return {
        "zhang": CadreFactory(name="派出所党员乙", unit=town.police, role=Cadre.Role.PARTY_MEMBER),
        "li": CadreFactory(name="派出所党员丙", unit=town.police, role=Cadre.Role.PARTY_MEMBER),
        "other": CadreFactory(name="周庄党员甲", unit=unit, role=Cadre.Role.PARTY_MEMBER),
        "other_office": ensure_user("zz_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=zhouzhuang),
        "zhouzhuang": zhouzhuang,
    }


def keyed(form: dict[str, Any]) -> dict[str, Any]:
    """The form as a freshly shown page sends it: with a key of its own (a batch's key, cadre_batches)."""
    return {**form, "key": str(uuid.uuid4())}


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _row(client: Client, cadre: Cadre, action: str, **data: str) -> Any:
    return client.post(f"{LIST}{cadre.public_id}/", {"action": action, **data}, follow=True)


def _texts(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_it_opens_accounts_with_one_time_passwords_that_must_change_at_first_login(client, town, cadres):
    office = town.users["office"]
    page = _as(client, office).get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "派出所党员乙" in text
    assert "周庄党员甲" not in text

    response = client.post(LIST, keyed({"cadre": [str(cadres["zhang"].public_id), str(cadres["li"].public_id)]}))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    issued = {row.cadre.name: row for row in response.context["issued"]}
    assert set(issued) == {"派出所党员乙", "派出所党员丙"}
    for name, row in issued.items():
        cadre = Cadre.objects.select_related("user").get(name=name)
        assert cadre.user.username == row.username
        assert row.password in response.content.decode()
        assert cadre.user.check_password(row.password)
        assert cadre.user.first_name == name
        assert passwords.must_change_password(cadre.user)  # changed at first login
        assert not RoleGrant.objects.filter(user=cadre.user).exists()  # no role: the cadre's own list only
        assert not cadre.user.is_staff
        assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="auth.User",
                                         object_id=str(cadre.user.pk), actor=office).exists()
        linked = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(cadre.public_id))
        assert linked.changes == {"user": [None, row.username]}
    # The cadre logs in with it and is sent to change it first.
    fresh = Client()
    mine = issued["派出所党员乙"]
    assert fresh.post("/login/", {"username": mine.username, "password": mine.password}).status_code == 302
    assert fresh.get("/me/")["Location"].startswith("/account/password/")


def test_a_retry_opens_nothing_twice(client, town, cadres):
    _as(client, town.users["office"])
    chosen = {"cadre": [str(cadres["zhang"].public_id)]}
    first = client.post(LIST, keyed(chosen))
    again = client.post(LIST, keyed(chosen))  # from another page (a second clerk's): its own key

    assert len(first.context["issued"]) == 1
    assert again.context["issued"] == []
    assert [c.name for c in again.context["skipped"]] == ["派出所党员乙"]
    assert "未重复开通" in again.content.decode()
    assert User.objects.filter(first_name="派出所党员乙").count() == 1
    everyone = client.post(LIST, keyed({"all": "1"}))  # 派出所党员丙 only: every other cadre of the town has one
    assert [row.cadre.name for row in everyone.context["issued"]] == ["派出所党员丙"]
    assert client.post(LIST, keyed({"all": "1"}), follow=True).redirect_chain  # none left: back to the list with a note


def test_it_links_and_unlinks_an_existing_account_audited_and_idempotent(client, town, cadres):
    _as(client, town.users["office"])
    outsider, zhang = town.users["outsider"], cadres["zhang"]

    response = _row(client, zhang, "link", username="outsider", shown="")
    assert "已把账号“outsider”关联到" in _texts(response)
    zhang.refresh_from_db()
    assert zhang.user == outsider
    _row(client, zhang, "link", username="outsider", shown="outsider")  # the same again: nothing new
    rows = AuditEvent.objects.filter(object_id=str(zhang.public_id))
    assert list(rows.values_list("changes", flat=True)) == [{"user": [None, "outsider"]}]

    response = _row(client, zhang, "unlink", shown="outsider")
    zhang.refresh_from_db()
    assert zhang.user is None
    assert "已解除" in _texts(response)
    assert rows.count() == 2
    assert rows.first().changes == {"user": ["outsider", None]}
    _row(client, zhang, "unlink", shown="")
    assert rows.count() == 2


def test_another_towns_cadre_is_not_there(client, town, cadres):
    _as(client, town.users["office"])
    other = cadres["other"]
    assert _row(client, other, "link", username="outsider", shown="").status_code == 404
    opened = client.post(LIST, keyed({"cadre": [str(other.public_id), "not-a-uuid"]}), follow=True)
    assert "请先勾选" in _texts(opened)
    other.refresh_from_db()
    assert other.user is None
    assert not AuditEvent.objects.filter(object_id=str(other.public_id)).exists()


@pytest.mark.parametrize("persona", ["leader", "dept", "village", "auditor", "outsider"])
def test_no_other_role_has_the_page(client, town, cadres, persona):
    _as(client, town.users[persona])
    assert client.get(LIST).status_code == 404
    assert client.post(LIST, {"all": "1"}).status_code == 404
    assert _row(client, cadres["zhang"], "link", username="outsider").status_code == 404
    assert f'href="{LIST}"' not in client.get("/").content.decode()  # not offered (the home page may name it)


def test_the_administrators_have_no_page_either(client, town, cadres):
    sysadmin = ensure_administrator("sys", PASSWORD, full_name="系统管理员", role=RoleGrant.Role.SYSADMIN)
    _as(client, sysadmin)
    assert client.get(LIST).status_code == 404


def test_it_refuses_accounts_beyond_the_offices_area(client, town, cadres):
    office = town.users["office"]
    _as(client, office)
    zhang = cadres["zhang"]
    ensure_user("zz_cadre", PASSWORD, cadre=cadres["other"])
    ensure_administrator("sys", PASSWORD, full_name="系统管理员", role=RoleGrant.Role.SYSADMIN)
    User.objects.create_superuser("root", "", PASSWORD)
    refusals = {
        "zz_office": "本辖区以外的授权",  # another town's office
        "zz_cadre": "其他镇的走访干部",  # another town's cadre, not named
        "sys": "管理员不接触走访对象",
        "root": "管理员不接触走访对象",
        "office": "不能把自己的账号",
        "dept": "已关联派出所党员甲（派出所）",  # a cadre of this town: named, to be unlinked first
        "nobody": "没有名为“nobody”的可用账号",
    }
    for username, why in refusals.items():
        response = _row(client, zhang, "link", username=username, shown="")
        assert why in _texts(response), username
    assert "周庄党员甲" not in _texts(_row(client, zhang, "link", username="zz_cadre", shown=""))
    zhang.refresh_from_db()
    assert zhang.user is None
    assert not AuditEvent.objects.filter(object_id=str(zhang.public_id)).exists()
    # A town leader's account (a role in this town, granted by the security administrator) may be linked.
    leader = ensure_user("leader2", PASSWORD, role=RoleGrant.Role.LEADER, region=town.town)
    _row(client, zhang, "link", username="leader2", shown="")
    zhang.refresh_from_db()
    assert zhang.user == leader


def test_a_page_shown_before_another_clerks_change_saves_nothing(client, town, cadres):
    zhang = cadres["zhang"]
    ensure_user("clerk2", PASSWORD, role=RoleGrant.Role.OFFICE, region=town.town)
    _as(Client(), User.objects.get(username="clerk2")).post(
        f"{LIST}{zhang.public_id}/", {"action": "link", "username": "outsider", "shown": ""})
    _as(client, town.users["office"])

    response = _row(client, zhang, "link", username="dept2", shown="")  # the page still showed no account

    assert "已由他人改为“outsider”" in _texts(response)
    response = _row(client, zhang, "unlink", shown="")
    assert "已由他人改为“outsider”" in _texts(response)
    zhang.refresh_from_db()
    assert zhang.user.username == "outsider"


def test_a_lost_one_time_password_is_reissued_until_its_owner_changes_it(client, town, cadres):
    _as(client, town.users["office"])
    zhang = cadres["zhang"]
    first = client.post(LIST, keyed({"cadre": [str(zhang.public_id)]})).context["issued"][0]

    again = _row(client, zhang, "reissue", shown=first.username)

    second = again.context["issued"][0]
    account = User.objects.get(username=first.username)
    assert second.password != first.password
    assert account.check_password(second.password)
    assert passwords.must_change_password(account)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SECURITY, object_id=str(account.pk)).count() == 1
    passwords.require_change(account, required=False)  # the owner logged in and chose their own
    refused = _row(client, zhang, "reissue", shown=first.username)
    assert "已由本人启用" in _texts(refused)
    account.refresh_from_db()
    assert account.check_password(second.password)
    # Nor an account the office did not open: the leader's (a role grant) or one never set to change.
    refused = _row(client, Cadre.objects.get(name="王文"), "reissue", shown="leader")
    assert "已由本人启用" in _texts(refused)


def test_the_cadre_without_an_account_is_told_who_links_it(client, town):
    """我的走访 is not offered to an account without a cadre (404, as every page a role has no use for): its home
    page says who links it, naming the account."""
    _as(client, town.users["outsider"])
    assert client.get("/me/").status_code == 404
    text = client.get("/").content.decode()
    assert "干部账号" in text
    assert "走访办" in text
    assert "outsider" in text
