"""典型 in the JSON API: the same scope and actions as the pages. Changes send the version read (`version` or
If-Match); a stale one gets 409 and changes nothing; every answer carries the version in the ETag header."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from zoufang.accounts.api import TokenAuth, path_uuid, refusing
from zoufang.accounts.masking import Masker
from zoufang.cases.access import get_visible_case
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.apiversions import Versioned, version_read
from zoufang.core.paging import Listing
from zoufang.exemplars import access, presenters, services
from zoufang.exemplars.models import TEXT_MAX, TITLE_MAX, Exemplar
from zoufang.registry.api import Page
from zoufang.visits.services import get_visible_visit

# Inline enums: TextChoices named Kind/Status would share one OpenAPI component with Case.Kind/Case.Status,
# documenting the cases' filters with the 典型's choices (test_bad_input catches it).
ExemplarKind = Annotated[Exemplar.Kind, WithJsonSchema({"type": "string", "enum": list(Exemplar.Kind.values)})]
ExemplarStatus = Annotated[Exemplar.Status, WithJsonSchema({"type": "string", "enum": list(Exemplar.Status.values)})]

router = Router(tags=["典型"])


class SourceOut(Schema):
    kind: str = Field(description="visit（走访记录）或 case（问题）")
    id: uuid.UUID
    day: dt.date
    village: str
    who: str = Field(description="走访人（单位 姓名）或承办单位")
    number: str = Field(description="问题编号；走访为空")


class ExemplarOut(Schema):
    id: uuid.UUID
    campaign: str
    version: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str = Field(description="已发布：按发布口径（未经本人同意的居民姓名、住址、号码已隐去）；待审核：推荐原文")
    text: str
    source: SourceOut
    nominated_as: str
    nominated_at: dt.datetime
    published_at: dt.datetime | None
    decline_reason: str
    consent: bool = Field(description="居民本人已同意公开（姓名、住址）")
    consent_method: str
    consent_on: dt.date | None


class ErrorOut(ApiErrorOut):
    version: int | None = None


class ConsentIn(Schema):
    person: str = Field("", max_length=50, description="同意公开的人（本人姓名）")
    method: str = Field("", max_length=limits.CODE, description="written（书面）或 oral（口头）")
    on: limits.Day | None = Field(None, description="同意日期")


class NominateIn(Schema):
    visit: uuid.UUID | None = Field(None, description="走访记录编号（与 case 二选一）")
    case: uuid.UUID | None = Field(None, description="问题编号（与 visit 二选一）")
    kind: ExemplarKind
    title: str = Field(..., max_length=TITLE_MAX)
    text: str = Field(..., max_length=TEXT_MAX)
    submission_id: uuid.UUID | None = Field(None, description="客户端生成的提交编号：重试时原样再发，不会重复推荐")
    consent: ConsentIn | None = None


class EditIn(Versioned):
    title: str = Field(..., max_length=TITLE_MAX)
    text: str = Field(..., max_length=TEXT_MAX)
    note: str = Field("", max_length=200)


class DeclineIn(Versioned):
    reason: str = Field(..., max_length=300)


class RecordConsentIn(Versioned, ConsentIn):
    pass


class ListFilter(Schema):
    status: ExemplarStatus | None = Field(None, description="默认只列已发布的")
    kind: ExemplarKind | None = None


def _out(user: Any, exemplar: Exemplar, masker: Masker | None = None) -> dict[str, Any]:
    source = presenters.source(exemplar)
    if exemplar.status == Exemplar.Status.PUBLISHED:
        title, text = presenters.public_title(exemplar), presenters.public_text(exemplar)
    else:
        masker = masker or Masker(user)
        title = presenters.draft(exemplar, masker, exemplar.title)
        text = presenters.draft(exemplar, masker, exemplar.text)
    return {
        "id": exemplar.public_id, "campaign": exemplar.campaign.slug, "version": exemplar.version,
        "kind": exemplar.kind, "kind_label": exemplar.get_kind_display(), "status": exemplar.status,
        "status_label": exemplar.get_status_display(), "title": title, "text": text,
        "source": {"kind": source.kind, "id": source.public_id, "day": source.day, "village": source.village,
                   "who": source.who, "number": source.number},
        "nominated_as": exemplar.nominated_as, "nominated_at": exemplar.created_at,
        "published_at": exemplar.published_at, "decline_reason": exemplar.decline_reason,
        "consent": exemplar.has_consent, "consent_method": exemplar.consent_method, "consent_on": exemplar.consent_on,
    }


RELATED = ("campaign", "visit__target__region__parent", "visit__cadre__unit", "case__target", "case__region__parent",
           "case__unit", "created_by")


@router.post("/nominations", response={200: ExemplarOut, 201: ExemplarOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="推荐走访记录或问题为典型（重试同一 submission_id 不会重复）")
def nominate(request: HttpRequest, response: HttpResponse, body: NominateIn) -> Any:
    if (body.visit is None) == (body.case is None):
        return Status(400, {"detail": _("visit、case：须且只能填写其中一个。"), "code": "invalid"})
    source = get_visible_visit(request.user, body.visit) if body.visit else get_visible_case(request.user, body.case)
    consent = body.consent or ConsentIn(person="", method="", on=None)
    try:
        exemplar, created = services.nominate(
            source, kind=body.kind, title=body.title, text=body.text, by=request.user,
            submission_id=body.submission_id, consent_person=consent.person, consent_method=consent.method,
            consent_on=consent.on)
    except PermissionDenied:
        raise Http404 from None
    except services.DuplicateSubmission as exc:
        return Status(409, {"detail": str(exc), "code": "duplicate_submission"})
    except services.ExemplarError as exc:
        return Status(400, {"detail": str(exc), "code": "invalid"})
    response["ETag"] = f'"{exemplar.version}"'
    return Status(201 if created else 200, _out(request.user, exemplar))


@router.get("/{slug}", response=list[ExemplarOut],
            summary="走访活动的典型（默认已发布的；审核人和走访办可看待审核的），分页：每页 page_size 条（最多 200），"
                    "after=上一页的 next 读下一页")
@paginate(Page)
def list_exemplars(request: HttpRequest, slug: str, filters: Query[ListFilter]) -> Any:
    campaign = access.campaign_for(request.user, slug)
    rows = access.visible(request.user, campaign).filter(status=filters.status or Exemplar.Status.PUBLISHED)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    # Newest published first, along (campaign, status, published_at, id).
    masker = Masker(request.user)
    return Listing(rows.select_related(*RELATED).order_by("-published_at", "-id"),
                   lambda e: _out(request.user, e, masker))


@router.get("/{slug}/{exemplar_id}", response=ExemplarOut, summary="一个典型")
def get_exemplar(request: HttpRequest, response: HttpResponse, slug: str, exemplar_id: uuid.UUID) -> dict[str, Any]:
    exemplar = access.exemplar_for(request.user, slug, exemplar_id)
    response["ETag"] = f'"{exemplar.version}"'
    return _out(request.user, exemplar)


RESPONSES = {200: ExemplarOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 428: ErrorOut}


def _refused() -> str:
    return _("您无权对该典型执行此操作（审核、修改、发布由宣传报道组进行）。")


def _refusing(may: Callable[[Any, Exemplar], bool]) -> TokenAuth:
    """A write's `auth`: the token, then 404 for an exemplar the caller does not see and 403 where `may` (the
    service's own check) refuses them, before the body is read (decision 0044)."""

    def check(request: HttpRequest, slug: str, exemplar_id: str) -> None:
        if not may(request.user, access.exemplar_for(request.user, slug, path_uuid(exemplar_id))):
            raise HttpError(403, _refused())

    return refusing(check)


_REVIEWER = _refusing(lambda user, exemplar: access.reviews(user, exemplar.campaign))


def _act(request: HttpRequest, response: HttpResponse, slug: str, exemplar_id: uuid.UUID, body: Versioned,
         do: Callable[[Exemplar, int | None], Exemplar]) -> Any:
    exemplar = access.exemplar_for(request.user, slug, exemplar_id)
    try:
        exemplar = do(exemplar, version_read(request, body))
    except PermissionDenied:
        return Status(403, {"detail": _refused(), "code": "forbidden"})
    except services.StaleVersion as exc:
        return Status(409, {"detail": str(exc), "code": "stale_version", "version": exc.current})
    except services.VersionRequired as exc:
        return Status(428, {"detail": str(exc), "code": "version_required"})
    except services.ExemplarError as exc:
        return Status(400, {"detail": str(exc), "code": "invalid"})
    response["ETag"] = f'"{exemplar.version}"'
    return Status(200, _out(request.user, exemplar))


@router.put("/{slug}/{exemplar_id}", response=RESPONSES, summary="修改待审核典型的标题和简介（宣传报道组；新的版本）",
            auth=_REVIEWER)
def edit_exemplar(request: HttpRequest, response: HttpResponse, slug: str, exemplar_id: uuid.UUID,
                  body: EditIn) -> Any:
    return _act(request, response, slug, exemplar_id, body, lambda e, v: services.edit(
        e, title=body.title, text=body.text, note=body.note, by=request.user, version=v))


@router.post("/{slug}/{exemplar_id}/publish", response=RESPONSES, summary="发布（宣传报道组）", auth=_REVIEWER)
def publish_exemplar(request: HttpRequest, response: HttpResponse, slug: str, exemplar_id: uuid.UUID,
                     body: Versioned) -> Any:
    return _act(request, response, slug, exemplar_id, body, lambda e, v: services.publish(e, by=request.user,
                                                                                          version=v))


@router.post("/{slug}/{exemplar_id}/decline", response=RESPONSES, summary="不采用，写明理由（宣传报道组）",
             auth=_REVIEWER)
def decline_exemplar(request: HttpRequest, response: HttpResponse, slug: str, exemplar_id: uuid.UUID,
                     body: DeclineIn) -> Any:
    return _act(request, response, slug, exemplar_id, body, lambda e, v: services.decline(
        e, by=request.user, version=v, reason=body.reason))


@router.post("/{slug}/{exemplar_id}/consent", response=RESPONSES, auth=_refusing(services.may_record_consent),
             summary="登记居民本人同意公开（谁同意、书面或口头、日期；登记人和时间自动记录）")
def record_consent(request: HttpRequest, response: HttpResponse, slug: str, exemplar_id: uuid.UUID,
                   body: RecordConsentIn) -> Any:
    return _act(request, response, slug, exemplar_id, body, lambda e, v: services.record_consent(
        e, person=body.person, method=body.method, on=body.on, by=request.user, version=v))
