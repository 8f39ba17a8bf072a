"""Telling people about a case: email through Django's backend, SMS through the pluggable one.

Actions call these inside `transaction.on_commit`, so nothing is sent for a change that rolled back.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils.translation import gettext as _

from zoufang.accounts.models import RoleGrant
from zoufang.cases import sms
from zoufang.cases.models import Case

log = logging.getLogger(__name__)


def unit_users(case: Case) -> list[Any]:
    if not case.unit_id:
        return []
    return list(
        get_user_model().objects.filter(
            role_grants__role=RoleGrant.Role.UNIT_HANDLER, role_grants__unit_id=case.unit_id, is_active=True
        ).distinct()
    )


def office_users(case: Case) -> list[Any]:
    path = case.region.path if case.region_id and case.region else case.campaign.scope.path
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


def notify(users: Iterable[Any], subject: str, body: str) -> int:
    """Email everyone with an address and text everyone with a phone; returns how many were reached."""
    reached = 0
    backend = sms.get_backend()
    for user in users:
        sent = False
        if user.email:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                sent = True
            except Exception:
                log.exception("邮件发送失败：%s", user.email)
        phone = _phone_of(user)
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
