"""The office's plan pages: per village (who covers how much), per unit and cadre, pins, preview, downloads."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.accounts import scope
from zoufang.campaigns.models import Campaign
from zoufang.jobs import views as jobs_views
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.models import Assignment, Quota
from zoufang.planning.services import PlanRejected, run_plan, set_pinned
from zoufang.regions.models import Region
from zoufang.registry.models import Target, Unit

GROUPS = [("upper", "上级单位"), ("town_leadership", "镇领导"), ("town_department", "镇部门"),
          ("village_committee", "村、社区干部")]


def _office_campaign(request: HttpRequest, slug: str | None = None) -> Campaign:
    if not scope.may_manage(request.user):
        raise PermissionDenied
    campaigns = scope.managed_campaigns(request.user)
    slug = slug or request.GET.get("campaign") or request.POST.get("campaign")
    return get_object_or_404(campaigns, slug=slug) if slug else campaigns.first() or _none()


def _none() -> Campaign:
    from django.http import Http404

    raise Http404


def _group(unit_kind: str) -> str:
    return unit_kind if unit_kind in ("town_leadership", "town_department", "village_committee") else "upper"


@login_required
def plan_overview(request: HttpRequest) -> HttpResponse:
    campaign = _office_campaign(request)
    villages = list(Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE)
                    .order_by("sort_order", "path"))
    by_village: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    units: dict[int, dict[str, Any]] = {}
    for unit_id, kind, name, public_id, region_id, n in (
            Quota.objects.filter(campaign=campaign).order_by()
            .values_list("unit_id", "unit__kind", "unit__name", "unit__public_id", "region_id")
            .annotate(n=Sum("count"))):
        by_village[region_id][_group(kind)] += n
        row = units.setdefault(unit_id, {"name": name, "public_id": public_id, "group": _group(kind),
                                         "villages": set(), "total": 0})
        if region_id != campaign.scope_id:  # the town's own targets are no village
            row["villages"].add(region_id)
        row["total"] += n
    rows = []
    places = villages + ([campaign.scope] if campaign.scope_id in by_village else [])  # then the town's own
    for village in places:
        counts = by_village.get(village.pk, {})
        total = sum(counts.values()) or 1
        rows.append({"village": village, "town": village.pk == campaign.scope_id, "total": sum(counts.values()),
                     "parts": [(key, label, counts.get(key, 0), round(100 * counts.get(key, 0) / total, 1))
                               for key, label in GROUPS]})
    preview = run_plan(campaign, dry_run=True) if request.GET.get("preview") else None
    result = check_plan(campaign)
    unit_rows = sorted(units.values(), key=lambda u: ([k for k, _ in GROUPS].index(u["group"]), u["name"]))
    return render(request, "planning/overview.html", {
        "here": "plan", "campaign": campaign, "campaigns": list(scope.managed_campaigns(request.user)), "rows": rows, "groups": GROUPS, "units": unit_rows,
        "preview": preview, "check": result, "clean": is_clean(result),
        "kinds": [(k, Target.Kind(k).label, result["targets"][k], result["unassigned"][k], result["duplicated"][k])
                  for k in result["targets"]],
    })


@login_required
@require_POST
def plan_apply(request: HttpRequest) -> HttpResponse:
    campaign = _office_campaign(request)
    try:
        report = run_plan(campaign, by=request.user)
    except PlanRejected as rejected:
        messages.error(request, _("分配未通过核验（不重不漏），未写入：") + "；".join(rejected.report.failures[:5]))
    else:
        messages.success(request, f"已重新分配：保留 {report.kept}，新增 {report.added}，调整 {report.moved}，"
                                  f"释放 {report.released}")
    return redirect(f"{_overview_url()}?campaign={campaign.slug}")


def _overview_url() -> str:
    from django.urls import reverse

    return reverse("planning:overview")


@login_required
def plan_unit(request: HttpRequest, public_id: Any) -> HttpResponse:
    campaign = _office_campaign(request)
    unit = get_object_or_404(Unit.objects.select_related("region"), public_id=public_id)
    if not (unit.region is None or unit.region.path.startswith(campaign.scope.path)
            or Quota.objects.filter(campaign=campaign, unit=unit).exists()):
        raise Http404  # another town's unit, with no part in this campaign: as if it were not there
    quotas: dict[tuple[int | None, str], int] = defaultdict(int)
    for cadre_id, kind, n in (Quota.objects.filter(campaign=campaign, unit=unit).order_by()
                              .values_list("cadre_id", "target_kind").annotate(n=Sum("count"))):
        quotas[(cadre_id, kind)] += n
    assigned = dict(((c, k), n) for c, k, n in Assignment.objects.filter(campaign=campaign, unit=unit).order_by()
                    .values_list("cadre_id", "target__kind").annotate(n=Count("id")))
    visible = scope.visible_targets(request.user).values("pk")
    assignments = (Assignment.objects.filter(campaign=campaign, unit=unit, target__in=visible)
                   .select_related("cadre", "target__region").order_by("cadre__sort_order", "cadre_id",
                                                                       "target__kind", "target__region__path",
                                                                       "target_id"))
    cadres: dict[Any, dict[str, Any]] = {}
    for a in assignments:
        row = cadres.setdefault(a.cadre_id, {"cadre": a.cadre, "items": []})
        row["items"].append(a)
    kinds = sorted({k for _, k in quotas}, key=lambda k: list(Target.Kind).index(Target.Kind(k)))
    for cadre_id, row in cadres.items():
        row["counts"] = [(Target.Kind(k).label, quotas.get((cadre_id, k), 0), assigned.get((cadre_id, k), 0))
                         for k in kinds]
    return render(request, "planning/unit.html", {"here": "plan", "campaign": campaign, "unit": unit,
                                                  "cadres": list(cadres.values())})


@login_required
@require_POST
def plan_pin(request: HttpRequest, public_id: Any) -> HttpResponse:
    campaign = _office_campaign(request)
    assignment = get_object_or_404(Assignment, campaign=campaign, public_id=public_id)
    set_pinned(assignment, request.POST.get("pinned") == "1", by=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = _overview_url()
    return redirect(target)


@login_required
@require_POST
def plan_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The town's plan is built in the background (docs/jobs.md): the office goes to the job's page."""
    _office_campaign(request)  # the same check as before, answered now rather than in the worker
    return jobs_views.start(request, "plan_export", {"campaign": _campaign_slug(request), "fmt": fmt})


@login_required
@require_POST
def plan_unit_walk_lists(request: HttpRequest, public_id: Any, fmt: str) -> HttpResponse:
    """The unit's walk lists alone, one sheet (or page run) per cadre, to hand out: for the office and the
    leaders of its area and for the unit's own handlers (scope.unit_records); built in the background."""
    return jobs_views.start(request, "walk_lists", {"unit": str(public_id), "campaign": _campaign_slug(request),
                                                    "fmt": fmt})


def _campaign_slug(request: HttpRequest) -> str | None:
    return request.GET.get("campaign") or request.POST.get("campaign") or None
