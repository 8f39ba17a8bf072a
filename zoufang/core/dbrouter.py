"""Dashboards read from a read replica; everything else, and every write, stays on the primary.

Set `DATABASE_REPLICA_URL` and settings add a `replica` alias (a test mirror of `default` under the test
runner). The router sends a read there only inside `replica_reads()`: the views wrapped with
`@reads_from_replica` (the oversight figures, read-only GET pages and endpoints) run in it. Outside it, or
with no replica configured, it decides nothing and Django's default routing applies: no behaviour change.

Read-your-writes, per request (docs/decisions/0007-read-replica.md):
- only GET and HEAD requests are routed; a form posted to the same view reads and writes on the primary;
- a write inside `replica_reads()` turns the rest of it to the primary (the request's later reads see it);
- a read inside a transaction on the primary stays on the primary (it may follow a write of the same
  transaction, or lock rows);
- an object read from the replica is saved on the primary, and its relations read outside the replica
  context come from the primary.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")


@dataclass
class _Reads:
    wrote: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("zoufang_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica (when there is one) until the first write; nested, it goes on with the
    enclosing one (a write there already sent the rest of the request to the primary)."""
    token = _reads.set(_reads.get() or _Reads())
    try:
        yield
    finally:
        _reads.reset(token)


View = TypeVar("View", bound=Callable[..., Any])


def reads_from_replica(view: View) -> View:
    """A view whose GET and HEAD requests only read: their queries go to the replica."""

    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        reads = _reads.get()
        if (reads is not None and not reads.wrote and replica_configured()
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:  # noqa: SLF001 - Django's own hint
            return DEFAULT_DB_ALIAS
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:  # noqa: SLF001
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
