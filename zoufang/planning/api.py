"""Planning over the API, for the office: the proof, and re-planning with a preview."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from zoufang.accounts import scope
from zoufang.campaigns.models import Campaign
from zoufang.jobs import services
from zoufang.jobs.api import JobQueuedOut, queued
from zoufang.planning.check import check_plan

router = Router(tags=["分配"])


class QuotaViolationOut(Schema):
    level: str
    unit: str
    cadre: str | None
    kind: str
    planned: int
    assigned: int
    problem: str


class RelaxationOut(Schema):
    unit: str
    cadre: str
    kind: str
    planned: int
    rule: str


class LeftOutOut(Schema):
    kind: str
    target_id: int
    name: str
    village: str


class MemberMismatchOut(Schema):
    unit: str
    stated: int
    registered: int


class CheckOut(Schema):
    targets: dict[str, int]
    assigned: dict[str, int]
    unassigned: dict[str, int]
    duplicated: dict[str, int]
    stray_assignments: int
    left_out: list[LeftOutOut]
    quota_violations: list[QuotaViolationOut]
    relaxations: list[RelaxationOut]
    member_mismatches: list[MemberMismatchOut]
    issued_drift: list[str] = Field(..., description="上级分配表与今天登记库的差异（原表不改动，不影响核验结果）")


class PlanRunIn(Schema):
    dry_run: bool = True


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    if not scope.may_manage(request.user):
        raise HttpError(403, "只有走访办可以查看和调整分配")
    campaign = scope.managed_campaigns(request.user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


@router.get("/{slug}/check", response=CheckOut, summary="核验：每个对象恰好分配一次，数量与分配数一致")
def plan_check(request: HttpRequest, slug: str) -> Any:
    return check_plan(_campaign(request, slug))


@router.post("/{slug}/runs", response={202: JobQueuedOut},
             summary="重新分配（dry_run 为真时只预览变化），在后台运行：答 202 和任务编号；"
                     "在 /api/v1/jobs/{id} 取进度和报告（未通过不重不漏核验的分配不写入，报告的 failures 说明原因）")
def plan_run(request: HttpRequest, slug: str, payload: PlanRunIn) -> Status[dict[str, Any]]:
    campaign = _campaign(request, slug)
    download = services.request(request.user, "plan_run", {"campaign": campaign.slug, "apply": not payload.dry_run})
    return Status(202, queued(download))
