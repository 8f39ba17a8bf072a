"""A department table stored by `plan table` before it went through the imports page was one source per count
column (“附件4-1（户籍户口）”, “附件4-1（外来常住户）”); it is now one source (“附件4-1”) holding every kind. Renamed
here, or re-importing the table would be refused as a second copy of the blocks the old names hold."""

from django.db import migrations

COLUMNS = ("户籍户口", "外来常住户", "走访企业数")
UNIT_TABLES = ("unit_households", "unit_enterprises")


def one_source_per_table(apps, schema_editor):
    FixedQuota = apps.get_model("planning", "FixedQuota")
    for quota in FixedQuota.objects.filter(table__in=UNIT_TABLES).order_by("pk"):
        base, _sep, column = quota.source.removesuffix("）").rpartition("（")
        if not base or column not in COLUMNS or not quota.source.endswith("）"):
            continue
        taken = FixedQuota.objects.filter(campaign_id=quota.campaign_id, source=base, row_number=quota.row_number,
                                          part=quota.part, target_kind=quota.target_kind).exists()
        if not taken:
            FixedQuota.objects.filter(pk=quota.pk).update(source=base)


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0007_fixed_quota_per_kind"),
    ]

    operations = [
        migrations.RunPython(one_source_per_table, migrations.RunPython.noop),
    ]
