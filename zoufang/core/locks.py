"""Transaction-scoped locks that make two kinds of writes of one campaign take turns.

PostgreSQL: an advisory lock `(space, key)` held until the transaction ends (each module that needs one names
its own `space`, so different modules' locks never wait on each other). SQLite needs none: its transactions are
IMMEDIATE (settings.py), holding the database's one write lock from their first statement to their end.
"""

from django.db import connection


def hold(space: int, key: int, *, shared: bool = False) -> None:
    """Wait for, then hold until this transaction ends, the lock `(space, key)`: exclusive, or shared with other
    shared holders. Must be called inside a transaction (an autocommit statement would release it at once)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [space, key])
