"""Where a score's figures come from: each indicator's drill-down into the oversight pages (the rows behind it)."""

from django.urls import reverse

from zoufang.assessment.models import Assessment, Score
from zoufang.assessment.scoring import CASE_PARTS
from zoufang.oversight.board import rows_url
from zoufang.oversight.drill import Narrowing


def _narrowing(score: Score, what: str) -> Narrowing:
    if score.level == "cadre":
        return Narrowing(what, cadre=score.cadre)
    if score.level == "village":
        return Narrowing(what, region=score.region)
    return Narrowing(what, unit=score.unit)


def drill(assessment: Assessment, score: Score, key: str) -> str | None:
    """The oversight page listing the rows an indicator counts for this cadre, unit or village; None for a findings
    indicator (its rows live in the app that keeps them)."""
    campaign = assessment.campaign
    if key in ("quota_completion", "pace"):
        if score.level == "unit" and score.unit is not None:
            return reverse("oversight:unit", args=[campaign.slug, score.unit.public_id])
        return rows_url(campaign, _narrowing(score, "unvisited"))
    if key in CASE_PARTS:
        return rows_url(campaign, _narrowing(score, "cases"))
    return None


def visits(assessment: Assessment, score: Score) -> str:
    return rows_url(assessment.campaign, _narrowing(score, "visits"))
