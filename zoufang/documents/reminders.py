"""Reminding units of their 工作总结 (decision 0073): run daily beside `cases tick` (jobs.tasks.periodic_work).

- Each owing unit that has handed nothing in: its handlers `summaries.remind_days` working days before the due date
  (default 3; 0: none ahead) and on the due date itself.
- After the due date: the office once, naming the units still owing.
- Nothing before the campaign starts or after it ends. Idempotent and safe to run twice at once: each reminder is a
  row unique per (campaign, unit, kind, day), inserted in its own transaction; only the run whose insert succeeded
  sends it, after commit — as the cases' reminders (cases/tick.py).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.cases import notifications
from zoufang.documents.models import Summary, SummaryReminder
from zoufang.documents.summaries import Due, due_of, owing_units
from zoufang.registry.models import Unit
from zoufang.workdays.calendar import Calendar

DEFAULT_REMIND_DAYS = 3
Kind = SummaryReminder.Kind


@dataclass
class RemindReport:
    campaigns: int = 0
    reminders: int = 0


def remind_days(campaign: Campaign) -> int:
    """The working days before the due date the units are reminded (the campaign's `summaries.remind_days`)."""
    value = ((campaign.config or {}).get("summaries") or {}).get("remind_days", DEFAULT_REMIND_DAYS)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else DEFAULT_REMIND_DAYS


def kind_due(campaign: Campaign, due: Due, today: dt.date) -> str | None:
    """Which reminder the campaign's summaries call for today, if any."""
    if not campaign.starts_on <= today <= campaign.ends_on:
        return None
    if today == due.day:
        return Kind.DUE
    if today > due.day:
        return Kind.OVERDUE_OFFICE
    days = remind_days(campaign)
    calendar = Calendar(range(today.year, due.day.year + 1))
    if days and calendar.is_workday(today) and calendar.count(today, due.day) == days:
        return Kind.AHEAD
    return None


def remind(today: dt.date | None = None) -> RemindReport:
    today = today or clock.today()
    report = RemindReport()
    for campaign in Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("scope") \
            .order_by("pk"):
        due = due_of(campaign)
        kind = kind_due(campaign, due, today) if due is not None else None
        if due is None or kind is None:
            continue
        report.campaigns += 1
        owing = list(owing_units(campaign).exclude(pk__in=Summary.objects.filter(campaign=campaign).values("unit_id")))
        if kind == Kind.OVERDUE_OFFICE:
            # Once, whichever day after the due date the run first finds units owing: the row is dated the due date.
            report.reminders += _remind(campaign, due, None, kind, due.day, owing) if owing else 0
            continue
        for unit in owing:
            report.reminders += _remind(campaign, due, unit, kind, today, [unit])
    return report


def _remind(campaign: Campaign, due: Due, unit: Unit | None, kind: str, on: dt.date, owing: list[Unit]) -> int:
    try:
        with transaction.atomic():
            SummaryReminder.objects.create(campaign=campaign, unit=unit, kind=kind, on=on)
    except IntegrityError:
        return 0  # another run (or an earlier one today) has sent it
    transaction.on_commit(lambda: _send(campaign, due, unit, kind, on, owing))
    return 1


def message(campaign: Campaign, due: Due, unit: Unit | None, kind: str, owing: list[Unit]) -> tuple[str, str]:
    """(subject, body) in Chinese: the campaign, the due date, the page to open. The subject is what the SMS says
    (notifications.deliver): it names the campaign and the due date too."""
    facts = {"campaign": campaign.name, "label": due.label, "due": clock.day(due.day)}
    if unit is None:
        page = reverse("documents:summaries", args=[campaign.slug])
        names = "、".join(u.name for u in owing[:20]) + (_("等") if len(owing) > 20 else "")
        return (_("%(label)s逾期未交 %(n)s 个单位：%(campaign)s（%(due)s 截止）") % {**facts, "n": len(owing)},
                _("%(campaign)s的%(label)s已于 %(due)s 截止，仍有 %(n)s 个单位未提交：%(units)s。"
                  "请在走访平台“%(label)s提交情况”页查看并督促（%(page)s）。") % {
                    **facts, "n": len(owing), "units": names, "page": page})
    page = reverse("documents:summary_unit", args=[campaign.slug, unit.public_id])
    when = _("今天截止") if kind == Kind.DUE else _("还有 %(n)s 个工作日截止") % {
        "n": remind_days(campaign)}
    return (_("请于 %(due)s 前提交%(label)s：%(campaign)s") % facts,
            _("%(unit)s：%(campaign)s的%(label)s须在 %(due)s 前报镇走访办（%(when)s），贵单位尚未提交。"
              "请登录走访平台，在本单位的%(label)s页提交（%(page)s）。") % {
                **facts, "unit": unit.name, "when": when, "page": page})


def _send(campaign: Campaign, due: Due, unit: Unit | None, kind: str, on: dt.date, owing: list[Unit]) -> None:
    users = notifications.offices_over(campaign.scope.path) if unit is None else notifications.handlers_of(unit.pk)
    subject, body = message(campaign, due, unit, kind, owing)
    reached = notifications.deliver(users, subject, body)  # the run is the worker's (or cron's): sent here
    SummaryReminder.objects.filter(campaign=campaign, unit=unit, kind=kind, on=on).update(recipients=reached)
