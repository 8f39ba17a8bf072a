"""The planner's part of the 锦溪镇 2017 demo: the town's department tables, then a full plan."""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.planning.services import PlanReport, run_plan, store_department_table

DEPARTMENT_TABLES = {"附件4-1": "annex4-1.csv", "附件4-2": "annex4-2.csv"}


def plan_demo(campaign: Campaign, say: Callable[[str], None]) -> None:
    """Store 附件4-1/4-2 as the town decided them and plan: every cadre gets a named walk list."""
    from zoufang.demo.loader import DATA

    for label, name in DEPARTMENT_TABLES.items():
        store_department_table(campaign, DATA / name, label=label)
    report = plan_as_given(campaign)
    say(_("分配：保留 %(kept)s，新增 %(added)s，调整 %(moved)s，释放 %(released)s") % {
        "kept": report.kept, "added": report.added, "moved": report.moved, "released": report.released,
    })
    for note in report.notes:
        say(_("  说明：%(note)s") % {"note": note})


def plan_as_given(campaign: Campaign) -> PlanReport:
    """A demo town's plan as the town gave it: on the campaign's first day, before any visit, so its pace counts from
    the rule's own start (a plan given later moves the pace's start: oversight/pace.py)."""
    with clock.frozen(timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time(9)))):
        return run_plan(campaign)
