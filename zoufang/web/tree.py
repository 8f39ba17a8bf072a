"""The visible region tree, town downwards, with the number of targets under each node."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from zoufang.accounts import scope
from zoufang.regions.models import Region

TREE_LEVELS = [Region.Level.TOWN, Region.Level.VILLAGE, Region.Level.GROUP, Region.Level.GRID]


@dataclass
class Node:
    region: Region
    count: int = 0
    children: list["Node"] = field(default_factory=list)
    open: bool = False


def region_tree(user: Any) -> list[Node]:
    """Roots (towns, or the highest visible regions below county) with their visible subtrees; two queries."""
    regions = list(
        scope.visible_regions(user).filter(level__in=TREE_LEVELS).order_by("path")
    )
    counts: Counter[str] = Counter()
    rows = (
        scope.visible_targets(user)
        .filter(archived_on__isnull=True)
        .values_list("region__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, n in rows:
        # Credit every ancestor: "000001.000007." counts for "000001." and "000001.000007.".
        prefix = ""
        for part in path.split(".")[:-1]:
            prefix += part + "."
            counts[prefix] += n
    nodes = {region.pk: Node(region) for region in regions}
    roots: list[Node] = []
    for region in regions:
        node = nodes[region.pk]
        node.count = counts[region.path]
        parent = nodes.get(region.parent_id) if region.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.region.sort_order, child.region.path))
    for root in roots:
        root.open = True
        if len(root.children) == 1:
            root.children[0].open = True
    return roots
