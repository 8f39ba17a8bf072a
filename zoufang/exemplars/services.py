"""Every change to a 典型: nominate, edit (a new revision), publish, decline, record the resident's consent.

Each action checks who acts (access.py), locks the row, checks the version the actor read (a stale one changes
nothing: StaleVersion, 409 in the API), writes, and audits, in one transaction. Views, API, demo and tests call these.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.cases.models import Case
from zoufang.core.apiversions import version_required_message
from zoufang.exemplars import access
from zoufang.exemplars.models import TEXT_MAX, TITLE_MAX, Exemplar, Revision
from zoufang.visits.models import Visit

TEXT_MIN = 10
REASON_MAX = 300


class ExemplarError(Exception):
    """Refused for a reason the user can fix; the message names the field and the rule."""


class StaleVersion(ExemplarError):
    def __init__(self, current: int) -> None:
        super().__init__(_("该典型已被他人修改（当前版本 %(version)s），请刷新后再操作，您的修改未保存。")
                         % {"version": current})
        self.current = current


class VersionRequired(ExemplarError):
    def __init__(self) -> None:
        super().__init__(version_required_message())


class DuplicateSubmission(ExemplarError):
    """The same submission id came back with other content."""


def _clean(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise ExemplarError(_("标题：必填。"))
    if len(title) > TITLE_MAX:
        raise ExemplarError(_("标题：不能超过 %(n)s 个字。") % {"n": TITLE_MAX})
    if len(text) < TEXT_MIN:
        raise ExemplarError(_("事迹简介：至少写 %(n)s 个字。") % {"n": TEXT_MIN})
    if len(text) > TEXT_MAX:
        raise ExemplarError(_("事迹简介：不能超过 %(n)s 个字。") % {"n": TEXT_MAX})
    return title, text


def _consent(person: str, method: str, on: dt.date | None) -> tuple[str, str, dt.date | None]:
    """The three consent fields: all empty (no consent), or all given."""
    person = (person or "").strip()
    if not person and not method and on is None:
        return "", "", None
    if not person or len(person) > 50:
        raise ExemplarError(_("同意公开的人：须填写本人姓名（不超过 50 个字）。"))
    if method not in Exemplar.ConsentMethod.values:
        raise ExemplarError(_("同意方式：须选择“书面”或“口头”。"))
    if on is None or on > clock.today():
        raise ExemplarError(_("同意日期：须填写，且不能晚于今天。"))
    return person, method, on


def _snapshot(exemplar: Exemplar) -> dict[str, Any]:
    """What the audit row keeps: the text's length, not the text (its revisions keep that, and name residents)."""
    return {"kind": exemplar.kind, "title": exemplar.title, "text_chars": len(exemplar.text), "status": exemplar.status,
            "decline_reason": exemplar.decline_reason, "consent_person": exemplar.consent_person,
            "consent_method": exemplar.consent_method,
            "consent_on": exemplar.consent_on.isoformat() if exemplar.consent_on else None}


@transaction.atomic
def nominate(source: Visit | Case, *, kind: str, title: str, text: str, by: Any,
             submission_id: uuid.UUID | None = None, consent_person: str = "", consent_method: str = "",
             consent_on: dt.date | None = None) -> tuple[Exemplar, bool]:
    """Nominate a visit or a case as a 典型; (the nomination, whether it is new). A retried submission (same id,
    same content) answers the first one; the same id with other content is refused."""
    nominated_as = access.nominating_as(by, source)
    if nominated_as is None:
        raise PermissionDenied
    if kind not in Exemplar.Kind.values:
        raise ExemplarError(_("类型：须为好做法、问题解决典型或先进个人。"))
    title, text = _clean(title, text)
    person, method, on = _consent(consent_person, consent_method, consent_on)
    if submission_id is not None:
        earlier = Exemplar.objects.filter(submission_id=submission_id).first()
        if earlier is not None:
            if (earlier.title, earlier.text, earlier.kind) == (title, text, kind) and earlier.created_by_id == by.pk:
                return earlier, False
            raise DuplicateSubmission(_("该推荐已提交过（提交编号相同，内容不同），请刷新页面后重新填写。"))
    field = "visit" if isinstance(source, Visit) else "case"
    already = ExemplarError(_("类型：该%(what)s已被推荐为“%(kind)s”，不能重复推荐。") % {
        "what": _("走访") if field == "visit" else _("问题"), "kind": Exemplar.Kind(kind).label})
    if Exemplar.objects.filter(**{field: source}, kind=kind).exclude(status=Exemplar.Status.DECLINED).exists():
        raise already
    now = clock.now()
    exemplar = Exemplar(campaign=source.campaign, kind=kind, title=title, text=text, nominated_as=nominated_as,
                        submission_id=submission_id, created_by=by, modified_by=by, **{field: source})
    if person:
        exemplar.consent_person, exemplar.consent_method, exemplar.consent_on = person, method, on
        exemplar.consent_recorded_by, exemplar.consent_recorded_at = by, now
    try:
        with transaction.atomic():
            exemplar.save()
    except IntegrityError:
        # The same submission id sent twice at once: the other request made it. Another nominator's request for
        # the same source and kind at once (exemplar_visit_kind_once / exemplar_case_kind_once): refused.
        earlier = Exemplar.objects.filter(submission_id=submission_id).first() if submission_id else None
        if earlier is None:
            raise already from None
        return earlier, False
    Revision.objects.create(exemplar=exemplar, version=exemplar.version, title=title, text=text, by=by,
                            note=_("推荐"))
    audit.record(by, AuditEvent.Action.CREATE, exemplar, summary=_("推荐典型：%(title)s（%(nominated_as)s）") % {
        "title": title, "nominated_as": nominated_as,
    },
                 changes={"new": _snapshot(exemplar)})
    return exemplar, True


def _change(exemplar: Exemplar, version: int | None, by: Any, summary: str,
            change: Any, *, allowed: set[str], done: Callable[[Exemplar], bool]) -> Exemplar:
    """Lock, check the version and the status, apply `change`, bump the version, audit. `done(locked)`: whether the
    exemplar already holds what `change` would make; one version on, by the same user, that is this request sent
    again (a double click, a retry: decision 0058), answered as done with nothing written."""
    if version is None:
        raise VersionRequired
    with transaction.atomic():
        locked = Exemplar.objects.select_for_update().select_related("campaign__scope").get(pk=exemplar.pk)
        if locked.version == version + 1 and locked.modified_by_id == getattr(by, "pk", None) and done(locked):
            exemplar.refresh_from_db()
            return exemplar
        if locked.version != version:
            raise StaleVersion(locked.version)
        if locked.status not in allowed:
            raise ExemplarError(_("该典型“%(status)s”，不能再%(what)s。") % {
                "status": locked.get_status_display(), "what": summary})
        before = _snapshot(locked)
        change(locked)
        locked.version = version + 1
        locked.modified_by = by
        locked.modified_at = clock.now()
        # A conditional update: a second writer that slipped past the lock (SQLite) finds nothing to update.
        updated = Exemplar.objects.filter(pk=locked.pk, version=version).update(
            **{f.attname: getattr(locked, f.attname) for f in Exemplar._meta.concrete_fields if f.attname != "id"})
        if updated != 1:
            raise StaleVersion(version + 1)
        audit.record(by, AuditEvent.Action.UPDATE, locked, summary=(_("%(summary)s典型：%(locked_title)s") % {
            "summary": summary, "locked_title": locked.title,
        })[:300],
                     changes=audit.diff(before, _snapshot(locked)))
    exemplar.refresh_from_db()
    return exemplar


def _require_reviewer(by: Any, exemplar: Exemplar) -> None:
    if not access.reviews(by, exemplar.campaign):
        raise PermissionDenied


def edit(exemplar: Exemplar, *, title: str, text: str, by: Any, version: int | None, note: str = "") -> Exemplar:
    """The 宣传报道组 edits a pending 典型's write-up; the edit is kept as a new revision."""
    _require_reviewer(by, exemplar)
    title, text = _clean(title, text)
    note = (note or "").strip()
    assert len(note) <= 200, "the edit form and the API refuse a longer 修改说明: never cut it here"  # noqa: S101

    def change(locked: Exemplar) -> None:
        locked.title, locked.text = title, text
        Revision.objects.create(exemplar=locked, version=locked.version + 1, title=title, text=text, by=by,
                                note=note)

    return _change(exemplar, version, by, _("修改"), change, allowed={Exemplar.Status.PENDING},
                   done=lambda locked: (locked.title, locked.text) == (title, text))


def publish(exemplar: Exemplar, *, by: Any, version: int | None) -> Exemplar:
    _require_reviewer(by, exemplar)

    def change(locked: Exemplar) -> None:
        locked.status = Exemplar.Status.PUBLISHED
        locked.reviewed_by, locked.reviewed_at = by, clock.now()
        locked.published_at = locked.reviewed_at

    return _change(exemplar, version, by, _("发布"), change, allowed={Exemplar.Status.PENDING},
                   done=lambda locked: locked.status == Exemplar.Status.PUBLISHED)


def decline(exemplar: Exemplar, *, by: Any, version: int | None, reason: str) -> Exemplar:
    _require_reviewer(by, exemplar)
    reason = (reason or "").strip()
    if not reason:
        raise ExemplarError(_("未采用理由：必填，推荐人会看到。"))
    if len(reason) > REASON_MAX:
        raise ExemplarError(_("未采用理由：不能超过 %(n)s 个字。") % {"n": REASON_MAX})

    def change(locked: Exemplar) -> None:
        locked.status = Exemplar.Status.DECLINED
        locked.decline_reason = reason
        locked.reviewed_by, locked.reviewed_at = by, clock.now()

    return _change(exemplar, version, by, _("不采用"), change, allowed={Exemplar.Status.PENDING},
                   done=lambda locked: (locked.status, locked.decline_reason) == (Exemplar.Status.DECLINED, reason))


def may_record_consent(user: Any, exemplar: Exemplar) -> bool:
    """Who heard the resident agree: the nominator, the 宣传报道组 or the office over the campaign. A superuser is let
    in by the area check alone (scope.holds_campaign_area), as `access.reviews` lets it in: one rule for both."""
    return (exemplar.created_by_id is not None and exemplar.created_by_id == getattr(user, "pk", None)) \
        or access.sees_every_draft(user, exemplar.campaign)


def record_consent(exemplar: Exemplar, *, person: str, method: str, on: dt.date | None, by: Any,
                   version: int | None) -> Exemplar:
    """The resident agreed to be named: who, how (书面/口头), when, recorded by whom. From then on the published
    text names them (numbers stay masked)."""
    if not may_record_consent(by, exemplar):
        raise PermissionDenied
    person, method, on = _consent(person, method, on)
    if not person:
        raise ExemplarError(_("同意公开的人：须填写本人姓名（不超过 50 个字）。"))

    def change(locked: Exemplar) -> None:
        locked.consent_person, locked.consent_method, locked.consent_on = person, method, on
        locked.consent_recorded_by, locked.consent_recorded_at = by, clock.now()

    return _change(exemplar, version, by, _("登记本人同意公开"), change,
                   allowed={Exemplar.Status.PENDING, Exemplar.Status.PUBLISHED},
                   done=lambda locked: (locked.consent_person, locked.consent_method, locked.consent_on) == (
                       person, method, on))
