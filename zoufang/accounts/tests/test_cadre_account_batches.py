"""为全部未开通的干部开通账号 for a town of any size: each request opens one bounded batch (each one-time password is a
PBKDF2 hash, ≈0.2 s of CPU), shows its passwords once to print, and says how many are left with a button to go on;
every cadre gets one account, however the batches are cut or resent."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from zoufang.accounts import cadre_accounts, passwords
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.tests.test_cadre_accounts import keyed
from zoufang.conftest import Town
from zoufang.registry.models import Cadre
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.recorded_templates  # reads response.context

User = get_user_model()
LIST = "/cadre-accounts/"


@pytest.fixture(autouse=True)
def _batches_of_three(monkeypatch: Any) -> None:
    monkeypatch.setattr(cadre_accounts, "OPEN_BATCH", 3)


def _grow(town: Town, count: int) -> list[Cadre]:
    return [CadreFactory(name=f"派出所党员{n:03d}", unit=town.police, sort_order=n) for n in range(count)]


def _office(client: Client, town: Town) -> Client:
    client.force_login(town.users["office"])
    return client


def test_the_whole_town_is_opened_a_batch_at_a_time_each_cadre_once(client, town):
    grown = _grow(town, 7)
    _office(client, town)
    issued: list[Any] = []
    left = []
    for _batch in range(3):
        response = client.post(LIST, keyed({"all": "1"}))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        issued += response.context["issued"]
        left.append(response.context["remaining"])
        text = response.content.decode()
        for row in response.context["issued"]:
            assert row.password in text
    assert left == [4, 1, 0]
    assert [row.cadre.name for row in issued] == [cadre.name for cadre in grown]  # in the list's order, once each
    for row in issued:
        account = Cadre.objects.select_related("user").get(pk=row.cadre.pk).user
        assert account.username == row.username
        assert account.check_password(row.password)
        assert passwords.must_change_password(account)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="auth.User",
                                     object_id__in=[str(row.cadre.user.pk) for row in issued]).count() == 7
    assert not Cadre.objects.filter(unit__region=town.town, user__isnull=True).exists()
    done = client.post(LIST, keyed({"all": "1"}), follow=True)  # nothing left: the list, with a note
    assert "都已有账号" in " ".join(str(m) for m in done.context["messages"])


def test_a_batch_says_how_many_are_left_and_offers_the_next(client, town):
    _grow(town, 7)
    _office(client, town)

    text = client.post(LIST, keyed({"all": "1"})).content.decode()

    assert "本次开通 3 名，还有 4 名干部未开通账号" in text
    assert "继续开通下一批" in text
    assert 'name="all"' in text
    client.post(LIST, keyed({"all": "1"}))
    last = client.post(LIST, keyed({"all": "1"}))
    text = last.content.decode()
    assert "本辖区的走访干部都已开通账号" in text
    assert "继续开通下一批" not in text


def test_a_batch_stops_at_its_time_budget_and_always_opens_one(client, town, monkeypatch):
    """On a loaded server a batch ends before the worker's timeout: the rest stay 未开通 for the next request."""
    _grow(town, 5)
    monkeypatch.setattr(cadre_accounts, "OPEN_SECONDS", 0.0)
    _office(client, town)

    response = client.post(LIST, keyed({"all": "1"}))

    assert len(response.context["issued"]) == 1
    assert response.context["remaining"] == 4
    assert Cadre.objects.filter(unit=town.police, user__isnull=True).count() == 4


def test_ticked_cadres_beyond_a_batch_wait_for_the_next(client, town):
    grown = _grow(town, 5)
    _office(client, town)

    response = client.post(LIST, keyed({"cadre": [str(cadre.public_id) for cadre in grown]}))

    assert [row.cadre.name for row in response.context["issued"]] == [cadre.name for cadre in grown[:3]]
    assert response.context["remaining"] == 2
    assert User.objects.filter(first_name__startswith="派出所党员0").count() == 3
