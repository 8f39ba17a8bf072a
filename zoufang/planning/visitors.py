"""Which units visit in a campaign: named in its allocation tables (附件1 … 附件4-2, an upper-level unit's blocks
in the town among them), given counts or named targets by the plan, or whose cadres recorded its visits."""

from django.db.models import Q, QuerySet

from zoufang.campaigns.models import Campaign
from zoufang.registry.models import Unit


def visiting_units(campaign: Campaign) -> QuerySet[Unit]:
    from zoufang.planning.models import Assignment, FixedQuota, Quota
    from zoufang.visits.models import Visit

    return Unit.objects.filter(
        Q(pk__in=FixedQuota.objects.filter(campaign=campaign).values("units"))
        | Q(pk__in=Quota.objects.filter(campaign=campaign).values("unit"))
        | Q(pk__in=Assignment.objects.filter(campaign=campaign).values("unit"))
        | Q(pk__in=Visit.objects.filter(campaign=campaign).values("cadre__unit")))
