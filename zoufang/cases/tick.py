"""`zoufang cases tick`: mark overdue cases and remind the unit and the office, once a day per case.

Idempotent and safe to run twice at once: each reminder is a row unique per (case, kind, day),
inserted in its own transaction; only the run whose insert succeeded sends it, after commit.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.cases import deadlines, notifications
from zoufang.cases.models import Case, CaseReminder
from zoufang.cases.presenters import day_text, deadline_text
from zoufang.cases.workflow import HANDLING


@dataclass
class TickReport:
    overdue: int = 0
    newly_overdue: int = 0
    reminders: int = 0
    late_drafts: int = 0
    warnings: set[str] = field(default_factory=set)


def tick(today: dt.date | None = None) -> TickReport:
    today = today or clock.today()
    report = TickReport()
    handling = Case.objects.filter(status__in=HANDLING, paused_since__isnull=True, handling_due__lt=today)
    for case_id in handling.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("campaign__scope", "region", "unit").get(
                pk=case_id
            )
            due = deadlines.handling_due(case, today)
            if not (case.status in HANDLING and case.paused_since is None and due is not None and today > due):
                continue
            report.overdue += 1
            if case.overdue_since is None:
                # A system mark, not a user's change: the version stays, so open forms stay valid.
                # The kept case results follow the deadline (CaseQuerySet.update refreshes them, decision 0005).
                Case.objects.filter(pk=case.pk).update(overdue_since=today, handling_due=due)
                report.newly_overdue += 1
            elif case.handling_due != due:  # a calendar imported since moved it: kept, as on the first day
                Case.objects.filter(pk=case.pk).update(handling_due=due)
            case.handling_due = due  # the reminders say the deadline found, not a saved one gone stale
            report.reminders += _remind(case, CaseReminder.Kind.OVERDUE_UNIT, today)
            report.reminders += _remind(case, CaseReminder.Kind.OVERDUE_OFFICE, today)
    late = Case.objects.filter(status=Case.Status.DRAFT, registration_due__lt=today)
    for case_id in late.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            case = Case.objects.select_related("campaign__scope", "region").get(pk=case_id)
            report.late_drafts += 1
            report.reminders += _remind(case, CaseReminder.Kind.REGISTRATION, today)
    return report


def _remind(case: Case, kind: str, today: dt.date) -> int:
    try:
        with transaction.atomic():
            CaseReminder.objects.create(case=case, kind=kind, on=today)
    except IntegrityError:
        return 0  # another run (or an earlier one today) has sent it
    transaction.on_commit(lambda: _send(case, kind, today))
    return 1


def _send(case: Case, kind: str, today: dt.date) -> None:
    line = notifications.case_line(case)
    if kind == CaseReminder.Kind.REGISTRATION:
        users = notifications.office_users(case)
        subject = _("逾期未登记：%(line)s") % {"line": line}
        body = _("登记期限 %(due)s 已过，请尽快登记。") % {"due": day_text(case.registration_due)}
    else:
        unit_side = kind == CaseReminder.Kind.OVERDUE_UNIT
        users = notifications.unit_users(case) if unit_side else notifications.office_users(case)
        subject = _("超期未办结：%(line)s") % {"line": line}
        body = _("承办单位：%(unit)s；办理期限：%(due)s。") % {"unit": case.unit or "", "due": deadline_text(case)}
    reached = notifications.deliver(users, subject, body)  # tick runs in the worker (or cron): sent here
    CaseReminder.objects.filter(case=case, kind=kind, on=today).update(recipients=reached)
