"""The proof: every target of the campaign assigned exactly once, and every visitor at its planned count."""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Sum

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import Assignment, Quota
from zoufang.planning.quotas import campaign_roles
from zoufang.registry.models import Cadre, Target, Unit


def check_plan(campaign: Campaign) -> dict[str, Any]:
    """{"targets", "assigned", "unassigned", "duplicated"} per kind, quota violations and rule relaxations."""
    kinds = list(campaign.config.get("target_kinds") or [k.value for k in Target.Kind])
    active = Target.objects.filter(kind__in=kinds, archived_on__isnull=True,
                                   region__path__startswith=campaign.scope.path)
    targets = dict.fromkeys(kinds, 0) | dict(active.order_by().values_list("kind").annotate(n=Count("id")))
    per_target = (Assignment.objects.filter(campaign=campaign, target__in=active).order_by()
                  .values("target_id", "target__kind").annotate(n=Count("id")))
    assigned: dict[str, int] = dict.fromkeys(kinds, 0)
    duplicated: dict[str, int] = dict.fromkeys(kinds, 0)
    for row in per_target:
        if row["n"] == 1:
            assigned[row["target__kind"]] += 1
        else:
            duplicated[row["target__kind"]] += 1
    unassigned = {k: targets[k] - assigned[k] - duplicated[k] for k in kinds}
    stray = Assignment.objects.filter(campaign=campaign).exclude(target__in=active).count()
    return {
        "targets": targets, "assigned": assigned, "unassigned": unassigned, "duplicated": duplicated,
        "stray_assignments": stray,
        "quota_violations": quota_violations(campaign),
        "relaxations": relaxations(campaign),
    }


def is_clean(result: dict[str, Any]) -> bool:
    return (not any(result["unassigned"].values()) and not any(result["duplicated"].values())
            and not result["quota_violations"] and not result["stray_assignments"])


def quota_violations(campaign: Campaign) -> list[dict[str, Any]]:
    """Each visitor (cadre, or count-only unit) and each unit whose assigned count differs from the plan."""
    planned: dict[tuple[int, int | None, str], int] = defaultdict(int)
    for unit_id, cadre_id, kind, n in (Quota.objects.filter(campaign=campaign).order_by()
                                       .values_list("unit_id", "cadre_id", "target_kind")
                                       .annotate(n=Sum("count"))):
        planned[(unit_id, cadre_id, kind)] += n
    actual: dict[tuple[int, int | None, str], int] = defaultdict(int)
    for unit_id, cadre_id, kind, n in (Assignment.objects.filter(campaign=campaign, target__archived_on__isnull=True)
                                       .order_by().values_list("unit_id", "cadre_id", "target__kind")
                                       .annotate(n=Count("id"))):
        actual[(unit_id, cadre_id, kind)] += n
    names = dict(Unit.objects.values_list("id", "name"))
    cadres = dict(Cadre.objects.values_list("id", "name"))
    found = []
    unit_planned: dict[tuple[int, str], int] = defaultdict(int)
    unit_actual: dict[tuple[int, str], int] = defaultdict(int)
    for key in sorted(set(planned) | set(actual), key=str):
        unit_planned[(key[0], key[2])] += planned.get(key, 0)
        unit_actual[(key[0], key[2])] += actual.get(key, 0)
        if planned.get(key, 0) != actual.get(key, 0):
            found.append(_violation(names.get(key[0], "?"), cadres.get(key[1]) if key[1] else None, key[2],
                                    planned.get(key, 0), actual.get(key, 0)))
    for unit_key in sorted(set(unit_planned), key=str):
        if unit_planned[unit_key] != unit_actual[unit_key]:
            found.append(_violation(names.get(unit_key[0], "?"), None, unit_key[1], unit_planned[unit_key],
                                    unit_actual[unit_key], level="unit"))
    return found


def _violation(unit: str, cadre: str | None, kind: str, planned: int, assigned: int,
               level: str = "visitor") -> dict[str, Any]:
    return {"level": level, "unit": unit, "cadre": cadre, "kind": kind, "planned": planned, "assigned": assigned,
            "problem": "shortfall" if assigned < planned else "excess"}


def relaxations(campaign: Campaign) -> list[dict[str, Any]]:
    """Planned counts outside the campaign's per-person rule (a decided table can force them); reported, not failed."""
    roles = campaign_roles(campaign.config)
    rules = {Cadre.Role.TOWN_LEADER: roles.leader, Cadre.Role.PARTY_MEMBER: roles.department}
    found = []
    rows = (Quota.objects.filter(campaign=campaign, cadre__isnull=False).order_by()
            .values_list("cadre_id", "cadre__name", "cadre__role", "unit__name", "target_kind")
            .annotate(n=Sum("count")))
    for _cadre_id, name, role, unit, kind, n in rows:
        bounds = roles.per_person(rules.get(role), kind)
        if bounds is None:
            continue
        low, high = bounds
        if n < low or (high is not None and n > high):
            found.append({"unit": unit, "cadre": name, "kind": kind, "planned": n,
                          "rule": f"{low}" if low == high else f"{low}-{high or ''}"})
    return sorted(found, key=lambda r: (r["unit"], r["cadre"], r["kind"]))
