"""What a locked-out caller sees: JSON for the API, the Chinese lockout page in the browser."""

from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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
