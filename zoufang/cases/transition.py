"""The one way a case changes: lock, check the version, check the table and the actor, change, record.

Every named action (`dispatch_case`, `resolve_case` …) calls `run`; views, API, CLI and tests
call the actions. A stale version raises StaleVersion and changes nothing.
"""

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import shown_name
from zoufang.cases import access, deadlines, workflow
from zoufang.cases.models import Case, CaseEvent
from zoufang.core.apiversions import version_required_message
from zoufang.core.rawrows import Inserts


class CaseError(Exception):
    """A transition that cannot happen; the message is for the user."""


class StaleVersion(CaseError):
    """The case moved after the user read it: `happened` names who did what, when, and where it is now; the message
    (the API's 409) asks to read the case again, `on_page` says what the page redrawn on the current case holds."""

    def __init__(self, current: int, case: Case | None = None, *, repeat: bool = False) -> None:
        latest = CaseEvent.objects.filter(case=case).select_related("actor").order_by("-version").first() \
            if case is not None else None
        # `repeat`: the user's own request sent again (a double click, a resend), its action already done by them
        # one version on with the same note (decision 0058): a page says so (`repeated`); the API answers 409 as
        # for any stale version, naming who did what.
        self.repeated = ""
        if repeat and latest is not None:
            self.repeated = _("您已于 %(when)s %(action)s此件，重复提交未再次办理。") % {
                "when": clock.minute(latest.at), "action": workflow.LABELS.get(workflow.Action(latest.action), "")}
        if latest is None:
            self.happened = _("该件已被他人更新（当前版本 %(version)s），您的操作未执行") % {"version": current}
        else:
            actor = shown_name(latest.actor, nobody=_("他人"))
            known = latest.action in {member.value for member in workflow.Action}
            label = workflow.LABELS.get(workflow.Action(latest.action)) if known else None
            self.happened = _("该件在您读取后已由%(who)s于 %(when)s %(action)s，现为“%(status)s”（版本 %(version)s），"
                              "您的操作未执行") % {
                "who": actor, "when": clock.minute(latest.at), "action": label or _("更新"),
                "status": case.get_status_display() if case is not None else "", "version": current}
        super().__init__(_("%(happened)s；请重新读取该件，核对后按当前版本 %(version)s 再提交。") % {
            "happened": self.happened, "version": current})
        self.current = current

    def on_page(self, action: workflow.Action, *, allowed: bool, in_form: bool, listed: bool) -> str:
        """The message over a page already drawn again on the current case: the user's text kept in the action's
        form (`in_form`), or `listed` below it when the action has no form there (merge) or no longer applies."""
        told = []
        if not allowed:
            told.append(_("已不能再%(action)s") % {"action": workflow.LABELS[action]})
        if allowed and in_form:
            told.append(_("您填写的内容已保留"))
        elif listed:
            told.append(_("您填写的内容列在下方“您填写但未提交的内容”中"))
        if allowed:
            told.append(_("请核对后再次提交"))
        return _("%(happened)s。本页已是该件现在的情况，%(told)s。") % {
            "happened": self.happened, "told": "，".join(str(t) for t in told)}


class NotAllowed(CaseError):
    pass


class InvalidInput(CaseError):
    pass


class VersionRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(version_required_message())


# A case's history line, saved as `save()` saves it (signals included) by a statement written once per process.
_EVENTS = Inserts(CaseEvent)

TRACKED = (
    "status", "category_id", "priority", "unit_id", "handling_due", "extension_days", "requested_extension_days",
    "paused_since", "escalation_route", "signoff_leader_id", "satisfaction", "merged_into_id",
)


def _snapshot(case: Case) -> dict[str, Any]:
    return {field: _plain(getattr(case, field)) for field in TRACKED}


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def kept_text(value: Any) -> str:
    """A value of a case event's details as text, to compare with what a form holds: a list (units chosen) as its
    members in one order, nothing as ""."""
    if isinstance(value, list | tuple):
        return ",".join(sorted(kept_text(member) for member in value))
    return "" if value is None else str(value)


def is_repeat(case: Case, action: workflow.Action, by: Any, version: int, note: str,
              details: dict[str, str] | None = None) -> bool:
    """Whether `action` asked at `version` is one the user already made: the case one version on by their own
    `action`, with the same note and, where given, the same `details` among its event's (a double click, a resend:
    decision 0058). An event without one of those details (recorded before it kept them, decision 0063) is no
    repeat of anything."""
    if case.version != version + 1:
        return False
    event = CaseEvent.objects.filter(case=case, version=version + 1, action=str(action),
                                     actor_id=getattr(by, "pk", None), note=note).only("data").first()
    return event is not None and all(
        name in event.data and kept_text(event.data[name]) == value for name, value in (details or {}).items())


def run(
    case: Case, action: workflow.Action, *, by: Any, version: int | None, note: str = "",
    change: Callable[[Case], dict[str, Any] | None] | None = None,
    notify: Callable[[Case], None] | None = None, finding: bool = False,
) -> Case:
    """Apply `action` to the case at `version`; `change` edits the locked row and returns event details. `finding`:
    a third party's finding (回访抽查) records it, which alone may follow the table's finding-only rules; the city
    office, which runs its towns' callbacks and answers for their findings (decision 0057), takes the office's part
    of the table in acting on one (callbacks.findings checks who runs the campaign's callbacks)."""
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).select_related("campaign__scope", "region", "category__parent").get(
            pk=case.pk
        )
        if version is None:
            raise VersionRequired
        if locked.version != version:
            raise StaleVersion(locked.version, locked, repeat=is_repeat(locked, action, by, version, note))
        rule = workflow.rule(locked.status, action)
        if rule is None:
            raise NotAllowed(workflow.not_in_status(locked, action))
        if not rule.actors & access.actor_kinds(by, locked, finding=finding):
            raise PermissionDenied
        reason = workflow.why_not(rule, locked, finding=finding)
        if reason:
            raise NotAllowed(reason)
        before = _snapshot(locked)
        from_status = locked.status
        locked.status = rule.next_status
        details = (change(locked) if change else None) or {}
        today = clock.today()
        deadlines.refresh(locked, today)
        # The only writer of `version`: a conditional update, so a second writer that slipped past the
        # lock (SQLite has no SELECT … FOR UPDATE) still finds nothing to update.
        locked.version = version + 1
        locked.modified_by = by if getattr(by, "is_authenticated", False) else None
        locked.modified_at = clock.now()
        updated = Case.objects.filter(pk=locked.pk, version=version).update_counted_later(
            **{f.attname: getattr(locked, f.attname) for f in Case._meta.concrete_fields if f.attname != "id"}
        )
        if updated != 1:
            raise StaleVersion(version + 1)
        _EVENTS.save([CaseEvent(
            case=locked, action=str(action), from_status=from_status, to_status=locked.status,
            actor=locked.modified_by, at=clock.now(), version=locked.version, note=note, data=details,
        )])
        audit.record(
            by, AuditEvent.Action.UPDATE, locked,
            summary=f"{workflow.LABELS[workflow.Action(action)]}：{locked.number} {note}"[:300],
            changes=audit.diff(before, _snapshot(locked)),
        )
        if notify is not None:
            transaction.on_commit(lambda: notify(locked))
    _read_back(case, locked)
    return case


def _read_back(case: Case, written: Case) -> None:
    """`case` as `refresh_from_db()` leaves it, from the row `run` just wrote (every column, under the lock) rather
    than by reading it again: each column it holds, as the database gives it back (a moment in UTC, a choice as its
    plain value); the columns it was read without still deferred; every relation cached on it forgotten."""
    deferred = case.get_deferred_fields()
    case._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    for field in Case._meta.concrete_fields:
        if field.attname in deferred:
            continue
        setattr(case, field.attname, _as_read(getattr(written, field.attname)))
        if field.is_relation and field.is_cached(case):  # type: ignore[attr-defined]
            field.delete_cached_value(case)  # type: ignore[attr-defined]
    for relation in (*Case._meta.related_objects, *(f for f in Case._meta.private_fields if f.is_relation)):
        if relation.is_cached(case):
            relation.delete_cached_value(case)
    case._state.db = written._state.db


def _as_read(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    if isinstance(value, Enum):
        return value.value
    return value


def record_creation(case: Case, *, by: Any, action: str, note: str = "") -> None:
    """The first line of a case's history (version 1)."""
    _EVENTS.save([CaseEvent(
        case=case, action=action, from_status="", to_status=case.status,
        actor=by if getattr(by, "is_authenticated", False) else None, at=clock.now(), version=case.version,
        note=note,
    )])
