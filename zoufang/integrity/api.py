"""The integrity flags over the API: the same stored flags (computed by a job: POST …/flags/scans), the same
readers as the page (services.campaign_for), and the office's findings on them (查实 / 排除), the same services
as the page's form."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang.accounts.api import refusing
from zoufang.accounts.names import named, shown_name
from zoufang.core import limits, paging
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.apiversions import VERSION_MAX, Versioned, version_read
from zoufang.integrity import scans, services
from zoufang.integrity.models import FlagClearance
from zoufang.jobs.api import JobQueuedOut, queue
from zoufang.oversight import paged
from zoufang.registry.api import Page
from zoufang.visits.models import Visit

router = Router(tags=["走访真实性提示"])


class ClearanceOut(Schema):
    outcome: str  # cleared (核实排除) or upheld (核实查实)
    reason: str
    by: str
    at: dt.datetime
    version: int  # what a change of this decision names (POST …/findings)


class FlagOut(Schema):
    key: str
    kind: str
    label: str
    weight: int
    evidence: str
    visits: list[str]
    cleared: ClearanceOut | None
    upheld: ClearanceOut | None


class CadreFlagsOut(Schema):
    cadre: str
    name: str
    unit: str
    score: int
    flags: list[FlagOut]


class FlagsQuery(Schema):
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    cleared: bool = False
    page_size: int = Field(50, ge=1, le=paged.PAGE_MAX, description="每页走访人数，最多 200")
    after: str | None = Field(None, min_length=1, max_length=500, description="上一页返回的 next：从其后一名读起")


class CadreFlagsPageOut(Schema):
    items: list[CadreFlagsOut]
    count: int = Field(..., description="有提示的走访人数")
    next: str | None = Field(None, description="下一页的 after 值；最后一页为 null")
    computed_at: dt.datetime | None = Field(
        None, description="这些提示的计算时间；null 表示这段走访日期的提示尚未计算（POST …/flags/scans 计算）")


@router.get("/{slug}/flags", response=CadreFlagsPageOut,
            summary="走访真实性提示：按走访人列出，待核实分量重者在前，含已查实的（upheld）；starts_on/ends_on 限定走访日期，"
                    "cleared=true 含已排除的。读这段日期最近一次计算的结果（computed_at），不在请求中计算；尚未计算时"
                    "items 为空、computed_at 为 null。分页：每页 page_size 名（最多 200），after=上一页的 next 读下一页。"
                    "仅走访办、领导和考核管理组可见")
def flag_list(request: HttpRequest, slug: str, query: Query[FlagsQuery]) -> dict[str, Any]:
    campaign = services.campaign_for(request.user, slug)
    period = None if query.starts_on is None and query.ends_on is None else (query.starts_on, query.ends_on)
    scan = scans.newest(campaign, period)
    if scan is None:
        if query.after:  # a cursor of a list that is not there
            raise HttpError(400, _("after：不是本列表返回的 next 值"))
        return {"items": [], "count": 0, "next": None, "computed_at": None}
    try:
        page = paging.keyset_page(scans.cadre_rows(scan, query.cleared), query.after, query.page_size)
    except paging.BadCursor:
        raise HttpError(400, _("after：不是本列表返回的 next 值")) from None
    scans.page_flags(page.rows, query.cleared)
    wanted = {pk for c in page.rows for f in c.shown for pk in f.visit_ids}
    public = dict(Visit.objects.filter(pk__in=wanted).values_list("pk", "public_id")) if wanted else {}
    return {"count": scan.cadres if query.cleared else scan.listed, "next": page.next_cursor,
            "computed_at": scan.computed_at, "items": [{
                "cadre": str(c.cadre.public_id), "name": c.cadre.name,
                "unit": c.cadre.unit.name if c.cadre.unit_id else "", "score": c.score,
                "flags": [{
                    "key": f.key, "kind": f.kind, "label": f.label, "weight": f.weight, "evidence": f.evidence,
                    "visits": [str(public[pk]) for pk in f.visit_ids if pk in public],
                    "cleared": None if f.is_open or f.is_upheld else _decision(f.clearance),
                    "upheld": _decision(f.clearance) if f.is_upheld else None,
                } for f in c.shown],
            } for c in page.rows]}


class ScanIn(Schema):
    starts_on: dt.date | None = Field(None, description="走访日期从（与列表的查询相同；不填为活动开始）")
    ends_on: dt.date | None = Field(None, description="走访日期到（不填为至今）")
    key: uuid.UUID | None = Field(None, description="请求编号：同一 key 重发只计算一次")


def _refuse_reader(request: HttpRequest, slug: str) -> None:
    """404 for a campaign whose flags the caller does not read (services.campaign_for), before the body is read."""
    services.campaign_for(request.user, slug)


def _refuse_finder(request: HttpRequest, slug: str) -> None:
    """And 403 for a reader who does not record findings (services.may_clear): the office only."""
    if not services.may_clear(request.user, services.campaign_for(request.user, slug)):
        raise HttpError(403, services.office_only())


@router.post("/{slug}/flags/scans", response={202: JobQueuedOut, 409: ApiErrorOut}, auth=refusing(_refuse_reader),
             summary="计算走访真实性提示：按走访日期范围在后台计算并保存，答 202 和任务编号；完成后 GET …/flags（同一日期范围）"
                     "读到新的结果。运行中的活动每天自动重新计算整个活动的提示。仅走访办、领导、考核管理组和所辖的上级活动办可用")
def scan_flags(request: HttpRequest, slug: str, body: ScanIn) -> Status:
    campaign = services.campaign_for(request.user, slug)
    return queue(request, "integrity_scan", {
        "slug": campaign.slug, "from": body.starts_on.isoformat() if body.starts_on else "",
        "to": body.ends_on.isoformat() if body.ends_on else "", "key": str(body.key or uuid.uuid4())})


def _decision(decision: Any) -> dict[str, Any]:
    return {"outcome": decision.outcome, "reason": decision.reason, "at": decision.modified_at,
            "version": decision.version,
            "by": shown_name(decision.cleared_by, nobody="")}


class FindingIn(Versioned):
    key: str = Field(..., min_length=1, max_length=80, description="提示编号（flags 列表中的 key）")
    outcome: Literal["upheld", "cleared"] = Field(..., description="upheld：核实查实；cleared：核实排除")
    reason: str = Field(..., max_length=limits.TEXT, description="理由：写明核实了什么（必填）")
    version: int | None = Field(None, ge=1, le=VERSION_MAX,
                                description="改变已有结论时填读取时的 version（也可用 If-Match 头传递）；首次核实不填")
    starts_on: dt.date | None = Field(None, description="首次核实时提示所在的走访日期范围（与列表的查询相同）")
    ends_on: dt.date | None = None


class FindingOut(ClearanceOut):
    key: str
    kind: str
    cadre: str
    visits: list[str]
    recorded: bool  # false: a retry of a finding already recorded, nothing recorded again


class FindingRefusedOut(ApiErrorOut):
    outcome: str | None = None
    version: int | None = None


class FindingsQuery(Schema):
    outcome: Literal["upheld", "cleared"] | None = None


def _findings(decisions: list[FlagClearance]) -> list[dict[str, Any]]:
    """A page of decisions, with the public ids of their visits in one query."""
    wanted = {pk for d in decisions for pk in d.visit_ids}
    public = dict(Visit.objects.filter(pk__in=wanted).values_list("pk", "public_id")) if wanted else {}
    return [_finding(d, public, recorded=True) for d in decisions]


@router.get("/{slug}/findings", response=list[FindingOut],
            summary="走访办的核实结论（查实、排除），最近的在前；含计算已不再给出的提示的结论（查实的仍计入考核）。"
                    "分页：每页 page_size 条（最多 200），after=上一页的 next 读下一页。仅走访办、领导和考核管理组可见")
@paginate(Page)
def finding_list(request: HttpRequest, slug: str, query: Query[FindingsQuery]) -> Any:
    campaign = services.campaign_for(request.user, slug)
    found = FlagClearance.objects.filter(campaign=campaign).select_related("cleared_by", "cadre") \
        .prefetch_related(*named("cleared_by"))
    if query.outcome:
        found = found.filter(outcome=query.outcome)
    # Latest first, along (campaign, modified_at, id).
    return paging.Listing(found.order_by("-modified_at", "-id"), page=_findings)


def _finding(decision: FlagClearance, public: dict[int, Any], *, recorded: bool) -> dict[str, Any]:
    return {**_decision(decision), "key": decision.key, "kind": decision.kind,
            "cadre": str(decision.cadre.public_id), "recorded": recorded,
            "visits": [str(public[pk]) for pk in decision.visit_ids if pk in public]}


@router.post("/{slug}/findings", auth=refusing(_refuse_finder),
             response={200: FindingOut, 400: FindingRefusedOut, 403: FindingRefusedOut,
                                           409: FindingRefusedOut},
             summary="记录核实结论：查实（upheld，计入考核）或排除（cleared），写明理由；走访办专用，记入审计。"
                     "首次核实不填 version；改变结论填读取时的 version（或 If-Match 头），别人已改过则返回 409（不覆盖）；"
                     "不带 version 而这条提示已有结论的，也返回 409，附现在的 outcome 和 version。"
                     "同一结论、同一理由重发视为重试，原样返回（recorded=false）")
def record_finding(request: HttpRequest, slug: str, body: FindingIn) -> Any:
    campaign = services.campaign_for(request.user, slug)
    if not services.may_clear(request.user, campaign):
        return Status(403, {"detail": services.office_only(), "code": "forbidden"})
    period = None if body.starts_on is None and body.ends_on is None else (body.starts_on, body.ends_on)
    try:
        decision, recorded = services.record_finding(request.user, campaign, body.key, body.outcome, body.reason,
                                                     version=version_read(request, body), period=period)
    except services.DecisionConflict as exc:
        current = exc.current
        return Status(409, {"detail": str(exc), "code": "conflict", "outcome": current.outcome if current else None,
                            "version": current.version if current else None})
    except services.ClearRefused as exc:
        return Status(400, {"detail": str(exc), "code": "invalid"})
    decision = FlagClearance.objects.select_related("cleared_by", "cadre").get(pk=decision.pk)
    public = dict(Visit.objects.filter(pk__in=decision.visit_ids).values_list("pk", "public_id"))
    return _finding(decision, public, recorded=recorded)
