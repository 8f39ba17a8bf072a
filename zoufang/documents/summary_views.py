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
from zoufang.core.downloads import attachment
from zoufang.documents import summaries, summary_export
from zoufang.documents.forms import SummaryForm
from zoufang.documents.models import Summary
from zoufang.oversight.views import xlsx_response
from zoufang.registry.models import Unit
from zoufang.web.dashboard import sees_campaign_stats

CONTENT_TYPES = {
    Summary.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Summary.Kind.DOC: "application/msword", Summary.Kind.WPS: "application/vnd.ms-works",
    Summary.Kind.PDF: "application/pdf",
}


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = summaries.listed_campaign(request.user, slug)
    return render(request, "documents/summaries.html", {"campaign": campaign, "roster": summaries.roster(campaign)})


@login_required
def xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = summaries.listed_campaign(request.user, slug)
    roster = summaries.roster(campaign)
    data = summary_export.workbook(roster, Masker(request.user))
    audit.record(request.user, AuditEvent.Action.EXPORT, campaign,
                 summary=_("导出%(label)s提交情况：%(campaign)s") % {"label": roster.due.label, "campaign": campaign.name})
    return xlsx_response(data, _("%(campaign)s%(label)s提交情况") % {"campaign": campaign.name, "label": roster.due.label})


def _unit_page(request: HttpRequest, campaign: Campaign, unit: Unit, form: SummaryForm | None = None,
               status: int = 200) -> HttpResponse:
    roster = summaries.roster(campaign, Unit.objects.filter(pk=unit.pk))
    hands_in = summaries.may_hand_in(request.user, unit)
    replaceable = not roster.rows[0].current or not roster.overdue
    return render(request, "documents/summary_unit.html", {
        "campaign": campaign, "unit": unit, "roster": roster, "row": roster.rows[0],
        "form": (form or SummaryForm()) if hands_in and replaceable else None, "hands_in": hands_in,
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
def file(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    return file_response(summaries.readable_file(request.user, campaign, public_id))


def file_response(summary: Summary) -> HttpResponse:
    """The version's file as handed in, its SHA-256 in `X-Content-SHA256` (the page's and the API's)."""
    response = HttpResponse(bytes(summary.content), content_type=CONTENT_TYPES[Summary.Kind(summary.kind)])
    response["Content-Disposition"] = attachment(summary.file_name)
    response["X-Content-SHA256"] = summary.sha256
    return response
