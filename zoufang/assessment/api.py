"""考核 over the API: the same reading scope and the same actions as the pages (services)."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang.accounts.api import refusing
from zoufang.assessment import presenters, services
from zoufang.assessment.models import Assessment, Score
from zoufang.assessment.scoring import LEVELS
from zoufang.core import limits, request_keys
from zoufang.core.apierrors import ApiErrorOut, error_body
from zoufang.core.paging import Listing
from zoufang.jobs.api import JobQueuedOut, queue
from zoufang.registry.api import Page

router = Router(tags=["考核"])


class IndicatorOut(Schema):
    key: str
    label: str
    weight: int
    scoring: str = Field(description="rate（比率×100）、months（达标月数÷已结束月数×100）、deduction（100−每件扣分×查实件数）")
    deduction: int
    available: bool = Field(description="false：数据未接入，不计分，权重按比例分配给其余指标")
    part_absent: bool = Field(False, description="true：两个来源合计的指标（群众满意）中第三方回访抽查的数据未接入，只按问题回访计算")


class CellPartOut(Schema):
    source: str = Field(description="cases（问题回访：对办理结果的满意度评价）或 callbacks（第三方回访抽查：对走访的满意度）")
    label: str
    numerator: int | None
    denominator: int | None
    absent: bool = Field(description="true：该来源数据未接入")


class CellOut(Schema):
    key: str
    value: float | None
    numerator: int | None
    denominator: int | None
    absent: bool
    text: str
    parts: list[CellPartOut] = Field([], description="两个来源合计的指标（群众满意）各来源的分子、分母；其余指标为空")


class ScoreOut(Schema):
    id: uuid.UUID
    level: str
    label: str
    subject_id: uuid.UUID | None = Field(description="单位、干部或村（社区）的编号")
    cells: list[CellOut]
    base_total: Decimal | None
    adjustment: Decimal
    total: Decimal | None
    rank: int | None
    remark: str


class AssessmentOut(Schema):
    id: uuid.UUID
    title: str
    starts_on: dt.date
    ends_on: dt.date
    as_of: dt.date
    number: int
    status: str
    frozen_at: dt.datetime | None
    indicators: list[IndicatorOut]


class AssessmentScoresOut(AssessmentOut):
    level: str
    scores: list[ScoreOut]


class RunIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    title: str = Field("", max_length=100)
    key: uuid.UUID | None = Field(None, description="请求的编号（可选）：同一编号再次提交只生成一版")


class AdjustmentIn(Schema):
    score: uuid.UUID = Field(description="得分编号（scores[].id）")
    points: float = Field(ge=-100, le=100, description="加分为正，减分为负，最多两位小数")
    reason: str = Field(min_length=1, max_length=300)
    key: uuid.UUID | None = Field(None, description="请求编号：首次提交前生成，重试时原样带上，同一编号只登记一次")


class LevelQuery(Schema):
    level: str = Field("unit", max_length=limits.CODE, description="unit（单位）、cadre（走访干部）、village（村/社区）")


def _assessment(assessment: Assessment) -> dict[str, Any]:
    return {"id": assessment.public_id, "title": assessment.title, "starts_on": assessment.starts_on,
            "ends_on": assessment.ends_on, "as_of": assessment.as_of, "number": assessment.number,
            "status": assessment.status, "frozen_at": assessment.frozen_at, "indicators": assessment.indicators}


def _scores(assessment: Assessment, level: str) -> dict[str, Any]:
    indicators = services.indicators_of(assessment)
    lines = presenters.lines(assessment, list(services.scores(assessment, level)), indicators)
    return {**_assessment(assessment), "level": level, "scores": [_score(line.score, line.remark, indicators)
                                                                 for line in lines]}


def _score(score: Score, remark: str, indicators: list[Any]) -> dict[str, Any]:
    subject = score.subject
    return {"id": score.public_id, "level": score.level, "label": score.label,
            "subject_id": getattr(subject, "public_id", None),
            "cells": [{"key": i.key, **score.cells[i.key], "text": presenters.cell_text(i, score.cells[i.key]),
                       "parts": presenters.parts(i, score.cells[i.key])} for i in indicators],
            "base_total": score.base_total, "adjustment": score.adjustment, "total": score.total, "rank": score.rank,
            "remark": remark}


def _act(action: Any) -> Any:
    try:
        return action()
    except services.AssessmentError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/{slug}", response=list[AssessmentOut],
            summary="历次考核（各版本，新者在前），分页：每页 page_size 条（最多 200），after=上一页的 next 读下一页")
@paginate(Page)
def list_assessments(request: HttpRequest, slug: str) -> Any:
    return Listing(services.listed(services.campaign_for(request.user, slug)), _assessment)


def _refuse_unmanaged(request: HttpRequest, slug: str, assessment_id: str | None = None) -> None:
    """A write's check before its body is read (decision 0044): 404 for a campaign or assessment the caller does not
    read; 403 for a reader who does not manage them."""
    campaign = services.campaign_for(request.user, slug)
    if assessment_id is not None:
        services.assessment_for(request.user, slug, assessment_id)
    if not services.may_manage(request.user, campaign):
        raise PermissionDenied


@router.post("/{slug}/runs", response={202: JobQueuedOut, 409: ApiErrorOut},
             auth=refusing(_refuse_unmanaged),
             summary="运行考核：按考核期统计，生成新的一版（考核管理组）。整镇统计在后台进行：答 202 和任务编号；完成后任务的 "
                     "made_url 是新一版的地址，文件是它的考核表 xlsx。日期或指标有误当场答 400；同一 key 再次提交只生成一版")
def run_assessment(request: HttpRequest, slug: str, body: RunIn) -> Status:
    campaign = services.campaign_for(request.user, slug)
    _act(lambda: services.check_run(campaign, starts_on=body.starts_on, ends_on=body.ends_on, by=request.user))
    return queue(request, "assessment_run", {
        "slug": campaign.slug, "starts_on": body.starts_on.isoformat(), "ends_on": body.ends_on.isoformat(),
        "title": body.title, "key": str(body.key or uuid.uuid4())})


@router.get("/{slug}/{assessment_id}", response=AssessmentScoresOut,
            summary="一次考核的得分与名次：by level=unit|cadre|village，各项指标的分子、分母与得分")
def get_assessment(request: HttpRequest, slug: str, assessment_id: uuid.UUID,
                   query: Query[LevelQuery]) -> dict[str, Any]:
    if query.level not in LEVELS:
        raise Http404
    return _scores(services.assessment_for(request.user, slug, assessment_id), query.level)


@router.post("/{slug}/{assessment_id}/adjustments", response={200: ScoreOut, 201: ScoreOut, 409: ApiErrorOut},
             auth=refusing(_refuse_unmanaged),
             summary="登记加减分（写明理由；定稿前，考核管理组）；带 key 时幂等：同一 key 重试答 200，内容不同答 409")
def adjust_score(request: HttpRequest, slug: str, assessment_id: uuid.UUID, body: AdjustmentIn) -> Status:
    assessment = services.assessment_for(request.user, slug, assessment_id)
    score = services.by_public_id(assessment.scores.all(), body.score)
    try:
        _made, added = _act(lambda: services.add_adjustment_once(assessment, score, points=body.points,
                                                                 reason=body.reason, by=request.user, key=body.key))
    except request_keys.KeyReused:
        return Status(409, error_body(_("该 key 已用于另一次加减分，请为新的加减分生成新的 key。"), "conflict"))
    score.refresh_from_db()
    indicators = services.indicators_of(assessment)
    return Status(201 if added else 200,
                  _score(score, presenters.lines(assessment, [score], indicators)[0].remark, indicators))


@router.post("/{slug}/{assessment_id}/freeze", response=AssessmentOut,
             summary="定稿：此后本考核的得分、名次、加减分不再变化（考核管理组）")
def freeze_assessment(request: HttpRequest, slug: str, assessment_id: uuid.UUID) -> dict[str, Any]:
    assessment = services.assessment_for(request.user, slug, assessment_id)
    return _assessment(_act(lambda: services.freeze_assessment(assessment, by=request.user)))
