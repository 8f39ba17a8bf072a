"""Planning over the API, for the office: the proof, and re-planning with a preview."""

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang.accounts import scope
from zoufang.accounts.api import refusing
from zoufang.campaigns.models import Campaign
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.paging import Listing
from zoufang.jobs import services
from zoufang.jobs.api import JobQueuedOut, queue, queued
from zoufang.planning import proof
from zoufang.planning.models import PlanProblem
from zoufang.registry.api import Page

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
    computed_at: dt.datetime | None = Field(None, description="核验结果的计算时间；从未计算时为 null（其余各项为空）")
    stale: bool = Field(False, description="计算之后分配或登记库又有变动（人工调整、导入）：结果可能已过时，可重新计算")
    clean: bool = Field(False, description="不重不漏：已核验")
    problem_count: int = Field(0, description="未通过核验的问题条数（逐条见 /check/problems）")


class ProblemOut(Schema):
    position: int
    text: str


class PlanRunIn(Schema):
    dry_run: bool = True
    key: uuid.UUID | None = Field(None, description="请求编号（可选）：重试时原样带上，同一编号只分配一次，答第一次的任务")


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    if not scope.may_manage(request.user):
        raise HttpError(403, _("只有走访办可以查看和调整分配"))
    campaign = scope.managed_campaigns(request.user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


NEVER_COMPUTED = {"targets": {}, "assigned": {}, "unassigned": {}, "duplicated": {}, "stray_assignments": 0,
                  "left_out": [], "quota_violations": [], "relaxations": [], "member_mismatches": [],
                  "issued_drift": []}


@router.get("/{slug}/check", response=CheckOut,
            summary="核验：每个对象恰好分配一次，数量与分配数一致。读保存的核验结果（重新分配写入时、或 POST "
                    "/checks 在后台计算），computed_at 为计算时间，stale 为其后分配或登记库是否又有变动")
def plan_check(request: HttpRequest, slug: str) -> Any:
    stored = proof.stored(_campaign(request, slug))
    if stored is None:
        return {**NEVER_COMPUTED, "computed_at": None, "stale": False, "clean": False, "problem_count": 0}
    return {**stored.result, "computed_at": stored.computed_at, "stale": stored.stale, "clean": stored.proven,
            "problem_count": stored.problem_count}


@router.get("/{slug}/check/problems", response=list[ProblemOut],
            summary="保存的核验结果中未通过核验的问题，逐条，分页：每页 page_size 条（最多 200），after=上一页的 next "
                    "读下一页")
@paginate(Page)
def plan_check_problems(request: HttpRequest, slug: str) -> Any:
    stored = proof.stored(_campaign(request, slug))
    return Listing(proof.problems(stored) if stored else PlanProblem.objects.none().order_by("position", "id"),
                   lambda p: {"position": p.position, "text": p.text})


@router.post("/{slug}/checks", response={202: JobQueuedOut},
             summary="重新计算核验（整个活动，在后台运行）：答 202 和任务编号；完成后 GET /check 读新的结果。"
                     "排队或计算中再次请求得到同一个任务")
def plan_check_run(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    campaign = _campaign(request, slug)
    return Status(202, queued(services.request(request.user, "plan_check", {"campaign": campaign.slug})))


@router.post("/{slug}/runs", response={202: JobQueuedOut, 409: ApiErrorOut}, auth=refusing(_campaign),
             summary="重新分配（dry_run 为真时只预览变化），在后台运行：答 202 和任务编号；"
                     "在 /api/v1/jobs/{id} 取进度和报告（未通过不重不漏核验的分配不写入，报告的 failures 说明原因）。"
                     "带 key 时同一 key 再次提交答第一次的任务，不再分配；同一 key 换了参数答 409")
def plan_run(request: HttpRequest, slug: str, payload: PlanRunIn) -> Status:
    campaign = _campaign(request, slug)
    return queue(request, "plan_run", {"campaign": campaign.slug, "apply": not payload.dry_run,
                                       "key": str(payload.key or "")})
