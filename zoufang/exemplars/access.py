"""Who nominates, reviews and reads 典型. Built on accounts.scope; a refusal never tells whether a record exists.

- Nominate, within their scope: the cadre who made the visit (or the visit a case came from), the unit handling
  the case, the village (社区) cadre of the place, the office and the leaders over the campaign.
- Review, edit, publish, decline: the 宣传报道组 (publicity) over the campaign's area.
- Read what is published: the office, leaders, assessors, the city office, the 宣传报道组, and the villages,
  units and cadres of the campaign. Pending and declined nominations: the 宣传报道组, the office, and the one
  who nominated.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.exemplars.models import Exemplar
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre
from zoufang.visits.models import Visit

Role = RoleGrant.Role
READER_ROLES = {Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE, Role.PUBLICITY}


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _village_over(user: Any, path: str) -> bool:
    """A village (社区) grant over this region path."""
    return any(path.startswith(p) for p in scope._region_paths(user, {Role.VILLAGE}))  # noqa: SLF001


def cadre_as(cadre: Cadre) -> str:
    """The visiting cadre as the seed and the top bar name them (部门党员干部, 镇党政领导, 村（社区）干部); a cadre of
    no such role by the register's word for all of them, 走访干部."""
    if cadre.role == Cadre.Role.OTHER:
        return _("走访干部")
    return str(cadre.get_role_display())


def nominating_as(user: Any, source: Visit | Case) -> str | None:
    """As whom the user may nominate this visit or case (部门党员干部, 承办单位 …); None when they may not."""
    if _superuser(user):
        return _("系统管理")
    campaign = source.campaign
    cadre = scope.cadre_of(user)
    if isinstance(source, Visit):
        if cadre is not None and source.cadre_id == cadre.pk:
            return cadre_as(cadre)
        place = source.target.region.path
    else:
        if source.unit_id and source.unit_id in scope.handled_unit_ids(user):
            return _("承办单位")
        if cadre is not None and source.source_visit is not None and source.source_visit.cadre_id == cadre.pk:
            return cadre_as(cadre)
        place = source.region.path if source.region is not None else ""
    if place and _village_over(user, place):
        return _("村（社区）")
    if scope.holds_campaign_area(user, campaign, {Role.OFFICE}):
        return _("走访办")
    if scope.holds_campaign_area(user, campaign, {Role.LEADER}):
        return _("镇领导")
    return None


def reviews(user: Any, campaign: Campaign) -> bool:
    """The 宣传报道组 over the campaign's area edits, publishes and declines its 典型."""
    return scope.holds_campaign_area(user, campaign, {Role.PUBLICITY})


def sees_every_draft(user: Any, campaign: Campaign) -> bool:
    return scope.holds_campaign_area(user, campaign, {Role.PUBLICITY, Role.OFFICE})


def reads_published(user: Any, campaign: Campaign) -> bool:
    """The campaign's readers (module docstring): its area's roles, and its villages, units and cadres."""
    if not getattr(user, "is_authenticated", False):
        return False
    if scope.holds_campaign_area(user, campaign, READER_ROLES):
        return True
    if any(p.startswith(campaign.scope.path) for p in scope._region_paths(user, {Role.VILLAGE})):  # noqa: SLF001
        return True
    unit_ids = scope.handled_unit_ids(user)
    if unit_ids and scope.visible_campaigns(user).filter(pk=campaign.pk).exists():  # its unit holds quotas there
        return True
    cadre = scope.cadre_of(user)
    if cadre is None:
        return False
    if cadre.unit.region is not None and cadre.unit.region.path.startswith(campaign.scope.path):
        return True
    return Assignment.objects.filter(campaign=campaign, cadre=cadre).exists()


def visible(user: Any, campaign: Campaign) -> QuerySet[Exemplar]:
    """The campaign's 典型 this user may open: published ones for its readers, drafts as the docstring says."""
    rows = Exemplar.objects.filter(campaign=campaign)
    if _superuser(user) or sees_every_draft(user, campaign):
        return rows
    condition = Q(created_by=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    if reads_published(user, campaign):
        condition |= Q(status=Exemplar.Status.PUBLISHED)
    return rows.filter(condition)


def campaign_for(user: Any, slug: str) -> Campaign:
    """A campaign whose 典型 the user reads (or has nominated in); Http404 otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    campaign = Campaign.objects.select_related("scope").filter(slug=slug).first()
    if campaign is None or not (reads_published(user, campaign) or sees_every_draft(user, campaign)
                                or Exemplar.objects.filter(campaign=campaign, created_by=user.pk).exists()):
        raise Http404
    return campaign


def campaigns(user: Any) -> list[Campaign]:
    """Every campaign whose 典型 list the user may open, latest first."""
    return [c for c in scope.visible_campaigns(user)
            if reads_published(user, c) or sees_every_draft(user, c)
            or Exemplar.objects.filter(campaign=c, created_by=user.pk).exists()]


def exemplar_for(user: Any, slug: str, public_id: Any) -> Exemplar:
    campaign = campaign_for(user, slug)
    try:
        found = visible(user, campaign).select_related(
            "campaign__scope", "visit__target__region", "visit__cadre__unit", "case__region", "case__target",
            "case__unit", "created_by", "reviewed_by", "consent_recorded_by").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise Http404
    return found
