"""The office's integrity page: flags per cadre, worst first, with evidence; clear or uphold one with a reason,
or change that decision by a new one; xlsx."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from ninja.errors import HttpError

from zoufang.core import paging
from zoufang.integrity import flags, services
from zoufang.integrity.models import FlagClearance
from zoufang.oversight import paged
from zoufang.visits.models import Visit

SHOWN_CADRES = 50  # cadres a page, the worst first; 下一页 for the rest
SHOWN_VISITS = 6
KEPT = ("from", "to", "cleared")  # the page's filters, carried back after clearing


@login_required
def flag_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = services.campaign_for(request.user, slug)
    period = services.parse_period(request.GET)
    cadres = flags.by_cadre(campaign, period)
    show_cleared = request.GET.get("cleared") == "1"
    rows = [c for c in cadres if show_cleared or c.open_flags or c.upheld_flags]
    if not show_cleared:  # cleared flags only on asking; upheld ones are findings and always shown
        rows = [flags.CadreFlags(c.cadre, [f for f in c.flags if not f.clearance or f.is_upheld]) for c in rows]
    counts = {kind: 0 for kind in flags.KINDS}
    for cadre in cadres:
        for flag in cadre.open_flags:
            counts[flag.kind] += 1
    upheld = sum(len(c.upheld_flags) for c in cadres)
    try:
        shown, following = paged.keyset(rows, flags.listed_order, request.GET.get("after") or None, SHOWN_CADRES)
    except HttpError:  # not this list's cursor: its first page, as the other lists do
        shown, following = paged.keyset(rows, flags.listed_order, None, SHOWN_CADRES)
    _attach_visits(shown)
    first, last = flags.period_bounds(period)
    return render(request, "integrity/flags.html", {
        "campaign": campaign, "cadres": shown, "total": len(rows),
        "page": paging.KeysetPage(shown, following, first=not request.GET.get("after")),
        "counts": [(flags.KINDS[k], n) for k, n in counts.items() if n], "upheld": upheld, "may_clear": services.may_clear(request.user, campaign),
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
    """The office's decision on a flag: 排除 (outcome=cleared) or 查实 (outcome=upheld) with its reason; with
    `expected` (the decision the page showed), a change of an earlier decision."""
    campaign = services.campaign_for(request.user, slug)
    outcome = request.POST.get("outcome") or FlagClearance.Outcome.CLEARED
    key, reason = request.POST.get("key", ""), request.POST.get("reason", "")
    try:
        if request.POST.get("expected"):
            services.revise(request.user, campaign, key, outcome, reason, request.POST["expected"])
        else:  # the flag as the page showed it
            services.decide(request.user, campaign, key, reason, services.parse_period(request.POST), outcome)
    except services.ClearRefused as exc:
        messages.error(request, _("未能核实：%(why)s") % {"why": exc})
    else:
        messages.success(request, _("已核实查实，记入审计，计入考核") if outcome == FlagClearance.Outcome.UPHELD
                         else _("已核实排除，理由已记入审计"))
    kept = {name: request.POST[name] for name in KEPT if request.POST.get(name)}
    return redirect(reverse("integrity:flags", args=[slug]) + (f"?{urlencode(kept)}" if kept else ""))


@login_required
@require_POST
def flag_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """Every cadre's flags over the campaign: built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "integrity_xlsx", {"slug": slug, **{name: request.POST.get(name, "") for name in ("from", "to")}})
