"""The assessor's actions: run an assessment (a new version), add a 加减分, freeze it. Each one checks who acts,
locks, writes and audits in one transaction; views, API and tests call these."""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.assessment.indicators import Indicator, indicators
from zoufang.assessment.models import Adjustment, Assessment, Score
from zoufang.assessment.scoring import LEVELS, Period, ranks, rounded, score_level
from zoufang.campaigns.models import Campaign
from zoufang.core import request_keys
from zoufang.core.progress import Progress
from zoufang.core.progress import report as tell
from zoufang.web.dashboard import sees_campaign_stats

ADJUSTMENT_LIMIT = Decimal("100")  # one 加减分 moves a score by at most this many points


class AssessmentError(Exception):
    """An action refused for a reason the assessor can fix (shown in Chinese)."""


class AlreadyFrozen(AssessmentError):
    """定稿 asked of an assessment already frozen (a double click, or another assessor first): nothing to do."""


# ---------------------------------------------------------------------------------------------- access


def may_manage(user: Any, campaign: Campaign) -> bool:
    """The 考核管理组 whose area holds the campaign runs, adjusts and freezes its assessments."""
    if getattr(user, "is_superuser", False):
        return True
    return scope.covers(user, campaign.scope, [RoleGrant.Role.ASSESSOR])


def campaign_for(user: Any, slug: str) -> Campaign:
    """A campaign whose assessments the user reads: the office, leaders, assessors, city office of its area."""
    campaign = scope.visible_campaigns(user).select_related("scope").filter(slug=slug).first()
    if campaign is None or not sees_campaign_stats(user, campaign):
        raise Http404
    return campaign


def listed(campaign: Campaign) -> QuerySet[Assessment]:
    """The campaign's assessments newest period first, in a keyset order (the page's and the API's): along the
    (campaign, starts_on, ends_on, number) unique constraint, the id last."""
    return (Assessment.objects.filter(campaign=campaign).select_related("created_by", "frozen_by")
            .order_by("-starts_on", "-ends_on", "-number", "-id"))


def by_public_id(rows: QuerySet[Any], public_id: Any) -> Any:
    """The row of `rows` with this public id; Http404 when there is none (a malformed id is a missing one)."""
    try:
        found = rows.filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise Http404
    return found


def assessment_for(user: Any, slug: str, public_id: Any) -> Assessment:
    return by_public_id(campaign_for(user, slug).assessments.all(), public_id)


def own_scores(user: Any) -> QuerySet[Score]:
    """A unit's own and a cadre's own scores, frozen assessments only (a draft may still move): a unit handler's
    unit at the unit level, the user's own cadre at the cadre level; in campaigns the user sees. Never anyone
    else's: no other unit, no other cadre, no village table."""
    if not getattr(user, "is_authenticated", False):
        return Score.objects.none()
    unit_ids, cadre = scope.handled_unit_ids(user), scope.cadre_of(user)  # read with the request's grants
    if not unit_ids and cadre is None:
        return Score.objects.none()
    mine = Q(level=Score.Level.UNIT, unit_id__in=unit_ids)
    if cadre is not None:
        mine |= Q(level=Score.Level.CADRE, cadre_id=cadre.pk)
    return (Score.objects.filter(mine, assessment__status=Assessment.Status.FROZEN,
                                 assessment__campaign__in=scope.visible_campaigns(user))
            .select_related("assessment__campaign", "unit", "cadre__unit", "region")
            .order_by("-assessment__frozen_at", "-assessment_id", "level", "sort_order"))


def own_score(user: Any, public_id: Any) -> Score:
    return by_public_id(own_scores(user), public_id)


def _require_manager(user: Any, campaign: Campaign) -> None:
    if not may_manage(user, campaign):
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------- reading


def indicators_of(assessment: Assessment) -> list[Indicator]:
    return [Indicator.from_json(data) for data in assessment.indicators]


def scores(assessment: Assessment, level: str) -> QuerySet[Score]:
    return assessment.scores.filter(level=level).select_related("unit", "cadre__unit", "region") \
        .order_by("sort_order", "id")


def default_period(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """全年一考核: the campaign's year, from its start to its end."""
    return campaign.starts_on, campaign.ends_on


# ---------------------------------------------------------------------------------------------- actions


def check_run(campaign: Campaign, *, starts_on: dt.date, ends_on: dt.date, by: Any) -> list[Indicator]:
    """What a run is refused for, checked before it is queued (the page's message at once) and again when it runs;
    the indicators it scores."""
    _require_manager(by, campaign)
    if ends_on < starts_on:
        raise AssessmentError(_("考核期止不能早于考核期起"))
    if starts_on < campaign.starts_on or ends_on > campaign.ends_on:
        raise AssessmentError(_("考核期应在活动期间（%(span)s）内") % {"span": clock.span(campaign.starts_on, campaign.ends_on)})
    chosen = indicators(campaign)
    if not chosen:
        raise AssessmentError(_("活动配置未设定考核指标（assessment.weights）"))
    return chosen


def run_assessment(campaign: Campaign, *, starts_on: dt.date, ends_on: dt.date, title: str, by: Any,
                   key: uuid.UUID | None = None, progress: Progress | None = None) -> Assessment:
    """Score every cadre, unit and village on the figures of the period, stored as the period's next version.
    With a request `key` (the page's form, the API call), asking again — a retried or twice-delivered job — gives
    the version that key already made, never a second one."""
    chosen = check_run(campaign, starts_on=starts_on, ends_on=ends_on, by=by)
    title = title.strip() or _("%(year)s年度考核") % {"year": ends_on.year}
    assert len(title) <= 100, "the run form and the API refuse a longer 考核名称: never cut it"  # noqa: S101
    period = Period(starts_on, ends_on, min(clock.today(), ends_on))

    def make() -> Assessment:
        steps = len(LEVELS) + 1
        tell(progress, 0, steps)
        scored = []
        for done, level in enumerate(LEVELS, start=1):  # the town's figures: the slow part, before any lock
            scored.append((level, score_level(campaign, level, period, chosen)))
            tell(progress, done, steps)
        assessment = _store_run(campaign, scored, starts_on=starts_on, ends_on=ends_on, title=title, by=by,
                                period=period, chosen=chosen, key=key)
        tell(progress, steps, steps)
        return assessment

    return request_keys.once(Assessment.objects.filter(campaign=campaign), key, make)


@transaction.atomic
def _store_run(campaign: Campaign, scored: list[tuple[str, Any]], *, starts_on: dt.date, ends_on: dt.date,
               title: str, by: Any, period: Period, chosen: list[Indicator], key: uuid.UUID | None) -> Assessment:
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one numbering at a time
    number = (Assessment.objects.filter(campaign=campaign, starts_on=starts_on, ends_on=ends_on)
              .aggregate(n=Max("number"))["n"] or 0) + 1
    assessment = Assessment.objects.create(
        campaign=campaign, title=title, starts_on=starts_on, ends_on=ends_on, as_of=period.as_of,
        number=number, indicators=[i.as_json() for i in chosen], created_by=by, modified_by=by, request_key=key,
    )
    rows = []
    for level, subjects in scored:
        for order, (subject, rank) in enumerate(zip(subjects, ranks([s.base_total for s in subjects]), strict=True)):
            key_of = subject.key
            rows.append(Score(
                assessment=assessment, level=level, label=subject.label[:200], sort_order=order,
                unit=key_of if level == "unit" else key_of.unit if level == "cadre" else None,
                cadre=key_of if level == "cadre" else None, region=key_of if level == "village" else None,
                cells={k: c.as_json() for k, c in subject.cells.items()},
                base_total=subject.base_total, total=subject.base_total, rank=rank,
            ))
    Score.objects.bulk_create(rows)
    audit.record(by, AuditEvent.Action.CREATE, assessment, summary=_("运行考核：%(name)s") % {"name": assessment},
                 changes={"period": [None, f"{starts_on}～{ends_on}"], "as_of": [None, period.as_of],
                          "number": [None, number], "scores": [None, len(rows)]})
    return assessment


def parse_points(text: Any) -> Decimal:
    try:
        points = rounded(Decimal(str(text).strip().replace("＋", "+").replace("－", "-")))
        if not points.is_finite():  # Decimal reads "NaN", which no comparison with the limit may take
            raise ValueError(text)
    except (InvalidOperation, ValueError):
        raise AssessmentError(_("分值应为数字，加分为正、减分为负，如 2 或 -1.5")) from None
    if not points or abs(points) > ADJUSTMENT_LIMIT:
        raise AssessmentError(_("分值应不为 0，且在 -100 到 100 之间"))
    return points


def add_adjustment(assessment: Assessment, score: Score, *, points: Any, reason: str, by: Any,
                   key: uuid.UUID | None = None) -> Adjustment:
    """A documented 加减分 on one score (before freezing): the score's total and its level's ranking follow.
    With a request `key`, the same points sent again (a double click, a retry) are registered once."""
    return add_adjustment_once(assessment, score, points=points, reason=reason, by=by, key=key)[0]


def add_adjustment_once(assessment: Assessment, score: Score, *, points: Any, reason: str, by: Any,
                        key: uuid.UUID | None = None) -> tuple[Adjustment, bool]:
    """add_adjustment, and whether this call registered it; the key of other points or another reason raises
    request_keys.KeyReused."""
    _require_manager(by, assessment.campaign)
    value = parse_points(points)
    reason = reason.strip()
    if not reason:
        raise AssessmentError(_("请写明加减分的理由及依据"))
    assert len(reason) <= 300, "the adjustment form and the API refuse a longer 理由: never cut it"  # noqa: S101

    def make() -> Adjustment:
        with transaction.atomic():
            locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
            if locked.is_frozen:
                raise AssessmentError(_("考核已定稿，不能再加减分；如需调整请重新运行考核（生成新版本）"))
            if score.assessment_id != locked.pk:
                raise Http404
            adjustment = Adjustment.objects.create(assessment=locked, score=score, points=value, reason=reason,
                                                   by=by, at=clock.now(), request_key=key)
            before = score.total
            _rerank(locked, score.level)
            score.refresh_from_db()
            audit.record(by, AuditEvent.Action.UPDATE, locked,
                         summary=_("加减分：%(label)s %(points)s（%(reason)s）") % {
                             "label": score.label, "points": f"{value:+}", "reason": reason},
                         changes={"score": [None, score.label], "points": [None, value], "reason": [None, reason],
                                  "total": [before, score.total]})
        return adjustment

    def same(earlier: Adjustment) -> bool:
        return (earlier.score_id, earlier.points, earlier.reason) == (score.pk, value, reason)

    return request_keys.once_checked(Adjustment.objects.filter(assessment=assessment), key, make, same)


def _rerank(assessment: Assessment, level: str) -> None:
    """Each score's total = its indicators' weighted total + its 加减分; the level ranked again."""
    chosen = list(assessment.scores.filter(level=level).order_by("sort_order", "id"))
    sums = dict(Adjustment.objects.filter(score__in=chosen).values("score").annotate(s=Sum("points"))
                .values_list("score", "s"))
    for score in chosen:
        score.adjustment = sums.get(score.pk) or Decimal(0)
        score.total = None if score.base_total is None else score.base_total + score.adjustment
    for score, rank in zip(chosen, ranks([s.total for s in chosen]), strict=True):
        score.rank = rank
    Score.objects.bulk_update(chosen, ["adjustment", "total", "rank"])


def freeze_assessment(assessment: Assessment, *, by: Any) -> Assessment:
    """定稿: from now on the assessment, its scores and its adjustments never change (a new run is a new version)."""
    _require_manager(by, assessment.campaign)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.is_frozen:
            raise AlreadyFrozen(_("考核已定稿（%(at)s），无需重复定稿。") % {
                "at": clock.minute(locked.frozen_at) if locked.frozen_at else "—"})
        locked.status = Assessment.Status.FROZEN
        locked.frozen_at = clock.now()
        locked.frozen_by = by
        locked.modified_by = by
        locked.version += 1
        locked.save()
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary=_("考核定稿：%(name)s") % {"name": locked},
                     changes={"status": [Assessment.Status.DRAFT, Assessment.Status.FROZEN],
                              "scores": [None, locked.scores.count()],
                              "adjustments": [None, locked.adjustments.count()]})
    return locked
