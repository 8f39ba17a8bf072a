"""干部账号: the office links its town's cadres to logins and opens accounts for them (zoufang.accounts.cadre_accounts)."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts import cadre_accounts, cadre_batches
from zoufang.accounts.cadre_batches import Batch, Kind
from zoufang.core import paging, request_keys
from zoufang.core.queryparams import Asked

# 已开通 / 未开通: the list's account filter (URL value → whether linked, and the menu's label).
LINKED = {"none": False, "open": True}
STATUS_LABELS = {"none": gettext_lazy("未开通"), "open": gettext_lazy("已开通")}
LIST_PARAMS = ("q", "unit", "status", "after")  # the list's query, kept when a row's form goes back to it
LISTED_MAX = 2000


def _office(request: HttpRequest) -> Any:
    if not cadre_accounts.may_manage_cadre_accounts(request.user):
        raise Http404
    return request.user


def _issued_page(request: HttpRequest, office: Any, batch: Batch) -> HttpResponse:
    """The one-time passwords, shown this once; never cached, never stored in clear. Opening: with how many cadres
    of the town are still without an account, and the next batch offered; re-issuing: the ticked cadres left over.
    Each form on it carries a new key."""
    opening = batch.kind == Kind.OPEN
    remaining = paging.bounded_count(cadre_accounts.without_account(office), paging.COUNT_CAP + 1) if opening else 0
    response = render(request, "accounts/cadre_accounts_issued.html", {
        "batch": batch, "issued": batch.issued, "skipped": batch.skipped, "gone": batch.gone, "remaining": remaining,
        "capped": remaining > paging.COUNT_CAP, "size": cadre_accounts.OPEN_BATCH, "opening": opening,
        "key": uuid.uuid4(), "made": clock.minute(batch.made) if batch.made else "",
    })
    add_never_cache_headers(response)
    return response


def _run_batch(request: HttpRequest, office: Any) -> HttpResponse:
    """开通 (the ticked cadres, or the next batch of those without an account) or 重设初始密码 (the ticked cadres),
    once per form: the form's key sent again shows its batch again (cadre_batches)."""
    key = request_keys.parsed(request.POST.get("key"))
    kind = Kind.REISSUE if request.POST.get("action") == Kind.REISSUE else Kind.OPEN
    if key is None:  # a page from before batches carried a key: nothing issued that a retry could lose
        messages.error(request, _("页面已过期，未作办理：请在刷新后的页面上重新提交。"))
        return redirect("cadre_accounts:list")
    # A ticked list is one page at most; it may hold some a first attempt opened (a retry): skipped.
    ticked = (None if kind == Kind.OPEN and request.POST.get("all")
              else list(cadre_accounts.town_cadres(office).filter(public_id__in=_uuids(request))))
    try:
        batch = cadre_batches.run(kind, key, ticked, by=office, shown=_shown(request, ticked))
    except cadre_batches.AnothersKey:
        messages.error(request, _("这张表单不是您的页面上的：已由另一位工作人员提交过，或页面已过期。未作办理，"
                                  "请在刷新后的页面上重新勾选。"))
        return redirect("cadre_accounts:list")
    except request_keys.KeyReused as reused:
        messages.error(request, _("这张表单已于%(when)s提交过，之后勾选有改动：未作办理。请在刷新后的页面上重新勾选。")
                       % {"when": clock.minute(reused.made.created_at)})
        return redirect("cadre_accounts:list")
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("cadre_accounts:list")
    return _issued_page(request, office, batch)


@never_cache
@login_required
def cadre_accounts_page(request: HttpRequest) -> HttpResponse:
    """The town's cadres with their accounts a page at a time; POST opens accounts for the ticked cadres or the next
    batch of those without one, or re-issues the ticked cadres' one-time passwords."""
    office = _office(request)
    if request.method == "POST":
        return _run_batch(request, office)
    asked = Asked.page(request)
    units = list(cadre_accounts.town_units(office))
    unit = next((u for u in units if str(u.public_id) == asked.text("unit")), None)
    if asked.text("unit") and unit is None:
        asked.unseen("unit", _("单位"))
    status = asked.choice("status", LINKED, "", lambda key: str(STATUS_LABELS[key]))
    name = asked.text("q").strip()
    if len(name) > cadre_accounts.NAME_SEARCH_MAX:
        asked.bad("q", _("不超过 %(n)s 个字") % {"n": cadre_accounts.NAME_SEARCH_MAX}, _("不按姓名查找"))
        name = ""
    cadres = cadre_accounts.listed_cadres(office, unit=unit, linked=LINKED.get(status), name=name)
    page = paging.shown_page(cadres, asked, settings.ZOUFANG_PAGE_SIZE)
    total = paging.bounded_count(cadres, paging.COUNT_CAP + 1)
    unlinked = paging.bounded_count(cadre_accounts.without_account(office), paging.COUNT_CAP + 1)
    return render(request, "accounts/cadre_accounts.html", {
        "page": page, "rows": page.rows, "total": min(total, paging.COUNT_CAP), "capped": total > paging.COUNT_CAP,
        "unlinked": min(unlinked, paging.COUNT_CAP), "batch": cadre_accounts.OPEN_BATCH,
        "units": units, "unit": unit, "status": status, "q": name, "statuses": STATUS_LABELS,
        "filtered": bool(unit or status or name),
        "listed": request.GET.urlencode(),  # each row's form sends it back (`_listed`): the page to return to
        "key": uuid.uuid4(), "all_key": uuid.uuid4(),  # the batch forms' keys: a form sent twice is one batch
    })


def _shown(request: HttpRequest, ticked: list[Any] | None) -> dict[str, str] | None:
    """The account each ticked cadre's row showed (`shown-<public id>`, "" for none); None from a page drawn before
    the rows carried it."""
    if ticked is None or not any(name.startswith("shown-") for name in request.POST):
        return None
    return {str(cadre.public_id): request.POST.get(f"shown-{cadre.public_id}", "") for cadre in ticked}


def _uuids(request: HttpRequest) -> list[str]:
    """The ticked cadres' public ids (one page's at most); what is not one is ignored (and so not found)."""
    ticked = request.POST.getlist("cadre")[:settings.ZOUFANG_PAGE_SIZE]
    return [str(key) for value in ticked if (key := request_keys.parsed(value)) is not None]


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
            return _issued_page(request, office, Batch(Kind.REISSUE, [issued]))
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(f"{reverse('cadre_accounts:list')}{_listed(request)}#c-{cadre.public_id}")


def _listed(request: HttpRequest) -> str:
    """The list's page and filters the row's form was sent from (its `listed` field), to go back to: the list's own
    parameters only, each as sent (a bad one is the list's to note)."""
    sent = QueryDict(request.POST.get("listed", "")[:LISTED_MAX])
    kept = QueryDict(mutable=True)
    for key in LIST_PARAMS:
        if sent.get(key):
            kept[key] = sent[key]
    return f"?{kept.urlencode()}" if kept else ""
