"""Running an assessment in the background (docs/jobs.md): every cadre, unit and village of the campaign scored
over the period is work that grows with the town, so the page's 运行考核 and `POST /api/v1/assessment/{slug}/runs`
queue it. The 考核管理组 only, checked when asked, when run and when fetched; the request's key makes a retried or
twice-delivered job find the version it already made. The job's file is the new version's table (xlsx)."""

import datetime as dt
import uuid
from typing import IO, Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.core.progress import Progress
from zoufang.jobs.kinds import Kind, Made, Refused, Resolved, register


def _run_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.assessment import services

    campaign = services.campaign_for(user, str(params.get("slug")))
    if not services.may_manage(user, campaign):
        raise Http404
    try:
        start, end = dt.date.fromisoformat(str(params["starts_on"])), dt.date.fromisoformat(str(params["ends_on"]))
        key = uuid.UUID(str(params["key"]))
    except (KeyError, ValueError):
        raise Http404 from None
    title = str(params.get("title", ""))  # the run form and the API keep it to 100 characters
    period = clock.span(start, end)
    return Resolved({"slug": campaign.slug, "starts_on": start.isoformat(), "ends_on": end.isoformat(),
                     "title": title, "key": str(key), "fmt": "xlsx"},
                    _("运行考核：%(title)s（%(period)s）") % {
                        "title": title or campaign.name, "period": period,
                    }, _("%(campaign)s考核表-%(period)s.xlsx") % {
                        "campaign": campaign.name, "period": period,
                    },
                    campaign=campaign, region=campaign.scope, obj=campaign,
                    extra={"start": start, "end": end, "key": key})


def _run_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Score the period (once per request key), then write the new version's table."""
    from zoufang.assessment import services
    from zoufang.assessment.export import workbook

    extra = resolved.extra
    try:
        assessment = services.run_assessment(resolved.campaign, starts_on=extra["start"], ends_on=extra["end"],
                                             title=resolved.params["title"], by=user, key=extra["key"],
                                             progress=progress)
    except services.AssessmentError as problem:
        raise Refused(str(problem)) from problem
    out.write(workbook(assessment))
    return _("运行考核：%(assessment)s") % {"assessment": assessment}


def _run_made(params: dict[str, Any]) -> Made | None:
    from zoufang.assessment.models import Assessment

    assessment = (Assessment.objects.filter(campaign__slug=params.get("slug"), request_key=params.get("key"))
                  .select_related("campaign").first())
    if assessment is None:
        return None
    slug = assessment.campaign.slug
    return Made(_("打开第%(n)s版考核") % {"n": assessment.number},
                reverse("assessment:detail", args=[slug, assessment.public_id]),
                reverse("api:get_assessment", kwargs={"slug": slug, "assessment_id": assessment.public_id}))


register(Kind("assessment_run", _run_resolve, _run_build, made=_run_made, request_key=True, writes=True))
