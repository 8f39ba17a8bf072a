"""The work given after a campaign's plan day per node, kind and day given (decision 0042): the behind-pace lists sum
it in SQL beside the kept counts. Filled here for the campaigns that have such work (`given_later_on` after the plan
day), as `counters.recount_later` counts it."""

from collections import defaultdict
from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    from zoufang.oversight.counters import nodes  # the node key spread: a pure function

    Campaign = apps.get_model("campaigns", "Campaign")
    Assignment = apps.get_model("planning", "Assignment")
    GivenLaterTally = apps.get_model("oversight", "GivenLaterTally")
    for campaign in Campaign.objects.filter(given_later_on__isnull=False):
        later = Assignment.objects.filter(campaign=campaign, given_on__isnull=False)
        if campaign.plan_given_on is not None:
            later = later.filter(given_on__gt=campaign.plan_given_on)
        counts: dict[Any, int] = defaultdict(int)
        for kind, path, unit, cadre, day in later.values_list(
                "target__kind", "target__region__path", "unit_id", "cadre_id", "given_on").iterator(10_000):
            for key in nodes(kind, path or "", unit, cadre):
                counts[(*key, day)] += 1
        GivenLaterTally.objects.bulk_create(
            GivenLaterTally(campaign=campaign, kind=kind, region=region, unit=unit, cadre=cadre, given_on=day,
                            assigned=n) for (kind, region, unit, cadre, day), n in sorted(counts.items()))


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_campaign_given_later_on'),
        ('oversight', '0008_cadre_coverage'),
        ('planning', '0009_assignment_given_on'),
    ]

    operations = [
        migrations.CreateModel(
            name='GivenLaterTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=30, verbose_name='对象类型')),
                ('region', models.IntegerField(default=0, verbose_name='区划')),
                ('unit', models.IntegerField(default=0, verbose_name='单位')),
                ('cadre', models.IntegerField(default=0, verbose_name='干部')),
                ('given_on', models.DateField(verbose_name='下达日期')),
                ('assigned', models.IntegerField(default=0, verbose_name='已分配')),
                ('campaign', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
            ],
            options={
                'verbose_name': '追加分配计数',
                'verbose_name_plural': '追加分配计数',
                'indexes': [models.Index(fields=['campaign', 'cadre', 'region', 'unit'], name='later_tally_cadre')],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'region', 'unit', 'cadre', 'kind', 'given_on'), name='later_tally_node')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
