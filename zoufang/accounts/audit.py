"""The audit trail: one function every action calls, and the hash chain that shows no row was changed.

Every row carries `prev_hash` (the previous row's `hash`) and `hash`, an HMAC-SHA256 over a canonical
serialisation of the row (its position `seq`, time, the actor's id, username and name at the time, the
action, the object, the summary, the changes and `prev_hash`). The key is derived from SECRET_KEY, which
never lives in the database: someone who can write to the database but not read the server's settings
cannot forge a row or re-chain the rows after the one they changed. Old keys in SECRET_KEY_FALLBACKS
still verify the rows written under them.

Appends are serialised by locking the chain's head row (SELECT … FOR UPDATE on PostgreSQL; SQLite
serialises every write already), so concurrent writers never fork the chain; the head's count and hash
show when the newest rows were deleted. An audited action pays three queries: lock, then head and insert
sent together (two round trips on PostgreSQL, core.pipeline).

A write that many users make at once (a visit submission) records inside `chained_last()`: its rows wait in
the block and are chained all together when it ends, by the transaction's last statements (lock, one insert,
head), so the head is held for those and the commit only, not for the whole write — and N rows still cost
three queries (decision 0009, docs/decisions/0009-shared-rows-written-last.md), one more insert for every
INSERT_BATCH rows past the first (an import's one row per record changed, decision 0033).
"""

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.models import AUDIT_RETENTION_FLOOR_DAYS, GENESIS_HASH, AuditChain, AuditEvent
from zoufang.core.pipeline import sent_together
from zoufang.core.rawrows import Inserts
from zoufang.registry.identifiers import mask_id_number, mask_phone

KEY_SALT = "zoufang.accounts.audit.chain"
HEAD_PK = 1
INSERT_BATCH = 500  # rows an insert carries: an import's thousands of rows within every database's parameter limit

# Personal identifiers the trail keeps only masked, as lists show them: it must not become a second copy of the
# registry's numbers. Every writer of a field's old and new values passes them through `masked`.
MASKERS = {"id_number": mask_id_number, "phone": mask_phone}

# The rows recorded inside `chained_last()`, waiting to be chained when it ends; None outside one.
_waiting: ContextVar[list[AuditEvent] | None] = ContextVar("zoufang_audit_waiting", default=None)


def record(
    actor: Any, action: str, obj: models.Model | None = None, *, object_type: str = "", summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = str(getattr(obj, "public_id", None) or obj.pk)
    else:
        object_id = ""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=user,
        actor_ref=user.pk if user is not None else None,
        actor_username=user.get_username() if user is not None else "",
        actor_name=user.get_full_name() if user is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        # As the database will give it back (dates as text, tuples as lists), so the hash verifies later.
        changes=json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder)),
    )
    waiting = _waiting.get()
    if waiting is not None:
        waiting.append(event)  # chained when the enclosing `chained_last()` ends
        return event
    return append(event)


def masked(name: str, value: Any) -> Any:
    """A field's value as the trail keeps it: an ID or phone number (field `name`) masked, anything else as is."""
    if name in MASKERS and isinstance(value, str) and value:
        return MASKERS[name](value)
    return value


def append(event: AuditEvent, *, at: dt.datetime | None = None) -> AuditEvent:
    """Chain `event` after the newest row and save it. `at` is for loading history (and tests); else now."""
    _chain([event], at=at)
    return event


def _chain(events: list[AuditEvent], *, at: dt.datetime | None = None) -> None:
    """Chain `events` in order after the newest row: lock the head, insert them in one statement, move the head."""
    with transaction.atomic(savepoint=False):
        seq, prev = _locked_position()
        moment = at or clock.now()
        for event in events:
            seq += 1
            event.seq, event.at, event.prev_hash = seq, moment, prev
            event.hash = prev = digest(event)
        # The head moves first, in the rows' round trip (core.pipeline): one fewer while every writer waits on it.
        with sent_together():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {_head_table()} SET last_seq = %s, last_hash = %s WHERE id = %s",  # noqa: S608
                               [seq, prev, HEAD_PK])
            for start in range(0, len(events), INSERT_BATCH):
                _EVENTS.save(events[start:start + INSERT_BATCH])


_EVENTS = Inserts(AuditEvent)  # one statement written once per process for any number of rows (core.rawrows)


def _head_table() -> str:
    return connection.ops.quote_name(AuditChain._meta.db_table)


def _locked_position() -> tuple[int, str]:
    """The head's count and hash, its row locked until the caller's transaction ends: in plain SQL, as every
    audited write asks it (a visit submission among them) and a queryset's compilation cost more than the lock."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_head_table()} WHERE id = %s{lock}", [HEAD_PK])  # noqa: S608
        found = cursor.fetchone()
    if found is None:  # the first audited write of an installation creates the head
        head = locked_head()
        return head.last_seq, head.last_hash
    return int(found[0]), str(found[1])


@contextmanager
def chained_last() -> Iterator[None]:
    """A transaction whose audit rows are chained by its last statements, so the head stays locked only briefly.

    The block runs in `transaction.atomic()`; `record` inside it keeps its rows (not yet saved: no `seq`, `hash`
    or `pk`) and they are chained, in the order recorded, when the block ends without an exception; an exception
    leaves none. A block inside another joins it. Make no other write after it in the same transaction, or that
    write holds the head too; and record nothing inside a savepoint that is rolled back while the block goes on
    (its rows would still be chained).
    """
    with transaction.atomic():
        if _waiting.get() is not None:
            yield  # the outer block chains them
            return
        waiting: list[AuditEvent] = []
        token = _waiting.set(waiting)
        try:
            yield
        finally:
            _waiting.reset(token)
        if waiting:
            _chain(waiting)


def locked_head() -> AuditChain:
    """The chain's head row, locked until the caller's transaction ends; created on first use."""
    head = AuditChain.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-seq").first()
    try:
        with transaction.atomic():
            AuditChain.objects.create(
                pk=HEAD_PK, last_seq=last.seq if last else 0, last_hash=last.hash if last else GENESIS_HASH,
            )
    except IntegrityError:
        pass  # another writer created it first
    return AuditChain.objects.select_for_update().get(pk=HEAD_PK)


def chain_in_migration(apps: Any, db: str, at: dt.datetime, rows: list[tuple[str, str, dict[str, Any], str]]) -> None:
    """A data migration's own audit rows — (object_type, object_id, changes, summary), the upgrade their actor —
    chained after the newest row as `append` chains every other, through the migration's historical models on the
    database it migrates (registry 0008's renames, 0009's placements)."""
    events, chain = apps.get_model("accounts", "AuditEvent"), apps.get_model("accounts", "AuditChain")
    head = chain.objects.using(db).select_for_update().filter(pk=1).first()
    if head is None:
        last = events.objects.using(db).order_by("-seq").first()
        head = chain.objects.using(db).create(pk=1, last_seq=last.seq if last else 0,
                                              last_hash=last.hash if last else GENESIS_HASH)
    seq, prev = head.last_seq, head.last_hash
    for object_type, object_id, changes, summary in rows:
        seq += 1
        event = events(seq=seq, at=at, actor=None, actor_ref=None, actor_username="", actor_name="",
                       action=AuditEvent.Action.UPDATE, object_type=object_type, object_id=object_id,
                       prev_hash=prev, changes=changes, summary=summary[:300])
        event.hash = prev = digest(event)
        event.save(using=db)
    head.last_seq, head.last_hash = seq, prev
    head.save(using=db, update_fields=["last_seq", "last_hash"])


def canonical(event: Any) -> bytes:
    """The bytes the hash covers; works on a model instance or a migration's historical one."""
    at = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        event.seq, at, event.actor_ref, event.actor_username, event.actor_name, event.action, event.object_type,
        event.object_id, event.summary, event.changes, event.prev_hash,
    ]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      cls=DjangoJSONEncoder).encode()


def digest(event: Any, secret: str | bytes | None = None) -> str:
    return salted_hmac(KEY_SALT, canonical(event), secret=secret or settings.SECRET_KEY, algorithm="sha256").hexdigest()


def _hash_matches(event: AuditEvent) -> bool:
    return any(constant_time_compare(digest(event, secret), event.hash)
               for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS])


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


@dataclass
class Verification:
    checked: int = 0
    first_seq: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> Verification:
    """Walk the chain from its checkpoint to its head; name every changed, missing or inserted row."""
    result = Verification()
    head = AuditChain.objects.filter(pk=HEAD_PK).first()
    if head is None:
        if AuditEvent.objects.exists():
            result.problems.append(_("审计链头记录缺失，无法确认最新一条审计记录。"))
        head = AuditChain(pk=HEAD_PK)
    _check_checkpoint(head, result)
    expected_seq, expected_prev = head.base_seq + 1, head.base_hash
    result.first_seq = expected_seq
    for event in AuditEvent.objects.filter(seq__gt=head.base_seq).order_by("seq").iterator(chunk_size=2000):
        result.checked += 1
        if event.seq > expected_seq:
            result.problems.append(_("第 %(first)d 至 %(last)d 条审计记录缺失（已被删除）。")
                                   % {"first": expected_seq, "last": event.seq - 1})
        if event.prev_hash != expected_prev:
            result.problems.append(_("第 %(seq)d 条审计记录与前一条接不上：其前有记录被删除、插入或改动。")
                                   % {"seq": event.seq})
        if not _hash_matches(event):
            result.problems.append(_("第 %(seq)d 条审计记录的内容与校验值不符：该记录被修改或伪造插入。")
                                   % {"seq": event.seq})
        if event.seq > head.last_seq:
            result.problems.append(_("第 %(seq)d 条审计记录在链尾（第 %(last)d 条）之后：未经系统写入。")
                                   % {"seq": event.seq, "last": head.last_seq})
        expected_seq, expected_prev = event.seq + 1, event.hash
    if expected_seq - 1 < head.last_seq:
        result.problems.append(_("第 %(first)d 至 %(last)d 条审计记录缺失（链尾被删除）。")
                               % {"first": expected_seq, "last": head.last_seq})
    elif expected_prev != head.last_hash:
        result.problems.append(_("最新一条审计记录（第 %(seq)d 条）与链头登记的校验值不符。") % {"seq": head.last_seq})
    result.last_seq, result.last_hash = head.last_seq, head.last_hash
    return result


def _check_checkpoint(head: AuditChain, result: Verification) -> None:
    """A checkpoint other than the genesis must be the one the latest chained prune recorded."""
    if head.base_seq == 0 and head.base_hash == GENESIS_HASH:
        return
    prune = AuditEvent.objects.filter(action=AuditEvent.Action.PRUNE).order_by("-seq").first()
    recorded = prune.changes if prune is not None else {}
    if recorded.get("base_seq") != head.base_seq or recorded.get("base_hash") != head.base_hash:
        result.problems.append(_("审计链起点（第 %(seq)d 条）不是由“清理过期审计记录”设定的：起点被改动。")
                               % {"seq": head.base_seq})


def retention_days() -> int:
    days = settings.ZOUFANG_AUDIT_RETENTION_DAYS
    if days < AUDIT_RETENTION_FLOOR_DAYS:
        raise ImproperlyConfigured(f"ZOUFANG_AUDIT_RETENTION_DAYS must be at least {AUDIT_RETENTION_FLOOR_DAYS}")
    return days


class PruneRefused(Exception):
    """The chain does not verify: deleting rows now would destroy the evidence."""


def prune(by: Any = None) -> int:
    """Delete the oldest rows past the retention, a prefix of the chain, and move the checkpoint after them.

    Refuses while the chain does not verify. The move is itself a chained row, which `verify` checks the
    checkpoint against. Returns how many rows were deleted.
    """
    cutoff = clock.now() - dt.timedelta(days=retention_days())
    with transaction.atomic():
        head = locked_head()
        check = verify()
        if not check.ok:
            raise PruneRefused("\n".join(check.problems))
        first_kept = (AuditEvent.objects.filter(seq__gt=head.base_seq, at__gte=cutoff)
                      .order_by("seq").values_list("seq", flat=True).first())
        through = first_kept - 1 if first_kept is not None else head.last_seq
        if through <= head.base_seq:
            return 0
        last = AuditEvent.objects.get(seq=through)
        deleted, _counts = AuditEvent.objects.filter(seq__gt=head.base_seq, seq__lte=through).delete()
        AuditChain.objects.filter(pk=head.pk).update(base_seq=through, base_hash=last.hash, base_at=last.at)
        record(by, AuditEvent.Action.PRUNE, object_type="accounts.AuditEvent",
               summary=_("清理保存期（%(days)d 天）之前的审计记录 %(count)d 条，至第 %(seq)d 条")
               % {"days": retention_days(), "count": deleted, "seq": through},
               changes={"base_seq": through, "base_hash": last.hash, "base_at": last.at, "deleted": deleted,
                        "cutoff": cutoff})
    return deleted
