"""The import order a town follows (README, 导入 step 3), and how far a campaign has come along it: later tables name
what earlier ones registered (a cadre's unit, a household's group, an allocation row's unit and village)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _l

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit


@dataclass(frozen=True)
class ImportStep:
    label: str
    kind: str  # the import kind the step's link picks (the first of the step's kinds)
    count: int
    state: str  # "done", "next" or "todo"


def _counts(campaign: Campaign) -> list[tuple[object, str, int]]:
    town = campaign.scope
    below = Region.objects.filter(path__startswith=town.path).exclude(pk=town.pk)
    units: QuerySet[Unit] = Unit.objects.filter(region__path__startswith=town.path)
    return [
        (_l("区划"), "regions", below.count()),
        (_l("单位"), "units", units.exclude(kind=Unit.Kind.TOWN_DEPARTMENT).count()),
        (_l("镇部门"), "departments", units.filter(kind=Unit.Kind.TOWN_DEPARTMENT).count()),
        (_l("干部"), "cadres", Cadre.objects.filter(unit__region__path__startswith=town.path,
                                                   archived_on__isnull=True).count()),
        (_l("住户、企业、项目"), "households", Target.objects.filter(region__path__startswith=town.path,
                                                               archived_on__isnull=True).count()),
        (_l("分配表"), "allocation", FixedQuota.objects.filter(campaign=campaign).count()),
    ]


def import_steps(campaign: Campaign) -> list[ImportStep]:
    """Each step with what is registered for it in the campaign's town; the first step with nothing is next."""
    steps: list[ImportStep] = []
    next_found = False
    for label, kind, count in _counts(campaign):
        state = "done" if count else "todo" if next_found else "next"
        next_found = next_found or not count
        steps.append(ImportStep(str(label), kind, count, state))
    return steps
