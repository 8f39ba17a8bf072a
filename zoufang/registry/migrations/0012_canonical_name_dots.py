"""Write every stored person's name with the standard's separator dot (decision 0069): 阿卜杜•热合曼 becomes
阿卜杜·热合曼 on households, notable persons and cadres as targets, on enterprises' and projects' contacts and legal
representatives, on cadres and on cases' callers. Each row rewritten is audited and counted.

Nothing is merged or deleted. A cadre whose name, rewritten, is another cadre's of the same unit keeps its name (the
two cannot share one: cadre_unique_name_in_unit); targets of one kind and one place that now share a name may be one
person registered twice. Both are printed for the office to look at."""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

PERSON_KINDS = ("registered_household", "resident_household", "notable_person", "cadre")


def _rewrite(rows, now, db):
    """The rows whose fields change, each saved at its next version, with (row, {field: [old, new]})."""
    from zoufang.core.names import canonical_dots

    changed = []
    for row, names in rows:
        changes = {f: [getattr(row, f), canonical_dots(getattr(row, f))] for f in names}
        changes = {f: pair for f, pair in changes.items() if pair[0] != pair[1]}
        if not changes:
            continue
        for f, (_old, new) in changes.items():
            setattr(row, f, new)
        row.version, row.modified_at = row.version + 1, now
        row.save(using=db, update_fields=[*changes, "version", "modified_at"])
        changed.append((row, changes))
    return changed


def canonical_name_dots(apps, schema_editor):
    from zoufang.core.names import SEPARATOR_DOTS, canonical_dots

    db = schema_editor.connection.alias
    Target, Cadre = apps.get_model("registry", "Target"), apps.get_model("registry", "Cadre")
    Case = apps.get_model("cases", "Case")
    now = timezone.now()

    def having_dots(model, fields):
        """The rows of `model` with any of the dots in one of `fields`: a few, read whole."""
        from django.db.models import Q

        where = Q()
        for f in fields:
            for dot in SEPARATOR_DOTS:
                where |= Q(**{f"{f}__contains": dot})
        return model.objects.using(db).filter(where).order_by("pk")

    contact = ("contact_name", "legal_representative")
    targets = [(t, ("name", *contact) if t.kind in PERSON_KINDS else contact)
               for t in having_dots(Target, ("name", *contact))]
    kept, cadres = [], []
    for cadre in having_dots(Cadre, ("name",)):
        name = canonical_dots(cadre.name)
        if name != cadre.name and Cadre.objects.using(db).filter(unit_id=cadre.unit_id, name=name).exists():
            kept.append((cadre, name))
        else:
            cadres.append((cadre, ("name",)))
    cases = [(case, ("raiser_name",)) for case in having_dots(Case, ("raiser_name",))]
    changed = [(model, row, c) for model, rows in (("registry.Target", targets), ("registry.Cadre", cadres),
                                                   ("cases.Case", cases))
               for row, c in _rewrite(rows, now, db)]
    _audit(apps, db, now, changed)
    twice = _same_name(Target, db, {row.pk for model, row, _c in changed if model == "registry.Target"})
    if not (changed or kept or twice):
        return
    print(f"\n  registry 0012: {len(changed)} record(s) had a name's separator dot written as the standard's · "
          "(audited; decision 0069)")
    for cadre, name in kept:
        print(f"    cadre {cadre.public_id} kept as “{cadre.name}”: “{name}” is another cadre of the same unit; "
              "archive one or tell them apart")
    for (kind, region, name), ids in twice:
        print(f"    {kind} “{name}” registered {len(ids)} times in region {region}: {', '.join(ids)}; "
              "one person twice? nothing was merged")


def _same_name(Target, db, rewritten):
    """Targets of a person's kind and one place sharing a name, one of them rewritten: (kind, region, name) and ids."""
    if not rewritten:
        return []
    keys = set(Target.objects.using(db).filter(pk__in=rewritten, kind__in=PERSON_KINDS)
               .values_list("kind", "region_id", "name"))
    groups = defaultdict(list)
    for kind, region, name, public_id in Target.objects.using(db).filter(
            kind__in=PERSON_KINDS, name__in={name for _k, _r, name in keys}).values_list(
            "kind", "region_id", "name", "public_id").order_by("pk"):
        if (kind, region, name) in keys:
            groups[(kind, region, name)].append(str(public_id))
    return [(key, ids) for key, ids in groups.items() if len(ids) > 1]


def _audit(apps, db, now, changed):
    """One audit row per record rewritten (accounts.audit.chain_in_migration)."""
    from zoufang.accounts.audit import chain_in_migration

    chain_in_migration(apps, db, now, [
        (model, str(row.public_id), changes,
         "升级时统一姓名的间隔点：" + "，".join(f"“{old}”改为“{new}”" for old, new in changes.values()))
        for model, row, changes in changed])


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0011_target_natural_order"),
        ("cases", "0009_case_follows"),
        ("accounts", "0011_cadre_account_batches"),
    ]

    operations = [
        migrations.RunPython(canonical_name_dots, migrations.RunPython.noop),
    ]
