"""The units' 工作总结 over the API (decision 0073): who owes one and who handed it in, read as the office's list page
reads it (summaries.listed_campaign), and each version's file as the page gives it (summaries.readable_file,
audited). Handing one in stays the page's: a multipart upload checked by content, with its request key."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from zoufang.accounts.masking import Masker
from zoufang.documents import summaries
from zoufang.documents.models import Summary, SummaryReturn
from zoufang.registry.models import Unit

router = Router(tags=["工作总结"])


class UnitRef(Schema):
    id: uuid.UUID
    name: str


class VersionOut(Schema):
    id: uuid.UUID = Field(description="版本的编号：取文件用 /summaries/{slug}/files/{id}")
    version: int
    file_name: str
    kind: str = Field(description="docx、doc、wps 或 pdf（按文件内容判断）")
    size: int
    sha256: str
    submitted_at: dt.datetime
    submitter: str
    note: str = Field(description="说明；其中的身份证号、电话号码等已隐去")


class ReturnOut(Schema):
    reason: str = Field(description="退回原因；其中的身份证号、电话号码等已隐去")
    returned_at: dt.datetime
    returned_by: str


class RowOut(Schema):
    unit: UnitRef
    handed_in: bool
    state: str = Field(description="submitted 已提交、returned 已退回（待重交）或 missing 未提交")
    returned: ReturnOut | None = Field(description="当前版本被退回时的原因、时间和退回人；否则为 null")
    late: bool = Field(description="逾期：首次提交晚于截止日期，或截止日期已过仍未提交")
    versions: int
    current: VersionOut | None = Field(description="当前（最新）版本；未提交为 null")


class RosterOut(Schema):
    campaign: str
    label: str
    due: dt.date
    overdue: bool = Field(description="截止日期已过")
    submitted: int = Field(description="已提交的单位数（不含已退回待重交的）")
    returned: int = Field(description="已退回、待重交的单位数")
    owing: int = Field(description="应提交的单位数（在本活动中有走访任务的单位）")
    units: list[RowOut]


def _version(summary: Summary, masker: Masker) -> dict[str, Any]:
    return {"id": summary.public_id, "version": summary.version, "file_name": summary.file_name, "kind": summary.kind,
            "size": summary.size, "sha256": summary.sha256, "submitted_at": summary.submitted_at,
            "submitter": summary.submitter, "note": masker.text(summary.note, summary)}


def _returned(made: SummaryReturn, masker: Masker) -> dict[str, Any]:
    return {"reason": masker.text(made.reason, made), "returned_at": made.returned_at, "returned_by": made.returner}


def _unit(unit: Unit) -> dict[str, Any]:
    return {"id": unit.public_id, "name": unit.name}


@router.get("/{slug}", response=RosterOut,
            summary="各单位工作总结提交情况：应交的单位、是否已交、当前版本及其提交时间、是否逾期（走访办、镇领导、"
                    "考核组、上级活动办，同“各单位提交情况”页）")
def list_summaries(request: HttpRequest, slug: str) -> dict[str, Any]:
    campaign = summaries.listed_campaign(request.user, slug)
    roster = summaries.roster(campaign)
    masker = Masker(request.user)
    return {"campaign": campaign.slug, "label": roster.due.label, "due": roster.due.day, "overdue": roster.overdue,
            "submitted": roster.submitted, "returned": roster.count(summaries.RETURNED), "owing": len(roster.rows),
            "units": [{"unit": _unit(row.unit), "handed_in": row.current is not None, "late": row.late,
                       "state": row.state, "returned": _returned(row.returned, masker) if row.returned else None,
                       "versions": len(row.versions),
                       "current": _version(row.current, masker) if row.current else None} for row in roster.rows]}


@router.get("/{slug}/files/{summary_id}",
            summary="取一份工作总结的文件（本单位承办人取本单位的；走访办等取各单位的），记入审计",
            openapi_extra={"responses": {200: {"description": "提交的文件；X-Content-SHA256 为其校验值", "content": {
                kind: {"schema": {"type": "string", "format": "binary"}} for kind in sorted(set(summaries.CONTENT_TYPES.values()))}}}})
def download_summary(request: HttpRequest, slug: str, summary_id: uuid.UUID) -> HttpResponse:
    campaign = summaries.visible_campaign(request.user, slug)
    return summaries.file_response(summaries.readable_file(request.user, campaign, summary_id))
