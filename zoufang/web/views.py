"""Home, region tree and health check. Views stay thin: scope, stats and dashboard decide."""

from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from zoufang import clock
from zoufang.accounts import duties, scope
from zoufang.cases.board import desk_counts
from zoufang.cases.models import Case
from zoufang.core.queryparams import Asked
from zoufang.forms import services as form_services
from zoufang.oversight import access, across, board
from zoufang.oversight import views as oversight_views
from zoufang.web import dashboard
from zoufang.web.tree import folded, region_tree


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # A city office's home is its towns side by side; a town's campaign is one click (or ?campaign=) away.
    city_regions = scope.city_office_regions(request.user)
    if city_regions and not request.GET.get("campaign"):
        return oversight_views.city_page(request, city_regions[0])
    campaigns = list(scope.visible_campaigns(request.user))
    # An upper-level unit (市级机关部门, 苏州市妇联 …) visits in several towns: its home is its blocks across them.
    if campaigns and "campaign" not in request.GET and across.is_upper_unit_user(request.user):
        return redirect("oversight:units")
    campaign = dashboard.choose_campaign(campaigns, request.GET.get("campaign"))
    context: dict[str, object] = {"campaigns": campaigns, "campaign": campaign,
                                  # 系统管理员, 安全管理员: no campaign by design, their work is in the admin.
                                  "administers": request.user.is_staff and bool(duties.admin_roles(request.user))}
    if campaign is not None:
        today = clock.today()
        context.update(
            today=today,
            # The office's plan of this campaign, not just of its latest one.
            manages=scope.managed_campaigns(request.user).filter(pk=campaign.pk).exists(),
            period=dashboard.campaign_period(campaign, today),
            phases=dashboard.phase_rows(campaign, today),
            table=dashboard.counts_table(campaign, request.user),
            figures=(
                dashboard.headline_figures(campaign)
                if dashboard.sees_campaign_stats(request.user, campaign)
                else None
            ),
        )
        if context["manages"]:  # the office is told when its visits cannot ask a questionnaire the campaign names
            context["unpublished"] = form_services.unpublished_questionnaires(campaign)
        # The office's and leaders' home is the campaign's 督查 dashboard; a unit handler gets a link to their unit's.
        if context["figures"] is not None:
            campaign_board = board.campaign_board(access.Reach(campaign, whole=True), today, request.user,
                                                  query=request.GET)
            board.paginate(campaign_board, Asked.page(request))
            context["board"] = campaign_board
        else:
            unit_ids = scope.handled_unit_ids(request.user)
            context["oversight_units"] = scope.visible_units(request.user).filter(pk__in=unit_ids)
            if unit_ids:  # a unit's handler starts the day from what its 承办台 holds
                context["desk"] = desk_counts(Case.objects.filter(unit_id__in=unit_ids), today)
            # A third party's callers and the 宣传报道组 have no villages: their day is their calls and their 典型.
            context.update(dashboard.own_work(request.user, campaign))
    return render(request, "web/home.html", context)


@login_required
def regions(request: HttpRequest) -> HttpResponse:
    """The region tree; at a city's scale a village's groups and grids open on request (?open=, web/tree.py)."""
    if not scope.may_list_regions(request.user):
        raise Http404
    roots = region_tree(request.user, opened=request.GET.get("open"))
    # A unit handler with no area of its own still reads its unit's targets: the empty tree says where they are.
    handles_unit = not roots and bool(scope.handled_unit_ids(request.user))
    return render(request, "web/regions.html", {"roots": roots, "folded": folded(roots), "handles_unit": handles_unit})


@cache
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (CSRF_FAILURE_VIEW): the site's 403 page, saying the form stayed open too long, where a plain
    refusal names the role instead (403.html)."""
    return render(request, "403.html", {"csrf_failure": True}, status=403)


def _favicon() -> bytes:
    return Path(str(finders.find("web/favicon.ico"))).read_bytes()


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every page that names no icon (the admin, error pages)."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
