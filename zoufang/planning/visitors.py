"""Which units visit in a campaign: named in its allocation tables (附件1 … 附件4-2, an upper-level unit's blocks
in the town among them), given counts or named targets by the plan, or whose cadres recorded its visits.

Each is a condition on a unit, an EXISTS over that unit's own rows (found by their foreign keys' indexes): asking
it of a few units costs what those units hold, not what the campaign holds (issue 14)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from zoufang.campaigns.models import Campaign
from zoufang.registry.models import Unit


def works_in(campaign: Campaign) -> Q:
    """The unit holds the plan's work in the campaign (assigned counts or targets) or its cadres recorded visits."""
    from zoufang.planning.models import Assignment
    from zoufang.visits.models import Visit

    return Q(Exists(Assignment.objects.filter(campaign=campaign, unit=OuterRef("pk")))) | Q(
        Exists(Visit.objects.filter(campaign=campaign, cadre__unit=OuterRef("pk"))))


def visits_in(campaign: Campaign) -> Q:
    """The unit visits in the campaign: named in its allocation tables, or `works_in` it."""
    from zoufang.planning.models import FixedQuota, Quota

    return (Q(Exists(FixedQuota.objects.filter(campaign=campaign, units=OuterRef("pk"))))
            | Q(Exists(Quota.objects.filter(campaign=campaign, unit=OuterRef("pk")))) | works_in(campaign))


def visiting_units(campaign: Campaign) -> QuerySet[Unit]:
    return Unit.objects.filter(visits_in(campaign))
