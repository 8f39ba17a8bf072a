"""Telling people about a case: email through Django's backend, SMS through the pluggable one.

Actions call `notify` inside `transaction.on_commit`, so nothing is sent for a change that rolled back; it reads
the recipients' addresses then and queues their sending (the task `send_notification`, docs/jobs.md): a request
never waits for a mail server or an SMS gateway. `deliver` sends at once (the worker's own `cases tick`).
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zoufang.accounts.models import RoleGrant
from zoufang.cases import sms
from zoufang.cases.models import Case
from zoufang.jobs.tasks import task  # Django's Tasks API (django.tasks from 6.0, django-tasks on 5.2)

log = logging.getLogger(__name__)


def unit_users(case: Case) -> list[Any]:
    return handlers_of(case.unit_id)


def handlers_of(unit_id: int | None) -> list[Any]:
    """The unit's handlers (unit_handler grants) with an active account."""
    if not unit_id:
        return []
    return list(
        get_user_model().objects.filter(
            role_grants__role=RoleGrant.Role.UNIT_HANDLER, role_grants__unit_id=unit_id, is_active=True
        ).distinct()
    )


def office_users(case: Case) -> list[Any]:
    return offices_over(case.region.path if case.region_id and case.region else case.campaign.scope.path)


def offices_over(path: str) -> list[Any]:
    """The offices (走访办) of the region at `path` and of the regions above it, with an active account."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."] + [path]
    grants = RoleGrant.objects.filter(role=RoleGrant.Role.OFFICE, region__path__in=prefixes)
    return list(get_user_model().objects.filter(Q(role_grants__in=grants), is_active=True).distinct())


def signer_users(case: Case) -> list[Any]:
    leader = case.signoff_leader
    return [leader.user] if leader is not None and leader.user is not None else []


def _phone_of(user: Any) -> str:
    try:
        return str(user.cadre.phone or "")
    except Exception:  # noqa: BLE001 — a user without a cadre record has no phone on file
        return ""


def _recipients(users: Iterable[Any]) -> list[tuple[str, str]]:
    """(email, phone) of each user with either: what sending needs, read while the request has the users."""
    found = ((str(user.email or ""), _phone_of(user)) for user in users)
    return [(email, phone) for email, phone in found if email or phone]


def notify(users: Iterable[Any], subject: str, body: str) -> None:
    """Queue an email to everyone with an address and a text to everyone with a phone (sent by the worker), once
    the change that caused it commits (at once outside a transaction)."""
    recipients = [list(pair) for pair in _recipients(users)]
    if recipients:
        transaction.on_commit(lambda: send_notification.enqueue(recipients, subject, body))


@task()
def send_notification(recipients: list[list[str]], subject: str, body: str) -> int:
    """The queued half of `notify`: returns how many were reached."""
    return _send(recipients, subject, body)


def deliver(users: Iterable[Any], subject: str, body: str) -> int:
    """Email and text at once (for work already in the worker); returns how many were reached."""
    return _send([list(pair) for pair in _recipients(users)], subject, body)


def _send(recipients: list[list[str]], subject: str, body: str) -> int:
    reached = 0
    backend = sms.get_backend()
    for email, phone in recipients:
        sent = False
        if email:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
                sent = True
            except Exception:
                log.exception("邮件发送失败：%s", email)
        if phone:
            try:
                backend.send(phone, _("【走访】%(subject)s") % {"subject": subject})
                sent = True
            except Exception:
                log.exception("短信发送失败：%s", phone)
        reached += int(sent)
    return reached


def case_line(case: Case) -> str:
    return f"[{case.number}] {case.get_kind_display()}：{case.description[:60]}"
