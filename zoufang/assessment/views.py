"""考核 pages: a campaign's assessments (run a new one), one assessment's tables by level (freeze, download), one
score's figures with their drill-downs and its 加减分. Thin: the actions are in services."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zoufang.accounts import scope
from zoufang.accounts.names import named
from zoufang.assessment import links, presenters, services
from zoufang.assessment.models import Assessment, Score
from zoufang.assessment.scoring import LEVELS, level_name
from zoufang.core import paging, request_keys
from zoufang.core.queryparams import Asked
from zoufang.core.widgets import DayInput
from zoufang.jobs.views import start as start_job
from zoufang.web.dashboard import sees_campaign_stats

ASSESSMENTS_PAGE_SIZE = 20  # 历次考核, a page at a time (newest period first)


class RunForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("考核名称"), max_length=100, required=False,
                            widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：2017年度考核")}))
    starts_on = forms.DateField(label=gettext_lazy("考核期起"), widget=DayInput())
    ends_on = forms.DateField(label=gettext_lazy("考核期止"), widget=DayInput())
    # One key a rendered form: submitting it twice, or the job retried, makes one version (Assessment.request_key).
    key = request_keys.RequestKeyField()


class AdjustmentForm(forms.Form):
    points = forms.CharField(label=gettext_lazy("加减分（加分为正，减分为负）"), max_length=10,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "2 / -1.5"}))
    reason = forms.CharField(label=gettext_lazy("理由及依据"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))
    # One key a rendered form (Adjustment.request_key): a double click or the back button registers the points once.
    key = request_keys.RequestKeyField()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose assessments the user reads; the one campaign's page when there is one."""
    campaigns = [c for c in scope.visible_campaigns(request.user).select_related("scope").order_by("-starts_on")
                 if sees_campaign_stats(request.user, c)]
    if not campaigns:
        raise Http404
    if len(campaigns) == 1:
        return campaign(request, campaigns[0].slug)
    return render(request, "assessment/index.html", {"campaigns": campaigns, "here": "assessment"})


@login_required
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    found = services.campaign_for(request.user, slug)
    starts_on, ends_on = services.default_period(found)
    form = RunForm(initial={"starts_on": starts_on, "ends_on": ends_on,
                            "title": _("%(year)s年度考核") % {"year": ends_on.year}, "key": uuid.uuid4()})
    return render(request, "assessment/campaign.html", {
        "campaign": found, "assessments": paging.shown_page(
            services.listed(found).prefetch_related(*named("created_by"), *named("frozen_by")),
            Asked.page(request), ASSESSMENTS_PAGE_SIZE),
        "may_manage": services.may_manage(request.user, found), "form": form,
        "indicators": services.indicators(found), "here": "assessment",
    })


@login_required
@require_POST
def run(request: HttpRequest, slug: str) -> HttpResponse:
    found = services.campaign_for(request.user, slug)
    if not services.may_manage(request.user, found):
        raise Http404
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写考核期起止日期"))
        return redirect("assessment:campaign", slug)
    data = form.cleaned_data
    try:  # refused at once (dates, indicators), not after waiting in the queue
        services.check_run(found, starts_on=data["starts_on"], ends_on=data["ends_on"], by=request.user)
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:campaign", slug)
    # Scoring every cadre, unit and village of the town runs in the background (docs/jobs.md): the job's page shows
    # its progress and, when done, opens the new version.
    return start_job(request, "assessment_run", {
        "slug": found.slug, "starts_on": data["starts_on"].isoformat(), "ends_on": data["ends_on"].isoformat(),
        "title": data["title"], "key": str(data["key"])})


def _level(request: HttpRequest) -> str:
    level = request.GET.get("level") or "unit"
    if level not in LEVELS:
        raise Http404
    return level


@login_required
def detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    assessment = services.assessment_for(request.user, slug, public_id)
    level = _level(request)
    indicators = services.indicators_of(assessment)
    rows = presenters.lines(assessment, list(services.scores(assessment, level)), indicators)
    table = [(line, [(value, links.drill(assessment, line.score, i.key)) for value, i in zip(line.values, indicators,
                                                                                           strict=True)])
             for line in rows]
    return render(request, "assessment/detail.html", {
        "campaign": assessment.campaign, "assessment": assessment, "level": level, "level_label": level_name(level),
        "levels": [(key, level_name(key)) for key in LEVELS], "indicators": indicators, "table": table,
        "absent_note": presenters.absent_note(indicators),
        "may_manage": services.may_manage(request.user, assessment.campaign), "here": "assessment",
    })


def _score(assessment: Assessment, public_id: Any) -> Score:
    return services.by_public_id(
        assessment.scores.select_related("unit", "cadre__unit", "region"), public_id)


@login_required
def score(request: HttpRequest, slug: str, public_id: Any, score_id: Any) -> HttpResponse:
    assessment = services.assessment_for(request.user, slug, public_id)
    found = _score(assessment, score_id)
    return render(request, "assessment/score.html", _score_context(request, assessment, found, AdjustmentForm()))


@login_required
def my_scores(request: HttpRequest) -> HttpResponse:
    """我的考核得分: a unit handler's unit and a cadre's own scores in frozen assessments; nobody else's."""
    found = list(services.own_scores(request.user))
    return render(request, "assessment/mine.html", {"scores": found, "here": "my_scores"})


@login_required
def my_score(request: HttpRequest, score_id: Any) -> HttpResponse:
    """One's own score with its indicators and their drill-down (the oversight rows, scoped to one's own)."""
    found = services.own_score(request.user, score_id)
    context = _score_context(request, found.assessment, found, AdjustmentForm())
    return render(request, "assessment/score.html", {**context, "may_adjust": False, "own": True,
                                                      "here": "my_scores"})


def _score_context(request: HttpRequest, assessment: Assessment, found: Score, form: AdjustmentForm) -> dict[str, Any]:
    indicators = services.indicators_of(assessment)
    weights = sum(i.weight for i in indicators if found.cells[i.key].get("value") is not None)
    details = []
    for indicator in indicators:
        cell = found.cells[indicator.key]
        value = cell.get("value")
        details.append({
            "indicator": indicator, "text": presenters.cell_text(indicator, cell), "value": value,
            "weighted": round(value * indicator.weight / weights, 2) if value is not None and weights else None,
            "link": links.drill(assessment, found, indicator.key),
        })
    return {
        "campaign": assessment.campaign, "assessment": assessment, "score": found, "details": details,
        "level_label": level_name(found.level), "visits_link": links.visits(assessment, found),
        "adjustments": found.adjustments.select_related("by").prefetch_related(*named("by")).order_by("at", "id"), "form": form,
        "may_adjust": not assessment.is_frozen and services.may_manage(request.user, assessment.campaign),
        "here": "assessment",
    }


@login_required
@require_POST
def adjust(request: HttpRequest, slug: str, public_id: Any, score_id: Any) -> HttpResponse:
    assessment = services.assessment_for(request.user, slug, public_id)
    found = _score(assessment, score_id)
    if not services.may_manage(request.user, assessment.campaign):
        raise Http404
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            _made, added = services.add_adjustment_once(assessment, found, by=request.user, **form.cleaned_data)
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        except request_keys.KeyReused as reused:
            # The form was sent, changed (back button) and sent again: keep what was typed under a new key.
            form = AdjustmentForm({**request.POST.dict(), "key": str(uuid.uuid4())})
            form.is_valid()
            form.add_error(None, _("这张表刚才已登记为“%(earlier)s”，本次内容不同，未登记。如确需再加减分，请核对后再提交。")
                           % {"earlier": reused.made})
        else:
            messages.success(request, _("已登记加减分") if added else _("这次加减分已登记过，未重复登记"))
            return redirect("assessment:score", slug, assessment.public_id, found.public_id)
    return render(request, "assessment/score.html", _score_context(request, assessment, found, form), status=400)


@login_required
@require_POST
def freeze(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    assessment = services.assessment_for(request.user, slug, public_id)
    if request.POST.get("confirm") != "1" and services.may_manage(request.user, assessment.campaign):
        messages.error(request, _("请勾选“已核对无误”后再定稿"))
        return redirect("assessment:detail", slug, assessment.public_id)
    try:
        services.freeze_assessment(assessment, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except services.AlreadyFrozen as done:  # a double click, or another assessor first: frozen as asked
        messages.info(request, str(done))
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("考核已定稿，此后不再变化；如需调整请重新运行考核（生成新版本）"))
    return redirect("assessment:detail", slug, assessment.public_id)


@login_required
@require_POST
def xlsx(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """The assessment table of a whole town is built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "assessment_xlsx", {"slug": slug, "assessment": str(public_id)})


