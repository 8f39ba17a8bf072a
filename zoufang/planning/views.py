"""The office's plan pages: per village (who covers how much), per unit and cadre, pins, preview, downloads."""

from collections import defaultdict
from typing import Any

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
from zoufang.core import paging
from zoufang.core.queryparams import Asked
from zoufang.jobs import views as jobs_views
from zoufang.planning import proof
from zoufang.planning.models import Assignment, Quota
from zoufang.planning.services import set_pinned
from zoufang.regions.models import Region
from zoufang.registry import unitnames
from zoufang.registry.models import Cadre, Target, Unit

GROUPS = [("upper", "上级单位"), ("town_leadership", "镇领导"), ("town_department", "镇部门"),
          ("village_committee", "村、社区干部")]
PROBLEMS_PAGE_SIZE = 20  # the stored proof's problems, a page at a time


def _office_campaign(request: HttpRequest, slug: str | None = None) -> Campaign:
    if not scope.may_plan(request.user):
        raise PermissionDenied
    campaigns = scope.managed_campaigns(request.user)
    asked = request.GET.get("campaign") if request.method == "GET" and not slug else None
    if asked:  # a page: a campaign the office does not manage shows its first one, with a notice (decision 0035)
        found = campaigns.filter(slug=asked).first()
        if found is not None:
            return found
        Asked.page(request).unseen("campaign", _("走访活动"))
    slug = slug or request.POST.get("campaign")
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
    # The proof is stored (planning/proof.py): computed when a plan is written or by 重新计算, never here.
    stored = proof.stored(campaign)
    result = stored.result if stored else {}
    problems = paging.shown_page(proof.problems(stored), Asked.page(request), PROBLEMS_PAGE_SIZE) if stored else None
    unit_rows = sorted(units.values(), key=lambda u: ([k for k, _ in GROUPS].index(u["group"]), u["name"]))
    kinds = [(k, Target.Kind(k).label, result["targets"][k], result["unassigned"][k], result["duplicated"][k])
             for k in result.get("targets", {})]
    return render(request, "planning/overview.html", {
        "here": "plan", "campaign": campaign, "campaigns": list(scope.managed_campaigns(request.user)), "rows": rows, "groups": GROUPS, "units": unit_rows,
        "proof": stored, "check": result, "problems": problems,
        "kinds": kinds,
        # The 核验 table's 合计 (a town's targets, unassigned, duplicated over every kind), where it has two kinds or more.
        "kinds_total": [sum(row[n] for row in kinds) for n in (2, 3, 4)] if len(kinds) > 1 else None,
    })


@login_required
@require_POST
def plan_check(request: HttpRequest) -> HttpResponse:
    """重新计算 the stored proof in the background (the plan_check job); its page links back here."""
    campaign = _office_campaign(request)
    return jobs_views.start(request, "plan_check", {"campaign": campaign.slug})


@login_required
@require_POST
def plan_apply(request: HttpRequest) -> HttpResponse:
    """重新分配 (or its preview, mode=preview) runs in the background (docs/jobs.md): the office goes to the job's
    page, which shows its progress and then the planner's report (a preview's with the button to apply it, keyed
    by the preview: the same confirmation sent again opens the first run)."""
    campaign = _office_campaign(request)
    return jobs_views.start(request, "plan_run", {"campaign": campaign.slug, "key": request.POST.get("key", ""),
                                                  "apply": request.POST.get("mode") != "preview"})


def _overview_url() -> str:
    from django.urls import reverse

    return reverse("planning:overview")


UNIT_PAGE_SIZE = 100  # a visitor's list on the unit's page, a page at a time
UNIT_ONLY = "unit"  # the `cadre` of the unit's own share (count-only units: no cadre named)


@login_required
def plan_unit(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The unit's visitors with their planned and assigned counts (two grouped counts over the unit's own rows);
    one visitor's list at a time (`?cadre=`), UNIT_PAGE_SIZE rows a page after a cursor: the page never reads
    every assignment of the unit."""
    campaign = _office_campaign(request)
    unit = get_object_or_404(Unit.objects.select_related("region"), public_id=public_id)
    if not (unitnames.reaches(unit, campaign.scope)
            or Quota.objects.filter(campaign=campaign, unit=unit).exists()):
        raise Http404  # another town's unit, with no part in this campaign: as if it were not there
    quotas: dict[tuple[int | None, str], int] = defaultdict(int)
    for cadre_id, kind, n in (Quota.objects.filter(campaign=campaign, unit=unit).order_by()
                              .values_list("cadre_id", "target_kind").annotate(n=Sum("count"))):
        quotas[(cadre_id, kind)] += n
    assigned = dict(((c, k), n) for c, k, n in Assignment.objects.filter(campaign=campaign, unit=unit).order_by()
                    .values_list("cadre_id", "target__kind").annotate(n=Count("id")))
    kinds = sorted({k for _, k in quotas} | {k for _, k in assigned},
                   key=lambda k: list(Target.Kind).index(Target.Kind(k)))
    found = Cadre.objects.in_bulk([c for c, _q in (*quotas, *assigned) if c is not None])
    rows = []
    for cadre_id in sorted({c for c, _q in (*quotas, *assigned)},
                           key=lambda c: (c is None, found[c].sort_order if c in found else 0, c or 0)):
        cadre = found.get(cadre_id) if cadre_id is not None else None
        rows.append({"cadre": cadre, "key": str(cadre.public_id) if cadre else UNIT_ONLY,
                     "assigned": sum(assigned.get((cadre_id, k), 0) for k in kinds),
                     "counts": [(Target.Kind(k).label, quotas.get((cadre_id, k), 0), assigned.get((cadre_id, k), 0))
                                for k in kinds]})
    chosen = next((row for row in rows if row["key"] == request.GET.get("cadre")), None)
    page = None
    if chosen is not None:
        visible = scope.visible_targets(request.user).values("pk")
        listed = (Assignment.objects.filter(campaign=campaign, unit=unit, cadre=chosen["cadre"], target__in=visible)
                  .select_related("target__region").order_by("target__region__path", "target_id", "id"))
        page = paging.shown_page(listed, Asked.page(request), UNIT_PAGE_SIZE)
    return render(request, "planning/unit.html", {"here": "plan", "campaign": campaign, "unit": unit,
                                                  "cadres": rows, "chosen": chosen, "page": page})


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
