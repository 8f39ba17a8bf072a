"""The account's own pages: the login with its rate limit, the second factor, the password, the API tokens."""

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts import audit, passwords, tokens, twofactor
from zoufang.accounts.lockout import login_rate_exceeded, rate_limited_response
from zoufang.accounts.middleware import recheck
from zoufang.accounts.models import AuditEvent


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if login_rate_exceeded(request):
            return rate_limited_response(request)
        return super().post(request, *args, **kwargs)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify with a code, or enrol an authenticator first; then back to where the user was going."""
    user = request.user
    if user.is_verified() or not twofactor.requires_two_factor(user):  # type: ignore[union-attr]
        return redirect(_next(request))  # an account that needs no second factor enrols none
    enrolled = twofactor.is_enrolled(user)
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if enrolled:
            device = twofactor.verify(user, code)
            if device is not None:
                django_otp.login(request, device)
                return redirect(_next(request))
            error = _("验证码不正确或已用过，请输入验证器上当前的 6 位数字，或一个未用过的恢复码。")
            if wait := twofactor.wait_seconds(user):
                error = _("尝试过于频繁，请 %(s)d 秒后再输入验证码。") % {"s": wait}
        else:
            codes = twofactor.confirm_enrolment(user, code)
            if codes is not None:
                device = twofactor.TOTPDevice.objects.get(user=user, confirmed=True)
                django_otp.login(request, device)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
            error = _("验证码不正确：请确认手机时间准确，并输入验证器上当前的 6 位数字。")
    context: dict[str, Any] = {"enrolled": enrolled, "error": error, "next": _next(request)}
    if not enrolled:
        # A refused code writes no authenticator: the page's GET starts the enrolment, a POST only confirms it.
        device = twofactor.pending_device(user) if error else twofactor.start_enrolment(user)
        if device is None:
            context["error"] = _("请先用验证器扫描二维码（点下面的“显示二维码”），再输入验证器上的 6 位数字。")
        else:
            context.update(qr=twofactor.qr_svg(device), secret=twofactor.secret_text(device))
    return render(request, "accounts/two_factor.html", context, status=400 if error else 200)


@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    reason = passwords.must_change_password(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the password, its history, the cleared flag and the audit row, or none of them
            user = form.save()
            passwords.require_change(user, required=False)
            update_session_auth_hash(request, user)
            recheck(request)
            audit.record(user, AuditEvent.Action.SECURITY, user, object_type="auth.User", summary="修改了自己的密码")
        messages.success(request, _("密码已修改。"))
        return redirect(_next(request))
    if request.method == "POST" and _changed_already(request, form):
        messages.success(request, _("密码已修改（重复提交，未再次修改）。"))
        return redirect(_next(request))
    return render(request, "accounts/password.html", {"form": form, "reason": reason, "next": _next(request)},
                  status=400 if form.errors else 200)


def _changed_already(request: HttpRequest, form: PasswordChangeForm) -> bool:
    """The change sent again (a double click, a resend: decision 0058): its old password no longer the user's, its
    new one, typed twice alike, already is (the other fields' errors, such as a password used before, then say
    nothing). It tells nothing the old-password field does not."""
    new = request.POST.get("new_password1", "")
    return ("old_password" in form.errors and new != "" and new == request.POST.get("new_password2")
            and request.user.check_password(new))


@login_required
def my_tokens(request: HttpRequest) -> HttpResponse:
    now = timezone.now()  # tokens expire on the machine clock (clock.py: security clocks stay real) …
    rows = [{"token": t, "taken": clock.machine_moment(t.created_at), "expires": clock.machine_moment(t.expires_at),
             "used": clock.machine_moment(t.last_used_at)}  # … and are read on the product's (decision 0040)
            for t in tokens.listed(request.user)]
    return render(request, "accounts/tokens.html", {"tokens": rows, "now": now})


@login_required
@require_POST
def revoke_token(request: HttpRequest, public_id: str) -> HttpResponse:
    if not tokens.revoke(request.user, public_id, by=request.user):
        raise Http404  # not one of the user's own tokens: as if it did not exist
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")
