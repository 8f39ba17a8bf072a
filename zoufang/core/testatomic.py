"""A lock taken outside the code's own transaction fails the test (tests only, never the product; decision 0056).

Every pytest-django test runs inside a transaction the test opened (and the shared demo's and each module's
savepoints), so code that needs a transaction of its own and forgot `transaction.atomic` passes there: Django
refuses `select_for_update` only under autocommit, and on SQLite, which has no `FOR UPDATE`, not at all. In
production the same code fails (PostgreSQL), or an advisory lock (core/locks.py) is released as soon as it is taken.

The blocks the harness opened — those open when a test's call, a fixture or a teardown starts, and the ones
`harness_block` opens — are recorded on each connection; a lock taken while the innermost open block is one of
them (or none is open) fails the test, whether or not the code under test catches the error.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

HARNESS = "_zoufang_harness_blocks"  # the connection's atomic blocks the harness opened, outermost first


class OutsideItsTransaction(TransactionManagementError):
    """A row or advisory lock taken where only the tests' own transaction holds it."""


# What the guard found during the current test (from any thread: a live server's too), reported at its end even
# when the code under test caught the error.
found: list[str] = []


def taken() -> list[str]:
    """What the guard found so far in this test, which the test expected (the guard's own tests): no longer reported."""
    messages = list(found)
    found.clear()
    return messages


def check(connection: Any, what: str) -> None:
    """Refuse `what` when `connection` has no atomic block of the code's own open."""
    blocks = connection.atomic_blocks
    if blocks and not any(block is blocks[-1] for block in getattr(connection, HARNESS, ())):
        return
    message = (f"{what} outside a transaction of its own: the code needs transaction.atomic (the test's "
               "transaction hides it; in production it has none)")
    found.append(message)
    raise OutsideItsTransaction(message)


def _as_sql(original: Any) -> Any:
    def as_sql(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        if self.query.select_for_update and self.connection.features.supports_transactions:
            check(self.connection, f"select_for_update on {self.query.model._meta.label if self.query.model else '?'}")
        return original(self, *args, **kwargs)

    as_sql.guarded = True  # type: ignore[attr-defined]
    return as_sql


def _hold(original: Any) -> Any:
    def hold(space: int, key: int, *, shared: bool = False) -> None:
        check(connections[DEFAULT_DB_ALIAS], f"the advisory lock ({space}, {key})")
        original(space, key, shared=shared)

    return hold


@contextmanager
def installed() -> Iterator[None]:
    """The guard on every compiled query and advisory lock, for the run."""
    from zoufang.core import locks

    as_sql, hold = SQLCompiler.as_sql, locks.hold
    SQLCompiler.as_sql = _as_sql(as_sql)  # type: ignore[method-assign]
    locks.hold = _hold(hold)
    try:
        yield
    finally:
        SQLCompiler.as_sql = as_sql  # type: ignore[method-assign]
        locks.hold = hold


@contextmanager
def baseline() -> Iterator[None]:
    """What runs inside (a test's call, a fixture's setup, a teardown) starts with the blocks open now as the
    harness's: a lock needs a block opened inside."""
    kept = [(connection, getattr(connection, HARNESS, ())) for connection in connections.all(initialized_only=True)]
    for connection, _ in kept:
        setattr(connection, HARNESS, tuple(connection.atomic_blocks))
    try:
        yield
    finally:
        for connection, blocks in kept:
            setattr(connection, HARNESS, blocks)


@contextmanager
def harness_block(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """`transaction.atomic` for a fixture's own writes (rolled back or recorded by the harness): a lock the code
    under it takes still needs a block of the code's own."""
    connection = connections[using]
    with transaction.atomic(using=using):
        kept = getattr(connection, HARNESS, ())
        setattr(connection, HARNESS, (*kept, connection.atomic_blocks[-1]))
        try:
            yield
        finally:
            setattr(connection, HARNESS, kept)


def reported(phase: str) -> None:
    """Fail the test with what the guard found in `phase`, even if the code under test caught it."""
    if found:
        messages = list(dict.fromkeys(found))
        found.clear()
        pytest.fail(f"{phase}: " + "; ".join(messages), pytrace=False)


class Guard:
    """The pytest plugin (zoufang/conftest.py registers it): each phase of a test, and each fixture's setup, starts
    from the blocks open then; what the guard found fails the phase."""

    def __init__(self) -> None:
        self._installed = installed()

    def pytest_sessionstart(self) -> None:
        self._installed.__enter__()

    def pytest_sessionfinish(self) -> None:
        self._installed.__exit__(None, None, None)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self) -> Any:
        with baseline():
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self) -> Any:
        with _phase("setup"):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self) -> Any:
        with _phase("call"):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self) -> Any:
        with _phase("teardown"):
            return (yield)


@contextmanager
def _phase(name: str) -> Iterator[None]:
    found.clear()
    with baseline():
        try:
            yield
        finally:
            reported(name)
