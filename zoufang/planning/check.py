"""The proof: every target of the campaign assigned exactly once, and every visitor at its planned count."""

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.planning.issued import drift_lines
from zoufang.planning.models import Assignment, Quota
from zoufang.planning.quotas import campaign_roles
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

LEFT_OUT_SHOWN = 10  # per kind: enough to find the class of the fault, short enough to read


def check_plan(campaign: Campaign) -> dict[str, Any]:
    """{"targets", "assigned", "unassigned", "duplicated"} per kind, quota violations and rule relaxations."""
    kinds = list(campaign.config.get("target_kinds") or [k.value for k in Target.Kind])
    active = Target.objects.filter(**_active(kinds, campaign))
    targets = dict.fromkeys(kinds, 0) | dict(active.order_by().values_list("kind").annotate(n=Count("id")))
    # Joins only, never `target__in=<subquery>`: excluded, that is a NOT IN subplan PostgreSQL cannot hash
    # within the default work_mem (minutes at a million targets). The strays are what the join leaves out.
    per_target = (Assignment.objects.filter(campaign=campaign, **_active(kinds, campaign, via="target__")).order_by()
                  .values("target_id", "target__kind").annotate(n=Count("id")))
    assigned: dict[str, int] = dict.fromkeys(kinds, 0)
    duplicated: dict[str, int] = dict.fromkeys(kinds, 0)
    joined = 0
    # Counted by the database (per kind: targets held once, targets held more than once, assignments joined),
    # not a row per target into Python: a city's million targets cost one hashed aggregate.
    inner, params = per_target.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute('SELECT p."target__kind", CASE WHEN p."n" = 1 THEN 1 ELSE 0 END, COUNT(*), SUM(p."n") '  # noqa: S608
                       f"FROM ({inner}) AS p GROUP BY 1, 2", params)
        for kind, once, targets_n, assignments_n in cursor.fetchall():
            (assigned if once else duplicated)[kind] += int(targets_n)
            joined += int(assignments_n)  # SUM is numeric on PostgreSQL
    unassigned = {k: targets[k] - assigned[k] - duplicated[k] for k in kinds}
    # Every assignment not joined to an active target is a stray: no anti-join at all, so no plan PostgreSQL
    # could pick on stale statistics (a nested loop over a million rows) makes the proof quadratic.
    stray = Assignment.objects.filter(campaign=campaign).count() - joined
    return {
        "targets": targets, "assigned": assigned, "unassigned": unassigned, "duplicated": duplicated,
        "stray_assignments": stray,
        "left_out": left_out(campaign, active, [k for k in kinds if unassigned[k]]),
        "quota_violations": quota_violations(campaign),
        "relaxations": relaxations(campaign),
        "member_mismatches": member_mismatches(campaign),
        "must_cover": must_cover(campaign),
        # The issued tables against today's registry: reported, never a failure (the tables stay as issued).
        "issued_drift": drift_lines(campaign),
    }


def _active(kinds: list[str], campaign: Campaign, via: str = "") -> dict[str, Any]:
    """The campaign's active targets as filter conditions; with `via="target__"`, an assignment's target, joined."""
    return {f"{via}kind__in": kinds, f"{via}archived_on__isnull": True,
            f"{via}region__path__startswith": campaign.scope.path}


def is_clean(result: dict[str, Any]) -> bool:
    return not failures(result)


def failures(result: dict[str, Any]) -> list[str]:
    """What keeps a plan from proving 不重不漏, one plain sentence each; empty when the plan is proven."""
    found = []
    for kind in result["targets"]:
        label = Target.Kind(kind).label
        if result["unassigned"][kind]:
            places: dict[str, list[str]] = defaultdict(list)
            for row in result["left_out"]:
                if row["kind"] == kind:
                    places[row["village"]].append(row["name"])
            shown = "；".join(f"{village}：{'、'.join(names)}" for village, names in places.items())
            more = _("等") if result["unassigned"][kind] > sum(len(n) for n in places.values()) else ""
            found.append(_("%(kind)s%(n)d个无人走访（%(shown)s%(more)s）")
                         % {"kind": label, "n": result["unassigned"][kind], "shown": shown, "more": more})
        if result["duplicated"][kind]:
            found.append(_("%(kind)s%(n)d个重复分配") % {"kind": label, "n": result["duplicated"][kind]})
    # A must-cover target left unassigned, named (its kind's count above says it too); one only given to a unit
    # (未落实到人) is reported beside the proof, not a failure: an upper-level unit may place its own people later.
    found.extend(must_cover_text(row) for row in result.get("must_cover", []) if row["gap"] == "unassigned")
    if result["stray_assignments"]:
        found.append(_("%(n)d条分配的对象已迁出或不在本活动范围") % {"n": result["stray_assignments"]})
    for v in result["quota_violations"]:
        who = f"{v['unit']} {v['cadre'] or ''}".strip()
        found.append(_("数量不符：%(who)s %(kind)s应为%(planned)d，实为%(assigned)d")
                     % {"who": who, "kind": Target.Kind(v["kind"]).label, "planned": v["planned"],
                        "assigned": v["assigned"]})
    return found


def left_out(campaign: Campaign, active: QuerySet[Target], kinds: list[str]) -> list[dict[str, Any]]:
    """The first targets of each kind that nobody visits, with their village (the town's own: the town's name)."""
    if not kinds:
        return []
    town = campaign.scope
    villages = dict(Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE)
                    .values_list("path", "name"))
    depth = len(next(iter(villages), ""))
    held = Assignment.objects.filter(campaign=campaign, target_id=OuterRef("pk"))  # NOT EXISTS: an anti-join
    found = []
    for kind in kinds:
        for target_id, name, path in (active.filter(~Exists(held), kind=kind)
                                      .order_by("region__path", "address", "id")
                                      .values_list("id", "name", "region__path")[:LEFT_OUT_SHOWN]):
            found.append({"kind": kind, "target_id": target_id, "name": name,
                          "village": villages.get(path[:depth], town.name) if depth else town.name})
    return found


def member_mismatches(campaign: Campaign) -> list[dict[str, Any]]:
    """Departments whose 党员人数 (as their table gave it) is not the party members imported; the plan counts the latter."""
    units = (Unit.objects.filter(kind=Unit.Kind.TOWN_DEPARTMENT, archived_on__isnull=True,
                                 region__path__startswith=campaign.scope.path, party_member_count__isnull=False)
             .annotate(registered=Count("cadres", filter=Q(cadres__archived_on__isnull=True,
                                                           cadres__role=Cadre.Role.PARTY_MEMBER)))
             .order_by("sort_order", "name"))
    return [{"unit": u.name, "stated": u.party_member_count, "registered": u.registered}
            for u in units if u.party_member_count != u.registered]


def member_mismatch_text(row: dict[str, Any]) -> str:
    return _("%(unit)s：党员人数%(stated)d，已导入党员干部%(registered)d人，按%(registered)d人分配") % row


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


def must_cover(campaign: Campaign) -> list[dict[str, Any]]:
    """Each 全覆盖 requirement (the campaign's `full_coverage`) whose targets are not all assigned — or, where it asks
    for 落实到人, not all to a named cadre: how many, and the first few by name and village."""
    # oversight reads planning, not the other way: imported here
    from zoufang.oversight.fullcoverage import TARGETS, requirements, selected

    town = campaign.scope
    villages = dict(Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE)
                    .values_list("path", "name"))
    depth = len(next(iter(villages), ""))
    found = []
    for item in requirements(campaign):
        if item.way != TARGETS:
            continue
        held = Assignment.objects.filter(campaign=campaign, target_id=OuterRef("pk"))
        gaps: list[tuple[str, Any]] = [("unassigned", ~Exists(held))]
        if item.named_cadre:
            gaps.append(("unnamed", Exists(held.filter(cadre__isnull=True))))
        for gap, condition in gaps:
            rows = selected(campaign, item).filter(condition)
            n = rows.count()
            if n:
                first = rows.order_by("region__path", "address", "id").values_list("name", "region__path")
                row = {"key": item.key, "name": item.name, "gap": gap, "count": n, "first": [
                    {"name": name, "village": villages.get(path[:depth], town.name) if depth else town.name}
                    for name, path in first[:LEFT_OUT_SHOWN]]}
                found.append({**row, "text": must_cover_text(row)})
    return found


def must_cover_text(row: dict[str, Any]) -> str:
    places: dict[str, list[str]] = defaultdict(list)
    for target in row["first"]:
        places[target["village"]].append(target["name"])
    shown = "；".join(f"{village}：{'、'.join(names)}" for village, names in places.items())
    more = _("等") if row["count"] > len(row["first"]) else ""
    if row["gap"] == "unnamed":
        return _("全覆盖要求“%(name)s”：%(n)d个只分到单位、未落实到人（%(shown)s%(more)s）") % {
            "name": row["name"], "n": row["count"], "shown": shown, "more": more}
    return _("全覆盖要求“%(name)s”：%(n)d个未分配（%(shown)s%(more)s）") % {
        "name": row["name"], "n": row["count"], "shown": shown, "more": more}
