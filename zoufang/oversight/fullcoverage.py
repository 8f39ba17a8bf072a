"""全覆盖 (seed 000 §二(一) “四个全覆盖”): the campaign's `full_coverage` requirements, each checked and drilled into.

Three kinds of requirement (docs/campaign-format.md): every village linked to a town leader and a unit
(`villages_linked`); every target of a selection assigned, given to a named cadre where asked, and visited
(`targets`); one arranged outside the campaign (`arranged_outside`), shown with who arranges it and not counted.
The figures, their rows and their tables are defined here once; the dashboard, the city page, the API and the
xlsx read them (docs/oversight.md, “全覆盖”).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.campaigns.models import Campaign
from zoufang.oversight import figures
from zoufang.oversight.access import Reach
from zoufang.oversight.models import VisitedTarget
from zoufang.planning.models import Assignment, Quota
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

VILLAGES, TARGETS, OUTSIDE = "villages_linked", "targets", "arranged_outside"
FILTERS = ("hardship", "scale", "is_key")
# Units whose quota in a village links it (挂钩单位): not the village's own committee, not the leaders' block.
LINKING_UNITS = (Unit.Kind.TOWN_DEPARTMENT, Unit.Kind.CITY_DEPARTMENT, Unit.Kind.OUTSIDE_BODY)
GAPS = {"unassigned": gettext_lazy("未分配"), "unnamed": gettext_lazy("未落实到人"), "unvisited": gettext_lazy("未走访"),
        "unlinked": gettext_lazy("未挂钩")}


@dataclass(frozen=True)
class Requirement:
    key: str
    name: str
    way: str  # VILLAGES, TARGETS or OUTSIDE
    links: tuple[str, ...] = ()  # villages_linked: town_leader, unit
    selections: tuple[dict[str, Any], ...] = ()
    named_cadre: bool = False
    outside: str = ""
    note: str = ""

    shown_as = "outside"  # how the page shows it, alone: arranged outside (a figure's own shows the others)

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(kind for s in self.selections for kind in s["target_kinds"]))

    @property
    def whole_kinds(self) -> bool:
        """Every target of its kinds: the kept coverage counts answer what the plan assigned and what was visited."""
        return not any(name in s for s in self.selections for name in FILTERS) and not self.named_cadre

    def condition(self, prefix: str = "") -> Q:
        """The selected targets (any selection), as a filter of targets (or of `prefix`-joined targets)."""
        found = Q()
        for selection in self.selections:
            where = {f"{prefix}kind__in": selection["target_kinds"]}
            where.update({f"{prefix}{name}": selection[name] for name in FILTERS if name in selection})
            found |= Q(**where)
        return found

    @property
    def selection_text(self) -> str:
        """What the requirement selects, in the page's words: “户籍户、非户籍常住户（困难家庭）；项目（重点）”."""
        parts = []
        for selection in self.selections:
            kinds = "、".join(str(Target.Kind(kind).label) for kind in selection["target_kinds"])
            filters = [str(_("困难家庭")) if "hardship" in selection else "",
                       str(Target.Scale(selection["scale"]).label) if "scale" in selection else "",
                       str(_("重点")) if "is_key" in selection else ""]
            label = selection.get("label") or "、".join(f for f in filters if f)
            parts.append(f"{kinds}（{label}）" if label and label != kinds else kinds)
        return "；".join(parts)


def requirements(campaign: Campaign) -> list[Requirement]:
    found = []
    for item in campaign.config.get("full_coverage") or []:
        way = next(way for way in (VILLAGES, TARGETS, OUTSIDE) if way in item)
        found.append(Requirement(
            key=item["key"], name=item["name"], way=way, links=tuple(item.get(VILLAGES) or ()),
            selections=tuple(item.get(TARGETS) or ()), named_cadre=bool(item.get("named_cadre")),
            outside=item.get(OUTSIDE, ""), note=item.get("note", "")))
    return found


def requirement(campaign: Campaign, key: str) -> Requirement | None:
    return next((r for r in requirements(campaign) if r.key == key), None)


@dataclass
class TargetRow:
    """One requirement's targets at one place (the town, a village, a unit)."""

    key: Any  # Region, Unit or None (the town's total; targets under no village: （未填村）; unassigned: 未分配)
    label: str
    targets: int = 0  # 应覆盖 (in the registry; a unit's row: those assigned to it)
    assigned: int = 0
    named: int = 0  # assigned to a named cadre
    visited: int = 0

    @property
    def unassigned(self) -> int:
        return self.targets - self.assigned

    @property
    def unnamed(self) -> int:
        return self.assigned - self.named

    @property
    def unvisited(self) -> int:
        return self.targets - self.visited

    @property
    def percent(self) -> float | None:
        return round(100 * self.visited / self.targets, 1) if self.targets else None

    @property
    def met(self) -> bool:
        return self.unassigned == 0 and self.unvisited == 0


@dataclass
class TargetFigure:
    shown_as = "targets"
    requirement: Requirement
    total: TargetRow
    villages: list[TargetRow] = field(default_factory=list)
    units: list[TargetRow] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.total.met and (not self.requirement.named_cadre or self.total.unnamed == 0)


@dataclass
class VillageLink:
    village: Region
    leaders: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)


@dataclass
class LinkFigure:
    shown_as = "links"
    requirement: Requirement
    villages: list[VillageLink]

    def has(self, link: VillageLink, what: str) -> bool:
        return bool(link.leaders if what == "town_leader" else link.units)

    @property
    def with_leader(self) -> int:
        return sum(1 for v in self.villages if v.leaders)

    @property
    def with_unit(self) -> int:
        return sum(1 for v in self.villages if v.units)

    def unlinked(self) -> list[VillageLink]:
        """The villages missing a link the requirement asks for."""
        return [v for v in self.villages if not all(self.has(v, what) for what in self.requirement.links)]

    @property
    def linked(self) -> int:
        return len(self.villages) - len(self.unlinked())

    @property
    def met(self) -> bool:
        return not self.unlinked()


Figure = TargetFigure | LinkFigure | Requirement  # a Requirement alone: arranged outside, not counted


@dataclass
class FullCoverage:
    campaign: Campaign
    today: dt.date
    items: list[Figure]
    whole: bool  # the whole campaign (else a unit's share: no unassigned targets, no villages' links)

    @property
    def counted(self) -> list[TargetFigure | LinkFigure]:
        return [item for item in self.items if not isinstance(item, Requirement)]


def full_coverage(reach: Reach, today: dt.date, *, recount: bool = False) -> FullCoverage:
    """Every requirement of the campaign within the reach: the whole campaign, or a unit handler's units' share."""
    items: list[Figure] = []
    for item in requirements(reach.campaign):
        if item.way == OUTSIDE:
            items.append(item)
        elif item.way == VILLAGES:
            if reach.whole:
                items.append(LinkFigure(item, village_links(reach.campaign)))
        elif reach.whole and item.whole_kinds and not recount:
            items.append(kept_target_figure(reach, item, today))
        else:
            items.append(target_figure(reach, item))
    return FullCoverage(reach.campaign, today, items, reach.whole)


# -- villages linked ------------------------------------------------------------------------------------------------

def villages(campaign: Campaign) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE) \
        .order_by("sort_order", "path")


def village_links(campaign: Campaign) -> list[VillageLink]:
    """Each village with its linked town leaders (挂钩村 in the registry) and the units the plan gives targets there
    (a department's or an upper-level unit's quota): three queries, a row per village."""
    found = {v.pk: VillageLink(v) for v in villages(campaign)}
    leaders = (Cadre.linked_regions.through.objects
               .filter(region_id__in=list(found), cadre__role=Cadre.Role.TOWN_LEADER, cadre__archived_on__isnull=True)
               .order_by("cadre__unit__sort_order", "cadre__sort_order", "cadre__name")
               .values_list("region_id", "cadre__name"))
    for region_id, name in leaders:
        if name not in found[region_id].leaders:
            found[region_id].leaders.append(name)
    units = (Quota.objects.filter(campaign=campaign, region_id__in=list(found), count__gt=0,
                                  unit__kind__in=LINKING_UNITS)
             .order_by("unit__sort_order", "unit__name").values_list("region_id", "unit__name").distinct())
    for region_id, name in units:
        if name not in found[region_id].units:
            found[region_id].units.append(name)
    return list(found.values())


# -- targets covered ------------------------------------------------------------------------------------------------

def selected(campaign: Campaign, item: Requirement) -> QuerySet[Target]:
    """The requirement's targets: active, in the campaign's area."""
    return Target.objects.filter(item.condition(), archived_on__isnull=True,
                                 region__path__startswith=campaign.scope.path)


def _village_key(campaign: Campaign) -> Callable[[str], str]:
    """A region's path → its village's key in `_village_rows` (the village's path after the campaign's, without its
    last dot; empty for a region above the villages: the town's own targets). The counts are grouped by the
    targets' region path and added up per village here: a county's or city's campaign holds its villages two or
    three levels down, where a fixed cut of the path would name the town."""
    scope = len(campaign.scope.path)
    village_paths = set(villages(campaign).values_list("path", flat=True))
    depths = sorted({len(path) for path in village_paths})  # one, unless villages hang at different depths

    def key(path: str) -> str:
        return next((path[scope:depth - 1] for depth in depths if path[:depth] in village_paths), "")

    return key


def target_figure(reach: Reach, item: Requirement) -> TargetFigure:
    """One grouped query over the requirement's targets, each joined to its assignment in the campaign and to its
    kept visited row (`VisitedTarget`, unique per campaign and target): per village and unit, how many, assigned,
    given to a named cadre, visited. A unit handler's reach counts only their units' assigned targets."""
    campaign = reach.campaign
    visited = Exists(VisitedTarget.objects.filter(campaign=campaign, target=OuterRef("pk")))
    rows = selected(campaign, item).alias(held=FilteredRelation("assignments", condition=Q(assignments__campaign=campaign)))
    if not reach.whole:
        rows = rows.filter(held__unit__in=reach.units)
    grouped = (rows.order_by().values("region__path", unit=F("held__unit_id"))
               .annotate(n=Count("id"), assigned=Count("held__id"), named=Count("held__cadre_id"),
                         visited=Count("id", filter=Q(visited))))
    village_of = _village_key(campaign)
    by_village: dict[str, TargetRow] = defaultdict(lambda: TargetRow(None, ""))
    by_unit: dict[int | None, TargetRow] = defaultdict(lambda: TargetRow(None, ""))
    total = TargetRow(None, _("合计"))
    for row in grouped:
        for place in (by_village[village_of(row["region__path"])], by_unit[row["unit"]], total):
            place.targets += row["n"]
            place.assigned += row["assigned"]
            place.named += row["named"]
            place.visited += row["visited"]
    return TargetFigure(item, total, _village_rows(campaign, by_village), _unit_rows(by_unit))


def _village_rows(campaign: Campaign, counted: dict[str, TargetRow]) -> list[TargetRow]:
    """Every village of the campaign in its order (those with none of the targets too: 0 of 0), then （未填村）."""
    found = []
    for village in villages(campaign):
        row = counted.pop(village.path[len(campaign.scope.path):-1], TargetRow(None, ""))
        row.key, row.label = village, village.name
        found.append(row)
    rest = summed(counted.values(), _("（未填村）"))
    return [*found, rest] if rest.targets else found


def summed(rows: Iterable[TargetRow], label: str) -> TargetRow:
    """The rows added up (a 合计, the targets of no village)."""
    total = TargetRow(None, label)
    for row in rows:
        total.targets, total.assigned = total.targets + row.targets, total.assigned + row.assigned
        total.named, total.visited = total.named + row.named, total.visited + row.visited
    return total


def _unit_rows(counted: dict[int | None, TargetRow]) -> list[TargetRow]:
    """Each unit holding some of the targets, in the units' order; the unassigned are not a unit's (their count
    is the total's 未分配)."""
    counted.pop(None, None)
    units = Unit.objects.in_bulk(list(counted))
    found = []
    for unit_id, row in counted.items():
        unit = units[unit_id]
        row.key, row.label, row.targets = unit, unit.name, row.assigned
        found.append(row)
    return sorted(found, key=lambda r: (r.key.sort_order, r.key.name, r.key.pk))


def kept_target_figure(reach: Reach, item: Requirement, today: dt.date) -> TargetFigure:
    """A requirement of whole kinds (every household …) over the whole campaign: assigned and visited from the kept
    coverage counts (by village and by unit, decision 0005), the registry's targets counted per village in one
    grouped query on the (kind, region) index. Equal to `target_figure` (tested on the demo)."""
    campaign = reach.campaign
    kinds = item.kinds
    source = figures.assignments(campaign)
    by_village = figures.coverage(campaign, "village", today, source)
    by_unit = figures.coverage(campaign, "unit", today, source)

    def counts(row: figures.CoverageRow) -> tuple[int, int]:
        return sum(row.kind(k).assigned for k in kinds), sum(row.kind(k).visited for k in kinds)

    village_of = _village_key(campaign)
    registry: dict[str, int] = defaultdict(int)
    for path, n in selected(campaign, item).order_by().values_list("region__path").annotate(n=Count("id")):
        registry[village_of(path)] += n
    counted: dict[str, TargetRow] = {}
    for row in by_village.rows:
        segment = row.key.path[len(campaign.scope.path):-1] if row.key is not None else ""
        assigned, visited = counts(row)
        counted[segment] = TargetRow(None, "", registry.pop(segment, 0), assigned, 0, visited)
    for segment, n in registry.items():
        counted[segment] = TargetRow(None, "", n)
    rows = _village_rows(campaign, counted)
    total = summed(rows, _("合计"))
    units = []
    for unit_row in by_unit.rows:
        assigned, visited = counts(unit_row)
        if assigned and unit_row.key is not None:
            units.append(TargetRow(unit_row.key, unit_row.key.name, assigned, assigned, 0, visited))
    return TargetFigure(item, total, rows, units)


# -- the rows behind a figure ---------------------------------------------------------------------------------------

def gap_targets(reach: Reach, item: Requirement, gap: str, *, region: Region | None = None,
                unit: Unit | None = None) -> QuerySet[Target]:
    """The requirement's targets behind a gap — not assigned, assigned to no named cadre, or not visited — within
    the reach (a unit handler: their units' assigned targets only), narrowed to a village or a unit, in walking
    order. Each condition is an indexed probe per selected target (the unique (campaign, target) indexes)."""
    campaign = reach.campaign
    rows = selected(campaign, item)
    held = Assignment.objects.filter(campaign=campaign, target=OuterRef("pk"))
    if not reach.whole:
        rows = rows.filter(Exists(held.filter(unit__in=reach.units)))
    if unit is not None:
        rows = rows.filter(Exists(held.filter(unit=unit)))
    if region is not None:
        rows = rows.filter(region__path__startswith=region.path)
    if gap == "unassigned":
        rows = rows.filter(~Exists(held))
    elif gap == "unnamed":
        rows = rows.filter(Exists(held.filter(cadre__isnull=True)))
    elif gap == "unvisited":
        rows = rows.filter(~Exists(VisitedTarget.objects.filter(campaign=campaign, target=OuterRef("pk"))))
    else:
        raise ValueError(gap)
    return rows.select_related("region").order_by("region__path", "address", "id")


def holders(campaign: Campaign, targets: list[Target]) -> dict[int, Assignment]:
    """The assignment of each target shown (its unit and cadre), one query for the page."""
    return {a.target_id: a for a in Assignment.objects.filter(campaign=campaign, target__in=targets)
            .select_related("unit", "cadre")}
