"""Counts of a campaign's registry: the figures of `zoufang stats` and the office's home page."""

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q

from zoufang.campaigns.models import Campaign
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

STATS_LEVELS = [Region.Level.TOWN, Region.Level.VILLAGE, Region.Level.GROUP, Region.Level.GRID]


def campaign_units(campaign: Campaign) -> Any:
    """Units working in the campaign: those of its region, and outside units given quotas in it."""
    return Unit.objects.filter(
        Q(region__path__startswith=campaign.scope.path) | Q(fixed_quotas__campaign=campaign)
    ).distinct()


def campaign_stats(campaign: Campaign) -> dict[str, Any]:
    scope_path = campaign.scope.path
    levels = Counter(
        dict(
            Region.objects.filter(path__startswith=scope_path)
            .values_list("level")
            .annotate(n=Count("id"))
            .values_list("level", "n")
        )
    )
    kinds = Counter(
        dict(
            Target.objects.filter(region__path__startswith=scope_path, archived_on__isnull=True)
            .values_list("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
    )
    roles = Counter(
        dict(
            Cadre.objects.filter(unit__in=campaign_units(campaign), archived_on__isnull=True)
            .values_list("role")
            .annotate(n=Count("id"))
            .values_list("role", "n")
        )
    )
    return {
        "regions": {str(level): levels.get(level, 0) for level in STATS_LEVELS},
        "targets": {str(kind): kinds.get(kind, 0) for kind in Target.Kind},
        "units": campaign_units(campaign).count(),
        "cadres": {str(role): roles.get(role, 0) for role in Cadre.Role},
    }


def counts_per_village(campaign: Campaign, targets: Any, regions: Any) -> list[dict[str, Any]]:
    """One row per village of the campaign the user may see: counts by kind among the given targets."""
    villages = regions.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE).order_by(
        "sort_order", "path"
    )
    depth = len(campaign.scope.path) + Region.PATH_STEP + 1
    by_village: dict[str, Counter[str]] = defaultdict(Counter)
    rows = (
        targets.filter(region__path__startswith=campaign.scope.path, archived_on__isnull=True)
        .values_list("region__path", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, kind, n in rows:
        by_village[path[:depth]][kind] += n
    return [
        {
            "region": village,
            "counts": {str(kind): by_village[village.path][kind] for kind in Target.Kind},
            "total": sum(by_village[village.path].values()),
        }
        for village in villages
    ]
