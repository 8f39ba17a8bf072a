"""The units' 工作总结 (seed 000 三（二）; seed 002 五3: 总结材料报镇活动办), decision 0071.

- Who owes one: every unit working in the campaign — a unit holding assignments in it or named in a fixed quota
  (附件1/附件2), the upper-level units (苏州市妇联 …) visiting inside the town included (seed 002: 各级各部门).
- Who hands it in: the unit's handlers (unit_handler grants); a file (.docx, .doc, .wps, .pdf; its type read from its
  content, not its name) and a short note. Each file is a new version; none is changed or deleted. A unit may hand in
  late (shown 逾期); it may replace its summary only until the due date.
- Who reads: the unit's handlers their own unit's; the office, leaders, assessors and the city office whose area
  holds the campaign every unit's (documents.access.readable_campaign), read only. Each file taken is audited.
- Returned (退回, decision 0075): the office of the campaign's area returns the current version with a reason; the
  unit's handlers are told, the unit owes one again (已退回（待重交）, reminded as owing) and may hand in a new
  version even after the due date; the returned version stays in the history, marked.
- Withdrawn (撤销退回, decision 0080): a return made in error, while the unit has not handed in again; the version
  stands again (已提交), the handlers are told, the return stays in the history marked withdrawn.
"""

import datetime as dt
import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.values import parse_date
from zoufang.core import request_keys
from zoufang.core.downloads import attachment
from zoufang.documents.models import Summary, SummaryReturn
from zoufang.registry.models import Unit

MAX_MB = 20
SUFFIXES = {".docx": Summary.Kind.DOCX, ".doc": Summary.Kind.DOC, ".wps": Summary.Kind.WPS, ".pdf": Summary.Kind.PDF}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .wps: a Compound File
CONTENT_TYPES = {
    Summary.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Summary.Kind.DOC: "application/msword", Summary.Kind.WPS: "application/vnd.ms-works",
    Summary.Kind.PDF: "application/pdf",
}
REASON_MAX = 300


class SummaryRefused(Exception):
    """A file or a submission the rules refuse; the message is the Chinese rule, for the page."""


@dataclass(frozen=True)
class Due:
    day: dt.date
    label: str
    note: str


def due_of(campaign: Campaign) -> Due | None:
    """The campaign's `summaries` (docs/campaign-format.md); None when it asks for none."""
    config = (campaign.config or {}).get("summaries") or {}
    day = parse_date(config.get("due"))
    if day is None:
        return None
    return Due(day, str(config.get("label") or _("工作总结")), str(config.get("note") or ""))


def owing_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units working in the campaign: holding assignments in it, or named in one of its fixed quotas."""
    from zoufang.planning.models import Assignment, FixedQuota

    return Unit.objects.filter(
        Q(Exists(Assignment.objects.filter(campaign=campaign, unit=OuterRef("pk"))))
        | Q(Exists(FixedQuota.objects.filter(campaign=campaign, units=OuterRef("pk"))))
    ).order_by("sort_order", "name")


def file_kind(name: str, data: bytes) -> str:
    """The file's kind, read from its content and matching its name's suffix; SummaryRefused naming the rule."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise SummaryRefused(_("“%(file)s”：只能提交 Word（.docx、.doc）、WPS 文字（.wps）或 PDF 文件") % {"file": name})
    if not data:
        raise SummaryRefused(_("“%(file)s”是空文件，请重新选择") % {"file": name})
    if len(data) > MAX_MB * 1024 * 1024:
        raise SummaryRefused(too_large(name))
    kind = SUFFIXES[suffix]
    if kind == Summary.Kind.PDF:
        sound = data.startswith(b"%PDF-")
    elif kind == Summary.Kind.DOCX:
        sound = _is_docx(data)
    else:
        sound = data.startswith(OLE2)
    if not sound:
        raise SummaryRefused(_("“%(file)s”的内容不是%(kind)s（按文件内容判断，不看扩展名），请在 Word 或 WPS 中"
                               "另存为 .docx 或 PDF 后再提交") % {"file": name, "kind": kind.label})
    return str(kind)


def too_large(name: str) -> str:
    return _("“%(file)s”超过 %(mb)s MB，请压缩其中的图片或另存为 PDF 后再提交") % {"file": name, "mb": MAX_MB}


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def may_hand_in(user: Any, unit: Unit) -> bool:
    return unit.pk in scope.handled_unit_ids(user)


def readable_unit(user: Any, campaign: Campaign, public_id: Any) -> Unit:
    """A unit owing the campaign's summary, for its own handlers or the campaign's readers; Http404 otherwise."""
    from zoufang.documents.access import readable_campaign

    if due_of(campaign) is None:
        raise Http404
    try:
        unit = owing_units(campaign).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        unit = None
    if unit is None:
        raise Http404
    if may_hand_in(user, unit):
        return unit
    readable_campaign(user, campaign.slug)  # Http404 for anyone else
    return unit


def visible_campaign(user: Any, slug: str) -> Campaign:
    """A campaign the user sees at all (its unit's handlers included); what it may read of it is asked after."""
    campaign = scope.visible_campaigns(user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


def listed_campaign(user: Any, slug: str) -> Campaign:
    """The campaign whose list of summaries the user reads (the office, leaders, assessors, the city office of its
    area), when it asks for summaries; Http404 otherwise (a unit's handlers read their own unit's page only)."""
    from zoufang.documents.access import readable_campaign

    campaign = readable_campaign(user, slug)
    if due_of(campaign) is None:
        raise Http404
    return campaign


def hand_in(user: Any, campaign: Campaign, unit: Unit, name: str, data: bytes, note: str = "", *,
            key: uuid.UUID | None = None) -> tuple[Summary, bool]:
    """The version stored, and whether this call stored it. The same form sent again (its key, the same file and
    note) gives the version it stored; other content under that key raises request_keys.KeyReused."""
    due = due_of(campaign)
    if due is None or not may_hand_in(user, unit) or not owing_units(campaign).filter(pk=unit.pk).exists():
        raise Http404
    kind = file_kind(name, data)
    note = note.strip()[:200]
    digest = hashlib.sha256(data).hexdigest()
    found = Summary.objects.filter(campaign=campaign, unit=unit)

    @transaction.atomic
    def make() -> Summary:
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one unit's versions, one at a time
        last = found.aggregate(last=Max("version"))["last"] or 0
        returned = SummaryReturn.objects.filter(summary__in=found, summary__version=last).exists()
        if last and clock.today() > due.day and not returned:  # a returned one is owed again, even late
            raise SummaryRefused(_("已过截止日期 %(day)s，不能再更换%(label)s；如需更正请联系镇走访办") % {
                "day": clock.day(due.day), "label": due.label})
        summary = Summary.objects.create(
            campaign=campaign, unit=unit, version=last + 1, file_name=name[-200:], kind=kind, size=len(data),
            content=data, sha256=digest, note=note, submitted_by=user, request_key=key)
        audit.record(user, AuditEvent.Action.CREATE, summary,
                     summary=_("提交%(label)s（第 %(n)s 版）：%(file)s") % {
                         "label": due.label, "n": summary.version, "file": summary.file_name},
                     changes={"campaign": campaign.slug, "unit": unit.name, "sha256": digest})
        return summary

    return request_keys.once_checked(Summary.objects.all(), key, make, lambda earlier: (
        earlier.campaign_id, earlier.unit_id, earlier.sha256, earlier.note) == (campaign.pk, unit.pk, digest, note))


class SummaryStale(SummaryRefused):
    """The page (or the client) read the unit's summary before another version or another clerk's act: nothing done."""


def return_of(summary: Summary) -> SummaryReturn | None:
    """The version's return, standing or withdrawn (loaded with the roster: no query)."""
    try:
        return summary.returned
    except SummaryReturn.DoesNotExist:
        return None


def returned_of(summary: Summary) -> SummaryReturn | None:
    """The version's return while it stands: the office returned it and has not withdrawn it."""
    made = return_of(summary)
    return made if made is not None and made.withdrawn_at is None else None


def is_drawn(summary: Summary, drawn: uuid.UUID | int) -> bool:
    """Whether `summary` is the version a page or a client read: a page names it by its public id, the API by its
    number."""
    return summary.public_id == drawn if isinstance(drawn, uuid.UUID) else summary.version == drawn


def current_of(campaign: Campaign, unit: Unit, drawn: uuid.UUID | int, undone: str) -> Summary:
    """The unit's current version, under the unit's row lock (inside the caller's transaction), when it is the one the
    page or the client read (`drawn`, as `is_drawn`); SummaryStale naming the version handed in meanwhile and what was
    `undone` otherwise; Http404 when the unit has handed in nothing."""
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # against a version handed in meanwhile
    current = Summary.objects.filter(campaign=campaign, unit=unit).defer("content").select_related(
        "returned__returned_by", "returned__withdrawn_by").order_by("-version").first()
    if current is None:
        raise Http404
    if not is_drawn(current, drawn):
        raise SummaryStale(_("您打开此页后，%(unit)s已提交第 %(n)s 版（当前版本），%(undone)s；请先查看新版本再决定。")
                           % {"unit": unit.name, "n": current.version, "undone": undone})
    return current


def _office_checked(user: Any, campaign: Campaign, unit: Unit) -> Due:
    """The campaign's due date, when the user is its office (documents.access.may_write: who receives the summaries,
    returns them and withdraws a return) and the unit owes a summary; Http404 otherwise (decision 0044)."""
    from zoufang.documents.access import may_write

    due = due_of(campaign)
    if due is None or not may_write(user, campaign) or not owing_units(campaign).filter(pk=unit.pk).exists():
        raise Http404
    return due


def return_summary(user: Any, campaign: Campaign, unit: Unit, drawn: uuid.UUID | int, reason: str, *,
                   key: uuid.UUID | None = None) -> tuple[SummaryReturn, bool]:
    """The office returns the unit's current version (`drawn`: the version its page or client read) for revision, with
    a reason; the unit's handlers are told once it commits. The return, and whether this call made it: the same form
    sent again gives the return it made; a stale page (another version handed in, or this one returned meanwhile)
    raises SummaryStale saying so; other content under the key request_keys.KeyReused."""
    due = _office_checked(user, campaign, unit)
    reason = reason.strip()
    if not reason:
        raise SummaryRefused(_("请写明退回原因，单位按此修改"))
    if len(reason) > REASON_MAX:
        raise SummaryRefused(_("退回原因不超过 %(n)s 个字") % {"n": REASON_MAX})

    @transaction.atomic
    def make() -> SummaryReturn:
        current = current_of(campaign, unit, drawn, _("未退回"))
        earlier = return_of(current)
        if earlier is not None and earlier.withdrawn_at is None:
            raise SummaryStale(_("您打开此页后，第 %(n)s 版已由 %(who)s 于 %(at)s 退回（%(reason)s），未重复退回。") % {
                "n": current.version, "who": earlier.returner, "at": clock.minute(earlier.returned_at),
                "reason": earlier.reason})
        if earlier is not None and earlier.withdrawn_at is not None:  # one return a version (decision 0080)
            raise SummaryStale(_("第 %(n)s 版的退回已于 %(at)s 撤销，不能再次退回；如仍需修改，请联系%(unit)s提交新版本。")
                               % {"n": current.version, "at": clock.minute(earlier.withdrawn_at),
                                  "unit": unit.name})
        made = SummaryReturn.objects.create(summary=current, reason=reason, returned_by=user, request_key=key)
        audit.record(user, AuditEvent.Action.CREATE, made,
                     summary=_("退回%(label)s：%(unit)s 第 %(n)s 版 %(file)s") % {
                         "label": due.label, "unit": unit.name, "n": current.version, "file": current.file_name},
                     changes={"campaign": campaign.slug, "unit": unit.name, "version": current.version,
                              "reason": reason})
        _notify_returned(campaign, due, unit, made)
        return made

    return request_keys.once_checked(SummaryReturn.objects.select_related("summary"), key, make, lambda earlier: (
        earlier.summary.unit_id, earlier.reason) == (unit.pk, reason) and is_drawn(earlier.summary, drawn))


def withdraw_return(user: Any, campaign: Campaign, unit: Unit, drawn: uuid.UUID | int, *,
                    key: uuid.UUID | None = None) -> tuple[SummaryReturn, bool]:
    """The office withdraws its return of the unit's current version (`drawn`: the version its page or client read),
    made in error, while the unit has not handed in again: the version stands again (已提交), the unit's handlers are
    told once it commits, the return stays marked withdrawn. The return, and whether this call withdrew it: the same
    request sent again (its key) gives it as withdrawn; a stale one raises SummaryStale."""
    due = _office_checked(user, campaign, unit)

    with transaction.atomic():
        current = current_of(campaign, unit, drawn, _("未撤销退回"))
        made = return_of(current)
        if made is None:
            raise SummaryStale(_("第 %(n)s 版（当前版本）未被退回，无需撤销。") % {"n": current.version})
        if made.withdrawn_at is not None:
            if key is not None and made.withdraw_key == key:
                return made, False
            raise SummaryStale(_("您打开此页后，第 %(n)s 版的退回已由 %(who)s 于 %(at)s 撤销，未重复撤销。") % {
                "n": current.version, "who": made.withdrawer, "at": clock.minute(made.withdrawn_at)})
        other = SummaryReturn.objects.filter(withdraw_key=key).first() if key is not None else None
        if other is not None:  # the key withdrew another unit's return
            raise request_keys.KeyReused(other)
        made.withdrawn_at, made.withdrawn_by, made.withdraw_key = clock.now(), user, key
        made.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_key"])
        audit.record(user, AuditEvent.Action.UPDATE, made,
                     summary=_("撤销退回%(label)s：%(unit)s 第 %(n)s 版 %(file)s") % {
                         "label": due.label, "unit": unit.name, "n": current.version, "file": current.file_name},
                     changes={"campaign": campaign.slug, "unit": unit.name, "version": current.version,
                              "withdrawn": [None, clock.minute(made.withdrawn_at)], "reason": made.reason})
        _notify_withdrawn(campaign, due, unit, made)
    return made, True


def _notify_returned(campaign: Campaign, due: Due, unit: Unit, made: SummaryReturn) -> None:
    """The unit's handlers, by email and SMS (queued once the return commits, as a case's 退单 is told)."""
    from django.urls import reverse

    from zoufang.cases import notifications

    facts = {"label": due.label, "campaign": campaign.name, "unit": unit.name, "n": made.summary.version,
             "reason": made.reason, "who": made.returner,
             "page": reverse("documents:summary_unit", args=[campaign.slug, unit.public_id])}
    notifications.notify(
        notifications.handlers_of(unit.pk),
        _("%(label)s已退回，请修改后重新提交：%(campaign)s") % facts,
        _("%(unit)s：%(campaign)s的%(label)s（第 %(n)s 版）已被镇走访办（%(who)s）退回。退回原因：%(reason)s。"
          "请修改后登录走访平台，在本单位的%(label)s页提交新版本（%(page)s）。") % facts)


def _notify_withdrawn(campaign: Campaign, due: Due, unit: Unit, made: SummaryReturn) -> None:
    """The unit's handlers, as the return told them (queued once the withdrawal commits)."""
    from django.urls import reverse

    from zoufang.cases import notifications

    facts = {"label": due.label, "campaign": campaign.name, "unit": unit.name, "n": made.summary.version,
             "who": made.withdrawer, "page": reverse("documents:summary_unit", args=[campaign.slug, unit.public_id])}
    notifications.notify(
        notifications.handlers_of(unit.pk),
        _("%(label)s的退回已撤销，无需重新提交：%(campaign)s") % facts,
        _("%(unit)s：镇走访办（%(who)s）已撤销对%(campaign)s的%(label)s（第 %(n)s 版）的退回，第 %(n)s 版仍为已提交，"
          "无需重新提交（%(page)s）。") % facts)


@dataclass
class Row:
    unit: Unit
    versions: list[Summary] = field(default_factory=list)  # newest first
    late: bool = False  # first handed in after the due date, or not yet with the date past

    @property
    def current(self) -> Summary | None:
        return self.versions[0] if self.versions else None

    @property
    def returned(self) -> SummaryReturn | None:
        """The current version's return: the unit owes a new version (已退回（待重交）)."""
        return returned_of(self.versions[0]) if self.versions else None

    @property
    def state(self) -> str:
        """submitted, returned or missing: the three states the office's list, its xlsx and the API carry."""
        if not self.versions:
            return MISSING
        return RETURNED if self.returned is not None else SUBMITTED

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    @property
    def first_at(self) -> dt.datetime | None:
        """When the unit first handed its summary in: what the due date is measured against."""
        return self.versions[-1].submitted_at if self.versions else None


SUBMITTED, RETURNED, MISSING = "submitted", "returned", "missing"
STATES = {SUBMITTED: _lazy("已提交"), RETURNED: _lazy("已退回（待重交）"), MISSING: _lazy("未提交")}


@dataclass
class Roster:
    campaign: Campaign
    due: Due
    rows: list[Row]
    today: dt.date

    @property
    def overdue(self) -> bool:
        return self.today > self.due.day

    @property
    def days_left(self) -> int:
        """Days until the due date (0 on it, negative after): before it, 未提交 is no alarm yet."""
        return (self.due.day - self.today).days

    @property
    def submitted(self) -> int:
        """Units whose current version stands (a returned one is owed again)."""
        return self.count(SUBMITTED)

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(state, its label, how many units) for the list's filters."""
        return [(state, str(label), self.count(state)) for state, label in STATES.items()]


def roster(campaign: Campaign, units: QuerySet[Unit] | None = None) -> Roster:
    """Every owing unit (or those given) with its versions, newest first; two queries."""
    due = due_of(campaign)
    if due is None:
        raise Http404
    listed = list(units if units is not None else owing_units(campaign))
    by_unit: dict[int, list[Summary]] = {}
    versions = Summary.objects.filter(campaign=campaign, unit__in=listed).defer("content") \
        .select_related("submitted_by", "returned__returned_by", "returned__withdrawn_by") \
        .order_by("unit_id", "-version")
    for summary in versions:
        by_unit.setdefault(summary.unit_id, []).append(summary)
    today = clock.today()
    rows = [Row(unit, by_unit.get(unit.pk, [])) for unit in listed]
    for row in rows:
        row.late = today > due.day if row.first_at is None else timezone.localdate(row.first_at) > due.day
    return Roster(campaign, due, rows, today)


def readable_file(user: Any, campaign: Campaign, public_id: Any) -> Summary:
    """A version the user may take (its unit's handlers, the campaign's readers), audited as a full read."""
    try:
        summary = Summary.objects.select_related("unit").filter(campaign=campaign, public_id=public_id).first()
    except (ValueError, TypeError):
        summary = None
    if summary is None:
        raise Http404
    readable_unit(user, campaign, summary.unit.public_id)
    audit.record(user, AuditEvent.Action.READ, summary, summary=_("下载工作总结：%(unit)s 第 %(n)s 版 %(file)s") % {
        "unit": summary.unit.name, "n": summary.version, "file": summary.file_name})
    return summary


def card(user: Any, campaign: Campaign, unit: Unit) -> tuple[Roster, Row] | None:
    """The unit's summary as its page shows it (本单位工作总结：未提交，截止…), for those who may open it; else None."""
    try:
        readable_unit(user, campaign, unit.public_id)
    except Http404:
        return None
    shown = roster(campaign, Unit.objects.filter(pk=unit.pk))
    return shown, shown.rows[0]


def file_response(summary: Summary) -> HttpResponse:
    """The version's file as handed in, its SHA-256 in `X-Content-SHA256` (the page's and the API's)."""
    response = HttpResponse(bytes(summary.content), content_type=CONTENT_TYPES[Summary.Kind(summary.kind)])
    response["Content-Disposition"] = attachment(summary.file_name)
    response["X-Content-SHA256"] = summary.sha256
    return response
