"""A cadre's own nominations said who nominated as the product's umbrella word, 走访干部, where the top bar names
the same person by the seed's role (部门党员干部, 镇党政领导, 村（社区）干部). Stored nominations say the nominating
cadre's role as new ones do (exemplars.access.cadre_as); the audit trail keeps what it recorded."""

from typing import Any

from django.db import migrations

UMBRELLA = "走访干部"
ROLES = {"town_leader": "镇党政领导", "party_member": "部门党员干部", "village_cadre": "村（社区）干部"}


def say_the_cadres_role(apps: Any, schema_editor: Any = None) -> int:
    """Each stored 走访干部 rewritten as its nominator's cadre's role; returns how many (a cadre of no such role, or
    an account no longer linked to a cadre, keeps the umbrella word)."""
    exemplar_model = apps.get_model("exemplars", "Exemplar")
    cadre_model = apps.get_model("registry", "Cadre")
    changed = 0
    for exemplar in exemplar_model.objects.filter(nominated_as=UMBRELLA).only("pk", "created_by_id").iterator():
        role = cadre_model.objects.filter(user_id=exemplar.created_by_id).values_list("role", flat=True).first()
        if role in ROLES:
            changed += exemplar_model.objects.filter(pk=exemplar.pk).update(nominated_as=ROLES[role])
    return changed


class Migration(migrations.Migration):

    dependencies = [
        ("exemplars", "0003_one_live_nomination_per_source_and_kind"),
        ("registry", "0012_canonical_name_dots"),
    ]

    operations = [migrations.RunPython(say_the_cadres_role, migrations.RunPython.noop, elidable=True)]
