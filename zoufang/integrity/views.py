"""The office's integrity page: flags per cadre, worst first, with evidence; clear one with a reason; xlsx."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.integrity import flags, services
from zoufang.visits.models import Visit

SHOWN_CADRES = 200
SHOWN_VISITS = 6
KEPT = ("from", "to", "cleared")  # the page's filters, carried back after clearing


@login_required
def flag_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = services.campaign_for(request.user, slug)
    period = services.parse_period(request.GET)
    cadres = flags.by_cadre(campaign, period)
    show_cleared = request.GET.get("cleared") == "1"
    rows = [c for c in cadres if show_cleared or c.open_flags]
    counts = {kind: 0 for kind in flags.KINDS}
    for cadre in cadres:
        for flag in cadre.open_flags:
            counts[flag.kind] += 1
    _attach_visits(rows[:SHOWN_CADRES])
    first, last = flags.period_bounds(period)
    return render(request, "integrity/flags.html", {
        "campaign": campaign, "cadres": rows[:SHOWN_CADRES], "cut": len(rows) > SHOWN_CADRES, "total": len(rows),
        "counts": [(flags.KINDS[k], n) for k, n in counts.items() if n], "may_clear": services.may_clear(request.user, campaign),
        "show_cleared": show_cleared, "first": first, "last": last, "query": request.GET.urlencode(),
    })


def _attach_visits(cadres: list[flags.CadreFlags]) -> None:
    """Each shown flag's first few visits, as links to the visit's page."""
    wanted = {pk for c in cadres for f in c.flags for pk in f.visit_ids[:SHOWN_VISITS]}
    visits = Visit.objects.select_related("target").only("public_id", "visited_at", "target__name").in_bulk(wanted)
    for cadre in cadres:
        for flag in cadre.flags:
            flag.visits = [visits[pk] for pk in flag.visit_ids[:SHOWN_VISITS] if pk in visits]
            flag.more = max(0, len(flag.visit_ids) - SHOWN_VISITS)


@login_required
@require_POST
def clear(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = services.campaign_for(request.user, slug)
    try:
        services.clear_flag(request.user, campaign, request.POST.get("key", ""), request.POST.get("reason", ""),
                            services.parse_period(request.POST))  # the flag as the page showed it
    except services.ClearRefused as exc:
        messages.error(request, _("未能排除：%(why)s") % {"why": exc})
    else:
        messages.success(request, _("已核实排除，理由已记入审计"))
    kept = {name: request.POST[name] for name in KEPT if request.POST.get(name)}
    return redirect(reverse("integrity:flags", args=[slug]) + (f"?{urlencode(kept)}" if kept else ""))


@login_required
@require_POST
def flag_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """Every cadre's flags over the campaign: built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "integrity_xlsx", {"slug": slug, **{name: request.POST.get(name, "") for name in ("from", "to")}})
