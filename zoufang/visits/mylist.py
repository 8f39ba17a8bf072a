"""我的走访: a cadre's assigned targets grouped by village and 村民小组, with visits and open cases."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from zoufang.cases.models import Case
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Target
from zoufang.visits.models import Visit
from zoufang.visits.services import cadre_of

# A case no longer open for the visitor to follow: closed, or merged into another.
CLOSED = (Case.Status.CLOSED, Case.Status.MERGED)


@dataclass
class MyTarget:
    target: Target
    campaign: Any
    village: Region | None = None
    group: Region | None = None
    visits: list[Visit] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)
    # Where the user reads each open case (cases.access.read_on_their_visit): its visit's page, at the opinion.
    opinion_urls: dict[int, str] = field(default_factory=dict)
    # Visited as the pace counts it (rules.pace_for): by this cadre, in the assignment's campaign. Another
    # cadre's visit, or one in another campaign, is listed under 走访记录 but does not tick the assignment off.
    visited: bool = False

    @property
    def campaign_slug(self) -> str:
        return str(self.campaign.slug)

    @property
    def opinions(self) -> list[tuple[Case, str | None]]:
        """The open cases, each with the address of the visit page the user reads it on, or None."""
        return [(case, self.opinion_urls.get(case.pk)) for case in self.open_cases]


@dataclass
class Section:
    region: Region | None
    groups: list[tuple[Region | None, list[MyTarget]]]


def assignments_of(cadre: Any, campaign: Any = None) -> Any:
    """The cadre's assignments in walking order: village, group, then address and name with their numbers read as
    numbers (幸福路2号 before 幸福路10号, the targets' stored natural keys), ending in the id. The page and the paged
    API (keyset on these columns) both list them so."""
    assignments = Assignment.objects.filter(cadre=cadre).select_related("target__region", "campaign")
    if campaign is not None:
        assignments = assignments.filter(campaign=campaign)
    return assignments.order_by("target__region__path", "target__address_order", "target__name_order", "target_id",
                                "id")


def assigned_targets(user: Any, campaign: Any = None) -> list[MyTarget]:
    """Four queries whatever the number of targets: assignments, regions, visits, cases; in `assignments_of`'s
    order."""
    cadre = cadre_of(user)
    if cadre is None:
        return []
    return my_targets(cadre, list(assignments_of(cadre, campaign)))


def my_targets(cadre: Any, assignments: list[Assignment]) -> list[MyTarget]:
    """These assignments' targets with their villages, visits and open cases: three queries for any number."""
    items = [MyTarget(a.target, a.campaign) for a in assignments]
    if not items:
        return []
    region_ids = {int(part) for item in items for part in item.target.region.path.split(".") if part}
    regions = Region.objects.in_bulk(region_ids)
    target_ids = [item.target.pk for item in items]
    visits: dict[int, list[Visit]] = defaultdict(list)
    for visit in Visit.objects.filter(target_id__in=target_ids).select_related("cadre").order_by("-visited_at"):
        visits[visit.target_id].append(visit)
    cases: dict[int, list[Case]] = defaultdict(list)
    for case in (Case.objects.filter(target_id__in=target_ids).exclude(status__in=CLOSED)
                 .select_related("source_visit").order_by("-raised_at")):
        cases[case.target_id or 0].append(case)
    for item in items:
        for part in item.target.region.path.split("."):
            region = regions.get(int(part)) if part else None
            if region is not None and region.level == Region.Level.VILLAGE:
                item.village = region
            elif region is not None and region.level == Region.Level.GROUP:
                item.group = region
        item.visits = visits[item.target.pk]
        item.visited = any(v.cadre_id == cadre.pk and v.campaign_id == item.campaign.pk for v in item.visits)
        item.open_cases = cases[item.target.pk]
    return items


def sections(items: list[MyTarget]) -> list[Section]:
    """Villages in path order, each with its groups (targets directly in the village under None)."""
    by_village: dict[Any, dict[Any, list[MyTarget]]] = defaultdict(lambda: defaultdict(list))
    villages: dict[Any, Region | None] = {}
    groups: dict[Any, Region | None] = {}
    for item in items:
        village_key = item.village.pk if item.village else None
        group_key = item.group.pk if item.group else None
        villages[village_key] = item.village
        groups[group_key] = item.group
        by_village[village_key][group_key].append(item)
    return [
        Section(villages[v], [(groups[g], targets) for g, targets in by_village[v].items()])
        for v in by_village
    ]


def progress(items: list[MyTarget]) -> list[dict[str, Any]]:
    """Visited / assigned per target kind, in the registry's order of kinds."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        counts[item.target.kind][1] += 1
        counts[item.target.kind][0] += int(item.visited)
    return [
        {"kind": kind, "label": label, "visited": counts[kind][0], "assigned": counts[kind][1]}
        for kind, label in Target.Kind.choices if kind in counts
    ]
