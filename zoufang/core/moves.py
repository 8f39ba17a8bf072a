"""What changes when kept counts follow rows: each row's recorded contribution against its contribution now.

Kept counts (oversight.case_counters, ratings.tallies) record per counted row what it adds to its tallies. A
change reads the recorded contributions (row-locked), computes the new ones, and moves the difference: the old
contribution subtracted, the new one added, and the record deleted, created or rewritten. `moves` is that
comparison, the one place it is made; the callers spread the deltas over their own tallies, then `Moves.store`
writes their records to match.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connections, router, transaction
from django.db.models import Model

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Moves(Generic[K, V]):
    gone: list[K] = field(default_factory=list)  # counted before, not now: delete the record
    created: list[tuple[K, V]] = field(default_factory=list)  # counted now, not before: write a record
    changed: list[tuple[K, V]] = field(default_factory=list)  # counted both times, differently: rewrite it

    def store(self, model: type[Model], key: str, kept_rows: Mapping[K, Model],
              fields: Callable[[V], dict[str, Any]]) -> None:
        """Write the records to match: `model`'s row per id (its `key` column), `kept_rows` the rows read (locked)
        before, `fields(contribution)` a record's columns."""
        if self.gone:
            model._default_manager.filter(**{f"{key}__in": self.gone}).delete()
        if self.created:
            model._default_manager.bulk_create([model(**{key: pk}, **fields(part)) for pk, part in self.created],
                                               batch_size=2000)
        changed = []
        for pk, part in self.changed:
            row = kept_rows[pk]
            for name, value in fields(part).items():
                setattr(row, name, value)
            changed.append(row)
        if changed:
            _rewrite(model, changed, list(fields(self.changed[0][1])))


def _rewrite(model: type[Model], rows: list[Model], names: list[str]) -> None:
    """`bulk_update(rows, names)` as one statement run for each row (executemany): the same rows written by their
    primary key, without the CASE … WHEN per row and column that bulk_update has Django compile on every call (a
    case's transition changes one counted row, and the compilation cost more than the rest of its counting)."""
    meta = model._meta
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    columns = [field for field in meta.concrete_fields if field.attname in names or field.name in names]
    if len(columns) != len(names):
        raise ValueError(f"{model.__name__} has no column of each of {names}")
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(c.column)} = %s' for c in columns)} "  # noqa: S608
           f"WHERE {quote(meta.pk.column)} = %s")
    params = [[*(c.get_db_prep_save(getattr(row, c.attname), db) for c in columns), meta.pk.get_db_prep_save(row.pk, db)]
              for row in rows]
    with transaction.atomic(using=db.alias, savepoint=False), db.cursor() as cursor:
        cursor.executemany(sql, params)


def moves(ids: Iterable[K], before: Mapping[K, V], now: Mapping[K, V], spread: Callable[[V, int], None]) -> Moves[K, V]:
    """Compare each id's contribution recorded (`before`) with its contribution now; `spread(part, sign)` is
    called with -1 for each contribution that goes and +1 for each that comes, so the caller adds the
    difference to its tallies. An id whose contribution did not change costs nothing."""
    found: Moves[K, V] = Moves()
    for key in ids:
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        if old is not None:
            spread(old, -1)
        if new is None:
            found.gone.append(key)
            continue
        spread(new, +1)
        (found.changed if old is not None else found.created).append((key, new))
    return found
