"""Scoped read endpoints: regions, units, cadres, targets."""

import uuid
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase, paginate
from pydantic import WithJsonSchema

from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.core import limits, paging
from zoufang.core.crypto import normalise_phone
from zoufang.core.names import name_contains
from zoufang.regions.models import Region
from zoufang.registry import unitnames
from zoufang.registry.models import Target
from zoufang.registry.presenters import TargetPresenter

router = Router(tags=["基础数据"])


class RegionOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    name: str
    level: str
    code: str
    parent_id: uuid.UUID | None = Field(None, alias="parent.public_id")


class UnitOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    name: str
    kind: str
    party_member_count: int | None
    # Every town has its own 派出所 (decision 0032): the town tells two of one name apart.
    town: str | None = Field(None, alias="town_name", description="所在镇；各镇共用的单位（无所属区划或属镇以上区划）为空")


class CadreOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    name: str
    role: str
    title: str
    unit_id: uuid.UUID = Field(alias="unit.public_id")
    unit: str = Field(alias="unit.name")


class TargetOut(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    name: str
    region_id: uuid.UUID
    region: str
    address: str
    phone: str
    id_number: str
    contact_name: str
    legal_representative: str
    member_count: int | None
    hardship: bool
    credit_code: str
    scale: str
    is_key: bool
    industry: str
    stage: str
    is_demo: bool


# Case.Kind is also named “Kind”: as a shared component one overwrote the other in the OpenAPI document
# (/targets?kind listed problem/suggestion). The choices are written inline instead.
TargetKind = Annotated[Target.Kind, WithJsonSchema({"type": "string", "enum": list(Target.Kind.values)})]


class TargetFilter(Schema):
    kind: TargetKind | None = None
    region: uuid.UUID | None = Field(None, description="区划编号（含下级）")
    q: str | None = Field(None, max_length=limits.SEARCH,
                          description="按名称、地址搜索，或完整的身份证号、电话号码（仅限可查看完整号码的对象）")


MAX_PAGE_SIZE = 200
# Numbered pages reach the first COUNT_CAP rows (an OFFSET the database walks stays bounded); past them a client
# follows `next`. The bound on `page` itself keeps the number a database integer (a 2**63 page is a 400).
MAX_PAGE = paging.COUNT_CAP


class Page(PaginationBase):
    """Every list of the API: a bounded page (page_size ≤ 200) read in the list's order, which ends in the id.
    `next` is a keyset cursor: `after=<next>` reads the following page from the index after the last row shown, so
    page 1,000 costs what page 1 does. `count` stops at 10,000 (10,001 means more), so no list counts every
    visible row. `page` (an OFFSET) is kept for the clients that number pages, within the first 10,000 rows.
    A list whose rows are presented (masked) is a paging.Listing: its `queryset` and `present`."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE,
                          description=gettext_noop("页码（从 1 起），只到前 %(cap)s 条；再往后用 after。给出 after 时不用")
                          % {"cap": paging.COUNT_CAP})
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="每页条数，最多 200")
        after: str | None = Field(None, min_length=1, max_length=paging.CURSOR_MAX,
                                  description="上一页返回的 next：从其后一条读起（键集分页，深翻页也不变慢）")

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description=paging.COUNT_DESCRIPTION)
        next: str | None = Field(None, description="下一页的 after 值；最后一页为 null")

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        source = getattr(queryset, "queryset", queryset)
        present = getattr(queryset, "present", list)
        by_id = getattr(queryset, "by_id", False)
        size = pagination.page_size
        fields = paging.ordering_of(source)
        if pagination.after:
            try:
                rows = paging.sliced(paging.after(source, pagination.after), 0, size + 1, by_id=by_id)
            except paging.BadCursor:
                raise HttpError(400, _("after：不是本列表返回的 next 值")) from None
        else:
            offset = (pagination.page - 1) * size
            if offset >= paging.COUNT_CAP:
                raise HttpError(400, _("page：页码只到前 %(n)d 条，再往后请用 after（上一页返回的 next）翻页")
                                % {"n": paging.COUNT_CAP})
            rows = paging.sliced(source, offset, offset + size + 1, by_id=by_id)
        more = len(rows) > size
        rows = rows[:size]
        return {
            "items": present(rows),
            "count": paging.bounded_count(source, paging.COUNT_CAP + 1),
            "next": paging.cursor_for(rows[-1], fields) if more and rows else None,
        }


@router.get("/regions", response=list[RegionOut], summary="可见的区划")
@paginate(Page)
def list_regions(request: HttpRequest, level: Region.Level | None = None) -> Any:
    regions = scope.listed_regions(request.user).select_related("parent")
    if level:
        regions = regions.filter(level=level)
    return regions.order_by("path", "id")


@router.get("/units", response=list[UnitOut], summary="可见的单位")
@paginate(Page)
def list_units(request: HttpRequest) -> Any:
    return unitnames.with_town(scope.visible_units(request.user)).order_by("name", "id")


@router.get("/cadres", response=list[CadreOut], summary="可见的走访干部")
@paginate(Page)
def list_cadres(request: HttpRequest) -> Any:
    return scope.visible_cadres(request.user).select_related("unit").order_by("unit__name", "name", "id")


def number_match(user: Any, q: str) -> Q:
    """A whole ID or phone number typed into the search box, found through the blind index.

    Numbers are encrypted, so only a whole number matches (no partial numbers), and only among the targets
    whose number this user may see in full: a masked number must not be guessable by searching.
    """
    compact = "".join(q.split())
    is_phone = len(compact) != 18 and len(normalise_phone(compact)) >= 7 and not compact.strip("0123456789-+()（）")
    if len(compact) != 18 and not is_phone:
        return Q(pk__in=[])
    where = Q(phone=compact) if is_phone else Q(id_number=compact)
    policy = scope.PersonalDataPolicy(user)
    if policy.superuser:
        return where
    allowed = Q(pk__in=policy.assigned_ids) if is_phone else Q(pk__in=[])
    for path in policy.identity_paths:
        allowed |= Q(region__path__startswith=path)
    return where & allowed


def filtered_targets(user: Any, kind: str | None, region_id: Any, q: str | None) -> Any:
    targets = scope.visible_targets(user).select_related("region")
    if kind:
        targets = targets.filter(kind=kind)
    if region_id:
        region = scope.listed_regions(user).filter(public_id=region_id).first()
        if region is None:
            return targets.none()
        targets = targets.filter(region__path__startswith=region.path)
    if q:
        targets = targets.filter(name_contains("name", q) | Q(address__icontains=q) | number_match(user, q))
    # Import order within a group or grid follows the register's own order (house numbers as
    # the town lists them); sorting addresses as text would put 100号 before 2号.
    return targets.order_by("region__path", "id")


@router.get("/targets", response=list[TargetOut], summary="可见的走访对象（身份证号、电话按角色脱敏）")
@paginate(Page)
def list_targets(request: HttpRequest, filters: Query[TargetFilter]) -> Any:
    presenter = TargetPresenter(request.user)
    targets = filtered_targets(request.user, filters.kind, filters.region, filters.q)
    return _PresentedList(targets, presenter)


@router.get("/targets/{target_id}", response=TargetOut, summary="一个走访对象（完整查看会记入审计）")
def get_target(request: HttpRequest, target_id: uuid.UUID) -> Any:
    target = scope.get_visible_target(request.user, target_id)
    presenter = TargetPresenter(request.user)
    if presenter.reveals_personal_data(target):
        audit.record(request.user, AuditEvent.Action.READ, target, summary="接口查看走访对象完整信息")
    return presenter.as_dict(target)


class _PresentedList:
    """The page's targets presented with masking (and full views audited); Page reads `queryset` and `present`."""

    def __init__(self, queryset: Any, presenter: TargetPresenter) -> None:
        self.queryset = queryset
        self.presenter = presenter

    def present(self, page: list[Any]) -> list[dict[str, Any]]:
        self.presenter.record_list_read(page, summary="接口列表返回完整身份证号或电话")
        return [self.presenter.as_dict(t) for t in page]
