"""The enterprise ratings over the API: the same figures and readers as the pages (services.reach_for)."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang.accounts.api import path_uuid, refusing
from zoufang.accounts.masking import scrub
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.paging import Listing
from zoufang.ratings import figures, grades, services
from zoufang.ratings.models import SupervisionItem
from zoufang.registry.api import Page

COMMENTS_PAGE = 30

router = Router(tags=["企业评价"])


class GradesOut(Schema):
    total: int
    good: int
    fairly_good: int
    average: int
    poor: int
    favourable: float | None
    score: float | None


class AspectOut(Schema):
    aspect: str
    grades: GradesOut


class UnitRatingsOut(Schema):
    unit: str
    name: str
    answers: int
    old_answers: int
    overall: GradesOut
    aspects: list[AspectOut]


class MonthOut(Schema):
    month: str
    grades: GradesOut


class CommentOut(Schema):
    day: dt.date
    enterprise: str
    ratings: dict[str, str]
    reason: str
    advice: str


class CommentPageOut(Schema):
    items: list[CommentOut]
    count: int
    next: str | None


class UnitDetailOut(UnitRatingsOut):
    months: list[MonthOut]
    comments: CommentPageOut


class ItemOut(Schema):
    id: str
    unit: str
    unit_name: str
    aspect: str
    description: str
    assignee: str
    due_on: dt.date
    status: str
    overdue: bool
    result: str
    done_on: dt.date | None
    version: int


class AssignIn(Schema):
    version: int
    assignee: str = Field(..., max_length=150, description="督查责任人的用户名")
    due_on: dt.date | None = None


class CloseIn(Schema):
    version: int
    result: str = Field(..., max_length=limits.TEXT, description="落实情况")


class RefusedOut(ApiErrorOut):
    version: int | None = None


def _grades(tally: figures.Tally) -> dict[str, Any]:
    return {"total": tally.total, **{g: tally.count(g) for g in grades.GRADES}, "favourable": tally.favourable,
            "score": tally.score}


def _unit(entry: figures.UnitRatings, aspects: list[str]) -> dict[str, Any]:
    assert entry.unit is not None  # noqa: S101 - a department's entry
    return {"unit": str(entry.unit.public_id), "name": entry.unit.name, "answers": entry.answers,
            "old_answers": entry.old_answers, "overall": _grades(entry.overall),
            "aspects": [{"aspect": label, "grades": _grades(entry.aspect(label))} for label in aspects]}


def _item(item: SupervisionItem) -> dict[str, Any]:
    return {"id": str(item.public_id), "unit": str(item.unit.public_id), "unit_name": item.unit.name,
            "aspect": item.aspect_label, "description": scrub(item.description),
            "assignee": item.assignee.get_username() if item.assignee else "", "due_on": item.due_on,
            "status": item.status, "overdue": item.overdue, "result": scrub(item.result), "done_on": item.done_on,
            "version": item.version}


@router.get("/{slug}/units", response=list[UnitRatingsOut],
            summary="各部门的企业评价（好、较好、一般、差的次数、好评率、得分），按部门顺序分页：每页 page_size 条（最多 "
                    "200），after=上一页的 next 读下一页；每页只统计本页部门的评价。走访办、领导、考核管理组和上级活动办看"
                    "全部部门，承办部门只看本单位")
@paginate(Page)
def rating_units(request: HttpRequest, slug: str) -> Any:
    reach = services.reach_for(request.user, slug)

    def present(units: list[Any]) -> list[dict[str, Any]]:
        aspects, entries = figures.page_ratings(reach.campaign, units)
        return [_unit(entry, aspects) for entry in entries]

    return Listing(figures.rated_units(reach.campaign, reach.unit_ids), page=present)


def _comments(reach: services.Reach, unit: Any) -> Listing:
    """A department's comments in their order (差 first, then 一般, latest first), a page at a time."""
    hide = reach.unit_ids is not None

    def present(rows: list[Any]) -> list[dict[str, Any]]:
        return [{"day": c.day, "enterprise": "" if hide else c.enterprise,
                 "ratings": {r.aspect.label: r.grade_label for r in c.ratings}, "reason": c.reason,
                 "advice": c.advice} for c in figures.comment_rows(rows)]

    return Listing(figures.comments(reach.campaign, reach.unit_ids, unit), page=present)


@router.get("/{slug}/units/{unit_id}", response=UnitDetailOut,
            summary="一个部门的企业评价：分项、按月趋势和企业意见的第一页（30 条，号码已隐去；承办部门看不到企业名称）；"
                    "comments.next 交给 …/comments?after= 读下一页")
def rating_unit(request: HttpRequest, slug: str, unit_id: uuid.UUID) -> dict[str, Any]:
    reach = services.reach_for(request.user, slug)
    unit = services.unit_for(reach, unit_id)
    aspects, entry = figures.unit_ratings(reach.campaign, unit)
    first = Page().paginate_queryset(_comments(reach, unit), Page.Input(page=1, page_size=COMMENTS_PAGE, after=None), request)
    return {**_unit(entry, aspects),
            "months": [{"month": month, "grades": _grades(tally)} for month, tally in entry.month_rows()],
            "comments": first}


@router.get("/{slug}/units/{unit_id}/comments", response=list[CommentOut],
            summary="一个部门的企业意见，评为“差”“一般”的在前、新的在前，分页：每页 page_size 条（最多 200），"
                    "after=上一页的 next 读下一页")
@paginate(Page)
def rating_unit_comments(request: HttpRequest, slug: str, unit_id: uuid.UUID) -> Any:
    reach = services.reach_for(request.user, slug)
    return _comments(reach, services.unit_for(reach, unit_id))


@router.get("/{slug}/items", response=list[ItemOut],
            summary="督查事项（部门被评为“差”时生成），督查中的在前，分页：每页 page_size 条（最多 200），"
                    "after=上一页的 next 读下一页")
@paginate(Page)
def supervision_items(request: HttpRequest, slug: str) -> Any:
    # In their order along (campaign, status, due_on, id).
    return Listing(services.supervision_items(services.reach_for(request.user, slug)), _item)


def _refuse_item(request: HttpRequest, slug: str, item_id: str) -> None:
    """404 for an item the caller does not read, 403 for a reader who does not manage items (before the body)."""
    reach = services.reach_for(request.user, slug)
    services.item_for(reach, path_uuid(item_id))
    if not reach.manages:
        raise HttpError(403, services.office_only())


def _write(request: HttpRequest, slug: str, item_id: uuid.UUID, do: Any) -> Any:
    reach = services.reach_for(request.user, slug)
    item = services.item_for(reach, item_id)
    if not reach.manages:
        return Status(403, {"detail": services.office_only(), "code": "forbidden"})
    try:
        item = do(reach, item)
    except services.StaleItem as exc:
        return Status(409, {"detail": str(exc), "code": "stale_version", "version": exc.current})
    except services.ItemRefused as exc:
        return Status(400, {"detail": str(exc), "code": "invalid"})
    return _item(services.item_for(reach, item.public_id))


@router.post("/{slug}/items/{item_id}/assign", auth=refusing(_refuse_item),
             response={200: ItemOut, 400: RefusedOut, 403: RefusedOut,
                                                         409: RefusedOut},
             summary="指定督查责任人（本镇走访办或领导小组账号的用户名），可同时改办结期限；version 为读取时的版本")
def assign_supervision_item(request: HttpRequest, slug: str, item_id: uuid.UUID, body: AssignIn) -> Any:
    return _write(request, slug, item_id, lambda reach, item: services.assign_item(
        reach, item, by=request.user, version=body.version, due_on=body.due_on,
        assignee=services.user_by_username(body.assignee)))


@router.post("/{slug}/items/{item_id}/close", auth=refusing(_refuse_item),
             response={200: ItemOut, 400: RefusedOut, 403: RefusedOut,
                                                        409: RefusedOut},
             summary="办结督查事项，写明落实情况；version 为读取时的版本，过期的版本返回 409")
def close_supervision_item(request: HttpRequest, slug: str, item_id: uuid.UUID, body: CloseIn) -> Any:
    return _write(request, slug, item_id, lambda reach, item: services.close_item(
        reach, item, by=request.user, version=body.version, result=body.result))
