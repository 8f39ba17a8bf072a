"""干部账号: a batch's form sent twice (a double click past the busy button, a browser's retry) is that batch again,
never the next one. Its one-time passwords cannot be shown again (only hashes are kept), so they are re-issued in the
same request, audited, and the page says so: no cadre is left with a password nobody has seen."""

import re
import threading
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from zoufang.accounts import cadre_accounts, passwords
from zoufang.accounts.models import AuditEvent, CadreAccountBatch
from zoufang.accounts.tests.test_cadre_account_batches import _grow, _office
from zoufang.conftest import Town
from zoufang.registry.models import Cadre

pytestmark = pytest.mark.recorded_templates  # reads response.context

User = get_user_model()
LIST = "/cadre-accounts/"


@pytest.fixture(autouse=True)
def _batches_of_three(monkeypatch: Any) -> None:
    monkeypatch.setattr(cadre_accounts, "OPEN_BATCH", 3)


def _valid(response: Any) -> list[bool]:
    """For each row of the page, whether the password it shows is the account's password now."""
    return [User.objects.get(username=row.username).check_password(row.password)
            for row in response.context["issued"]]


def test_the_next_batch_sent_twice_is_the_same_batch_with_its_passwords_issued_again(client, town):
    _grow(town, 7)
    _office(client, town)
    form = {"all": "1", "key": str(uuid.uuid4())}

    first = client.post(LIST, form)
    again = client.post(LIST, form)

    assert again.status_code == 200
    assert "no-store" in again["Cache-Control"]
    assert [row.cadre.name for row in again.context["issued"]] == [row.cadre.name for row in first.context["issued"]]
    assert again.context["remaining"] == 4  # no second batch opened
    assert Cadre.objects.filter(unit=town.police, user__isnull=True).count() == 4
    assert _valid(again) == [True] * 3  # the page the browser shows has the passwords that work
    assert _valid(first) == [False] * 3
    text = again.content.decode()
    assert "不能再次显示" in text
    assert "此前显示的初始密码作废" in text
    for row in again.context["issued"]:
        assert row.password in text
        account = User.objects.get(username=row.username)
        assert passwords.must_change_password(account)
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SECURITY, object_id=str(account.pk),
                                         summary__startswith="重复提交的批次").count() == 1
    assert CadreAccountBatch.objects.count() == 1
    assert 'name="key"' in text  # the next batch's form carries a key of its own
    assert str(again.context["key"]) != form["key"]


def test_ticked_cadres_sent_twice_are_the_same_batch_again(client, town):
    grown = _grow(town, 2)
    _office(client, town)
    form = {"action": "open", "cadre": [str(cadre.public_id) for cadre in grown], "key": str(uuid.uuid4())}

    first = client.post(LIST, form)
    again = client.post(LIST, form)

    assert [row.username for row in again.context["issued"]] == [row.username for row in first.context["issued"]]
    assert _valid(again) == [True, True]
    assert User.objects.filter(first_name__startswith="派出所党员0").count() == 2


def test_a_cadre_who_started_using_the_account_keeps_the_password_on_a_retry(client, town):
    _grow(town, 2)
    _office(client, town)
    form = {"all": "1", "key": str(uuid.uuid4())}
    first = client.post(LIST, form)
    started = User.objects.get(username=first.context["issued"][0].username)
    started.set_password("Zf-own-secret-42")
    started.save()
    passwords.require_change(started, required=False)

    again = client.post(LIST, form)

    assert [row.username for row in again.context["issued"]] == [first.context["issued"][1].username]
    assert [cadre.name for cadre in again.context["skipped"]] == ["派出所党员000"]
    assert User.objects.get(pk=started.pk).check_password("Zf-own-secret-42")
    assert "未重设初始密码" in again.content.decode()


def test_the_key_sent_again_with_other_ticks_does_nothing(client, town):
    grown = _grow(town, 3)
    _office(client, town)
    key = str(uuid.uuid4())
    client.post(LIST, {"action": "open", "cadre": [str(grown[0].public_id)], "key": key})

    changed = client.post(LIST, {"action": "open", "cadre": [str(grown[1].public_id)], "key": key}, follow=True)

    assert "勾选有改动：未作办理" in " ".join(str(m) for m in changed.context["messages"])
    assert Cadre.objects.filter(unit=town.police, user__isnull=True).count() == 2


def test_a_form_without_its_key_issues_nothing(client, town):
    _grow(town, 2)
    _office(client, town)

    refused = client.post(LIST, {"all": "1"}, follow=True)

    assert "页面已过期" in " ".join(str(m) for m in refused.context["messages"])
    assert not User.objects.filter(first_name__startswith="派出所党员0").exists()


def test_another_clerks_key_is_not_their_batch(client, town, office_two):
    _grow(town, 2)
    key = str(uuid.uuid4())
    _office(client, town).post(LIST, {"all": "1", "key": key})
    other = Client()
    other.force_login(office_two)

    refused = other.post(LIST, {"all": "1", "key": key}, follow=True)

    assert "未作办理" in " ".join(str(m) for m in refused.context["messages"])
    assert not AuditEvent.objects.filter(actor=office_two, action__in=["create", "update", "security"]).exists()


def test_another_clerks_key_says_whose_form_it_was_not_that_ticks_changed(client, town, office_two):
    """The same ticks under another clerk's key (a shared computer, a page kept across a change of clerk) is not this
    clerk's batch: refused as someone else's or an expired page, nothing issued, never "勾选有改动"."""
    _grow(town, 2)
    form = {"all": "1", "key": str(uuid.uuid4())}
    first = _office(client, town).post(LIST, form)
    other = Client()
    other.force_login(office_two)

    refused = other.post(LIST, form, follow=True)

    said = " ".join(str(m) for m in refused.context["messages"])
    assert "勾选有改动" not in said
    assert "这张表单不是您的页面上的：已由另一位工作人员提交过，或页面已过期。未作办理" in said
    assert _valid(first) == [True, True]  # the first clerk's passwords still work: nothing re-issued
    assert CadreAccountBatch.objects.count() == 1


def test_a_retried_batch_names_an_account_unlinked_meanwhile(client, town):
    """An account the batch opened and the office has since unlinked from its cadre is no longer part of the batch:
    the retry re-issues the others and says so by name, rather than dropping it without a word."""
    _grow(town, 2)
    _office(client, town)
    form = {"all": "1", "key": str(uuid.uuid4())}
    first = client.post(LIST, form)
    unlinked = first.context["issued"][1]
    cadre_accounts.unlink_account(Cadre.objects.get(user__username=unlinked.username), shown=unlinked.username,
                                  by=town.users["office"])

    again = client.post(LIST, form)

    assert [row.username for row in again.context["issued"]] == [first.context["issued"][0].username]
    assert [account.username for account in again.context["gone"]] == [unlinked.username]
    text = again.content.decode()
    assert "已与干部解除关联，不再属于这一批，未重设初始密码" in text
    assert unlinked.username in text
    assert User.objects.get(username=unlinked.username).check_password(unlinked.password)  # not re-issued


@pytest.fixture
def office_two(town: Town) -> Any:
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    return ensure_user("office_two", PASSWORD, role=RoleGrant.Role.OFFICE, region=town.town)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory SQLite test database serves one connection "
                    "at a time; PostgreSQL shows two requests with one key at once")
def test_the_same_batch_sent_twice_at_once_opens_one_batch(town):
    _grow(town, 7)
    form = {"all": "1", "key": str(uuid.uuid4())}
    browsers = [Client(), Client()]  # logged in one after the other: two logins at once are another test's matter
    for browser in browsers:
        browser.force_login(town.users["office"])
    barrier = threading.Barrier(2, timeout=60)
    answers: list[Any] = [None, None]

    def post(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = browsers[i].post(LIST, form)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [200, 200]
    # Read from each page, not response.context: the template signals of two threads' requests mix.
    shown = [re.findall(r'<td class="code">(gb\d+)</td><td class="code nowrap">(\w+)</td>', answer.content.decode())
             for answer in answers]
    assert [len(rows) for rows in shown] == [3, 3]
    assert [username for username, _password in shown[0]] == [username for username, _password in shown[1]]
    assert Cadre.objects.filter(unit=town.police, user__isnull=True).count() == 4  # one batch opened, not two
    assert CadreAccountBatch.objects.count() == 1
    works = [all(User.objects.get(username=name).check_password(password) for name, password in rows)
             for rows in shown]
    again = ['id="batch-again"' in answer.content.decode() for answer in answers]
    assert sorted(works) == [False, True]
    assert again == works  # the batch shown again is the later answer, whose passwords work
