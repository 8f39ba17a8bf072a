"""干部账号: the office links its town's cadres to logins and opens accounts for them (zoufang.accounts.cadre_accounts)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zoufang.accounts import cadre_accounts
from zoufang.accounts.cadre_accounts import Issued
from zoufang.accounts.models import AccountSecurity, RoleGrant
from zoufang.core import request_keys


def _office(request: HttpRequest) -> Any:
    if not cadre_accounts.may_manage_cadre_accounts(request.user):
        raise Http404
    return request.user


def _issued_page(request: HttpRequest, issued: list[Issued], skipped: list[Any]) -> HttpResponse:
    """The one-time passwords, shown this once; never cached, never stored in clear."""
    response = render(request, "accounts/cadre_accounts_issued.html", {"issued": issued, "skipped": skipped})
    add_never_cache_headers(response)
    return response


@never_cache
@login_required
def cadre_accounts_page(request: HttpRequest) -> HttpResponse:
    """The town's cadres with their accounts; POST opens accounts for the chosen (or all) cadres without one."""
    office = _office(request)
    cadres = cadre_accounts.town_cadres(office).select_related("unit", "user").annotate(
        waiting=Exists(AccountSecurity.objects.filter(user=OuterRef("user"), must_change_password=True)),
        granted=Exists(RoleGrant.objects.filter(user=OuterRef("user"))),
    ).order_by("unit__sort_order", "unit__name", "sort_order", "name")
    if request.method == "POST":
        # "All" is those without an account; a ticked list may hold some a first attempt opened (a retry): skipped.
        chosen = list(cadres.filter(user__isnull=True) if request.POST.get("all")
                      else cadres.filter(public_id__in=_uuids(request)))
        if not chosen:
            messages.error(request, _("没有要开通账号的干部：请先勾选干部，或本镇干部都已有账号。"))
            return redirect("cadre_accounts:list")
        issued, skipped = cadre_accounts.open_accounts(chosen, by=office)
        return _issued_page(request, issued, skipped)
    rows = list(cadres)
    context = {"rows": rows, "unlinked": sum(1 for row in rows if row.user is None)}
    return render(request, "accounts/cadre_accounts.html", context)


def _uuids(request: HttpRequest) -> list[str]:
    """The ticked cadres' public ids; what is not one is ignored (and so not found)."""
    return [str(key) for value in request.POST.getlist("cadre") if (key := request_keys.parsed(value)) is not None]


@login_required
@require_POST
def cadre_account(request: HttpRequest, public_id: str) -> HttpResponse:
    """Link, unlink, or re-issue the one-time password of one cadre's account."""
    office = _office(request)
    cadre = cadre_accounts.cadre_of_town(office, public_id)
    action = request.POST.get("action", "")
    shown = request.POST.get("shown", "")
    try:
        if action == "link":
            username = request.POST.get("username", "").strip()
            if not username:
                raise ValidationError(_("%(cadre)s：请填写要关联的账号。") % {"cadre": cadre.name})
            cadre_accounts.link_account(cadre, username, shown=shown, by=office)
            messages.success(request, _("已把账号“%(username)s”关联到%(cadre)s。")
                             % {"username": username, "cadre": str(cadre)})
        elif action == "unlink":
            cadre_accounts.unlink_account(cadre, shown=shown, by=office)
            messages.success(request, _("已解除%(cadre)s的账号关联。") % {"cadre": str(cadre)})
        elif action == "reissue":
            issued = cadre_accounts.reissue_password(cadre, shown=shown, by=office)
            return _issued_page(request, [issued], [])
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(f"{redirect('cadre_accounts:list').url}#c-{cadre.public_id}")
