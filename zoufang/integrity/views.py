"""The office's integrity page: the stored flags per cadre (computed by a job), worst first, with evidence; clear
or uphold one with a reason, or change that decision by a new one; recompute; xlsx."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts.names import shown_name
from zoufang.core import paging
from zoufang.core.apiversions import posted_version
from zoufang.core.queryparams import Asked
from zoufang.integrity import flags, scans, services
from zoufang.integrity.models import FlagClearance, ScannedCadre
from zoufang.visits.models import Visit

SHOWN_CADRES = 50  # cadres a page, the worst first; 下一页 for the rest
SHOWN_VISITS = 6
KEPT = ("from", "to", "cleared")  # the page's filters, carried back after clearing


@login_required
def flag_list(request: HttpRequest, slug: str) -> HttpResponse:
    """One page of the newest stored scan for the period asked (never computed here: scans.py); without a scan,
    says so and offers to compute it."""
    campaign = services.campaign_for(request.user, slug)
    asked = Asked.page(request)  # a bad day is the period's open end, with a notice (decision 0035)
    period = services.parse_period(asked)
    show_cleared = request.GET.get("cleared") == "1"
    scan = scans.newest(campaign, period)
    page = None
    if scan is not None:
        # Cleared flags only on asking; upheld ones are findings and always shown.
        page = paging.shown_page(scans.cadre_rows(scan, show_cleared), asked, SHOWN_CADRES)
        scans.page_flags(page.rows, show_cleared)
        _attach_visits(page.rows)
    first, last = flags.period_bounds(period)
    return render(request, "integrity/flags.html", {
        "campaign": campaign, "scan": scan, "cadres": page.rows if page else [], "page": page,
        "total": (scan.cadres if show_cleared else scan.listed) if scan else 0,
        "counts": [(flags.KINDS[k], n) for k, n in (scan.open_counts if scan else {}).items() if n and k in flags.KINDS],
        "upheld": scan.upheld if scan else 0, "may_clear": services.may_clear(request.user, campaign),
        "show_cleared": show_cleared, "first": first, "last": last, "query": request.GET.urlencode(),
        "scan_key": uuid.uuid4(),
    })


def _attach_visits(rows: list[ScannedCadre]) -> None:
    """Each shown flag's first few visits, as links to the visit's page."""
    wanted = {pk for row in rows for f in row.shown for pk in f.visit_ids[:SHOWN_VISITS]}
    visits = Visit.objects.select_related("target").only("public_id", "visited_at", "target__name").in_bulk(wanted)
    for row in rows:
        for flag in row.shown:
            flag.visits = [visits[pk] for pk in flag.visit_ids[:SHOWN_VISITS] if pk in visits]
            flag.more = max(0, len(flag.visit_ids) - SHOWN_VISITS)


@login_required
@require_POST
def scan(request: HttpRequest, slug: str) -> HttpResponse:
    """计算 / 重新计算: the period's flags computed by a job (its progress page, then back to the list)."""
    from zoufang.jobs.views import start

    return start(request, "integrity_scan", {"slug": slug, "key": request.POST.get("key", ""),
                                             **{name: request.POST.get(name, "") for name in ("from", "to")}})


@login_required
@require_POST
def clear(request: HttpRequest, slug: str) -> HttpResponse:
    """The office's decision on a flag: 排除 (outcome=cleared) or 查实 (outcome=upheld) with its reason; with
    `expected` (the decision the page showed) and its `version`, a change of an earlier decision: one changed and
    changed back meanwhile shows the same outcome but is another decision, refused as well. A reader who does not
    decide (leaders, assessors, the city office) is refused before the form is read (decision 0044)."""
    campaign = services.campaign_for(request.user, slug)
    if not services.may_clear(request.user, campaign):
        raise PermissionDenied(services.office_only())
    outcome = request.POST.get("outcome") or FlagClearance.Outcome.CLEARED
    key, reason = request.POST.get("key", ""), request.POST.get("reason", "")
    try:
        if request.POST.get("expected"):
            services.revise(request.user, campaign, key, outcome, reason, request.POST["expected"],
                            version=posted_version(request.POST.get("version")))
        else:  # the flag as the page showed it
            services.decide(request.user, campaign, key, reason, services.parse_period(request.POST), outcome)
    except services.DecisionConflict as exc:
        if request.POST.get("expected") and exc.current is not None:
            messages.error(request, _revised_meanwhile(exc.current, request.POST["expected"], reason))
        elif (made := exc.current) is not None and services.is_resent(made, request.user, outcome, reason):
            # a double click: the first send made the decision
            messages.info(request, _("这条提示已于 %(at)s 由您核实（%(what)s），未重复记录。") % {
                "at": clock.minute(made.modified_at), "what": made.get_outcome_display()})
        else:
            messages.error(request, _("未能核实：%(why)s") % {"why": exc})
    except services.ClearRefused as exc:
        messages.error(request, _("未能核实：%(why)s") % {"why": exc})
    else:
        messages.success(request, _("已核实查实，记入审计，计入考核") if outcome == FlagClearance.Outcome.UPHELD
                         else _("已核实排除，理由已记入审计"))
    kept = {name: request.POST[name] for name in KEPT if request.POST.get(name)}
    return redirect(reverse("integrity:flags", args=[slug]) + (f"?{urlencode(kept)}" if kept else ""))


def _revised_meanwhile(current: FlagClearance, shown: str, typed: str) -> str:
    """A change refused because someone decided again since the page was drawn (the page the clerk is sent back to
    is current): what it is now, by whom and why, and the reason they typed, to copy. Changed and changed back
    reads as decided again, not as 'changed to' what the page already said."""
    now = {"who": shown_name(current.cleared_by), "what": current.get_outcome_display(), "why": current.reason}
    fact = (_("这条提示的结论刚刚已被重新核实，仍为%(what)s（%(who)s，理由：%(why)s）。") if current.outcome == shown
            else _("这条提示的结论刚刚已被改为%(what)s（%(who)s，理由：%(why)s）。")) % now
    kept = _("您填写的理由未保存：“%(typed)s”，看过最新的结论后需要时再改。") % {"typed": typed.strip()} if typed.strip() \
        else _("看过最新的结论后需要时再改。")
    return _("未改变核实结论：%(fact)s%(kept)s") % {"fact": fact, "kept": kept}


@login_required
@require_POST
def flag_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """Every cadre's flags over the campaign: built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "integrity_xlsx", {"slug": slug, **{name: request.POST.get(name, "") for name in ("from", "to")}})
