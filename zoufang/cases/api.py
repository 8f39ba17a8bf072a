"""Cases in the JSON API: scoped lists and one endpoint per transition, guarded by the case's version.

Send the version you read as `version` in the body or as `If-Match`; a stale one gets 409 and
changes nothing. Every case answer carries its version in the `ETag` header.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.api import TokenAuth, refusing
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import named, shown_name
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import access, actions, answers, deadlines, escalation, similarity
from zoufang.cases.models import Case
from zoufang.cases.presenters import CasePresenter, event_notice, offered
from zoufang.cases.transition import CaseError, InvalidInput, NotAllowed, StaleVersion, VersionRequired
from zoufang.cases.workflow import Action
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.apiversions import Versioned, version_read
from zoufang.core.paging import Listing
from zoufang.registry.api import Page
from zoufang.registry.models import Cadre, Unit

router = Router(tags=["问题办理"])


class RaiserOut(Schema):
    name: str
    phone: str
    full: bool


class CaseOut(Schema):
    id: uuid.UUID
    number: str
    version: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    priority: str
    source: str
    category_code: str
    category: str
    description: str
    region: str
    raiser: RaiserOut
    raised_at: dt.datetime
    registration_due: dt.date | None
    registered_on: dt.date | None
    registered_late: bool
    unit: str
    co_handlers: list[str]
    dispatched_on: dt.date | None
    handling_due: dt.date | None
    working_days_left: int | None
    paused: bool
    overdue: bool
    requested_extension_days: int | None
    escalation_route: str
    signoff_leader: str
    resolution: str
    explanation: str
    satisfaction: str
    merged_into: uuid.UUID | None = Field(
        ..., description="本件合并到的主件（status 为 merged）；主件不在您的可见范围内时为 null")
    follows: uuid.UUID | None = Field(
        ..., description="本件是哪一件已结案的件结案后的重复来电（受理时关联，该件不重开、不合并）；"
                         "该件不在您的可见范围内时为 null")
    allowed_actions: list[str]


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    version: int
    note: str
    notice: str = Field(..., description="该步附带的结果，如：派出所的延期申请（5 个工作日）随改派作废；无则为空")


class CaseDetailOut(CaseOut):
    history: list[EventOut]
    followed_by: list[uuid.UUID] = Field(..., description="结案后的重复来电：关联本件的各件（在您的可见范围内），从早到晚")


class ErrorOut(ApiErrorOut):
    version: int | None = None


class CaseFilter(Schema):
    status: Case.Status | None = None
    kind: Case.Kind | None = None
    unit: uuid.UUID | None = Field(None, description="承办单位编号")
    overdue: bool | None = Field(None, description="仅现在超期的件：办理中、计时未暂停、已过办理期限")
    q: str | None = Field(None, max_length=limits.SEARCH, description="按内容搜索")


class NoteIn(Versioned):
    note: str = Field("", max_length=limits.NOTE)


class RegisterIn(NoteIn):
    category: str | None = Field(None, max_length=limits.CODE, description="类别编号，如 1.3")
    priority: Case.Priority | None = None
    kind: Case.Kind | None = None


class DispatchIn(NoteIn):
    unit: uuid.UUID
    co_handlers: list[uuid.UUID] = []
    priority: Case.Priority | None = None


class ReasonIn(Versioned):
    reason: str = Field(..., max_length=limits.NOTE)


class ExtensionIn(Versioned):
    days: int = Field(..., ge=1, le=60)
    reason: str = Field(..., max_length=limits.NOTE)


class ResolveIn(Versioned):
    result: str = Field(..., max_length=limits.TEXT, description="办理结果")


class EscalateIn(Versioned):
    route: Case.Route
    leader: uuid.UUID = Field(..., description="签字的分管领导（干部编号）")
    reason: str = Field(..., max_length=limits.NOTE)


class ExplainIn(Versioned):
    explanation: str = Field(..., max_length=limits.TEXT)


class ReplyIn(Versioned):
    channel: str = Field(..., max_length=limits.CODE, description="in_person / phone / letter / sms / platform")
    content: str = Field(..., max_length=limits.TEXT)
    replied_on: limits.Day | None = None


class InstructionsIn(Versioned):
    instructions: str = Field(..., max_length=limits.NOTE, description="退回镇办理的意见（办理指导）")


class CallbackIn(NoteIn):
    satisfaction: Case.Satisfaction


class MergeIn(NoteIn):
    master: uuid.UUID


RESPONSES = {200: CaseOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 428: ErrorOut}


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    presenter = CasePresenter(request.user)
    data = presenter.as_dict(case)
    data["history"] = [
        {"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
         "actor": shown_name(e.actor, nobody=""),
         "at": e.at, "version": e.version, "note": presenter.text(case, e.note), "notice": event_notice(e.data)}
        for e in case.events.select_related("actor").prefetch_related(*named("actor"))
    ]
    data["followed_by"] = list(case.followed_by.filter(pk__in=access.visible_cases(request.user).values("pk"))
                               .order_by("raised_at", "id").values_list("public_id", flat=True))
    return data


@router.get("/", response=list[CaseOut], summary="可见的问题与意见建议")
@paginate(Page)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    cases = access.visible_cases(request.user).select_related(
        "category", "unit", "region__parent__parent", "target__region", "signoff_leader", "merged_into", "follows", "campaign__scope"
    ).prefetch_related("co_handlers")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.unit:
        cases = cases.filter(unit__public_id=filters.unit)
    if filters.overdue:
        cases = cases.filter(deadlines.overdue_condition(clock.today()))
    if filters.q:
        cases = cases.filter(access.description_search(request.user, cases, filters.q))
    # A page's ids first, then its rows and their seven related tables (paging.sliced, decision 0015).
    return Listing(cases.order_by("-raised_at", "id"), page=lambda page: _listed(request.user, page), by_id=True)


def _listed(user: Any, page: list[Case]) -> list[dict[str, Any]]:
    """A page of the list, and one audit row naming the cases whose raiser's phone it showed in full."""
    presenter = CasePresenter(user)
    presenter.know_links(page)  # one query for the page's links the reader may open
    rows = [presenter.as_dict(case) for case in page]
    revealed = [str(row["id"]) for row in rows if row["raiser"]["full"]]
    if revealed:
        audit.record(user, AuditEvent.Action.READ, object_type="cases.Case", changes={"cases": revealed},
                     summary=_("接口列表显示反映人完整联系方式：%(n)s件") % {"n": len(revealed)})
    return rows


class ReceiveIn(Schema):
    campaign: str = Field(..., max_length=limits.CODE, description="走访活动代号，如 jinxi-2017")
    kind: Case.Kind
    description: str = Field(..., max_length=limits.TEXT)
    category: str | None = Field(None, max_length=limits.CODE, description="类别编号，如 1.3")
    region: uuid.UUID | None = Field(None, description="村（社区）编号")
    raiser_name: str = Field("", max_length=limits.NAME)
    raiser_phone: str = Field("", max_length=20)
    key: uuid.UUID | None = Field(None, description="请求编号：客户端首次提交前生成，重试时原样带上，同一编号只受理一次")
    repeat_of: uuid.UUID | None = Field(
        None, description="本次来电是哪一件的重复来电（同一号码的来电中的一件）：未结案的受理后合并到该件；"
                          "已结案的另行受理，关联该件（follows），该件不重开、不合并")


class CallerCaseOut(Schema):
    id: uuid.UUID
    number: str
    status: str
    status_label: str
    raised_at: dt.datetime
    unit: str = Field(..., description="承办单位")
    place: str = Field(..., description="村（社区）及网格")
    description: str
    similarity: int = Field(..., description="与本次来电内容的相似度（%）")
    may_be_master: bool = Field(..., description="可作为 repeat_of（同一走访活动、未结案）：受理后合并到该件")
    may_be_followed: bool = Field(..., description="可作为 repeat_of（同一走访活动、已结案）：另行受理，关联该件（不重开、不合并）")


class ReceivedOut(CaseOut):
    same_caller: list[CallerCaseOut] = Field(
        ..., description="同一号码此前的每一件（来电，及走访中该户反映的），在您的可见范围内，从新到旧，至多 50 件")


def _refuse_non_office(request: HttpRequest) -> None:
    """403 for a caller who is no campaign's 走访办 (intake.office_campaigns), before the body is read; which
    campaign the body names is the view's check."""
    from zoufang.cases.intake import office_campaigns

    if not office_campaigns(request.user).exists():
        raise HttpError(403, _("您不是该走访活动的走访办。"))


@router.post("/", response={200: ReceivedOut, 201: ReceivedOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             auth=refusing(_refuse_non_office),
             summary="受理走访以外反映的问题（热线来电）；带 key 时幂等：同一 key 重试答 200 和已受理的件，内容不同答 409")
def receive(request: HttpRequest, body: ReceiveIn) -> Any:
    from zoufang.accounts import scope
    from zoufang.cases.intake import office_campaigns, record_lookup, repeat_refused
    from zoufang.cases.services import receive_case_once
    from zoufang.core.request_keys import KeyReused
    from zoufang.registry.identifiers import is_valid_phone

    campaign = office_campaigns(request.user).filter(slug=body.campaign).first()
    if campaign is None:
        return Status(403, {"detail": _("您不是该走访活动的走访办。"), "code": "forbidden"})
    if not body.description.strip():
        return Status(400, {"detail": _("请填写反映内容。"), "code": "invalid"})
    if body.raiser_phone and not is_valid_phone("".join(body.raiser_phone.split())):
        return Status(400, {"detail": _("电话号码格式不正确。"), "code": "invalid"})
    region = None
    if body.region:
        region = scope.visible_regions(request.user).filter(public_id=body.region).first()
        if region is None:
            return Status(400, {"detail": _("区划不存在。"), "code": "invalid"})
    category = None
    if body.category:
        category = CaseCategory.objects.filter(campaign=campaign, code=body.category).first()
        if category is None:
            return Status(400, {"detail": _("类别编号不存在。"), "code": "invalid"})
    phone = "".join(body.raiser_phone.split())
    repeat_of = None
    if body.repeat_of:
        repeat_of = access.visible_cases(request.user).filter(public_id=body.repeat_of).first()
        if refused := repeat_refused(repeat_of, campaign):
            return Status(400, {"detail": refused, "code": "invalid"})
    try:
        case, received = receive_case_once(
            campaign=campaign, kind=body.kind, description=body.description.strip(), raised_at=clock.now(),
            source=Case.Source.HOTLINE, category=category, region=region, raiser_name=body.raiser_name.strip(),
            raiser_phone=phone, by=request.user, key=body.key, repeat_of=repeat_of,
        )
    except KeyReused:
        return Status(409, {"detail": _("该 key 已用于内容不同的另一件，请为新的来电生成新的 key。"), "code": "conflict"})
    except CaseError as exc:  # the earlier call was closed or merged meanwhile: nothing was received
        return Status(400, {"detail": str(exc), "code": "invalid"})
    earlier = similarity.same_caller(phone, access.visible_cases(request.user), description=case.description,
                                     campaign_id=campaign.pk, other_than=case)
    if phone:  # the number the client sent, answered with its cases: the intake form's 查来电记录 (decision 0047)
        record_lookup(request.user, phone, earlier)
    same_caller = [{"id": s["case"].public_id, "number": s["case"].number, "status": s["case"].status,
                    "status_label": s["case"].get_status_display(), "raised_at": s["case"].raised_at,
                    "unit": s["unit"], "place": s["place"], "description": s["description"],
                    "similarity": s["percent"], "may_be_master": s["may_be_master"],
                    "may_be_followed": s["may_be_followed"]}
                   for s in offered(request.user, earlier.shown)]
    return Status(201 if received else 200, {**CasePresenter(request.user).as_dict(case), "same_caller": same_caller})


class UpperQueueFilter(Schema):
    state: Literal["open", "done"] = Field("open", description="open：待上级办理；done：上级已办理（已答复或退回）")


class UpperCaseOut(CaseOut):
    town: str
    escalation_reason: str
    signed_at: dt.datetime | None
    signed_note: str = Field(..., description="分管领导签字意见")
    upper_answer: str = Field(..., description="上一级活动办最后的办理意见")


def _upper_rows(user: Any, page: list[Case]) -> list[dict[str, Any]]:
    """A page of the city office's queue, each case presented with the town's sign-off."""
    from zoufang.cases import upper

    presenter = CasePresenter(user)
    rows = upper.rows(page, user)
    presenter.know_links(row.case for row in rows)
    return [
        {**presenter.as_dict(row.case), "town": row.town, "escalation_reason": row.reason,
         "signed_at": row.signed_at, "signed_note": row.signed_note, "upper_answer": row.answer}
        for row in rows
    ]


@router.get("/upper-office", response=list[UpperCaseOut],
            summary="上一级活动办待办：各镇经分管领导签字上报上一级活动办的件（state=done 为已办理）")
@paginate(Page)
def upper_office_queue(request: HttpRequest, filters: Query[UpperQueueFilter]) -> Any:
    # Anyone but a city office has an empty queue (access.upper_queue holds only its towns' signed cases).
    from zoufang.cases import upper

    return Listing(upper.queue(request.user, done=filters.state == "done"),
                   page=lambda page: _upper_rows(request.user, page))


@router.get("/{case_id}", response=CaseDetailOut, summary="问题详情与办理记录")
def get_case(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID) -> Any:
    case = access.get_visible_case(request.user, case_id)
    response["ETag"] = f'"{case.version}"'
    data = _detail(request, case)
    if data["raiser"]["full"] and data["raiser"]["phone"]:
        audit.record(request.user, AuditEvent.Action.READ, case, summary="接口查看反映人完整联系方式")
    return data


def _refuse_case(request: HttpRequest, case_id: str, action: Action) -> None:
    """404 for a case the caller does not see, 403 where they are none of those who take `action` on it (a reader
    of the case, as the city office; a unit asked to register)."""
    case = access.get_visible_case(request.user, case_id)
    if not access.may_take(request.user, case, action):
        raise HttpError(403, _("您无权对该件执行此操作。"))


def _taking(action: Action) -> TokenAuth:
    """An action's `auth`: the token, then _refuse_case, before the body is validated (decision 0044)."""
    return refusing(lambda request, case_id, **_path: _refuse_case(request, case_id, action))


def _act(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: Versioned,
         do: Callable[[Case, int | None], Case]) -> Any:
    """An action whose caller _taking let through; the status's own rule is transition.run's."""
    case = access.get_visible_case(request.user, case_id)
    try:
        case = do(case, version_read(request, body))
    except StaleVersion as exc:
        return Status(409, {"detail": str(exc), "code": "stale_version", "version": exc.current})
    except VersionRequired as exc:
        return Status(428, {"detail": str(exc), "code": "version_required"})
    except NotAllowed as exc:
        return Status(409, {"detail": str(exc), "code": "not_allowed"})
    except InvalidInput as exc:
        return Status(400, {"detail": str(exc), "code": "invalid"})
    except CaseError as exc:
        return Status(400, {"detail": str(exc), "code": "invalid"})
    except PermissionDenied:
        return Status(403, {"detail": _("您无权对该件执行此操作。"), "code": "forbidden"})
    response["ETag"] = f'"{case.version}"'
    # The case as the action left it, even when the actor no longer sees it (a unit that returned it).
    return Status(200, CasePresenter(request.user).as_dict(case))


def _unit(public_id: uuid.UUID) -> Unit:
    unit = Unit.objects.filter(public_id=public_id, archived_on__isnull=True).first()
    if unit is None:
        raise InvalidInput(_("承办单位不存在。"))
    return unit


@router.post("/{case_id}/register", response=RESPONSES, summary="登记",
             auth=_taking(Action.REGISTER))
def register(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: RegisterIn) -> Any:
    def do(case: Case, version: int | None) -> Case:
        category = None
        if body.category:
            category = CaseCategory.objects.filter(campaign=case.campaign, code=body.category).first()
            if category is None:
                raise InvalidInput(_("类别编号不存在。"))
        return actions.register_case(case, by=request.user, version=version, category=category,
                                     priority=body.priority, kind=body.kind, note=body.note)

    return _act(request, response, case_id, body, do)


@router.post("/{case_id}/dispatch", response=RESPONSES, summary="交办",
             auth=_taking(Action.DISPATCH))
def dispatch(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: DispatchIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.dispatch_case(
        case, _unit(body.unit), by=request.user, version=version,
        co_handlers=[_unit(u) for u in body.co_handlers], priority=body.priority, note=body.note))


@router.post("/{case_id}/accept", response=RESPONSES, summary="签收",
             auth=_taking(Action.ACCEPT))
def accept(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: NoteIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.accept_case(
        case, by=request.user, version=version, note=body.note))


@router.post("/{case_id}/return", response=RESPONSES, summary="退单",
             auth=_taking(Action.RETURN))
def return_(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ReasonIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.return_case(
        case, by=request.user, version=version, reason=body.reason))


@router.post("/{case_id}/extension", response=RESPONSES, summary="申请延期",
             auth=_taking(Action.REQUEST_EXTENSION))
def request_extension(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ExtensionIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.request_extension(
        case, by=request.user, version=version, days=body.days, reason=body.reason))


@router.post("/{case_id}/extension/approve", response=RESPONSES, summary="同意延期",
             auth=_taking(Action.APPROVE_EXTENSION))
def approve_extension(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: NoteIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.approve_extension(
        case, by=request.user, version=version, note=body.note))


@router.post("/{case_id}/extension/refuse", response=RESPONSES, summary="不同意延期",
             auth=_taking(Action.REFUSE_EXTENSION))
def refuse_extension(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: NoteIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.refuse_extension(
        case, by=request.user, version=version, note=body.note))


@router.post("/{case_id}/resolve", response=RESPONSES, summary="办结（办理结果）",
             auth=_taking(Action.RESOLVE))
def resolve(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ResolveIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: actions.resolve_case(
        case, by=request.user, version=version, result=body.result))


@router.post("/{case_id}/escalate", response=RESPONSES, summary="上报（待分管领导签字）",
             auth=_taking(Action.ESCALATE))
def escalate(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: EscalateIn) -> Any:
    def do(case: Case, version: int | None) -> Case:
        leader = Cadre.objects.filter(public_id=body.leader).first()
        if leader is None:
            raise InvalidInput(_("分管领导不存在。"))
        return escalation.escalate_case(case, by=request.user, version=version, route=body.route, leader=leader,
                                        reason=body.reason)

    return _act(request, response, case_id, body, do)


@router.post("/{case_id}/sign", response=RESPONSES, summary="分管领导签字",
             auth=_taking(Action.SIGN))
def sign(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: NoteIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: escalation.sign_escalation(
        case, by=request.user, version=version, note=body.note))


@router.post("/{case_id}/refuse-sign", response=RESPONSES, summary="分管领导不签字，退回部门办理",
             auth=_taking(Action.REFUSE_SIGN))
def refuse_sign(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ReasonIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: escalation.refuse_escalation(
        case, by=request.user, version=version, note=body.reason))


@router.post("/{case_id}/explain", response=RESPONSES, summary="解释说明",
             auth=_taking(Action.EXPLAIN))
def explain(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ExplainIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: escalation.explain_case(
        case, by=request.user, version=version, explanation=body.explanation))


@router.post("/{case_id}/upper-accept", response=RESPONSES, summary="上级受理（上一级活动办受理镇签字上报的件）",
             auth=_taking(Action.UPPER_ACCEPT))
def upper_accept(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: NoteIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: escalation.accept_upper(
        case, by=request.user, version=version, note=body.note))


@router.post("/{case_id}/upper-return", response=RESPONSES, summary="上一级活动办退回镇办理（附办理意见）",
             auth=_taking(Action.UPPER_RETURN))
def upper_return(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: InstructionsIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: escalation.return_to_town(
        case, by=request.user, version=version, instructions=body.instructions))


@router.post("/{case_id}/reply", response=RESPONSES, summary="回复反映人",
             auth=_taking(Action.REPLY))
def reply(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ReplyIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: answers.reply_case(
        case, by=request.user, version=version, channel=body.channel, content=body.content,
        replied_on=body.replied_on))


@router.post("/{case_id}/callback", response=RESPONSES, summary="回访（满意度）",
             auth=_taking(Action.CALLBACK))
def callback(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: CallbackIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: answers.record_callback(
        case, by=request.user, version=version, satisfaction=body.satisfaction, note=body.note))


@router.post("/{case_id}/close", response=RESPONSES, summary="结案",
             auth=_taking(Action.CLOSE))
def close(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: NoteIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: answers.close_case(
        case, by=request.user, version=version, note=body.note))


@router.post("/{case_id}/reopen", response=RESPONSES, summary="重办（回访不满意）",
             auth=_taking(Action.REOPEN))
def reopen(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: ReasonIn) -> Any:
    return _act(request, response, case_id, body, lambda case, version: answers.reopen_case(
        case, by=request.user, version=version, reason=body.reason))


@router.post("/{case_id}/merge", response=RESPONSES, summary="合并到主件",
             auth=_taking(Action.MERGE))
def merge(request: HttpRequest, response: HttpResponse, case_id: uuid.UUID, body: MergeIn) -> Any:
    def do(case: Case, version: int | None) -> Case:
        try:
            master = access.get_visible_case(request.user, body.master)
        except Http404:  # the case in the path exists: its 404 would say otherwise
            raise InvalidInput(_("要合并到的问题不存在，或不在您的可见范围内。")) from None
        return answers.merge_case(case, master, by=request.user, version=version, note=body.note)

    return _act(request, response, case_id, body, do)
