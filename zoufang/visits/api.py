"""The cadre's phone API: my targets, idempotent visit submissions, one visit."""

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang.accounts import scope
from zoufang.accounts.api import path_uuid, refusing
from zoufang.accounts.masking import Masker
from zoufang.cases.access import cases_of_visit
from zoufang.core import limits, request_keys
from zoufang.core.apierrors import ApiErrorOut, FieldRefused, error_body
from zoufang.planning.models import Assignment
from zoufang.registry.api import Page, TargetOut
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits import photos, services
from zoufang.visits.mylist import assignments_of, my_targets

router = Router(tags=["走访记录"])


class MyTargetOut(TargetOut):
    campaign: str
    visits: int


class OpinionIn(Schema):
    kind: str = Field(max_length=limits.CODE, description="problem（问题）或 suggestion（意见建议）")
    description: str = Field(max_length=limits.TEXT)
    category: str = Field("", max_length=limits.CODE, description="活动问题类别编号，如 1.3")
    settled_on_spot: bool = False


class VisitIn(Schema):
    client_uuid: uuid.UUID = Field(description="手机端首次提交前生成；重试时原样带上")
    target_id: uuid.UUID
    visited_at: limits.Moment = Field(description="带时区，如 2017-06-15T10:30:00+08:00")
    mode: str = Field(max_length=limits.CODE, description="home 入户走访、forum 座谈会、phone 电话、letter 函访、online 网络、group 集中走访")
    summary: str = Field("", max_length=limits.TEXT)
    co_visitors: str = Field("", max_length=limits.SHORT)
    latitude: float | None = None
    longitude: float | None = None
    location_accuracy: float | None = Field(None, description="定位精度（米）")
    settled_on_spot: bool = False
    answers: dict[str, dict[str, Any]] = Field(default_factory=dict, description="调查表代号 → {题目 name: 答案}")
    opinions: list[OpinionIn] = Field(default_factory=list)
    campaign: str = Field("", max_length=limits.CODE, description="活动代号；留空则取分配该对象的活动")


class CaseBrief(Schema):
    id: uuid.UUID
    kind: str
    status: str
    category: str
    description: str
    registration_due: dt.date | None


class VisitOut(Schema):
    id: uuid.UUID
    client_uuid: uuid.UUID
    campaign: str
    target_id: uuid.UUID
    cadre: str
    visited_at: dt.datetime
    mode: str
    summary: str
    co_visitors: str
    settled_on_spot: bool
    registration_due: dt.date | None
    recorded_late: bool
    answers: dict[str, dict[str, Any]]
    answer_versions: dict[str, int]
    cases: list[CaseBrief]


class ErrorsOut(ApiErrorOut):
    errors: dict[str, str]


class ConflictOut(ApiErrorOut):
    visit_id: uuid.UUID


def visit_out(visit: Any, user: Any, recorded: services.Recorded | None = None) -> dict[str, Any]:
    """One visit as `user` may read it: free text and answers masked by role, only the opinions in scope. A visit
    just recorded by `user` comes with its answers and case drafts: nothing is read back."""
    masker = Masker(user)
    if recorded is not None and recorded.answers is not None:
        answers = recorded.answers
    else:
        answers = list(visit.form_answers.select_related("form", "form_version"))
    # The visit's own cadre sees every opinion they collected (cases.access.cases_of_visit).
    fresh = recorded is not None and recorded.cases is not None and services.cadre_of(user) == visit.cadre
    cases = recorded.cases if fresh and recorded is not None and recorded.cases is not None \
        else cases_of_visit(user, visit)
    return {
        "id": visit.public_id, "client_uuid": visit.client_uuid, "campaign": visit.campaign.slug,
        "target_id": visit.target.public_id, "cadre": visit.cadre.name, "visited_at": visit.visited_at,
        "mode": visit.mode, "summary": masker.text(visit.summary, visit),
        "co_visitors": masker.text(visit.co_visitors, visit),
        "settled_on_spot": visit.settled_on_spot, "registration_due": visit.registration_due,
        "recorded_late": visit.recorded_late,
        "answers": {a.form.key: masker.data(a.data, visit) for a in answers},
        "answer_versions": {a.form.key: a.form_version.number for a in answers},
        "cases": [
            {"id": c.public_id, "kind": c.kind, "status": c.status, "category": c.category.code if c.category else "",
             "description": masker.text(c.description, c), "registration_due": c.registration_due}
            for c in cases
        ],
    }


def submission_from(payload: VisitIn) -> services.VisitSubmission:
    data = payload.dict()
    data["opinions"] = [services.Opinion(**o) for o in data["opinions"]]
    return services.VisitSubmission(**data)


class _MyTargets:
    """The caller's assignments, paged by registry.api.Page; only the page's targets are looked up and presented."""

    def __init__(self, user: Any) -> None:
        self.user, self.cadre = user, services.cadre_of(user)
        self.queryset = assignments_of(self.cadre) if self.cadre else Assignment.objects.none().order_by("id")

    def present(self, page: list[Any]) -> list[dict[str, Any]]:
        presenter = TargetPresenter(self.user)
        items = my_targets(self.cadre, page)
        presenter.record_list_read([item.target for item in items], summary="接口“我的走访对象”返回完整电话或身份证号")
        return [
            {**presenter.as_dict(item.target), "campaign": item.campaign_slug, "visits": len(item.visits)}
            for item in items
        ]


@router.get("/me/targets", response=list[MyTargetOut], summary="我的走访对象")
@paginate(Page)
def list_my_targets(request: HttpRequest) -> Any:
    """The caller's assigned targets (masked as the role requires), with the campaign and visits so far."""
    return _MyTargets(request.user)


def _refuse_non_cadre(request: HttpRequest) -> None:
    """403 for an account that is no cadre's (scope.may_record_visits), before the body is read."""
    if not scope.may_record_visits(request.user):
        raise HttpError(403, services.not_a_cadre())


def _refuse_photo(request: HttpRequest, visit_id: str) -> None:
    """404 for a visit the caller does not see, 403 for anyone but its visitor, before the form is read."""
    try:
        check_photo_taker(request.user, services.get_visible_visit(request.user, path_uuid(visit_id)))
    except PermissionDenied as refused:  # as the operation itself answers it: naming the photo
        raise FieldRefused(403, str(refused), {"photo": str(refused)}) from None


@router.post("/visits", response={200: VisitOut, 201: VisitOut, 400: ErrorsOut, 409: ConflictOut},
             auth=refusing(_refuse_non_cadre),
             summary="登记走访（按 client_uuid 幂等）")
def post_visit(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    """201 created; 200 the same visit again for an identical retry; 409 when the uuid carried other content."""
    try:
        recorded = services.record_visit(request.user, submission_from(payload))
    except services.VisitRefused as refused:
        return Status(400, {"detail": str(refused), "code": "invalid", "errors": refused.errors})
    except services.VisitConflict as conflict:
        return Status(409, {"detail": str(conflict), "code": "conflict", "visit_id": conflict.visit.public_id})
    return Status(201 if recorded.created else 200, visit_out(recorded.visit, request.user, recorded))


@router.get("/visits/{visit_id}", response=VisitOut, summary="一条走访记录")
def get_visit(request: HttpRequest, visit_id: uuid.UUID) -> dict[str, Any]:
    return visit_out(services.get_visible_visit(request.user, visit_id), request.user)


class PhotoOut(Schema):
    id: uuid.UUID
    width: int
    height: int


def may_add_photo(user: Any, visit: Any) -> bool:
    return getattr(services.cadre_of(user), "pk", None) == visit.cadre_id


def check_photo_taker(user: Any, visit: Any) -> None:
    """Only the visit's own visitor adds its photos; anyone else who sees the visit is refused (403), page and API."""
    if not may_add_photo(user, visit):
        raise PermissionDenied(_("照片：只有本次走访的走访人可以上传照片"))


@router.post("/visits/{visit_id}/photos", auth=refusing(_refuse_photo),
             response={200: PhotoOut, 201: PhotoOut, 400: ErrorsOut, 403: ErrorsOut,
                                                    409: ApiErrorOut},
             summary="上传走访照片（去除 EXIF）；带 key 时幂等：同一 key 同一张照片重试答 200，换了照片答 409")
def post_photo(request: HttpRequest, visit_id: uuid.UUID, photo: File[UploadedFile],
               key: Form[uuid.UUID | None] = None) -> Status[dict[str, Any]]:
    """Optional; at most 8 MB and 6 per visit; re-encoded without EXIF, so no location is stored. A phone sends a
    new `key` (UUID) with each photo and the same key when it retries."""
    visit = services.get_visible_visit(request.user, visit_id)
    try:
        check_photo_taker(request.user, visit)
    except PermissionDenied as refused:
        return Status(403, error_body(str(refused), "forbidden", {"photo": str(refused)}))
    try:
        if photo.size and photo.size > photos.MAX_BYTES:
            raise services.VisitRefused({"photo": photos.too_large()})
        item, stored = photos.add_visit_photo(request.user, visit, photo.read(), key=key)
    except services.VisitRefused as refused:
        return Status(400, {"detail": str(refused), "code": "invalid", "errors": refused.errors})
    except request_keys.KeyReused:
        return Status(409, error_body(_("该 key 已用于另一张照片，请为新的照片生成新的 key。"), "conflict"))
    return Status(201 if stored else 200, {"id": item.public_id, "width": item.width, "height": item.height})
