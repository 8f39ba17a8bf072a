"""A cadre's counts by kind over every unit, one row a cadre (decision 0018): the whole campaign's behind-pace
cadres are read from them rather than grouped from the coverage tallies, and here counted from those tallies."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    CadreCoverage = apps.get_model("oversight", "CadreCoverage")
    quote = schema_editor.connection.ops.quote_name
    tally = quote(apps.get_model("oversight", "CoverageTally")._meta.db_table)
    kinds = [field.name.removesuffix("_assigned") for field in CadreCoverage._meta.fields
             if field.name.endswith("_assigned")]
    columns = [column for kind in kinds for column in (f"{kind}_assigned", f"{kind}_visited")]
    sums = [f"SUM(CASE WHEN kind = %s THEN {count} ELSE 0 END)" for kind in kinds for count in ("assigned", "visited")]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(CadreCoverage._meta.db_table)} (campaign_id, cadre, {', '.join(columns)}) "  # noqa: S608
                       f"SELECT campaign_id, cadre, {', '.join(sums)} FROM {tally} WHERE region = 0 AND cadre > 0 "
                       "GROUP BY campaign_id, cadre", [kind for kind in kinds for _count in (1, 2)])


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_initial'),
        ('oversight', '0007_cadre_tally_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='CadreCoverage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cadre', models.IntegerField(verbose_name='干部')),
                ('registered_household_assigned', models.IntegerField(default=0, verbose_name='户籍户·已分配')),
                ('registered_household_visited', models.IntegerField(default=0, verbose_name='户籍户·已走访')),
                ('resident_household_assigned', models.IntegerField(default=0, verbose_name='非户籍常住户·已分配')),
                ('resident_household_visited', models.IntegerField(default=0, verbose_name='非户籍常住户·已走访')),
                ('enterprise_assigned', models.IntegerField(default=0, verbose_name='企业·已分配')),
                ('enterprise_visited', models.IntegerField(default=0, verbose_name='企业·已走访')),
                ('project_assigned', models.IntegerField(default=0, verbose_name='项目·已分配')),
                ('project_visited', models.IntegerField(default=0, verbose_name='项目·已走访')),
                ('notable_person_assigned', models.IntegerField(default=0, verbose_name='名士·已分配')),
                ('notable_person_visited', models.IntegerField(default=0, verbose_name='名士·已走访')),
                ('cadre_assigned', models.IntegerField(default=0, verbose_name='干部·已分配')),
                ('cadre_visited', models.IntegerField(default=0, verbose_name='干部·已走访')),
                ('campaign', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': '干部覆盖计数',
                'verbose_name_plural': '干部覆盖计数',
                'constraints': [models.UniqueConstraint(fields=('campaign', 'cadre'), name='cadre_coverage_node')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
