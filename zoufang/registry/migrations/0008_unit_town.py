"""Each unit's town in a column, so the database holds a name once within a town (decision 0032's addendum).

A database written before may already hold one name twice within a town (a town's 综治办 and a village's, or two
villages' 综治办, registered past the validation that alone held it then): those units are renamed after their
region before the constraint is added, each rename audited and printed (decision 0032's second addendum).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

NAME_LENGTH = 100


def _ids(path):
    return [int(part) for part in path.split(".") if part]


def fill_towns(apps, schema_editor):
    """The town among each unit's region and its ancestors (a materialised path of ids); None above the towns."""
    db = schema_editor.connection.alias
    Region, Unit = apps.get_model("regions", "Region"), apps.get_model("registry", "Unit")
    towns = set(Region.objects.using(db).filter(level="town").values_list("pk", flat=True))
    paths = dict(Region.objects.using(db).filter(units__isnull=False).values_list("pk", "path").distinct())
    changed = []
    for unit in Unit.objects.using(db).filter(region__isnull=False).only("pk", "region_id"):
        unit.town_id = next((i for i in _ids(paths[unit.region_id]) if i in towns), None)
        if unit.town_id is not None:
            changed.append(unit)
    Unit.objects.using(db).bulk_update(changed, ["town"], batch_size=500)


def renamed(name, unit, regions, taken):
    """The first of “名称（村名）”, “名称（村名/组名）”, “名称（村名·编号）” no unit the town sees already has."""
    region, path = regions[unit.region_id], _ids(regions[unit.region_id].path)
    below_town = [regions[i].name for i in path[path.index(unit.town_id) + 1:]]
    for where in (region.name, "/".join(below_town), f"{region.name}·{unit.pk}"):
        suffix = f"（{where}）"
        candidate = name[:NAME_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise RuntimeError(f"unit {unit.pk}: no free name for {name!r}")  # the last candidate holds the unique pk


def rename_clashing_units(apps, schema_editor):
    """Units that share a name within one town: the town's own keeps it, each other one is named after its region.

    Nothing is merged: cadres, assignments and cases stay on the unit they were on. Each rename is an audit row
    (no actor, changes name old → new) and a line on the operator's screen."""
    db = schema_editor.connection.alias
    Region, Unit = apps.get_model("regions", "Region"), apps.get_model("registry", "Unit")
    clashes = list(Unit.objects.using(db).filter(town__isnull=False).values("town_id", "name")
                   .annotate(units=models.Count("pk")).filter(units__gt=1).order_by())
    if not clashes:
        return
    towns = {clash["town_id"] for clash in clashes}
    shared = set(Unit.objects.using(db).filter(town__isnull=True).values_list("name", flat=True))
    taken = {town: shared | set(Unit.objects.using(db).filter(town_id=town).values_list("name", flat=True))
             for town in towns}
    units = list(Unit.objects.using(db).filter(
        models.Q(*[models.Q(town_id=c["town_id"], name=c["name"]) for c in clashes], _connector=models.Q.OR)))
    paths = {r.path for r in Region.objects.using(db).filter(pk__in={u.region_id for u in units})}
    regions = {r.pk: r for r in Region.objects.using(db).filter(pk__in={i for p in paths for i in _ids(p)})}
    # In Python, not by the database's collation: the same names on SQLite and PostgreSQL alike.
    units.sort(key=lambda u: (u.town_id, u.name, regions[u.region_id].path, u.pk))
    now, renames = timezone.now(), []
    for unit in units:
        if unit.region_id == unit.town_id:
            continue  # the town's own unit (one at most: unique within a region) keeps the name its tables use
        old, unit.name = unit.name, renamed(unit.name, unit, regions, taken[unit.town_id])
        taken[unit.town_id].add(unit.name)
        unit.version, unit.modified_at = unit.version + 1, now
        renames.append((unit, old, regions[unit.town_id].name))
    Unit.objects.using(db).bulk_update([u for u, _, _ in renames], ["name", "version", "modified_at"])
    _audit(apps, db, now, renames)
    if schema_editor.connection.vendor == "postgresql":
        # Rows updated twice in one transaction queue deferred foreign-key checks, and PostgreSQL refuses the
        # constraint's CREATE INDEX that follows while any are pending: run them now (as core.crypto does).
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    print(f"\n  registry 0008: {len(renames)} unit(s) shared a name within a town and were renamed "
          "(audited; decision 0032's second addendum):")
    for unit, old, town in renames:
        print(f"    {town}: {old} -> {unit.name}")


def _audit(apps, db, now, renames):
    """One audit row per rename (accounts.audit.chain_in_migration)."""
    from zoufang.accounts.audit import chain_in_migration

    chain_in_migration(apps, db, now, [
        ("registry.Unit", str(unit.public_id), {"name": [old, unit.name]},
         f"升级时改名：{town}内有不止一个单位叫“{old}”，本单位改为“{unit.name}”（镇本级的单位保留原名）")
        for unit, old, town in renames])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_audit_chain_and_append_only'),
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
        migrations.RunPython(rename_clashing_units, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.UniqueConstraint(condition=models.Q(('town__isnull', False)), fields=('town', 'name'), name='unit_unique_name_in_town', violation_error_message='本镇已登记了同名单位'),
        ),
    ]
