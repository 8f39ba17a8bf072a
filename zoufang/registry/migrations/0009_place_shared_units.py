"""Place each regionless unit at the region its campaigns share, where two cities share the database (decision
0032, addendum h8): a regionless unit then reaches no campaign, so the 市府办 昆山's towns hand cases to must lie at
昆山市. Nothing moves in an installation of one tree, where a regionless unit still reaches every campaign."""

from django.db import migrations
from django.utils import timezone

TOWN_AND_BELOW = {"town", "village", "group", "grid"}


def _ids(path):
    return [int(part) for part in path.split(".") if part]


def _common(paths):
    """The longest path every one of `paths` lies under."""
    parts = [_ids(p) for p in paths]
    common = []
    for step in zip(*parts, strict=False):
        if len(set(step)) != 1:
            break
        common.append(step[0])
    return common


def place_shared_units(apps, schema_editor):
    db = schema_editor.connection.alias
    Region, Unit = apps.get_model("regions", "Region"), apps.get_model("registry", "Unit")
    if Region.objects.using(db).filter(parent__isnull=True).count() < 2:
        return
    Case, FixedQuota = apps.get_model("cases", "Case"), apps.get_model("planning", "FixedQuota")
    Quota, Assignment = apps.get_model("planning", "Quota"), apps.get_model("planning", "Assignment")
    CallbackBatch = apps.get_model("callbacks", "CallbackBatch")
    levels = dict(Region.objects.using(db).values_list("pk", "level"))
    now, placed, left = timezone.now(), [], []
    for unit in Unit.objects.using(db).filter(region__isnull=True).order_by("name", "pk"):
        scopes = set()
        for model, field in ((FixedQuota, "units"), (Quota, "unit"), (Assignment, "unit"), (Case, "unit"),
                             (Case, "co_handlers"), (CallbackBatch, "caller")):
            scopes |= set(model.objects.using(db).filter(**{field: unit})
                          .values_list("campaign__scope__path", flat=True).distinct())
        common = _common(scopes) if scopes else []
        while common and levels.get(common[-1]) in TOWN_AND_BELOW:
            common.pop()  # a shared body lies above the towns it serves, not in one of them
        target = common[-1] if common else None
        if target is None or Unit.objects.using(db).filter(region_id=target, name=unit.name).exists():
            left.append(unit)
            continue
        unit.region_id, unit.town_id, unit.version, unit.modified_at = target, None, unit.version + 1, now
        unit.save(using=db, update_fields=["region", "town", "version", "modified_at"])
        placed.append((unit, Region.objects.using(db).get(pk=target).name))
    _audit(apps, db, now, placed)
    print(f"\n  registry 0009: {len(placed)} regionless unit(s) placed at the region their campaigns share "
          "(audited; decision 0032, addendum h8):")
    for unit, region in placed:
        print(f"    {unit.name} -> {region}")
    if left:
        print("  left without a region (no campaign, or its name taken there): they reach no campaign until an "
              "administrator sets their region: " + ", ".join(u.name for u in left))


def _audit(apps, db, now, placed):
    """One audit row per unit placed (accounts.audit.chain_in_migration)."""
    from zoufang.accounts.audit import chain_in_migration

    chain_in_migration(apps, db, now, [
        ("registry.Unit", str(unit.public_id), {"region": [None, region]},
         f"升级时设定所属区划：“{unit.name}”原无所属区划，按使用它的走访活动设为“{region}”，只提供给该区划内的走访活动")
        for unit, region in placed])


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0008_unit_town"),
        ("cases", "0008_case_request_key"),
        ("planning", "0008_department_table_one_source"),
        ("callbacks", "0003_batch_request_key"),
    ]

    operations = [
        migrations.RunPython(place_shared_units, migrations.RunPython.noop),
    ]
