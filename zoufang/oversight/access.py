"""Which part of a campaign's figures a user reads: pages and API ask here (scope.py decides the grants).

- office, leaders, assessors, city office whose area holds the campaign: the whole campaign;
- a city office: its towns side by side (`city_region`), each town's campaigns read whole, never written;
- a unit's handlers: their unit's assignments and cases;
- a cadre: their own assignments (and the cases raised on their targets) only;
- anyone else: 404, as if the campaign were not there.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from zoufang.accounts import scope
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.oversight import figures
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry import unitnames
from zoufang.registry.models import Cadre, Unit
from zoufang.web.dashboard import sees_campaign_stats


@dataclass
class Reach:
    campaign: Campaign
    whole: bool = False
    units: list[Unit] = field(default_factory=list)
    cadre: Cadre | None = None

    def assignments(self) -> QuerySet[Assignment]:
        rows = figures.assignments(self.campaign)
        if self.whole:
            return rows
        condition = Q(unit__in=self.units)
        if self.cadre is not None:
            condition |= Q(cadre=self.cadre)
        return rows.filter(condition)

    def cases(self) -> QuerySet[Case]:
        rows = figures.case_rows(self.campaign)
        if self.whole:
            return rows
        condition = Q(unit__in=self.units)
        if self.cadre is not None:
            condition |= Q(target__assignments__cadre=self.cadre, target__assignments__campaign=self.campaign)
        return rows.filter(condition).distinct()

    def may_read_unit(self, unit: Unit) -> bool:
        """A unit of the campaign: within its area, a regionless outside body, or one holding assignments in it
        (an upper-level unit visiting the town). Another town's unit, named in a hand-edited link, is not."""
        if not self.whole:
            return unit in self.units
        if unitnames.reaches(unit, self.campaign.scope):
            return True
        return Assignment.objects.filter(campaign=self.campaign, unit=unit).exists()

    def may_read_cadre(self, cadre: Cadre) -> bool:
        if not self.whole:
            return cadre.unit in self.units or cadre == self.cadre
        return self.may_read_unit(cadre.unit) or Assignment.objects.filter(campaign=self.campaign, cadre=cadre).exists()

    def may_read_region(self, region: Region) -> bool:
        """A region of the campaign's area, or one above it (whose name the area's own path shows anyway)."""
        area = self.campaign.scope.path
        return region.path.startswith(area) or area.startswith(region.path)


def reach(user: Any, campaign: Campaign) -> Reach:
    """What `user` reads of `campaign`'s figures; Http404 when nothing."""
    if not scope.visible_campaigns(user).filter(pk=campaign.pk).exists():
        raise Http404
    if sees_campaign_stats(user, campaign):
        return Reach(campaign, whole=True)
    units = list(scope.visible_units(user).filter(pk__in=scope.handled_unit_ids(user)))
    cadre = scope.visible_cadres(user).filter(user=user).first() if getattr(user, "is_authenticated", False) else None
    if not units and cadre is None:
        raise Http404
    return Reach(campaign, units=units, cadre=cadre)


def campaign_for(user: Any, slug: str) -> Reach:
    campaign = scope.visible_campaigns(user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return reach(user, campaign)


def supervised(user: Any) -> tuple[list[Region], list[Unit]]:
    """A leader's own share: the villages they are linked to (挂钩村), the units of the cadres reporting to them."""
    cadre = Cadre.objects.filter(user=user).first() if getattr(user, "is_authenticated", False) else None
    if cadre is None:
        return [], []
    villages = list(cadre.linked_regions.order_by("path"))
    units = list(Unit.objects.filter(cadres__supervisor=cadre).distinct().order_by("sort_order", "name"))
    return villages, units


def city_region(user: Any, public_id: Any) -> Region:
    """A region at or under one of the user's city office grants (its towns side by side); Http404 otherwise."""
    try:
        region = Region.objects.filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        region = None
    allowed = getattr(user, "is_superuser", False) or any(
        region is not None and region.path.startswith(mine.path) for mine in scope.city_office_regions(user))
    if region is None or not allowed or Region.level_rank(region.level) >= Region.level_rank(Region.Level.TOWN):
        raise Http404
    return region
