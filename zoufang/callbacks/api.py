"""回访抽查 over the API: the batches a user sees, a batch's results and samples, upheld findings; the same access
and figures as the pages (callbacks.access, callbacks.results, callbacks.findings)."""

import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zoufang.accounts.masking import Kind, Masker
from zoufang.callbacks import access, findings, results
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.callbacks.sampling import Period
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.paging import Listing
from zoufang.registry.api import Page

router = Router(tags=["回访抽查"])


class BatchOut(Schema):
    id: uuid.UUID
    campaign: str
    number: int
    period_starts_on: dt.date
    period_ends_on: dt.date
    status: str
    caller: str | None
    seed: int
    sampled: int
    settled: int


class CountsOut(Schema):
    name: str
    sampled: int
    settled: int
    confirmed: int
    not_visited: int
    different: int
    unreachable: int
    refused: int
    pending: int
    upheld: int
    unanswered: int
    satisfied: int
    fairly_satisfied: int
    unsatisfied: int
    followed_up: int = Field(description="不满意中走访办已登记跟进的")


class TableOut(Schema):
    key: str
    title: str
    rows: list[CountsOut]
    total: CountsOut


class ResultsOut(Schema):
    batch: BatchOut
    tables: list[TableOut]


class SampleOut(Schema):
    id: uuid.UUID
    position: int
    reason: str
    target: str
    region: str
    cadre: str
    unit: str
    visited_at: dt.datetime
    mode: str
    outcome: str
    verification: str
    attempts: int


class UpheldOut(Schema):
    cadre: str
    unit: str
    visited_on: dt.date
    verified_on: dt.date | None


class UpheldQuery(Schema):
    campaign: str = Field(..., max_length=limits.CODE, description="走访活动代号")
    starts_on: dt.date
    ends_on: dt.date


def _batch(batch: CallbackBatch) -> dict[str, Any]:
    return {"id": batch.public_id, "campaign": batch.campaign.slug, "number": batch.number,
            "period_starts_on": batch.period_starts_on, "period_ends_on": batch.period_ends_on,
            "status": batch.status, "caller": batch.caller.name if batch.caller else None, "seed": batch.seed,
            "sampled": batch.sampled, "settled": batch.settled}  # type: ignore[attr-defined]


@router.get("/batches", response=list[BatchOut],
            summary="可见的回访抽查批次（走访办：本区域活动的全部批次；第三方：本单位的批次），最新的在前，分页："
                    "每页 page_size 条（最多 200），after=上一页的 next 读下一页")
@paginate(Page)
def list_batches(request: HttpRequest) -> Any:
    # Newest first along the (created_at, id) index.
    return Listing(results.counted(access.visible_batches(request.user)).order_by("-created_at", "-id"), _batch)


@router.get("/batches/{batch_id}", response=ResultsOut, summary="一批回访抽查的进度和结果：按单位、村（社区）、走访干部（走访办）")
def batch_results(request: HttpRequest, batch_id: uuid.UUID) -> dict[str, Any]:
    batch = access.get_batch(request.user, batch_id)
    if not access.may_run(request.user, batch.campaign):
        raise Http404
    batch = results.counted(CallbackBatch.objects.filter(pk=batch.pk).select_related("campaign", "caller")).get()
    return {"batch": _batch(batch), "tables": [results.as_dict(table) for table in results.tables(batch)]}


def _sample(masker: Masker, s: CallbackSample) -> dict[str, Any]:
    return {
        "id": s.public_id, "position": s.position, "reason": s.reason,
        "target": masker.show(Kind.NAME, s.visit.target.name, s.visit.target, full=False),
        "region": s.visit.target.region.name, "cadre": s.visit.cadre.name, "unit": s.visit.cadre.unit.name,
        "visited_at": s.visit.visited_at, "mode": s.visit.mode, "outcome": s.outcome,
        "verification": s.verification, "attempts": s.attempt_count,  # type: ignore[attr-defined]
    }


@router.get("/batches/{batch_id}/samples", response=list[SampleOut],
            summary="抽查名单（走访对象姓名脱敏），按序号分页：每页 page_size 条（最多 200），after=上一页的 next 读下一页")
@paginate(Page)
def list_samples(request: HttpRequest, batch_id: uuid.UUID) -> Any:
    # In their order along the (batch, position) index; names masked per role.
    batch = access.get_batch(request.user, batch_id)
    samples = results.listed_samples(batch).annotate(attempt_count=Count("attempts")).order_by("position", "id")
    return Listing(samples, partial(_sample, Masker(request.user)))


@router.get("/upheld", response={200: list[UpheldOut], 404: ApiErrorOut},
            summary="核实属实的“未接受走访”：走访日期在期间内的，供考核和通报（走访办）")
def upheld(request: HttpRequest, query: Query[UpheldQuery]) -> list[dict[str, Any]]:
    campaign = access.office_campaigns(request.user).filter(slug=query.campaign).first()
    if campaign is None:
        raise Http404
    return [{"cadre": f.cadre_name, "unit": f.unit_name, "visited_on": f.visited_on, "verified_on": f.verified_on}
            for f in findings.upheld_against(campaign, Period(query.starts_on, query.ends_on))]
