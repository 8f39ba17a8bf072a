"""干部账号: the office re-issues the one-time passwords of the cadres it ticks (a page of them at most), in batches
as accounts are opened: at most OPEN_BATCH a request, shown once, each re-issue audited, the change forced at first
login; accounts their owners started, with a role, or none at all are left alone and named."""

import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from zoufang.accounts import cadre_accounts, passwords
from zoufang.accounts.models import AuditEvent
from zoufang.conftest import Town
from zoufang.registry.models import Cadre
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.recorded_templates  # reads response.context

User = get_user_model()
LIST = "/cadre-accounts/"


@pytest.fixture(autouse=True)
def _batches_of_three(monkeypatch: Any) -> None:
    monkeypatch.setattr(cadre_accounts, "OPEN_BATCH", 3)


def _opened(client: Client, town: Town, count: int) -> list[Cadre]:
    """`count` cadres of 派出所 with accounts opened (waiting for their first login), the office logged in."""
    grown = [CadreFactory(name=f"派出所党员{n:03d}", unit=town.police, sort_order=n) for n in range(count)]
    client.force_login(town.users["office"])
    for start in range(0, count, 3):
        client.post(LIST, {"action": "open", "key": str(uuid.uuid4()),
                           "cadre": [str(cadre.public_id) for cadre in grown[start:start + 3]]})
    return list(Cadre.objects.filter(pk__in=[cadre.pk for cadre in grown]).select_related("user").order_by("sort_order"))


def _reissue(client: Client, cadres: list[Cadre], **extra: Any) -> Any:
    return client.post(LIST, {"action": "reissue", "key": str(uuid.uuid4()),
                              "cadre": [str(cadre.public_id) for cadre in cadres], **extra})


def test_ticked_cadres_get_new_one_time_passwords_shown_once_and_audited(client, town):
    cadres = _opened(client, town, 2)
    before = {cadre.user.pk: cadre.user.password for cadre in cadres}

    response = _reissue(client, cadres)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert [row.cadre.name for row in response.context["issued"]] == ["派出所党员000", "派出所党员001"]
    for row in response.context["issued"]:
        account = User.objects.get(username=row.username)
        assert account.password != before[account.pk]
        assert account.check_password(row.password)
        assert row.password in text
        assert passwords.must_change_password(account)
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SECURITY, object_id=str(account.pk),
                                         actor=town.users["office"], summary__contains="重设初始密码").exists()
    assert "继续开通下一批" not in text


def test_accounts_in_use_with_a_role_or_none_are_left_alone_and_named(client, town):
    cadres = _opened(client, town, 2)
    started = cadres[0].user
    started.set_password("Zf-own-secret-42")
    started.save()
    passwords.require_change(started, required=False)
    without = CadreFactory(name="派出所党员无号", unit=town.police, sort_order=99)
    leader = Cadre.objects.get(name="王文")  # the demo's leader: a role beside the cadre link

    response = _reissue(client, [*cadres, without, leader])

    assert [row.cadre.name for row in response.context["issued"]] == ["派出所党员001"]
    assert {cadre.name for cadre in response.context["skipped"]} == {"派出所党员000", "派出所党员无号", "王文"}
    assert User.objects.get(pk=started.pk).check_password("Zf-own-secret-42")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SECURITY, object_id=str(started.pk)).exists()
    assert "未重设初始密码" in response.content.decode()


def test_beyond_a_batch_the_rest_wait_behind_the_printed_box(client, town):
    cadres = _opened(client, town, 5)

    response = _reissue(client, cadres)

    assert [row.cadre.name for row in response.context["issued"]] == [cadre.name for cadre in cadres[:3]]
    assert [cadre.name for cadre in response.context["batch"].left] == [cadre.name for cadre in cadres[3:]]
    text = response.content.decode()
    assert "勾选的干部中还有 2 名未重设" in text
    assert 'name="printed" value="1" required' in text
    for cadre in cadres[3:]:
        assert f'name="cadre" value="{cadre.public_id}"' in text
    rest = _reissue(client, cadres[3:], printed="1")
    assert [row.cadre.name for row in rest.context["issued"]] == [cadre.name for cadre in cadres[3:]]
    assert rest.context["batch"].left == []


def test_a_reissue_sent_twice_shows_the_same_batch(client, town):
    cadres = _opened(client, town, 2)
    form = {"action": "reissue", "key": str(uuid.uuid4()), "cadre": [str(cadre.public_id) for cadre in cadres]}

    client.post(LIST, form)
    again = client.post(LIST, form)

    assert [row.cadre.name for row in again.context["issued"]] == ["派出所党员000", "派出所党员001"]
    assert all(User.objects.get(username=row.username).check_password(row.password)
               for row in again.context["issued"])
    assert "不能再次显示" in again.content.decode()


def test_the_list_offers_a_box_for_each_cadre_it_can_open_or_reissue(client, town):
    cadres = _opened(client, town, 1)
    waiting = CadreFactory(name="派出所党员未开", unit=town.police, sort_order=50)

    text = client.get(LIST).content.decode()

    assert f'form="picked" name="cadre" value="{cadres[0].public_id}"' in text
    assert f'form="picked" name="cadre" value="{waiting.public_id}"' in text
    leader = Cadre.objects.get(name="王文")
    assert f'form="picked" name="cadre" value="{leader.public_id}"' not in text  # a role beside: not the office's
    assert "为勾选的干部重设初始密码" in text
    assert 'data-pick-all="picked"' in text


def test_a_reissue_ticked_on_a_page_drawn_before_another_clerk_changed_the_account_does_nothing(client, town):
    cadres = _opened(client, town, 2)
    shown = {f"shown-{cadre.public_id}": cadre.user.username for cadre in cadres}
    # Another clerk unlinks the first cadre's account and opens a new one for it: its one-time password handed out.
    cadre_accounts.unlink_account(cadres[0], shown=cadres[0].user.username, by=town.users["office"])
    client.post(LIST, {"action": "open", "key": str(uuid.uuid4()), "cadre": [str(cadres[0].public_id)]})
    opened = Cadre.objects.select_related("user").get(pk=cadres[0].pk).user
    passwords_now = {cadre.pk: User.objects.get(pk=cadre.user.pk).password for cadre in cadres}

    response = _reissue(client, cadres, **shown)

    assert response.status_code == 302
    said = [str(message) for message in client.get(LIST).context["messages"]]
    assert said == [f"{cadres[0].name}的登录账号已由他人改为“{opened.username}”（页面上是“{cadres[0].user.username}”），"
                    "未作修改，请核对后再办理。"]
    assert User.objects.get(pk=opened.pk).password == opened.password
    assert User.objects.get(pk=cadres[1].user.pk).password == passwords_now[cadres[1].pk]
    # The page drawn again shows each ticked cadre's account: re-issued then, as asked.
    page = client.get(LIST).content.decode()
    assert f'name="shown-{cadres[0].public_id}" value="{opened.username}"' in page
    assert _reissue(client, cadres, **{**shown, f"shown-{cadres[0].public_id}": opened.username}).status_code == 200
