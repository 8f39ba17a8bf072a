"""The visible region tree, town downwards, with the number of targets under each node.

A town's tree is drawn whole. At a city's scale (more than WHOLE_TREE regions: 10 towns × 50 villages × 20
grids) the page draws the towns and villages, and the groups and grids of one opened village (`?open=`): it costs
what it shows, not the 10,000 regions stored. The counts come from one grouped query either way.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.db.models.functions import Substr

from zoufang.accounts import scope
from zoufang.regions.models import Region

TREE_LEVELS = [Region.Level.TOWN, Region.Level.VILLAGE, Region.Level.GROUP, Region.Level.GRID]
# Levels drawn at a city's scale; below them a node opens on request.
OUTLINE_LEVELS = [Region.Level.TOWN, Region.Level.VILLAGE]
WHOLE_TREE = 500


@dataclass
class Node:
    region: Region
    count: int = 0
    children: list["Node"] = field(default_factory=list)
    open: bool = False
    more: bool = False  # has regions below that are not drawn: the page links to ?open=


def _counts(user: Any, regions: list[Region], opened: Region | None) -> Counter[str]:
    """Targets under each drawn region, by path: grouped at the deepest drawn level (or by region inside the
    opened subtree), then credited to every ancestor ("000001.000007." counts for "000001.")."""
    outline = [r.path for r in regions if opened is None or not r.path.startswith(opened.path)]
    depth = max((len(p) for p in outline), default=0)
    key: Any = Substr("region__path", 1, depth)
    if opened is not None:
        key = Case(When(region__path__startswith=opened.path, then=F("region__path")), default=key)
    rows = (
        scope.visible_targets(user)
        .filter(archived_on__isnull=True)
        .annotate(key=key)
        .values_list("key")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    for path, n in rows:
        prefix = ""
        for part in path.split(".")[:-1]:
            prefix += part + "."
            counts[prefix] += n
    return counts


def region_tree(user: Any, opened: str | None = None) -> list[Node]:
    """Roots (towns, or the highest visible regions below county) with their visible subtrees: whole for a town,
    towns and villages and the `opened` region's subtree (a public id) at a city's scale. Three queries, four with
    a region opened."""
    visible = scope.listed_regions(user).filter(level__in=TREE_LEVELS)
    whole = visible[: WHOLE_TREE + 1].count() <= WHOLE_TREE
    opened_region = None
    if opened and not whole:
        try:
            opened_region = visible.filter(public_id=opened).first()
        except (ValueError, ValidationError):  # not a UUID
            opened_region = None
    drawn = visible
    if not whole:
        below = visible.filter(parent=OuterRef("pk"))
        shown = Q(level__in=OUTLINE_LEVELS)
        if opened_region is not None:
            # The opened region's subtree and its ancestors (drawn open).
            ancestors = [int(part) for part in opened_region.path.split(".") if part]
            shown |= Q(path__startswith=opened_region.path) | Q(pk__in=ancestors)
        drawn = visible.filter(shown).annotate(has_children=Exists(below))
    regions = list(drawn.order_by("path"))
    counts = _counts(user, regions, opened_region)
    nodes = {region.pk: Node(region) for region in regions}
    roots: list[Node] = []
    for region in regions:
        node = nodes[region.pk]
        node.count = counts[region.path]
        parent = nodes.get(region.parent_id) if region.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.region.sort_order, child.region.path))
        node.more = not whole and not node.children and getattr(node.region, "has_children", False)
    for root in roots:
        root.open = True
        if len(root.children) == 1:
            root.children[0].open = True
    if opened_region is not None:
        for part in opened_region.path.split(".")[:-1]:
            ancestor = nodes.get(int(part))
            if ancestor is not None:
                ancestor.open = True
    return roots


def folded(roots: list[Node]) -> bool:
    """Whether some drawn region has regions below that open on request."""
    return any(node.more or folded(node.children) for node in roots)
