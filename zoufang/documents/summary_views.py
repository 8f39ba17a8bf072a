"""The units' 工作总结 pages (decision 0071): the office's list of who has and has not handed one in, its xlsx, a
unit's own page with its versions and the form to hand one in, each file taken."""

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
from zoufang.documents.forms import SummaryForm, SummaryReturnForm
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
               status: int = 200, return_form: SummaryReturnForm | None = None) -> HttpResponse:
    roster = summaries.roster(campaign, Unit.objects.filter(pk=unit.pk))
    row = roster.rows[0]
    hands_in = summaries.may_hand_in(request.user, unit)
    replaceable = not row.current or not roster.overdue or row.returned is not None
    returnable = row.current is not None and row.returned is None and summaries.may_return(request.user, campaign)
    if returnable and return_form is None:
        return_form = SummaryReturnForm(initial={"version": row.current.public_id})  # type: ignore[union-attr]
    return render(request, "documents/summary_unit.html", {
        "campaign": campaign, "unit": unit, "roster": roster, "row": row,
        "form": (form or SummaryForm()) if hands_in and replaceable else None, "hands_in": hands_in,
        "return_form": return_form if returnable else None,
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


@login_required
@require_POST
def return_summary(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    found = summaries.readable_unit(request.user, campaign, unit_id)
    if not summaries.may_return(request.user, campaign):  # a unit's handlers and the readers only read (0044)
        raise Http404
    form = SummaryReturnForm(request.POST)
    if not form.is_valid():
        return _unit_page(request, campaign, found, status=400, return_form=form)
    try:
        made, new = summaries.return_summary(request.user, campaign, found, form.cleaned_data["version"],
                                             form.cleaned_data["reason"], key=form.cleaned_data["key"])
    except summaries.SummaryRefused as refused:
        messages.error(request, str(refused))
        return redirect("documents:summary_unit", slug, found.public_id)
    except request_keys.KeyReused:
        messages.error(request, _("这张表刚才已提交过另一条退回原因；请查看本页后再操作。"))
        return redirect("documents:summary_unit", slug, found.public_id)
    if new:
        messages.success(request, _("已退回第 %(n)s 版，并已通知%(unit)s的承办人。") % {
            "n": made.summary.version, "unit": found.name})
    else:
        messages.info(request, _("第 %(n)s 版刚才已退回，未重复退回。") % {"n": made.summary.version})
    return redirect("documents:summary_unit", slug, found.public_id)


@login_required
def file(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    return summaries.file_response(summaries.readable_file(request.user, campaign, public_id))
