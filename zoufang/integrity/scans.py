"""Stored flag scans (issue 14): the flags of a campaign over a period are computed by the integrity_scan job, or by
the worker's daily refresh, and stored; the page and the API read one page of the newest scan for the period asked
and never compute in the request. The office's decisions update the stored flags in their own transaction."""

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from zoufang import clock
from zoufang.accounts.names import named
from zoufang.core import locks, request_keys
from zoufang.core.progress import Progress, report
from zoufang.integrity import flags
from zoufang.integrity.models import FlagClearance, FlagScan, ScannedCadre, ScannedFlag

REFRESH_AFTER = dt.timedelta(days=1)  # the periodic work recomputes a running campaign's scan this often
# A scan of a period someone asked for (not the whole campaign's) is dropped this long after it was computed: the
# page offers to compute it again, and the decisions it showed are kept in their own table.
KEEP_PERIOD_SCANS = dt.timedelta(days=30)


def _bounds(period: flags.Period) -> dict[str, dt.date | None]:
    first, last = flags.period_bounds(period)
    return {"starts_on": first, "ends_on": last}


# A scan being stored and a decision being recorded on the same campaign take turns (`take_turn`): a scan reads the
# decisions after the last one committed, and a decision moves the flags of every scan committed before it.
# Without it a decision committed while a scan was being stored moved only the older scans, which the new one
# replaced with the flag still open.
LOCK_SPACE = 0x1F1A


def take_turn(campaign_id: int) -> None:
    """Inside the transaction that stores a scan or records a decision, before it reads or writes either."""
    locks.hold(LOCK_SPACE, campaign_id)


def newest(campaign: Any, period: flags.Period) -> FlagScan | None:
    """The newest scan of exactly this period (None for never computed): one indexed query."""
    return (FlagScan.objects.filter(campaign=campaign, **_bounds(period)).order_by("-computed_at", "-id").first())


def compute_scan(campaign: Any, period: flags.Period = None, *, by: Any = None, key: uuid.UUID | None = None,
                 progress: Progress | None = None) -> FlagScan:
    """Compute the campaign's flags over `period` and store them as a new scan (once per request key); older scans
    of the same period are removed with it."""
    return request_keys.once(FlagScan.objects.filter(campaign=campaign), key,
                             lambda: _compute(campaign, period, by, key, progress))


def _compute(campaign: Any, period: flags.Period, by: Any, key: uuid.UUID | None,
             progress: Progress | None) -> FlagScan:
    report(progress, 0, 3)
    cadres = flags.by_cadre(campaign, period)  # worst first: stored in this order, the row id breaks ties
    report(progress, 1, 3)
    with transaction.atomic():
        take_turn(campaign.pk)
        # The decisions as they stand now, not as the (long) computation read them.
        decided = {c.key: c for c in FlagClearance.objects.filter(campaign=campaign)}
        scan = FlagScan.objects.create(campaign=campaign, computed_at=clock.now(), requested_by=by,
                                       request_key=key, **_bounds(period))
        rows, found = [], []
        counts: dict[str, int] = {}
        for entry in cadres:
            for flag in entry.flags:
                flag.clearance = decided.get(flag.key)
            row = _row_figures(ScannedCadre(scan=scan, cadre=entry.cadre, name=entry.cadre.name[:100]),
                               [(f.weight, _outcome(f.clearance)) for f in entry.flags])
            rows.append(row)
            found.append(entry.flags)
            for flag in entry.open_flags:
                counts[flag.kind] = counts.get(flag.kind, 0) + 1
        ScannedCadre.objects.bulk_create(rows, batch_size=500)
        ScannedFlag.objects.bulk_create(
            (ScannedFlag(scan=scan, row=row, key=f.key, kind=f.kind, weight=f.weight, evidence=f.evidence,
                         visit_ids=f.visit_ids, outcome=_outcome(f.clearance), decision=f.clearance)
             for row, items in zip(rows, found, strict=True) for f in items), batch_size=500)
        report(progress, 2, 3)
        scan.cadres, scan.listed = len(rows), sum(1 for r in rows if r.listed)
        scan.open_counts, scan.upheld = counts, sum(r.upheld_count for r in rows)
        scan.save(update_fields=["cadres", "listed", "open_counts", "upheld"])
        FlagScan.objects.filter(campaign=campaign, **_bounds(period)).exclude(pk=scan.pk).delete()
    report(progress, 3, 3)
    return scan


def _outcome(decision: FlagClearance | None) -> str:
    return decision.outcome if decision is not None else ""


def _row_figures(row: ScannedCadre, flagged: list[tuple[int, str]]) -> ScannedCadre:
    """A cadre's figures from its flags' (weight, outcome): what the list orders and filters by."""
    row.score = sum(weight for weight, outcome in flagged if not outcome)
    row.open_count = sum(1 for _weight, outcome in flagged if not outcome)
    row.upheld_count = sum(1 for _weight, outcome in flagged if outcome == FlagClearance.Outcome.UPHELD)
    row.listed = bool(row.open_count or row.upheld_count)
    return row


def stored_flag(campaign: Any, key: str, period: flags.Period = None) -> ScannedFlag | None:
    """A flag by its key as a stored scan holds it: the scan of `period` first, else the campaign's newest that has
    it (indexed by key); None when no scan holds it."""
    first, last = flags.period_bounds(period)
    found = (ScannedFlag.objects.filter(key=key, scan__campaign=campaign).select_related("row", "scan")
             .order_by("-scan__computed_at", "-scan_id")[:20])
    held = list(found)
    return next((f for f in held if (f.scan.starts_on, f.scan.ends_on) == (first, last)), held[0] if held else None)


def apply_decision(decision: FlagClearance) -> int:
    """The office's decision (first or changed) on every stored flag of its key: the flag's outcome, its cadre's
    figures and the scan's head. Called inside the decision's transaction; returns how many stored flags moved."""
    moved = 0
    stored = (ScannedFlag.objects.select_for_update().filter(key=decision.key, scan__campaign_id=decision.campaign_id)
              .exclude(outcome=decision.outcome).order_by("scan_id"))
    for flag in stored:
        scan = FlagScan.objects.select_for_update().get(pk=flag.scan_id)
        row = ScannedCadre.objects.select_for_update().get(pk=flag.row_id)
        before, after = flag.outcome, decision.outcome
        flag.outcome, flag.decision = after, decision
        flag.save(update_fields=["outcome", "decision"])
        was_listed = row.listed
        weights = list(ScannedFlag.objects.filter(row=row).values_list("weight", "outcome"))
        _row_figures(row, weights).save(update_fields=["score", "open_count", "upheld_count", "listed"])
        if not before:
            scan.open_counts[flag.kind] = max(0, scan.open_counts.get(flag.kind, 0) - 1)
        upheld = FlagClearance.Outcome.UPHELD
        scan.upheld += (after == upheld) - (before == upheld)
        scan.listed += row.listed - was_listed
        scan.save(update_fields=["open_counts", "upheld", "listed"])
        moved += 1
    return moved


def refresh_due(now: dt.datetime | None = None) -> int:
    """The periodic work's part: queue one job per campaign running today whose whole-campaign scan is missing or a
    day old (jobs.tasks.refresh_scan), so a city's campaigns are scanned side by side by the workers, not one after
    the other inside the periodic job. A campaign whose scan is already queued or running (that job, or one a user
    asked for) gets no second one. Returns how many jobs it queued."""
    from zoufang.campaigns.models import Campaign
    from zoufang.jobs import tasks
    from zoufang.jobs.models import Download
    from zoufang.jobs.services import ACTIVE

    now = now or clock.now()
    today = clock.today()
    asked = set(Download.objects.filter(kind="integrity_scan", status__in=ACTIVE, params__from="", params__to="")
                .values_list("campaign_id", flat=True))
    queued = 0
    for campaign in Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("pk"):
        if campaign.pk in asked:
            continue
        current = newest(campaign, None)
        # Stamped after now: a pinned day's clock went round midnight (or the day was pinned back), so a scan is
        # refreshed about once a real day on a pinned day too, where it would otherwise never be a day old.
        if current is None or not now - REFRESH_AFTER < current.computed_at <= now:
            seen = current.pk if current else None
            queued += tasks.enqueue_once(tasks.scan_key(campaign.pk), tasks.refresh_scan, campaign.pk, seen)
    return queued


def refresh_campaign(campaign_id: int, seen: int | None, progress: Progress | None = None) -> str:
    """The refresh_scan job's body: the campaign's whole-campaign scan, unless a newer one than the scan found due
    (`seen`, None for none) was stored meanwhile."""
    from zoufang.campaigns.models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return "missing"
    current = newest(campaign, None)
    if (current.pk if current else None) != seen:
        return "fresh"
    scan = compute_scan(campaign, None, progress=progress)
    return f"computed: {scan.listed} listed of {scan.cadres}"


@transaction.atomic  # a scan's flags, cadres and the scan go together: a scan left without rows reads "no flags"
def prune(now: dt.datetime | None = None) -> int:
    """The periodic work's part: drop the scans of chosen periods computed more than KEEP_PERIOD_SCANS ago (each
    period keeps only its newest scan, but every period asked for would otherwise stay for good). The whole
    campaign's scan stays. Returns how many scans went."""
    cutoff = (now or clock.now()) - KEEP_PERIOD_SCANS  # the clock the scans are stamped on
    old = FlagScan.objects.filter(Q(starts_on__isnull=False) | Q(ends_on__isnull=False), computed_at__lt=cutoff)
    ids = list(old.values_list("pk", flat=True)[:1000])  # a bounded share each run
    ScannedFlag.objects.filter(scan_id__in=ids).delete()
    ScannedCadre.objects.filter(scan_id__in=ids).delete()
    return FlagScan.objects.filter(pk__in=ids).delete()[1].get(FlagScan._meta.label, 0)


def cadre_rows(scan: FlagScan, with_cleared: bool) -> "QuerySet[ScannedCadre]":
    """The scan's cadres in the list's order (its index): those with open or upheld flags, or every one."""
    rows = scan.rows.select_related("cadre__unit").order_by(*ScannedCadre.ORDER)
    return rows if with_cleared else rows.filter(listed=True)


def page_flags(rows: list[ScannedCadre], show_cleared: bool) -> None:
    """The stored flags of a page's cadres, in one query, as each row's `shown` (open first, the weightiest, then
    by key), with their decisions and the deciders."""
    wanted = (ScannedFlag.objects.filter(row__in=rows).select_related("decision__cleared_by")
              .prefetch_related(*named("decision__cleared_by")).order_by("row_id", "key"))
    if not show_cleared:
        wanted = wanted.exclude(outcome=FlagClearance.Outcome.CLEARED)
    by_row: dict[int, list[ScannedFlag]] = {}
    for flag in wanted:
        by_row.setdefault(flag.row_id, []).append(flag)
    for row in rows:
        row.shown = sorted(by_row.get(row.pk, []), key=lambda f: (bool(f.outcome), -f.weight, f.key))

