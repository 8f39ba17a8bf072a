"""What the home page shows: the user's campaigns, their period and phases, and the counts table."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.campaigns.models import Campaign, Phase
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target
from zoufang.registry.stats import campaign_stats, counts_per_village

Role = RoleGrant.Role

# Roles that read the whole campaign's figures, not only the targets they may open.
STATS_ROLES = (Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE)
# Columns the office always reads, even when a user's part of the town has none of them.
BASE_KINDS = (Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.RESIDENT_HOUSEHOLD, Target.Kind.ENTERPRISE)


def choose_campaign(campaigns: list[Campaign], slug: str | None) -> Campaign | None:
    """The campaign named in the query string, else the latest one."""
    for campaign in campaigns:
        if campaign.slug == slug:
            return campaign
    return campaigns[0] if campaigns else None


def sees_campaign_stats(user: Any, campaign: Campaign) -> bool:
    """Office, leaders, assessors and the city office whose area covers the whole campaign."""
    if getattr(user, "is_superuser", False):
        return True
    return scope.covers(user, campaign.scope, STATS_ROLES)


@dataclass
class PhaseRow:
    phase: Phase
    state: str  # "past", "now" or "future"

    @property
    def state_label(self) -> str:
        return str({"past": _("已结束"), "now": _("进行中"), "future": _("未开始")}[self.state])


def phase_rows(campaign: Campaign, today: dt.date) -> list[PhaseRow]:
    rows = []
    for phase in campaign.phases.order_by("sort_order", "starts_on"):
        if today < phase.starts_on:
            state = "future"
        elif phase.ends_on is not None and today > phase.ends_on:
            state = "past"
        else:
            state = "now"
        rows.append(PhaseRow(phase, state))
    return rows


@dataclass
class Period:
    state: str
    day: int
    days: int

    @property
    def percent(self) -> int:
        return round(100 * self.day / self.days) if self.days else 0


def campaign_period(campaign: Campaign, today: dt.date) -> Period:
    days = (campaign.ends_on - campaign.starts_on).days + 1
    if today < campaign.starts_on:
        return Period("future", 0, days)
    if today > campaign.ends_on:
        return Period("past", days, days)
    return Period("now", (today - campaign.starts_on).days + 1, days)


@dataclass
class CountsTable:
    kinds: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    total: int = 0


def counts_table(campaign: Campaign, user: Any) -> CountsTable:
    """Targets per village and kind, among those the user may see, with the 合计 row. The office and those who read
    the whole campaign's figures see every village, one with nothing to visit too (a gap); anyone else only the
    villages where they may open a target, not a table of zeros (a department's handler, the third-party caller)."""
    raw = counts_per_village(campaign, scope.visible_targets(user), scope.visible_regions(user))
    if not sees_campaign_stats(user, campaign):
        raw = [row for row in raw if row["total"]]
    kinds = [
        (str(kind), str(kind.label))
        for kind in Target.Kind
        if kind in BASE_KINDS or any(row["counts"][str(kind)] for row in raw)
    ]
    table = CountsTable(kinds=kinds)
    for row in raw:
        table.rows.append({
            "region": row["region"],
            "cells": [(kind, row["counts"][kind]) for kind, _label in kinds],
            "total": row["total"],
        })
    table.totals = [sum(row["counts"][kind] for row in raw) for kind, _label in kinds]
    table.total = sum(row["total"] for row in raw)
    return table


def headline_figures(campaign: Campaign) -> list[tuple[str, int]]:
    """The campaign-wide figures of the seed's opening paragraph: villages, targets, units, cadres."""
    stats = campaign_stats(campaign)
    figures = [(str(_("村（社区）")), stats["regions"][Region.Level.VILLAGE])]
    for kind in Target.Kind:
        if kind in BASE_KINDS or stats["targets"][str(kind)]:
            figures.append((str(kind.label), stats["targets"][str(kind)]))
    figures.append((str(_("走访单位")), stats["units"]))
    for role in Cadre.Role:
        if stats["cadres"][str(role)]:  # the role 其他 alone, among the figures, would count nothing one can name
            label = _("其他干部") if role == Cadre.Role.OTHER else role.label
            figures.append((str(label), stats["cadres"][str(role)]))
    return figures


OWN_BATCHES = 5  # the open callback batches a caller's home lists; the rest are on 回访抽查


def own_work(user: Any, campaign: Campaign) -> dict[str, Any]:
    """What a role without villages does in the campaign, for its home: a third party's open callback batches
    (`callbacks`: the first few, with sampled and settled counts, and how many are open in all) and the 宣传报道组's
    典型 (`review`: pending and published counts, in one query). Empty for anyone else."""
    from django.db.models import Count, Q

    from zoufang.callbacks import access as callback_access
    from zoufang.callbacks import results
    from zoufang.callbacks.models import CallbackBatch
    from zoufang.exemplars import access as exemplar_access
    from zoufang.exemplars.models import Exemplar

    work: dict[str, Any] = {}
    if Role.AUDITOR in scope.roles(user):
        open_batches = results.counted(callback_access.calling_batches(user).filter(
            campaign=campaign, status=CallbackBatch.Status.OPEN)).order_by("-created_at", "-id")
        shown = list(open_batches[:OWN_BATCHES])
        work["callbacks"] = {"batches": shown,
                             "open": len(shown) if len(shown) < OWN_BATCHES else open_batches.count()}
    if exemplar_access.reviews(user, campaign):
        work["review"] = Exemplar.objects.filter(campaign=campaign).aggregate(
            pending=Count("pk", filter=Q(status=Exemplar.Status.PENDING)),
            published=Count("pk", filter=Q(status=Exemplar.Status.PUBLISHED)))
    return work
