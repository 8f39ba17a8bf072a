"""Drawing a 回访抽查 batch in the background (docs/jobs.md): the draw reads every visit of the period not sampled
before and the integrity flags over them — work that grows with the town — so the office's 抽样 queues it. The
office of the campaign's area only, checked when asked, when drawn and when fetched; the form's key makes a
retried or twice-delivered job find the batch it already drew. The job's file is the new batch's results xlsx."""

import datetime as dt
import uuid
from fractions import Fraction
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.core.progress import Progress
from zoufang.jobs.kinds import Kind, Made, Refused, Resolved, register


def _fraction(value: Any) -> Fraction | None:
    return None if value in (None, "") else Fraction(str(value))


def _draw_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.callbacks import access

    campaign = access.office_campaigns(user).filter(slug=str(params.get("campaign"))).first()
    if campaign is None:
        raise Http404
    try:
        start, end = dt.date.fromisoformat(str(params["starts_on"])), dt.date.fromisoformat(str(params["ends_on"]))
        key = uuid.UUID(str(params["key"]))
        rate, share = _fraction(params.get("rate")), _fraction(params.get("flagged_share"))
        count = int(params["count"]) if params.get("count") not in (None, "") else None
    except (KeyError, ValueError, ZeroDivisionError):
        raise Http404 from None
    caller = None
    if params.get("caller"):
        try:
            caller = access.callers([campaign]).filter(public_id=str(params["caller"])).first()
        except ValidationError:  # not a public id at all
            caller = None
        if caller is None:
            raise Http404
    period = clock.span(start, end)
    return Resolved({"campaign": campaign.slug, "starts_on": start.isoformat(), "ends_on": end.isoformat(),
                     "rate": str(rate) if rate is not None else "", "count": count if count is not None else "",
                     "flagged_share": str(share) if share is not None else "",
                     "caller": str(caller.public_id) if caller else "", "key": str(key), "fmt": "xlsx"},
                    _("抽取回访抽查：%(campaign)s（走访日期%(period)s）") % {
                        "campaign": campaign.name, "period": period,
                    }, _("%(campaign)s回访抽查-%(period)s.xlsx") % {
                        "campaign": campaign.name, "period": period,
                    },
                    campaign=campaign, region=campaign.scope, obj=campaign,
                    extra={"start": start, "end": end, "key": key, "rate": rate, "count": count, "share": share,
                           "caller": caller})


def _draw_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Draw the batch (once per request key), then write its results workbook (every sample still to call)."""
    from zoufang.callbacks import services
    from zoufang.callbacks.export import batch_xlsx
    from zoufang.callbacks.sampling import Period

    extra = resolved.extra
    try:
        batch = services.draw_batch(resolved.campaign, Period(extra["start"], extra["end"]), by=user,
                                    rate=extra["rate"], count=extra["count"], flagged_share=extra["share"],
                                    caller=extra["caller"], key=extra["key"], progress=progress)
    except services.CallbackError as problem:
        raise Refused(str(problem)) from problem
    out.write(batch_xlsx(batch))
    return _("抽取%(batch)s：%(campaign)s，%(n_samples)s 条走访") % {
        "batch": batch, "campaign": resolved.campaign.name, "n_samples": batch.samples.count(),
    }


def _draw_made(params: dict[str, Any]) -> Made | None:
    from zoufang.callbacks.models import CallbackBatch

    batch = CallbackBatch.objects.filter(campaign__slug=params.get("campaign"), request_key=params.get("key")).first()
    if batch is None:
        return None
    return Made(_("打开%(batch)s") % {"batch": batch}, reverse("callbacks:batch", args=[batch.public_id]),
                reverse("api:batch_results", kwargs={"batch_id": batch.public_id}))


register(Kind("callbacks_draw", _draw_resolve, _draw_build, made=_draw_made, request_key=True, writes=True))
