"""Each unit's town in a column, so the database holds a name once within a town (decision 0032's addendum)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_towns(apps, schema_editor):
    """The town among each unit's region and its ancestors (a materialised path of ids); None above the towns."""
    Region, Unit = apps.get_model("regions", "Region"), apps.get_model("registry", "Unit")
    towns = set(Region.objects.filter(level="town").values_list("pk", flat=True))
    paths = dict(Region.objects.filter(units__isnull=False).values_list("pk", "path").distinct())
    changed = []
    for unit in Unit.objects.filter(region__isnull=False).only("pk", "region_id"):
        ids = [int(part) for part in paths[unit.region_id].split(".") if part]
        unit.town_id = next((i for i in ids if i in towns), None)
        if unit.town_id is not None:
            changed.append(unit)
    Unit.objects.bulk_update(changed, ["town"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0004_region_unique_name_at_top'),
        ('registry', '0007_unit_name_unique_within_town'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='unit',
            name='town',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='所属镇'),
        ),
        migrations.RunPython(fill_towns, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.UniqueConstraint(condition=models.Q(('town__isnull', False)), fields=('town', 'name'), name='unit_unique_name_in_town', violation_error_message='本镇已登记了同名单位'),
        ),
    ]
