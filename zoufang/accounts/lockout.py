"""Login lockout and rate limits (身份鉴别): what a locked-out caller sees, per account and per address."""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        minutes = round(cool_off.total_seconds() / 60) if cool_off else 0
        message = _("登录失败次数过多，账号已暂时锁定，请 %(minutes)d 分钟后再试，或联系走访办。") % {"minutes": minutes}
        return JsonResponse({"detail": message, "code": "locked", "errors": {}}, status=429)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": cool_off,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind a configured trusted proxy the X-Forwarded-For hop before it.

    Only addresses listed in ZOUFANG_TRUSTED_PROXIES are believed when they forward; a client cannot
    choose its own address by sending the header itself.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = set(settings.ZOUFANG_TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


class LockoutHandler(AxesDatabaseHandler):
    """Per account (django-axes' own count) and per source address over every account it tried."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        by_account = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        by_address = AccessAttempt.objects.filter(ip_address=address).aggregate(
            total=Sum("failures_since_start"))["total"] or 0
        if by_address >= settings.ZOUFANG_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, get_failure_limit(request, credentials))
        return by_account


def login_rate_exceeded(request: HttpRequest) -> bool:
    """The rate limit on every login endpoint, per source address, whatever the account (django-ratelimit)."""
    return bool(is_ratelimited(request, group="zoufang.login", key=lambda _group, req: client_address(req),
                               rate=settings.ZOUFANG_LOGIN_RATE, method="POST", increment=True))


def rate_limited_response(request: HttpRequest) -> HttpResponse:
    message = _("登录请求过于频繁，请稍后再试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "rate_limited", "errors": {}}, status=429)
    return render(request, "registration/rate_limited.html", {"message": message}, status=429)
