"""The kept order of the by-cadre table (decision 0011): each cadre's assigned over the kinds, each unit's cadres
holding assignments, and the node of the assignments given to no cadre, counted from the coverage tallies there."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Sum


def backfill(apps: Any, schema_editor: Any) -> None:
    CoverageTally = apps.get_model("oversight", "CoverageTally")
    quote = schema_editor.connection.ops.quote_name
    tally = quote(CoverageTally._meta.db_table)
    cadres = quote(apps.get_model("oversight", "CadreTally")._meta.db_table)
    units = quote(apps.get_model("oversight", "UnitCadres")._meta.db_table)
    campaigns = CoverageTally.objects.filter(region=0, unit=0, cadre=0).values_list("campaign_id", flat=True).distinct()
    for campaign_id in campaigns:
        given = {row["kind"]: (row["a"], row["v"]) for row in CoverageTally.objects.filter(
            campaign_id=campaign_id, region=0, cadre__gt=0).values("kind").annotate(a=Sum("assigned"), v=Sum("visited"))
            .order_by()}
        for row in CoverageTally.objects.filter(campaign_id=campaign_id, region=0, unit=0, cadre=0):
            assigned, visited = given.get(row.kind, (0, 0))
            if row.assigned - assigned or row.visited - visited:
                CoverageTally.objects.create(campaign_id=campaign_id, kind=row.kind, region=0, unit=0, cadre=-1,
                                             assigned=row.assigned - assigned, visited=row.visited - visited)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {cadres} (campaign_id, unit, cadre, assigned) "  # noqa: S608
                       f"SELECT campaign_id, unit, cadre, SUM(assigned) FROM {tally} WHERE region = 0 AND cadre > 0 "
                       "GROUP BY campaign_id, unit, cadre HAVING SUM(assigned) > 0")
        cursor.execute(f"INSERT INTO {units} (campaign_id, unit, cadres) "  # noqa: S608
                       f"SELECT campaign_id, unit, COUNT(*) FROM {cadres} GROUP BY campaign_id, unit")


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_initial'),
        ('oversight', '0003_case_tallies'),
    ]

    operations = [
        migrations.CreateModel(
            name='CadreTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('unit', models.IntegerField(verbose_name='单位')),
                ('cadre', models.IntegerField(verbose_name='干部')),
                ('assigned', models.IntegerField(default=0, verbose_name='已分配')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': '干部分配计数',
                'verbose_name_plural': '干部分配计数',
                'constraints': [models.UniqueConstraint(fields=('campaign', 'unit', 'cadre'), name='cadre_tally_node')],
            },
        ),
        migrations.CreateModel(
            name='UnitCadres',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('unit', models.IntegerField(verbose_name='单位')),
                ('cadres', models.IntegerField(default=0, verbose_name='干部数')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': '单位干部数',
                'verbose_name_plural': '单位干部数',
                'constraints': [models.UniqueConstraint(fields=('campaign', 'unit'), name='unit_cadres_node')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
