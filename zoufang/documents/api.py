"""公文简报 over the API: the same readers, writers and actions as the pages (access.py, services.py).

Readers (leaders, assessors, the city office) see issued documents only; the office of the campaign's area also
sees its drafts, generates, issues and deletes them. The issued file is served as stored, its SHA-256 checked
first (a mismatch answers 409 and is audited) and sent in the `X-Content-SHA256` header.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from zoufang import clock
from zoufang.accounts.api import refusing
from zoufang.core import limits
from zoufang.core.apierrors import ApiErrorOut
from zoufang.core.apiversions import Versioned, required_version
from zoufang.core.downloads import attachment
from zoufang.core.paging import Listing
from zoufang.documents import access, services
from zoufang.documents.charts import ChartFontMissing
from zoufang.documents.models import Document
from zoufang.documents.views import DOCX
from zoufang.jobs import services as jobs
from zoufang.jobs.api import JobQueuedOut, queue, queued
from zoufang.registry.api import Page

router = Router(tags=["公文简报"])


class SectionOut(Schema):
    key: str
    heading: str
    text: str


class DocumentOut(Schema):
    id: uuid.UUID
    kind: str = Field(description="circular（通报）、briefing（简报）、consultation（会商材料）、special（专报）")
    kind_label: str
    status: str = Field(description="draft（草稿）或 issued（已印发）")
    title: str
    reference: str = Field(description="发文字号（通报）或期号（简报、专报）；草稿为空")
    period_starts_on: dt.date
    period_ends_on: dt.date
    signed_on: dt.date | None
    issued_at: dt.datetime | None
    sha256: str = Field(description="印发文件的 SHA-256；草稿为空")
    version: int = Field(description="版本：删除或印发草稿时作为 If-Match 传回，其间被改过则答 409")


class SubjectOut(Schema):
    kind: str = Field(description="category（问题类别）、village（村（社区））、unit（单位）、cases（按编号选定的问题）")
    label: str
    cases: list[str] = Field(description="选定问题的编号（kind 为 cases 时）")


class DocumentDetailOut(DocumentOut):
    addressee: str = Field(description="主送机关（通报）；专报为报送")
    copy_to: str = Field(description="抄送（专报）；其他种类为空，抄送按发文机关")
    subject: SubjectOut | None = Field(description="专报的主题；其他种类为空")
    sections: list[SectionOut]


class ListQuery(Schema):
    drafts: bool = Field(False, description="true：同时列出草稿（仅走访办）")


class DraftIn(Schema):
    kind: str = Field(max_length=limits.CODE,
                      description="circular（通报）、briefing（简报）、consultation（会商材料）、special（专报）")
    subject: str = Field("", max_length=limits.CODE,
                         description="专报的主题（仅专报）：category:<类别编号>、village:<村（社区）的 id>、unit:<单位的 id>，"
                                     "或 cases（按 numbers 中的问题编号选定）")
    numbers: str = Field("", max_length=limits.NOTE, description="subject 为 cases 时：问题编号（8位），用空格或逗号隔开")
    starts_on: dt.date | None = Field(None, description="统计起始日；不填按种类默认（通报：本季度初；简报：近7天；会商、专报：本月初）")
    ends_on: dt.date | None = Field(None, description="统计截止日；不填为今天")
    key: uuid.UUID | None = Field(None, description="请求的编号（可选）：同一编号再次提交只生成一份草稿")


def _out(document: Document, *, detail: bool = False) -> dict[str, Any]:
    found = {"id": document.public_id, "kind": document.kind, "kind_label": document.get_kind_display(),
             "status": document.status, "title": document.title, "reference": document.reference,
             "period_starts_on": document.period_starts_on, "period_ends_on": document.period_ends_on,
             "signed_on": document.signed_on if document.issued else None, "issued_at": document.issued_at,
             "sha256": document.sha256, "version": document.version}
    if detail:
        found["addressee"] = document.addressee
        found["copy_to"] = document.copy_to
        subject = document.subject
        found["subject"] = {"kind": subject["kind"], "label": subject["label"], "cases": _numbers(subject)} \
            if subject else None
        found["sections"] = [{"key": s["key"], "heading": s["heading"], "text": s["text"]} for s in document.sections]
    return found


def _numbers(subject: dict[str, Any]) -> list[str]:
    return [uuid.UUID(case).hex[:8].upper() for case in subject.get("cases", [])]


def _readable(request: HttpRequest, slug: str, document_id: uuid.UUID) -> Document:
    """The document as the pages give it: an issued one to every reader, a draft to the office only."""
    campaign = access.readable_campaign(request.user, slug)
    document = access.document_in(campaign, document_id)
    if not document.issued and not access.may_write(request.user, campaign):
        raise Http404
    return document


def _act(action: Any) -> Any:
    try:
        return action()
    except services.DraftChanged as changed:  # the client read an older version: read again, then decide
        raise HttpError(409, str(changed)) from None
    except (services.DocumentError, ChartFontMissing) as problem:
        raise HttpError(400, str(problem)) from None


@router.get("/{slug}", response=list[DocumentOut],
            summary="走访活动的公文简报：已印发的（新者在前）；drafts=true 时走访办另见草稿（排在前面）。分页：每页 "
                    "page_size 条（最多 200），after=上一页的 next 读下一页")
@paginate(Page)
def list_documents(request: HttpRequest, slug: str, query: Query[ListQuery]) -> Any:
    campaign = access.readable_campaign(request.user, slug)
    documents = Document.objects.filter(campaign=campaign).defer("content")
    if not (query.drafts and access.may_write(request.user, campaign)):
        documents = documents.filter(status=Document.Status.ISSUED)
    # Drafts first (when asked for), then the issued ones newest first, along (campaign, status, issued_at, id).
    return Listing(documents.order_by("status", "-issued_at", "-id"), _out)


@router.post("/{slug}/drafts", response={202: JobQueuedOut, 409: ApiErrorOut},
             auth=refusing(lambda request, slug: access.writable_campaign(request.user, slug)),
             summary="生成草稿：数字按今天填好（整镇统计，在后台生成：答 202 和任务编号；完成后任务的 made_url "
                     "是草稿的地址，文件是草稿的 Word 预览），印发前可改文字（走访办）")
def generate_draft(request: HttpRequest, slug: str, body: DraftIn) -> Status:
    campaign = access.writable_campaign(request.user, slug)
    if body.kind not in Document.Kind.values:
        raise HttpError(400, _("kind：只能是 circular（通报）、briefing（简报）、consultation（会商材料）或 special（专报）"))
    start, end = services.default_period(body.kind, clock.today())
    start, end = body.starts_on or start, body.ends_on or end
    _act(lambda: services.check_period(body.kind, start, end))
    _act(lambda: services.subject_of(campaign, body.kind, body.subject, body.numbers, viewer=request.user))
    key = body.key or uuid.uuid4()
    subject = {"subject": body.subject, "numbers": body.numbers} if body.kind == Document.Kind.SPECIAL else {}
    return queue(request, "document_generate", {"slug": campaign.slug, "kind": body.kind,
                                                 "starts_on": start.isoformat(), "ends_on": end.isoformat(),
                                                 "key": str(key), **subject})


@router.get("/{slug}/{document_id}", response=DocumentDetailOut, summary="一份公文简报：各部分文字（草稿仅走访办可见）")
def get_document(request: HttpRequest, slug: str, document_id: uuid.UUID) -> dict[str, Any]:
    return _out(_readable(request, slug, document_id), detail=True)


@router.get("/{slug}/{document_id}/docx",
            summary="下载 Word 文件：已印发的按保存的原件（先校验 SHA-256，不符答 409）。草稿的预览要按草稿的数字排版，在后台"
                    "生成（走访办）：答 202 和任务编号，完成后取任务的文件；排队或生成中再次请求得到同一个任务",
            response={202: JobQueuedOut},
            openapi_extra={"responses": {200: {"description": "已印发的 docx 文件；X-Content-SHA256 为其校验值",
                                                "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}}},
                                         409: {"description": "印发文件与印发时的校验值不符"}}})
def download_document(request: HttpRequest, slug: str, document_id: uuid.UUID) -> Any:
    document = _readable(request, slug, document_id)
    if not document.issued:  # laid out from the draft's figures and charts: the page's document_draft job
        job = jobs.request(request.user, "document_draft", {"slug": slug, "document": str(document.public_id)})
        return Status(202, queued(job))
    try:
        data = services.file_of(document, by=request.user)
    except services.TamperedFile:
        raise HttpError(409, services.tampered_message(document.reference)) from None
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = attachment(f"{services.file_name(document)}.docx")
    response["X-Content-SHA256"] = document.sha256
    return response


@router.post("/{slug}/{document_id}/issue", response={202: JobQueuedOut, 409: ApiErrorOut, 428: ApiErrorOut},
             summary="印发：编发文字号或期号，保存文件及其校验值，此后不可修改（走访办）；在后台完成：答 202 和任务编号，"
                     "完成后任务的文件是印发件，made_url 是文稿的地址。须带 If-Match（读取时的 version），没有答 428；"
                     "草稿其后被改过答 409")
def issue_document(request: HttpRequest, slug: str, document_id: uuid.UUID) -> Status:
    campaign = access.writable_campaign(request.user, slug)
    document = access.document_in(campaign, document_id)
    if document.issued:
        raise HttpError(400, _("该文稿已印发，不能再次印发。"))
    version = required_version(request, Versioned(version=None))
    _act(lambda: services.check_unchanged(document, version, _("印发")))
    return Status(202, queued(jobs.request(request.user, "document_issue", {
        "slug": campaign.slug, "document": str(document.public_id), "version": version})))


@router.delete("/{slug}/{document_id}", response={204: None, 409: ApiErrorOut, 428: ApiErrorOut},
               summary="删除草稿（已印发的不能删除；走访办）。须带 If-Match（读取时的 version），没有答 428；"
                       "草稿其后被改过答 409，不删除")
def delete_draft(request: HttpRequest, slug: str, document_id: uuid.UUID) -> Status:
    campaign = access.writable_campaign(request.user, slug)
    document = access.document_in(campaign, document_id)
    version = required_version(request, Versioned(version=None))
    _act(lambda: services.delete_draft(document, by=request.user, version=version))
    return Status(204, None)
