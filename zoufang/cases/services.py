"""Case actions. Every write is a named function that views, the API, the CLI and tests share."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases.models import Case
from zoufang.regions.models import Region
from zoufang.registry.models import Target
from zoufang.workdays.calendar import add_working_days


def registration_due(campaign: Campaign, raised_at: dt.datetime) -> dt.date:
    """The last day to register an opinion: the campaign's working days after the visit (seed 000: 2)."""
    days = int(campaign.config.get("registration_deadline_working_days", 2))
    return add_working_days(timezone.localtime(raised_at).date(), days).date


@transaction.atomic
def draft_case(
    *, campaign: Campaign, kind: str, description: str, raised_at: dt.datetime, category: CaseCategory | None = None,
    target: Target | None = None, region: Region | None = None, source_visit: Any = None,
    settled_on_spot: bool = False, by: Any = None,
) -> Case:
    """An opinion collected on a visit becomes a draft the office registers within the deadline."""
    case = Case.objects.create(
        campaign=campaign, kind=kind, category=category, description=description, raised_at=raised_at,
        target=target, region=region or (target.region if target else None), source_visit=source_visit,
        settled_on_spot=settled_on_spot, registration_due=registration_due(campaign, raised_at),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(by, AuditEvent.Action.CREATE, case, summary=f"走访收集：{case}")
    return case
