"""Session rules for the pages: idle and absolute limits, the second factor, a password that must change."""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from zoufang.accounts import passwords, twofactor

LOGIN_AT = "zoufang_login_at"
SEEN_AT = "zoufang_seen_at"
CHECKED_AT = "zoufang_checked_at"
PASSWORD_DUE = "zoufang_password_due"  # noqa: S105 - a session key, not a password
RECHECK_SECONDS = 300
# Pages a signed-in user reaches before the second factor or a password change; everything else waits. The
# password page and the token list are not among them: a password alone must not change the password (locking the
# owner out) nor list or revoke tokens; each pending step's own page is open while it is the step.
OPEN_PREFIXES = ("/account/2fa/", "/logout/", "/login/", "/static/", "/healthz", "/favicon.ico", "/api/",
                 "/open311/")


class AccountSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return self.get_response(request)
        expired = self.expired(request)
        if expired:
            logout(request)
            messages.warning(request, expired)
            return self.to(request, resolve_url(settings.LOGIN_URL))
        if not request.path.startswith(OPEN_PREFIXES):
            step = self.pending_step(request)
            if step and not request.path.startswith(step):
                return self.to(request, step)
        return self.get_response(request)

    @staticmethod
    def pending_step(request: HttpRequest) -> str:
        """The page the user must pass first ("" for none): the second factor, then a password change.

        Whether the second factor is needed comes from the user's role grants, which the request reads for scope
        anyway (zoufang.accounts.scope keeps them on the user for the request): a grant given or revoked counts from
        the user's very next request, at no query of its own. Whether the session is verified comes from django-otp,
        which loads the session's device on each request anyway, so a reset (the device deleted) takes effect on the
        next page. The password's age is read at most every RECHECK_SECONDS and kept in the session.
        """
        session, user = request.session, request.user
        if time.time() - session.get(CHECKED_AT, 0) > RECHECK_SECONDS:
            session[CHECKED_AT] = time.time()
            session[PASSWORD_DUE] = bool(passwords.must_change_password(user))
        if twofactor.requires_two_factor(user) and not user.is_verified():  # type: ignore[union-attr]
            return "/account/2fa/"
        if session[PASSWORD_DUE]:
            return "/account/password/"
        return ""

    @staticmethod
    def expired(request: HttpRequest) -> str:
        """Why the session ends now ("" when it goes on); marks it seen at most once a minute."""
        now = time.time()
        session = request.session
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.get(SEEN_AT, login_at)
        if now - login_at > settings.ZOUFANG_SESSION_ABSOLUTE_HOURS * 3600:
            return _("登录已超过 %(h)s 小时，请重新登录。") % {"h": settings.ZOUFANG_SESSION_ABSOLUTE_HOURS}
        if now - seen_at > settings.ZOUFANG_SESSION_IDLE_MINUTES * 60:
            return _("超过 %(m)s 分钟未操作，已自动退出，请重新登录。") % {"m": settings.ZOUFANG_SESSION_IDLE_MINUTES}
        if now - seen_at > 60:
            session[SEEN_AT] = now
        return ""

    @staticmethod
    def to(request: HttpRequest, path: str) -> HttpResponse:
        if request.headers.get("accept", "").startswith("application/json"):
            return JsonResponse({"detail": _("请先完成登录验证。")}, status=401)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(f"{path}?{query}" if query else path)


def mark_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session.pop(CHECKED_AT, None)


def recheck(request: HttpRequest) -> None:
    """After the user changed something the session keeps (the password), read it again on the next page."""
    request.session.pop(CHECKED_AT, None)
