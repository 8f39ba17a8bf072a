"""Computing a campaign's integrity flags in the background (docs/jobs.md): the flags read every visit of the period
and compare each cadre's, work that grows with the town, so the flags page and API read a stored scan and its
计算 / 重新计算 queues this job. Readers of the flags only (services.campaign_for), checked when asked, when run
and when fetched; the form's key makes a retried or twice-delivered job find the scan it already stored. The job's
file is a small report (.json) shown on its page, with a link back to the flags."""

import json
import uuid
from typing import IO, Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.progress import Progress
from zoufang.jobs.kinds import Kind, Made, Resolved, register


def _scan_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.integrity import services

    campaign = services.campaign_for(user, str(params.get("slug")))
    period = services.parse_period(params)
    try:
        key = uuid.UUID(str(params.get("key") or ""))
    except ValueError:
        key = uuid.uuid4()  # an API call without one: a new scan
    first, last = period or (None, None)
    days = {"from": first.isoformat() if first else "", "to": last.isoformat() if last else ""}
    span = _("（%(from)s至%(to)s）") % {"from": days['from'] or _("开始"), "to": days['to'] or _("今")} if period else ""
    return Resolved({"slug": campaign.slug, **days, "key": str(key), "fmt": "json"},
                    _("计算走访真实性提示：%(campaign)s%(span)s") % {
                        "campaign": campaign.name, "span": span,
                    }, _("%(campaign)s走访真实性提示计算.json") % {"campaign": campaign.name},
                    campaign=campaign, region=campaign.scope, obj=campaign, extra={"period": period, "key": key})


def _scan_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.integrity import scans

    scan = scans.compute_scan(resolved.campaign, resolved.extra["period"], by=user, key=resolved.extra["key"],
                              progress=progress)
    out.write(json.dumps({"slug": resolved.campaign.slug, "from": resolved.params["from"],
                          "to": resolved.params["to"], "computed_at": timezone.localtime(scan.computed_at).isoformat(),
                          "cadres": scan.cadres, "listed": scan.listed, "upheld": scan.upheld,
                          "open": sum(scan.open_counts.values())}, ensure_ascii=False).encode())
    return _("计算走访真实性提示：%(slug)s，%(listed)s 名走访人有提示") % {"slug": resolved.campaign.slug, "listed": scan.listed}


def _scan_made(params: dict[str, Any]) -> Made | None:
    slug = str(params.get("slug"))
    query = urlencode({k: params[k] for k in ("from", "to") if params.get(k)})
    api = {"starts_on": params["from"]} if params.get("from") else {}
    if params.get("to"):
        api["ends_on"] = params["to"]
    return Made(_("查看走访真实性提示"), reverse("integrity:flags", args=[slug]) + (f"?{query}" if query else ""),
                reverse("api:flag_list", kwargs={"slug": slug}) + (f"?{urlencode(api)}" if api else ""))


register(Kind("integrity_scan", _scan_resolve, _scan_build, report_template="integrity/_scan_report.html",
              made=_scan_made, request_key=True, writes=True))
