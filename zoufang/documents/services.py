"""The office's document actions: generate a draft, edit its text, issue it (numbered, stored, unchangeable),
read the issued file back (its hash checked). Each is atomic and writes its audit row."""

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import shown_name
from zoufang.campaigns.models import Campaign
from zoufang.core import request_keys
from zoufang.core.progress import Progress
from zoufang.core.progress import report as tell
from zoufang.documents import content, render, special
from zoufang.documents.models import Document, DocumentIssued, Issuer, Sequence

Action = AuditEvent.Action
# Each numbered kind has a series of its own: the 专报's 第N期 are not the 简报's (decision 0074).
NUMBERED = {Document.Kind.CIRCULAR: "circular", Document.Kind.BRIEFING: "briefing", Document.Kind.SPECIAL: "special"}
ISSUE_ATTEMPTS = 3


class DocumentError(ValueError):
    """A request the office can correct: the message says what to change."""


class StaleDraft(DocumentError):
    """The draft was saved by someone else after this editor opened it: nothing written, their text kept."""

    def __init__(self, current: Document, changed: list[str]) -> None:
        super().__init__(_(
            "这份草稿在您打开之后已被%(who)s于 %(when)s 修改（与您的修改不同：%(changed)s），您的修改未保存。"
            "您填写的文字仍在下方：刷新页面可查看对方的修改；如确认以您的文字为准，请核对后再点“保存草稿”。") % {
            **_saved_by(current), "changed": "、".join(changed) or _("无")})
        self.current = current


class DraftChanged(DocumentError):
    """A delete or an issue sent from a page (or an API read) of an older version of the draft: nothing done, so
    an edit saved meanwhile is neither thrown away nor printed unread."""

    def __init__(self, current: Document, action: str) -> None:
        super().__init__(_("这份草稿在您打开之后已被%(who)s于 %(when)s 修改，未%(action)s。请阅读修改后的草稿，"
                           "确认后再%(action)s。") % {**_saved_by(current), "action": action})
        self.current = current


def _saved_by(current: Document) -> dict[str, str]:
    return {"who": shown_name(current.modified_by, nobody=_("他人")), "when": clock.minute(current.modified_at)}


def check_unchanged(document: Document, version: int | None, action: str) -> None:
    """DraftChanged when `version` (the draft as its page or API client read it) is not the version stored; None
    (a page older than the field) is not checked."""
    if version is not None and version != document.version:
        raise DraftChanged(document, action)


class TamperedFile(RuntimeError):
    """An issued file no longer matches the hash kept when it was issued."""


def tampered_message(reference: str) -> str:
    return _("印发文件校验失败：%(reference)s，文件已被改动，请联系系统管理员。") % {"reference": reference}


def issuer_for(campaign: Campaign) -> Issuer:
    """The office of the campaign's town; on first use named after the town (锦溪镇 → 锦走访办), to be edited."""
    town = campaign.scope
    issuer, _created = Issuer.objects.get_or_create(region=town, defaults={
        "name": _("%(town)s走访调研工作办公室") % {"town": town.name},
        "abbreviation": _("%(first)s走访办") % {"first": town.name[:1]},
        "briefing_name": _("走访调研工作简报"),
        "printed_by": _("%(town)s走访调研工作办公室") % {"town": town.name},
    })
    return issuer


class StaleIssuer(DocumentError):
    """The issuer's fields were changed by someone else after this editor opened the form: nothing written."""


def update_issuer(issuer: Issuer, values: dict[str, str], *, by: Any, seen: dict[str, str] | None = None) -> Issuer:
    """Save the office's issuer fields. `seen` is what the editor's form was opened with: a field another clerk
    changed meanwhile keeps their value where this editor left it as shown, and refuses the whole save where this
    editor changed it too (StaleIssuer names it, with its value now and the value refused)."""
    with transaction.atomic():
        locked = Issuer.objects.select_for_update().get(pk=issuer.pk)
        before = {name: getattr(locked, name) for name in values}
        if seen is not None:
            moved = [name for name in values if name in seen and before[name] != seen[name]]
            clashes = [name for name in moved if values[name] not in (seen[name], before[name])]
            if clashes:
                raise StaleIssuer(_("发文机关信息在您打开此页后已被修改，您的修改未保存：%(fields)s。请刷新页面核对后再保存。") % {
                    "fields": "；".join(_("%(label)s现为“%(now)s”，您填写的“%(yours)s”") % {
                        "label": Issuer._meta.get_field(name).verbose_name,  # type: ignore[union-attr]
                        "now": before[name], "yours": values[name]} for name in clashes)})
            values = {**values, **{name: before[name] for name in moved}}  # theirs, where this form left it alone
        if all(before[name] == value for name, value in values.items()):
            return locked  # nothing changed: the form sent again (decision 0058), or saved as it was
        for name, value in values.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        audit.record(by, Action.UPDATE, locked, summary=_("修改发文机关：%(name)s") % {"name": locked.name},
                     changes=audit.diff(before, values))
    return locked


def default_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """通报: the quarter so far; 简报: the last seven days; 会商 and 专报: the month so far."""
    if kind == Document.Kind.CIRCULAR:
        return content.quarter_start(today), today
    if kind == Document.Kind.BRIEFING:
        return today - dt.timedelta(days=6), today
    return today.replace(day=1), today


def check_period(kind: str, start: dt.date, end: dt.date) -> None:
    """The kind and period a draft may be asked for; DocumentError says what to change."""
    if kind not in Document.Kind.values:
        raise DocumentError(_("未知的文稿种类。"))
    today = clock.today()
    if end < start:
        raise DocumentError(_("统计截止日不能早于起始日。"))
    if end > today:
        raise DocumentError(_("统计截止日不能晚于今天（%(day)s）。") % {"day": clock.day(today)})


def subject_of(campaign: Campaign, kind: str, value: str, numbers: str = "", *, viewer: Any) -> dict[str, Any]:
    """A 专报's subject as stored (special.chosen), checked against the campaign and, for picked cases, what `viewer`
    may read; empty for the other kinds (a subject sent with them is ignored)."""
    if kind != Document.Kind.SPECIAL:
        return {}
    try:
        return special.chosen(campaign, value, numbers, viewer=viewer).stored()
    except special.SubjectError as problem:
        raise DocumentError(str(problem)) from None


def generate_draft(campaign: Campaign, kind: str, start: dt.date, end: dt.date, *, by: Any,
                   key: uuid.UUID | None = None, progress: Progress | None = None,
                   subject: dict[str, Any] | None = None) -> Document:
    """A draft with its figures filled in as of today (the period cannot end after today). With a request `key`,
    asking again (a retried job) gives the draft that key already made, never a second one. A 专报 needs its
    `subject` (`subject_of`)."""
    check_period(kind, start, end)
    if kind == Document.Kind.SPECIAL and not subject:
        raise DocumentError(_("请选择专报的主题。"))

    def make() -> Document:
        tell(progress, 0, 2)
        today = clock.today()
        if kind == Document.Kind.SPECIAL:
            draft = special.special_report(campaign, start, end, today, special.Subject.of(subject or {}))
        else:
            draft = content.BUILDERS[kind](campaign, start, end, today)  # the town's figures: the slow part
        tell(progress, 1, 2)
        with transaction.atomic():
            issuer = issuer_for(campaign)
            document = Document.objects.create(
                campaign=campaign, issuer=issuer, kind=kind, title=draft.title, subject=subject or {},
                copy_to=issuer.copy_to if kind == Document.Kind.SPECIAL else "",
                addressee=draft.addressee, period_starts_on=start, period_ends_on=end, sections=draft.sections,
                year=end.year, signed_on=today, created_by=by, modified_by=by, request_key=key,
            )
            audit.record(by, Action.CREATE, document, summary=_("生成%(kind)s草稿：%(title)s") % {
                "kind": document.get_kind_display(), "title": document.title})
        return document

    return request_keys.once(Document.objects.all(), key, make)


def update_draft(document: Document, *, title: str, addressee: str, texts: dict[str, str], by: Any,
                 version: int | None = None, copy_to: str | None = None) -> Document:
    """The office's edits: the title, 主送机关 (a 专报's 报送), a 专报's 抄送 and each section's text; the figures'
    tables stay as generated. `version` is the draft's version the editor opened: saved by someone else since,
    StaleDraft and nothing saved."""
    with transaction.atomic():
        locked = Document.objects.select_related("modified_by").select_for_update(of=("self",)).get(pk=document.pk)
        if locked.issued:
            raise DocumentIssued(locked.reference)
        before = {"title": locked.title, "addressee": locked.addressee, "copy_to": locked.copy_to,
                  **{item["key"]: item["text"] for item in locked.sections}}
        sections = [{**item, "text": texts.get(item["key"], item["text"]).replace("\r\n", "\n")}
                    for item in locked.sections]
        copy_to = locked.copy_to if copy_to is None else copy_to.strip()
        mine = {"title": title.strip(), "addressee": addressee.strip(), "copy_to": copy_to,
                **{i["key"]: i["text"] for i in sections}}
        if version is not None and version + 1 == locked.version and locked.modified_by_id == getattr(by, "pk", None) \
                and mine == before:
            return locked  # this save sent again (a double click, a resend: decision 0058): saved once
        if version is not None and version != locked.version:
            labels = {"title": _("标题"), "addressee": _("报送") if locked.kind == Document.Kind.SPECIAL else _("主送机关"),
                      "copy_to": _("抄送"), **{i["key"]: i["heading"] for i in sections}}
            raise StaleDraft(locked, [str(labels[k]) for k in before if before[k] != mine[k]])
        locked.title, locked.addressee, locked.sections = title.strip(), addressee.strip(), sections
        locked.copy_to = copy_to
        if not locked.title:
            raise DocumentError(_("标题不能为空。"))
        locked.modified_by = by
        locked.version += 1
        locked.save()
        after = {"title": locked.title, "addressee": locked.addressee, "copy_to": locked.copy_to,
                 **{i["key"]: i["text"] for i in sections}}
        audit.record(by, Action.UPDATE, locked, summary=_("修改草稿：%(title)s") % {"title": locked.title},
                     changes=audit.diff(before, after))
    return locked


def _next_number(issuer: Issuer, series: str, year: int) -> int:
    """The next number of the issuer's series for the year, the sequence row locked until the caller commits."""
    try:
        with transaction.atomic():
            Sequence.objects.get_or_create(issuer=issuer, series=series, year=year)
    except IntegrityError:
        pass  # another issue created the row first: it is there now
    sequence = Sequence.objects.select_for_update().get(issuer=issuer, series=series, year=year)
    # A number given outside the sequence (a restored backup, a hand-made row) is never given twice.
    used = Document.objects.filter(issuer=issuer, kind=series, year=year).aggregate(top=Max("serial"))["top"] or 0
    sequence.last = max(sequence.last, used) + 1
    sequence.save(update_fields=["last"])
    return sequence.last


def issue_document(document: Document, *, by: Any, version: int | None = None) -> Document:
    """Number the draft from its office's sequence (通报 and 简报), render and store the docx with its hash.

    The sequence row is locked (SELECT … FOR UPDATE) inside the transaction, so two offices' clerks issuing at
    once get consecutive numbers; the unique (issuer, kind, year, serial) constraint backs it, and a conflict
    is retried with the next number rather than shown to the user. `version` is the draft as the issuer read it:
    changed since, DraftChanged and nothing issued.
    """
    for attempt in range(ISSUE_ATTEMPTS):
        try:
            with transaction.atomic():
                return _issue(document, by, version)
        except IntegrityError:
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _issue(document: Document, by: Any, version: int | None) -> Document:
    locked = Document.objects.select_for_update(of=("self", "issuer")).select_related("issuer", "modified_by").get(
        pk=document.pk)
    if locked.issued:
        raise DocumentError(_("该文稿已印发，不能再次印发。"))
    check_unchanged(locked, version, _("印发"))
    today = clock.today()
    locked.signed_on = today
    locked.year = today.year
    series = NUMBERED.get(Document.Kind(locked.kind))
    if series is not None:
        locked.serial = _next_number(locked.issuer, series, locked.year)
    locked.reference = render.reference(locked)
    data = render.docx_bytes(locked)
    locked.content = data
    locked.sha256 = hashlib.sha256(data).hexdigest()
    locked.status = Document.Status.ISSUED
    locked.issued_at = clock.now()
    locked.issued_by = by
    locked.modified_by = by
    locked.save()
    audit.record(by, Action.UPDATE, locked, summary=_("印发%(kind)s：%(reference)s %(title)s") % {
        "kind": locked.get_kind_display(), "reference": locked.reference, "title": locked.title},
        changes={"status": [Document.Status.DRAFT, Document.Status.ISSUED], "reference": locked.reference,
                 "sha256": locked.sha256})
    return locked


def file_of(document: Document, *, by: Any) -> bytes:
    """The issued file as stored, once its hash is checked; a draft's preview rendered now. Audited as an export."""
    if document.issued:
        data = bytes(document.content or b"")
        if hashlib.sha256(data).hexdigest() != document.sha256:
            audit.record(by, Action.EXPORT, document, summary=_("印发文件校验失败：%(reference)s") % {
                "reference": document.reference})
            raise TamperedFile(document.reference)
    else:
        data = render.docx_bytes(document)
    audit.record(by, Action.EXPORT, document, summary=_("下载%(kind)s：%(reference)s %(title)s") % {
        "kind": document.get_kind_display(), "reference": document.reference or _("草稿"), "title": document.title})
    return data


def file_name(document: Document) -> str:
    label = document.reference or _("草稿")
    return f"{label}{document.title}"[:80]


def deleted_by(campaign: Any, public_id: Any, user: Any) -> str | None:
    """The title of the campaign's draft `public_id` when it is gone and `user` deleted it (its audit row), else
    None: a delete sent again is told it was done, never "not found"."""
    if Document.objects.filter(campaign=campaign, public_id=public_id).exists():
        return None
    event = AuditEvent.objects.filter(action=Action.DELETE, object_type=Document._meta.label,
                                      object_id=str(public_id), actor_ref=getattr(user, "pk", None)).first()
    return str(event.changes.get("title", "")) if event is not None else None


def delete_draft(document: Document, *, by: Any, version: int | None = None) -> None:
    """The office deletes a draft it will not issue (audited, with its title and period); an issued document is
    never deleted: the model, and on PostgreSQL a trigger, refuse it as well. `version` is the draft as the page
    showed it: changed since, DraftChanged and nothing deleted."""
    with transaction.atomic():
        locked = Document.objects.select_related("modified_by").select_for_update(of=("self",)).filter(
            pk=document.pk).first()
        if locked is None:
            raise DocumentError(_("该草稿已被删除。"))
        if locked.issued:
            raise DocumentError(_("已印发的文稿不能删除（%(reference)s）。") % {"reference": locked.reference})
        check_unchanged(locked, version, _("删除"))
        audit.record(by, Action.DELETE, locked, summary=_("删除%(kind)s草稿：%(title)s") % {
            "kind": locked.get_kind_display(), "title": locked.title},
            changes={"title": locked.title, "period": [str(locked.period_starts_on), str(locked.period_ends_on)]})
        locked.delete()
