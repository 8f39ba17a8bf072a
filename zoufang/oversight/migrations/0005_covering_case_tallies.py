"""The case tallies' node keys cover their counts (issue 11: a unit's case figures read cold).

A unit's kept case read (`figures._kept_case_rows`) finds its rows through `case_tally_node` and
`case_due_tally_node`, then fetched each row from the table: the rows of one unit lie on as many table pages as it
has rows (they are created one node at a time as cases come, and by a rebuild in the recount's order), so a read
with nothing in memory waited for ~20 random pages. On PostgreSQL the two unique constraints now carry the counts
(`UNIQUE (…) INCLUDE (…)`): the read is an index-only scan of one unit's adjacent index entries (the table's pages
are visited only where the visibility map is not set, i.e. rows changed since the last (auto)vacuum). Same names,
same key columns: `INSERT … ON CONFLICT (campaign_id, unit, grouping, key[, day])` still finds them. SQLite keeps
the plain constraints (Django would not create a unique constraint with `include` there at all, so the model
declares the plain one and this migration widens it on PostgreSQL only).

The campaign's own index on each table (the foreign key's) is dropped: the unique key leads with the campaign and
serves every lookup by campaign, and a count's change, which now writes the covering index entry again, has one
index fewer to write.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

TALLY = ("oversight_casetally", "case_tally_node", ("campaign_id", "unit", "grouping", "key"),
         ("total", "registered", "registered_on_time", "dispatched", "done_on_time", "answered", "resolved", "rated",
          "satisfied", "open", "escalated"))
DUE = ("oversight_caseduetally", "case_due_tally_node", ("campaign_id", "unit", "grouping", "key", "day"),
       ("pending", "overdue"))


# Autovacuum sooner than PostgreSQL's default (20 % of the rows changed or inserted): a count's change is no longer a
# HOT update (the index holds the counts), so each leaves an index entry behind and clears its page's visibility bit
# until a vacuum; the tables are small (a city's campaign: ~200,000 rows, a vacuum of them takes milliseconds).
VACUUM_OPTIONS = ("autovacuum_vacuum_scale_factor = 0.02", "autovacuum_vacuum_insert_scale_factor = 0.02")


def _replace(schema_editor: Any, covering: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, name, keys, counts in (TALLY, DUE):
        include = f" INCLUDE ({', '.join(quote(c) for c in counts)})" if covering else ""
        schema_editor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}, ADD CONSTRAINT {quote(name)} "
                              f"UNIQUE ({', '.join(quote(c) for c in keys)}){include}")
        if covering:
            schema_editor.execute(f"ALTER TABLE {quote(table)} SET ({', '.join(VACUUM_OPTIONS)})")
        else:
            schema_editor.execute(f"ALTER TABLE {quote(table)} RESET ({', '.join(o.split()[0] for o in VACUUM_OPTIONS)})")


def covering(apps: Any, schema_editor: Any) -> None:
    _replace(schema_editor, covering=True)


def plain(apps: Any, schema_editor: Any) -> None:
    _replace(schema_editor, covering=False)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_initial'),
        ('oversight', '0004_cadre_order'),
    ]

    operations = [
        migrations.AlterField(
            model_name='casetally',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign'),
        ),
        migrations.AlterField(
            model_name='caseduetally',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign'),
        ),
        migrations.RunPython(covering, plain),
    ]
