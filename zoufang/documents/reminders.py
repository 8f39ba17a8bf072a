"""Reminding units of their 工作总结 (decision 0073): run daily beside `cases tick` (jobs.tasks.periodic_work).

- Each owing unit that has handed nothing in, or whose current version the office returned (decision 0075): its handlers `summaries.remind_days` working days before the due date
  (default 3; 0: none ahead; a run missed that day sends it on the next working day before the due date, once) and
  on the due date itself.
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
from zoufang.documents.models import SummaryReminder
from zoufang.documents.summaries import RETURNED, SUBMITTED, Due, Row, due_of, roster
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


def ahead_day(calendar: Calendar, due_day: dt.date, days: int) -> dt.date | None:
    """The working day `days` working days before the due date: the day the ahead reminder is for."""
    day, counted = due_day, 0
    while counted <= days and day.year - 1 in calendar.years:
        counted += calendar.is_workday(day)  # now the working days after `day - 1` up to the due date
        day -= dt.timedelta(days=1)
        if counted == days and calendar.is_workday(day):
            return day
    return None


@dataclass(frozen=True)
class Call:
    """The reminder a run sends today: its kind, the day its row is dated, the working days left to the due date."""

    kind: str
    on: dt.date
    left: int = 0


def kind_due(campaign: Campaign, due: Due, today: dt.date) -> Call | None:
    """Which reminder the campaign's summaries call for today, if any. A run missed on the ahead day (the worker down,
    the key added late) sends it on the next working day before the due date; its row is dated the ahead day, so once."""
    if not campaign.starts_on <= today <= campaign.ends_on:
        return None
    if today == due.day:
        return Call(Kind.DUE, today)
    if today > due.day:
        return Call(Kind.OVERDUE_OFFICE, due.day)  # once, whichever day after the due date a run first finds owing
    days = remind_days(campaign)
    calendar = Calendar(range(min(today.year, due.day.year - 1), due.day.year + 1))
    ahead = ahead_day(calendar, due.day, days) if days else None
    if ahead is not None and ahead <= today and calendar.is_workday(today):
        return Call(Kind.AHEAD, ahead, calendar.count(today, due.day))
    return None


def remind(today: dt.date | None = None) -> RemindReport:
    today = today or clock.today()
    report = RemindReport()
    for campaign in Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("scope") \
            .order_by("pk"):
        due = due_of(campaign)
        call = kind_due(campaign, due, today) if due is not None else None
        if due is None or call is None:
            continue
        report.campaigns += 1
        owing = still_owing(campaign)
        sent = set(SummaryReminder.objects.filter(campaign=campaign, kind=call.kind, on=call.on)
                   .values_list("unit_id", flat=True))
        if call.kind == Kind.OVERDUE_OFFICE:
            report.reminders += _remind(campaign, due, call, None, owing) if owing and not sent else 0
            continue
        for row in owing:
            # Those sent already are skipped here; the unique row still keeps a run beside this one to one send.
            report.reminders += _remind(campaign, due, call, row.unit, [row]) if row.unit.pk not in sent else 0
    return report


def still_owing(campaign: Campaign) -> list[Row]:
    """The owing units' rows with no version standing: none handed in, or the current one returned (0075)."""
    return [row for row in roster(campaign).rows if row.state != SUBMITTED]


def _remind(campaign: Campaign, due: Due, call: Call, unit: Unit | None, owing: list[Row]) -> int:
    try:
        with transaction.atomic():
            SummaryReminder.objects.create(campaign=campaign, unit=unit, kind=call.kind, on=call.on)
    except IntegrityError:
        return 0  # another run (or an earlier one today) has sent it
    transaction.on_commit(lambda: _send(campaign, due, call, unit, owing))
    return 1


def message(campaign: Campaign, due: Due, call: Call, unit: Unit | None, owing: list[Row]) -> tuple[str, str]:
    """(subject, body) in Chinese: the campaign, the due date, the working days left, the page to open.
    The subject is what the SMS says (notifications.deliver): it names the campaign and the due date too."""
    facts = {"campaign": campaign.name, "label": due.label, "due": clock.day(due.day)}
    if unit is None:
        page = reverse("documents:summaries", args=[campaign.slug])
        names = "、".join(row.unit.name + (_("（已退回）") if row.state == RETURNED else "") for row in owing[:20]) \
            + (_("等") if len(owing) > 20 else "")
        return (_("%(label)s逾期未交 %(n)s 个单位：%(campaign)s（%(due)s 截止）") % {**facts, "n": len(owing)},
                _("%(campaign)s的%(label)s已于 %(due)s 截止，仍有 %(n)s 个单位未提交：%(units)s。"
                  "请在走访平台“%(label)s提交情况”页查看并督促（%(page)s）。") % {
                    **facts, "n": len(owing), "units": names, "page": page})
    page = reverse("documents:summary_unit", args=[campaign.slug, unit.public_id])
    when = _("今天截止") if call.kind == Kind.DUE else _("还有 %(n)s 个工作日截止") % {"n": call.left}
    if owing[0].state == RETURNED:
        return (_("%(label)s已退回，请修改后重新提交（%(due)s 截止）：%(campaign)s") % facts,
                _("%(unit)s：%(campaign)s的%(label)s须在 %(due)s 前报镇走访办（%(when)s）。贵单位提交的%(label)s已退回，"
                  "请修改后重新提交：登录走访平台，在本单位的%(label)s页查看退回原因并提交新版本（%(page)s）。") % {
                    **facts, "unit": unit.name, "when": when, "page": page})
    return (_("请于 %(due)s 前提交%(label)s：%(campaign)s") % facts,
            _("%(unit)s：%(campaign)s的%(label)s须在 %(due)s 前报镇走访办（%(when)s），贵单位尚未提交。"
              "请登录走访平台，在本单位的%(label)s页提交（%(page)s）。") % {
                **facts, "unit": unit.name, "when": when, "page": page})


def _send(campaign: Campaign, due: Due, call: Call, unit: Unit | None, owing: list[Row]) -> None:
    users = notifications.offices_over(campaign.scope.path) if unit is None else notifications.handlers_of(unit.pk)
    subject, body = message(campaign, due, call, unit, owing)
    reached = notifications.deliver(users, subject, body)  # the run is the worker's (or cron's): sent here
    SummaryReminder.objects.filter(campaign=campaign, unit=unit, kind=call.kind, on=call.on).update(recipients=reached)
