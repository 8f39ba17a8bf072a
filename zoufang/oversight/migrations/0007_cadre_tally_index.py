"""Kept coverage rows found by the cadre first (issue 11's 干部·按类型 and 落后单位 lines; issue 14: a request that
shows one person's work costs what it shows).

The node key (campaign, region, unit, cadre, kind) puts the cadre last but the kind. A cadre's standing (我的走访,
`figures.cadre_standing`) reads the cadre's rows, (0, unit, cadre), without knowing the units, and the behind-pace
units read the units' rows, (0, unit, 0): both could only narrow to the campaign's region-0 rows, so PostgreSQL
went through every unit and cadre row of the campaign (153,002 rows at the 10 M bench: 26 ms for one cadre).
`tally_cadre (campaign, cadre, region, unit)` finds the one cadre's rows, and the 3,002 rows of cadre 0 and region 0.
The campaign's own index goes (both keys lead with it). A count's change writes no indexed column.

On PostgreSQL the table keeps 30 % of each page free (fillfactor 70): a visit changes about eleven tally rows, and a
change can stay on its row's page (a HOT update, no new entry in any of the three indexes) only while that page has
room. `counters.rebuild_tallies` writes a campaign's rows in `tally_cadre`'s order, so the whole campaign's cadres
(the behind-pace list) are read from adjacent pages: at the 10 M bench 105 ms before, 55 ms after a rebuild, and
60 ms after 60 % of the cadres' rows had changed (every change HOT; with full pages, 65 ms after 20 %).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def room_on_each_page(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE oversight_coveragetally SET (fillfactor = 70)")


def full_pages(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE oversight_coveragetally RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_initial'),
        ('oversight', '0006_one_case_tally'),
    ]

    operations = [
        migrations.AlterField(
            model_name='coveragetally',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign'),
        ),
        migrations.AddIndex(
            model_name='coveragetally',
            index=models.Index(fields=["campaign", "cadre", "region", "unit"], name="tally_cadre"),
        ),
        migrations.RunPython(room_on_each_page, full_pages),
    ]
