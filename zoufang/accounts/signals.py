"""Every login, logout, failure, lockout and token in the audit trail (安全审计), with the source address."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.lockout import client_address
from zoufang.accounts.models import AuditEvent


def _address(request: HttpRequest | None) -> str:
    return client_address(request) if request is not None and hasattr(request, "META") else ""


def logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(user, AuditEvent.Action.LOGIN, user, object_type="auth.User", summary="网页登录",
                 changes={"address": _address(request)})


def logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, AuditEvent.Action.LOGOUT, user, object_type="auth.User", summary="退出登录",
                     changes={"address": _address(request)})


def login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150].replace("\x00", "")
    audit.record(None, AuditEvent.Action.LOGIN_FAILED, object_type="auth.User",
                 summary=_("登录失败：%(username)s") % {"username": username}, changes={"username": username, "address": _address(request)})


def locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None,
               ip_address: str | None = None, **kwargs: Any) -> None:
    audit.record(None, AuditEvent.Action.LOCKOUT, object_type="auth.User",
                 summary=_("登录锁定：%(username)s（%(ip_address)s）") % {
                     "username": username or '', "ip_address": ip_address or '',
                 },
                 changes={"username": username or "", "address": ip_address or ""})


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    from zoufang.accounts.middleware import mark_login

    user_logged_in.connect(logged_in, dispatch_uid="zoufang.audit.logged_in")
    user_logged_in.connect(mark_login, dispatch_uid="zoufang.session.mark_login")
    user_logged_out.connect(logged_out, dispatch_uid="zoufang.audit.logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="zoufang.audit.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="zoufang.audit.locked_out")
