"""The audit trail is a hash chain: any change, deletion or insertion is found, on SQLite and PostgreSQL."""

import datetime as dt
import hashlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditChain, AuditEvent

POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="the append-only triggers exist on PostgreSQL only")


@contextmanager
def raw_sql() -> Iterator[Any]:
    """SQL as an attacker with direct database access: on PostgreSQL a superuser with triggers switched off."""
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if POSTGRES:
                cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def trail(django_user_model: Any) -> list[AuditEvent]:
    user = django_user_model.objects.create_user("zhang", first_name="张三")
    return [
        audit.record(user, AuditEvent.Action.UPDATE, user, summary=f"第{n}次修改", changes={"地址": [f"旧{n}", f"新{n}"],
                     "when": dt.date(2026, 3, n + 1), "n": n, "ratio": 0.5, "list": (1, "二")})
        for n in range(5)
    ]


def problems() -> list[str]:
    return audit.verify().problems


@pytest.mark.django_db
def test_every_row_is_chained_to_the_one_before(trail):
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False))
    assert rows[2].actor_username == "zhang"
    assert rows[2].actor_name == "张三"
    assert AuditChain.objects.get().last_hash == rows[-1].hash
    assert problems() == []


@pytest.mark.django_db
def test_verify_finds_a_modified_row(trail):
    with raw_sql() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET summary = %s WHERE seq = 3", ["无事发生"])
    assert problems() == ["第 3 条审计记录的内容与校验值不符：该记录被修改或伪造插入。"]


@pytest.mark.django_db
def test_verify_finds_changed_values_in_the_changes(trail):
    with raw_sql() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET changes = %s WHERE seq = 2", ['{"地址": ["旧1", "假"]}'])
    assert "第 2 条审计记录的内容与校验值不符" in problems()[0]


@pytest.mark.django_db
def test_verify_finds_a_deleted_row(trail):
    with raw_sql() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE seq = 2")
    found = problems()
    assert "第 2 至 2 条审计记录缺失（已被删除）。" in found
    assert "第 3 条审计记录与前一条接不上：其前有记录被删除、插入或改动。" in found


@pytest.mark.django_db
def test_verify_finds_the_newest_rows_deleted(trail):
    with raw_sql() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE seq >= 4")
    assert problems() == ["第 4 至 5 条审计记录缺失（链尾被删除）。"]


@pytest.mark.django_db
def test_verify_finds_a_row_inserted_in_the_middle(trail):
    """The attacker renumbers the later rows, inserts one and re-links it; without the key the hashes fail."""
    third = AuditEvent.objects.get(seq=3)
    with raw_sql() as cursor:
        for seq in (5, 4, 3):
            cursor.execute("UPDATE accounts_auditevent SET seq = seq + 1 WHERE seq = %s", [seq])
        forged_hash = hashlib.sha256(b"forged").hexdigest()
        cursor.execute(
            "INSERT INTO accounts_auditevent (seq, at, action, object_type, object_id, summary, changes, prev_hash,"
            " hash, actor_username, actor_name) VALUES (3, %s, 'delete', 'registry.Target', '1', '伪造', '{}', %s, %s,"
            " '', '')", [third.at, AuditEvent.objects.get(seq=2).hash, forged_hash])
        cursor.execute("UPDATE accounts_auditevent SET prev_hash = %s WHERE seq = 4", [forged_hash])
    found = problems()
    assert "第 3 条审计记录的内容与校验值不符：该记录被修改或伪造插入。" in found
    assert "第 4 条审计记录的内容与校验值不符：该记录被修改或伪造插入。" in found


@pytest.mark.django_db
def test_verify_finds_a_row_appended_behind_the_systems_back(trail):
    last = AuditEvent.objects.get(seq=5)
    with raw_sql() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditevent (seq, at, action, object_type, object_id, summary, changes, prev_hash,"
            " hash, actor_username, actor_name) VALUES (6, %s, 'login', 'auth.User', '', '', '{}', %s, %s, '', '')",
            [timezone.now(), last.hash, hashlib.sha256(b"x").hexdigest()])
    found = problems()
    assert "第 6 条审计记录的内容与校验值不符：该记录被修改或伪造插入。" in found
    assert "第 6 条审计记录在链尾（第 5 条）之后：未经系统写入。" in found


@pytest.mark.django_db
def test_the_command_says_so_in_chinese_and_exits_1(trail, capsys):
    call_command("audit", "verify")
    assert "审计链完好：已校验 5 条审计记录" in capsys.readouterr().out
    with raw_sql() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE seq = 1")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "审计链校验未通过" in err
    assert "第 1 至 1 条审计记录缺失（已被删除）。" in err


@pytest.mark.django_db
def test_a_deleted_users_rows_keep_who_it_was(trail, django_user_model):
    django_user_model.objects.get(username="zhang").delete()
    event = AuditEvent.objects.get(seq=3)
    assert event.actor_id is None
    assert event.actor_display == "张三（zhang）［账号已删除］"
    assert problems() == []


@needs_postgres
@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "UPDATE accounts_auditevent SET summary = 'x' WHERE seq = 2",
    "UPDATE accounts_auditevent SET hash = prev_hash WHERE seq = 2",
    "UPDATE accounts_auditevent SET actor_username = 'li' WHERE seq = 2",
    "DELETE FROM accounts_auditevent WHERE seq = 5",
])
def test_postgres_refuses_raw_updates_and_deletes(trail, statement):
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert problems() == []


@needs_postgres
@pytest.mark.django_db
def test_postgres_refuses_every_column_changed_through_the_orm(trail, django_user_model):
    other = django_user_model.objects.create_user("li")
    values = {"seq": 99, "at": timezone.now(), "actor_ref": 7, "actor_username": "li", "actor_name": "李四",
              "action": "read", "object_type": "x", "object_id": "y", "summary": "z", "changes": {"a": 1},
              "prev_hash": "1" * 64, "hash": "2" * 64, "actor": other}
    assert set(values) == {f.name for f in AuditEvent._meta.concrete_fields} - {"id"}
    for name, value in values.items():
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(seq=2).update(**{name: value})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    event = AuditEvent.objects.get(seq=2)
    event.summary = "改"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    assert problems() == []


@pytest.mark.django_db
def test_prune_deletes_only_rows_past_the_retention_and_the_chain_still_verifies(django_user_model, settings):
    user = django_user_model.objects.create_user("wang", first_name="王五")
    now = clock.now()  # the retention counts back from the product's today (a pinned day included)
    for days in (400, 300, 200, 10, 1):
        audit.append(AuditEvent(actor=user, actor_ref=user.pk, actor_username="wang", actor_name="王五",
                                action="read", object_type="registry.Target", summary=f"{days}天前"),
                     at=now - dt.timedelta(days=days))
    settings.ZOUFANG_AUDIT_RETENTION_DAYS = 250
    assert audit.prune(user) == 2
    assert list(AuditEvent.objects.order_by("seq").values_list("summary", flat=True))[:3] == [
        "200天前", "10天前", "1天前"]
    prune_event = AuditEvent.objects.order_by("-seq").first()
    assert prune_event.action == AuditEvent.Action.PRUNE
    assert AuditChain.objects.get().base_seq == 2
    assert problems() == []
    settings.ZOUFANG_AUDIT_RETENTION_DAYS = 180
    assert audit.prune() == 1  # 200 days: past 180, never the 10- and 1-day-old rows
    assert problems() == []
    assert AuditEvent.objects.filter(summary__in=["10天前", "1天前"]).count() == 2


@pytest.mark.django_db
def test_prune_refuses_when_the_chain_is_broken(trail, settings):
    with raw_sql() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET summary = 'x' WHERE seq = 1")
    with pytest.raises(audit.PruneRefused, match="第 1 条"):
        audit.prune()


@pytest.mark.django_db
def test_verify_finds_a_checkpoint_moved_by_hand(trail):
    with raw_sql() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE seq <= 2")
    AuditChain.objects.update(base_seq=2, base_hash=AuditEvent.objects.get(seq=3).prev_hash)
    assert problems() == ["审计链起点（第 2 条）不是由“清理过期审计记录”设定的：起点被改动。"]


@needs_postgres
@pytest.mark.django_db
def test_postgres_refuses_to_delete_a_row_younger_than_180_days_even_when_asked(trail, settings):
    settings.ZOUFANG_AUDIT_RETENTION_DAYS = 180
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot delete"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()


def test_a_retention_under_180_days_stops_start_up():
    env = {"ZOUFANG_AUDIT_RETENTION_DAYS": "90", "DJANGO_SETTINGS_MODULE": "zoufang.settings", "PATH": "/usr/bin"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "ZOUFANG_AUDIT_RETENTION_DAYS must be at least 180" in done.stderr


@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("block", ["atomic", "chained_last"])
def test_concurrent_appends_on_postgres_make_one_valid_chain(django_user_model, block):
    user = django_user_model.objects.create_user("zhao")
    errors: list[BaseException] = []
    opened = transaction.atomic if block == "atomic" else audit.chained_last

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with opened():
                    audit.record(user, AuditEvent.Action.READ, summary=f"线程{n}第{i}次")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 91))
    assert problems() == []


@pytest.mark.django_db
def test_rows_chained_under_a_rotated_key_verify_with_the_fallback(trail, settings):
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-after-rotation-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert "第 1 条审计记录的内容与校验值不符：该记录被修改或伪造插入。" in problems()
    settings.SECRET_KEY_FALLBACKS = [old]
    assert problems() == []


@pytest.mark.django_db
def test_rows_recorded_in_chained_last_are_chained_when_it_ends_in_the_order_recorded(trail, django_user_model):
    user = django_user_model.objects.get(username="zhang")
    with audit.chained_last():
        first = audit.record(user, AuditEvent.Action.CREATE, summary="走访")
        with audit.chained_last():  # an inner block joins the outer one
            second = audit.record(user, AuditEvent.Action.CREATE, summary="问题")
        assert AuditEvent.objects.count() == 5  # nothing written yet: the head is not locked
        assert AuditChain.objects.get().last_seq == 5
    assert (first.seq, second.seq) == (6, 7)
    assert list(AuditEvent.objects.filter(seq__gt=5).order_by("seq").values_list("summary", "prev_hash")) == [
        ("走访", trail[-1].hash), ("问题", first.hash)]
    assert AuditChain.objects.get().last_hash == second.hash
    assert problems() == []


@pytest.mark.django_db
def test_chained_last_chains_nothing_when_its_block_fails(trail, django_user_model):
    user = django_user_model.objects.get(username="zhang")

    def refused_submission() -> None:
        with audit.chained_last():
            audit.record(user, AuditEvent.Action.CREATE, summary="走访")
            raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        refused_submission()
    assert AuditEvent.objects.count() == 5
    assert problems() == []


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_chained_last_leaves_the_head_free_until_its_block_ends(django_user_model):
    """A submission inside chained_last has recorded its rows; another writer appends meanwhile without waiting
    (a lock wait would hit the lock_timeout); the submission's rows are chained after the other's."""
    user = django_user_model.objects.create_user("qian")
    recorded, appended = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def submission() -> None:
        try:
            with audit.chained_last():
                audit.record(user, AuditEvent.Action.CREATE, summary="走访")
                recorded.set()
                assert appended.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def other_writer() -> None:
        try:
            assert recorded.wait(30)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                audit.record(user, AuditEvent.Action.READ, summary="同时的另一条")
            appended.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            appended.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submission), threading.Thread(target=other_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("summary", flat=True)) == ["同时的另一条", "走访"]
    assert problems() == []
