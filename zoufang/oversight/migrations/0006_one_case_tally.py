"""The case results' dated counts move into CaseTally: one node key, one range per unit read (issue 11).

A unit's kept case read summed its `CaseTally` rows and its `CaseDueTally` rows of the days before today: two index
ranges, so a read with nothing in memory waited for a leaf page of each node key. Now a node's timeless results are
its `CaseTally` row of `day` 0001-01-01 (`models.TIMELESS_DAY`) and its dated counts (`pending`, `overdue`) its rows
of their deadline days: the read is one range of `case_tally_node`, `day < today`. A case change writes one
statement instead of two.

The dated rows are copied as they are (their timeless counts 0); on PostgreSQL the widened key carries every count
(`UNIQUE … INCLUDE`, as migration 0005 made it). A campaign whose cases were never counted (a database migrated from
before 0003, whose backfill now happens here) is counted afresh with `case_counters.rebuild`. Reversible: the dated
rows go back to a `CaseDueTally` table.
"""

import datetime
from typing import Any

from django.db import migrations, models

TIMELESS = ("total", "registered", "registered_on_time", "dispatched", "done_on_time", "answered", "resolved", "rated",
            "satisfied", "open", "escalated")
DUE = ("pending", "overdue")
NODE = ("campaign_id", "unit", "grouping", "key")
VACUUM_OPTIONS = ("autovacuum_vacuum_scale_factor = 0.02", "autovacuum_vacuum_insert_scale_factor = 0.02")


def _cover(schema_editor: Any, table: str, keys: tuple[str, ...], counts: tuple[str, ...]) -> None:
    """On PostgreSQL the node key carries the counts (migration 0005's reason)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    name = {"oversight_casetally": "case_tally_node", "oversight_caseduetally": "case_due_tally_node"}[table]
    schema_editor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}, ADD CONSTRAINT {quote(name)} "
                          f"UNIQUE ({', '.join(quote(c) for c in keys)}) INCLUDE ({', '.join(quote(c) for c in counts)})")
    schema_editor.execute(f"ALTER TABLE {quote(table)} SET ({', '.join(VACUUM_OPTIONS)})")


def _columns(schema_editor: Any, names: tuple[str, ...]) -> str:
    return ", ".join(schema_editor.quote_name(n) for n in names)


def merge(apps: Any, schema_editor: Any) -> None:
    _cover(schema_editor, "oversight_casetally", (*NODE, "day"), (*TIMELESS, *DUE))
    schema_editor.execute(
        f"INSERT INTO oversight_casetally ({_columns(schema_editor, (*NODE, 'day', *DUE, *TIMELESS))}) "
        f"SELECT {_columns(schema_editor, (*NODE, 'day', *DUE))}, {', '.join(['0'] * len(TIMELESS))} "
        "FROM oversight_caseduetally")


def count_uncounted(apps: Any, schema_editor: Any) -> None:
    """Count the cases of every campaign none of whose cases is counted (migration 0003's backfill, moved here)."""
    Campaign = apps.get_model("campaigns", "Campaign")
    Case = apps.get_model("cases", "Case")
    CaseCounted = apps.get_model("oversight", "CaseCounted")
    uncounted = (Case.objects.exclude(campaign__in=CaseCounted.objects.values("campaign"))
                 .values_list("campaign", flat=True).distinct())
    if uncounted:
        from zoufang.oversight import case_counters  # today's code: the schema is this migration's

        for campaign_id in Campaign.objects.filter(pk__in=list(uncounted)).values_list("pk", flat=True):
            case_counters.rebuild(campaign_id)


def split(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(
        f"INSERT INTO oversight_caseduetally ({_columns(schema_editor, (*NODE, 'day', *DUE))}) "
        f"SELECT {_columns(schema_editor, (*NODE, 'day', *DUE))} FROM oversight_casetally WHERE day <> '0001-01-01'")
    schema_editor.execute("DELETE FROM oversight_casetally WHERE day <> '0001-01-01'")
    _cover(schema_editor, "oversight_caseduetally", (*NODE, "day"), DUE)


def uncover(apps: Any, schema_editor: Any) -> None:
    """Backwards, last: 0005's covering node key of CaseTally again."""
    _cover(schema_editor, "oversight_casetally", NODE, TIMELESS)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_initial'),
        ('cases', '0005_upper_office_statuses'),
        ('oversight', '0005_covering_case_tallies'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, uncover),
        migrations.RemoveConstraint(
            model_name='casetally',
            name='case_tally_node',
        ),
        migrations.AddField(
            model_name='casetally',
            name='day',
            field=models.DateField(default=datetime.date(1, 1, 1), verbose_name='办理期限'),
        ),
        migrations.AddField(
            model_name='casetally',
            name='pending',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='casetally',
            name='overdue',
            field=models.IntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name='casetally',
            constraint=models.UniqueConstraint(fields=('campaign', 'unit', 'grouping', 'key', 'day'), name='case_tally_node'),
        ),
        migrations.RunPython(merge, split),
        migrations.RunPython(count_uncounted, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='CaseDueTally',
        ),
    ]
