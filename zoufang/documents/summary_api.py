"""The units' 工作总结 over the API (decision 0073): who owes one and who handed it in, read as the office's list page
reads it (summaries.listed_campaign), and each version's file as the page gives it (summaries.readable_file,
audited). Handing one in stays the page's: a multipart upload checked by content, with its request key. The office
returns a unit's current version and withdraws a return made in error as its page does (decision 0080)."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from zoufang.accounts.api import path_uuid, refusing
from zoufang.accounts.masking import Masker
from zoufang.campaigns.models import Campaign
from zoufang.core import request_keys
from zoufang.core.apierrors import ApiErrorOut, FieldRefused
from zoufang.core.apiversions import Versioned, required_version
from zoufang.documents import access, summaries
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


class ReturnIn(Versioned):
    reason: str = Field(..., max_length=summaries.REASON_MAX, description="退回原因，单位按此修改（不超过 300 字）")
    key: uuid.UUID | None = Field(None, description="请求的编号（可选）：同一编号、同样内容再次提交只退回一次")


class WithdrawIn(Versioned):
    key: uuid.UUID | None = Field(None, description="请求的编号（可选）：同一编号再次提交只撤销一次")


class ReturnMadeOut(Schema):
    unit: UnitRef
    version: int = Field(description="被退回的版本号")
    reason: str = Field(description="退回原因；其中的身份证号、电话号码等已隐去")
    returned_at: dt.datetime
    returned_by: str
    withdrawn_at: dt.datetime | None = Field(description="撤销退回的时间；未撤销为 null")
    withdrawn_by: str = Field(description="撤销人；未撤销为空")
    repeated: bool = Field(description="true：同一请求编号再次提交，这是第一次的结果，未重复办理")


def _office_unit(request: HttpRequest, slug: str, unit_id: Any) -> tuple[Campaign, Unit]:
    """The campaign and the owing unit, for the office of the campaign's area only (404 before the body is read)."""
    campaign = access.writable_campaign(request.user, slug)
    return campaign, summaries.readable_unit(request.user, campaign, path_uuid(unit_id))


def _made(made: SummaryReturn, unit: Unit, new: bool, masker: Masker) -> dict[str, Any]:
    return {"unit": _unit(unit), "version": made.summary.version, **_returned(made, masker),
            "withdrawn_at": made.withdrawn_at, "withdrawn_by": made.withdrawer, "repeated": not new}


def _acted(act: Any) -> tuple[SummaryReturn, bool]:
    try:
        return act()
    except summaries.SummaryStale as stale:  # the client read an older state: read again, then decide
        raise HttpError(409, str(stale)) from None
    except summaries.SummaryRefused as refused:
        raise FieldRefused(400, _("reason：%(rule)s") % {"rule": refused}, {"reason": str(refused)}) from None
    except request_keys.KeyReused:
        raise FieldRefused(400, _("key：该请求编号已用于另一次退回或撤销，请换用新的编号"),
                           {"key": _("已用于另一次退回或撤销")}) from None


@router.post("/{slug}/units/{unit_id}/return", response={200: ReturnMadeOut, 409: ApiErrorOut, 428: ApiErrorOut},
             auth=refusing(_office_unit),
             summary="退回一个单位的当前版本，请其修改后重新提交，写明原因；单位的承办人收到邮件和短信（走访办，同单位"
                     "工作总结页）。须带读取时的当前版本号（version 或 If-Match），没有答 428；其间单位提交了新版本或"
                     "本版已被退回答 409")
def return_summary(request: HttpRequest, slug: str, unit_id: uuid.UUID, body: ReturnIn) -> dict[str, Any]:
    campaign, unit = _office_unit(request, slug, unit_id)
    version = required_version(request, body)
    made, new = _acted(lambda: summaries.return_summary(request.user, campaign, unit, version, body.reason,
                                                        key=body.key))
    return _made(made, unit, new, Masker(request.user))


@router.post("/{slug}/units/{unit_id}/withdraw-return",
             response={200: ReturnMadeOut, 409: ApiErrorOut, 428: ApiErrorOut}, auth=refusing(_office_unit),
             summary="撤销退回（退回有误，单位重新提交之前）：本版恢复为已提交，单位的承办人收到通知，退回记录保留并注明"
                     "撤销人和时间（走访办）。须带读取时的当前版本号（version 或 If-Match），没有答 428；其间单位提交了"
                     "新版本、退回已被撤销或本版未被退回答 409")
def withdraw_summary_return(request: HttpRequest, slug: str, unit_id: uuid.UUID, body: WithdrawIn) -> dict[str, Any]:
    campaign, unit = _office_unit(request, slug, unit_id)
    version = required_version(request, body)
    made, new = _acted(lambda: summaries.withdraw_return(request.user, campaign, unit, version, key=body.key))
    return _made(made, unit, new, Masker(request.user))
