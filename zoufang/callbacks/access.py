"""Who draws, calls and verifies callback batches; built on accounts.scope, errors never reveal existence.

- office and city office whose region holds the campaign: draw batches, read every result, verify, close.
- auditor (第三方回访): the batches of campaigns in their region whose calling unit is their grant's unit (an
  auditor grant without a unit: the batches drawn without one); only the sampled visits of those batches.
- everyone else: 404.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from zoufang.accounts import scope
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.campaigns.models import Campaign

Role = scope.Role
OFFICE_ROLES = {Role.OFFICE, Role.CITY_OFFICE}


def office_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns whose callbacks this user runs: the town office's, and a city office's towns'."""
    campaigns = Campaign.objects.select_related("scope").order_by("-starts_on", "slug")
    if getattr(user, "is_superuser", False):
        return campaigns
    paths = [g.region.path for g in scope.grants(user) if g.role in OFFICE_ROLES and g.region is not None]
    return campaigns.filter(scope._under_any(paths, "scope__path"))


def may_run(user: Any, campaign: Campaign) -> bool:
    return scope.holds_campaign_area(user, campaign, OFFICE_ROLES)


def callers(campaigns: Iterable[Campaign]) -> QuerySet[Any]:
    """The third parties a draw for `campaigns` may name: outside bodies in use that the campaigns' towns may name —
    shared ones and their own, never another town's (decision 0032) — and that do not visit in the campaign
    themselves (市妇联 with its blocks of the town's households is no third party for them; decision 0052)."""
    from zoufang.planning.visitors import visits_in
    from zoufang.registry import unitnames
    from zoufang.registry.models import Unit

    visible = Q(pk__in=[])
    for campaign in campaigns:
        visible |= Q(pk__in=unitnames.visible_from(campaign.scope).values("pk")) & ~visits_in(campaign)
    return Unit.objects.filter(visible, kind=Unit.Kind.OUTSIDE_BODY, archived_on__isnull=True).order_by("name")


def _caller_condition(user: Any) -> Q:
    condition = Q(pk__in=[])
    for grant in scope.grants(user):
        if grant.role != Role.AUDITOR or grant.region is None:
            continue
        condition |= Q(campaign__scope__path__startswith=grant.region.path, caller_id=grant.unit_id)
    return condition


def calling_batches(user: Any) -> QuerySet[CallbackBatch]:
    """The batches this user calls for, as the third party."""
    if not getattr(user, "is_authenticated", False):
        return CallbackBatch.objects.none()
    return CallbackBatch.objects.filter(_caller_condition(user))


def visible_batches(user: Any) -> QuerySet[CallbackBatch]:
    if not getattr(user, "is_authenticated", False):
        return CallbackBatch.objects.none()
    condition = _caller_condition(user) | Q(campaign__in=office_campaigns(user))
    return CallbackBatch.objects.filter(condition).select_related("campaign__scope", "caller")


def is_caller(user: Any, batch: CallbackBatch) -> bool:
    return calling_batches(user).filter(pk=batch.pk).exists()


def get_batch(user: Any, public_id: Any) -> CallbackBatch:
    try:
        return visible_batches(user).get(public_id=public_id)
    except (CallbackBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_samples(user: Any) -> QuerySet[CallbackSample]:
    return CallbackSample.objects.filter(batch__in=visible_batches(user))


def get_sample(user: Any, public_id: Any) -> CallbackSample:
    try:
        return visible_samples(user).select_related(
            "batch__campaign__scope", "batch__caller", "visit__target__region__parent__parent", "visit__cadre__unit",
        ).get(public_id=public_id)
    except (CallbackSample.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
