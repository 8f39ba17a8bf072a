"""The units' 工作总结 pages (decision 0071): the office's list of who has and has not handed one in, its xlsx, a
unit's own page with its versions and the form to hand one in, each file taken."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.accounts import audit
from zoufang.accounts.masking import Masker
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.core import request_keys
from zoufang.documents import summaries, summary_export
from zoufang.documents.access import may_write
from zoufang.documents.forms import SummaryForm, SummaryReturnForm, SummaryWithdrawForm
from zoufang.documents.models import SummaryReturn
from zoufang.oversight.views import xlsx_response
from zoufang.registry.models import Unit
from zoufang.web.dashboard import sees_campaign_stats


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = summaries.listed_campaign(request.user, slug)
    roster = summaries.roster(campaign)
    state = request.GET.get("state", "")
    state = state if state in summaries.STATES else ""
    rows = [row for row in roster.rows if row.state == state] if state else roster.rows
    return render(request, "documents/summaries.html", {"campaign": campaign, "roster": roster, "rows": rows,
                                                          "state": state})


@login_required
def xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = summaries.listed_campaign(request.user, slug)
    roster = summaries.roster(campaign)
    data = summary_export.workbook(roster, Masker(request.user))
    audit.record(request.user, AuditEvent.Action.EXPORT, campaign,
                 summary=_("导出%(label)s提交情况：%(campaign)s") % {"label": roster.due.label, "campaign": campaign.name})
    return xlsx_response(data, _("%(campaign)s%(label)s提交情况") % {"campaign": campaign.name, "label": roster.due.label})


def _unit_page(request: HttpRequest, campaign: Campaign, unit: Unit, form: SummaryForm | None = None,
               status: int = 200, return_form: SummaryReturnForm | None = None,
               withdraw_form: SummaryWithdrawForm | None = None) -> HttpResponse:
    roster = summaries.roster(campaign, Unit.objects.filter(pk=unit.pk))
    row = roster.rows[0]
    hands_in = summaries.may_hand_in(request.user, unit)
    replaceable = not row.current or not roster.overdue or row.returned is not None
    office = may_write(request.user, campaign)
    # One return a version (decision 0080): a version whose return was withdrawn is not offered the form again.
    returnable = office and row.current is not None and summaries.return_of(row.current) is None
    withdrawable = office and row.returned is not None
    drawn = {"version": row.current.public_id} if row.current is not None else {}
    return render(request, "documents/summary_unit.html", {
        "campaign": campaign, "unit": unit, "roster": roster, "row": row,
        "form": (form or SummaryForm()) if hands_in and replaceable else None, "hands_in": hands_in,
        "return_form": (return_form or SummaryReturnForm(initial=drawn)) if returnable else None,
        "withdraw_form": (withdraw_form or SummaryWithdrawForm(initial=drawn)) if withdrawable else None,
        "reads_all": sees_campaign_stats(request.user, campaign),
    }, status=status)


@login_required
def unit(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    return _unit_page(request, campaign, summaries.readable_unit(request.user, campaign, unit_id))


@login_required
@require_POST
def hand_in(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    found = summaries.readable_unit(request.user, campaign, unit_id)
    if not summaries.may_hand_in(request.user, found):  # the office reads; only the unit hands in (decision 0044)
        raise Http404
    form = SummaryForm(request.POST, request.FILES)
    if not form.is_valid():
        return _unit_page(request, campaign, found, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        if (upload.size or 0) > summaries.MAX_MB * 1024 * 1024:  # refused before it is read into memory
            raise summaries.SummaryRefused(summaries.too_large(upload.name))
        summary, made = summaries.hand_in(request.user, campaign, found, upload.name, upload.read(),
                                          form.cleaned_data["note"], key=form.cleaned_data["key"])
    except summaries.SummaryRefused as refused:
        form.add_error("file", str(refused))
        return _unit_page(request, campaign, found, form, status=400)
    except request_keys.KeyReused:
        messages.error(request, _("这张表刚才已提交过另一份文件；如要更换，请重新选择文件后提交。"))
        return redirect("documents:summary_unit", slug, found.public_id)
    if made:
        messages.success(request, _("已提交%(label)s（第 %(n)s 版）。") % {
            "label": summaries.due_of(campaign).label, "n": summary.version})  # type: ignore[union-attr]
    else:
        messages.info(request, _("这份文件刚才已提交（第 %(n)s 版），未重复保存。") % {"n": summary.version})
    return redirect("documents:summary_unit", slug, found.public_id)


def _office_unit(request: HttpRequest, slug: str, unit_id: Any) -> tuple[Campaign, Unit]:
    """The campaign and the unit, for its office only: a unit's handlers and the readers only read (decision 0044)."""
    campaign = summaries.visible_campaign(request.user, slug)
    found = summaries.readable_unit(request.user, campaign, unit_id)
    if not may_write(request.user, campaign):
        raise Http404
    return campaign, found


def _office_act(request: HttpRequest, campaign: Campaign, found: Unit, act: Callable[[], tuple[SummaryReturn, bool]],
                reused: str, done: str, repeated: str) -> HttpResponse:
    """The office's return or withdrawal done, told on the unit's page: `done` or, sent again, `repeated` (each with
    the version's number); a stale page's refusal or a key used for another as a message."""
    try:
        made, new = act()
    except summaries.SummaryRefused as refused:
        messages.error(request, str(refused))
    except request_keys.KeyReused:
        messages.error(request, reused)
    else:
        facts = {"n": made.summary.version, "unit": found.name}
        (messages.success if new else messages.info)(request, (done if new else repeated) % facts)
    return redirect("documents:summary_unit", campaign.slug, found.public_id)


@login_required
@require_POST
def return_summary(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    campaign, found = _office_unit(request, slug, unit_id)
    form = SummaryReturnForm(request.POST)
    if not form.is_valid():
        return _unit_page(request, campaign, found, status=400, return_form=form)
    data = form.cleaned_data
    return _office_act(
        request, campaign, found,
        lambda: summaries.return_summary(request.user, campaign, found, data["version"], data["reason"],
                                         key=data["key"]),
        _("这张表刚才已提交过另一条退回原因；请查看本页后再操作。"),
        _("已退回第 %(n)s 版，并已通知%(unit)s的承办人。"), _("第 %(n)s 版刚才已退回，未重复退回。"))


@login_required
@require_POST
def withdraw_return(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    campaign, found = _office_unit(request, slug, unit_id)
    form = SummaryWithdrawForm(request.POST)
    if not form.is_valid():
        return _unit_page(request, campaign, found, status=400, withdraw_form=form)
    data = form.cleaned_data
    return _office_act(
        request, campaign, found, lambda: summaries.withdraw_return(request.user, campaign, found, data["version"], key=data["key"]),
        _("这张表刚才已用于撤销另一次退回；请查看本页后再操作。"),
        _("已撤销对第 %(n)s 版的退回，该版恢复为已提交，并已通知%(unit)s的承办人。"),
        _("对第 %(n)s 版的退回刚才已撤销，未重复撤销。"))


@login_required
def file(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    return summaries.file_response(summaries.readable_file(request.user, campaign, public_id))
