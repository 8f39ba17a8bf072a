"""Registering, dispatching and handling a case: the office's and the unit's actions.

Escalation is in `escalation.py`; replying, callbacks, closing, reopening and merging in `answers.py`.
"""

from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import access, deadlines, notifications
from zoufang.cases.models import Case
from zoufang.cases.presenters import deadline_text
from zoufang.cases.transition import InvalidInput, run
from zoufang.cases.workflow import Action
from zoufang.registry import unitnames
from zoufang.registry.models import Unit


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写%(what)s。") % {"what": what})
    return text


def register_case(
    case: Case, *, by: Any, version: int | None, category: CaseCategory | None = None, priority: str | None = None,
    kind: str | None = None, note: str = "",
) -> Case:
    """登记: the office enters the opinion on the platform; late when after the registration deadline."""

    def change(c: Case) -> dict[str, Any]:
        if category is not None:
            if category.campaign_id != c.campaign_id:
                raise InvalidInput(_("类别不属于本走访活动。"))
            c.category = category
        if c.category_id is None:
            raise InvalidInput(_("请选择问题类别。"))
        c.priority = priority or c.priority
        c.kind = kind or c.kind
        c.registered_on = clock.today()
        c.registered_late = deadlines.is_registered_late(c, c.registered_on)
        # What the form chose, kept whole: a resend of the same form is told by it (decision 0063).
        return {"registered_on": c.registered_on.isoformat(), "late": c.registered_late,
                "category_id": c.category_id, "kind": c.kind, "priority": c.priority}

    return run(case, Action.REGISTER, by=by, version=version, note=note, change=change)


def dispatch_case(
    case: Case, unit: Unit, *, by: Any, version: int | None, co_handlers: list[Unit] | None = None,
    priority: str | None = None, note: str = "",
) -> Case:
    """交办: the office hands the case to a unit; the unit's working-day clock starts today."""

    def change(c: Case) -> dict[str, Any]:
        if unit.archived_on is not None:
            raise InvalidInput(_("该单位已停用。"))
        _serving(c, [unit], _("承办单位"))
        check_co_handlers(unit, co_handlers or [])
        _serving(c, co_handlers or [], _("协办单位"))
        # A request left by the unit before: only on a case signed before sign_escalation dropped it.
        dropped = drop_extension_request(c, "reassign" if c.unit_id != unit.pk else "redispatch")
        c.unit = unit
        c.priority = priority or c.priority
        deadlines.start_clock(c, clock.today())
        c.co_handlers.set(co_handlers or [])
        # The units by name for the history, by id as chosen: a resend of the same form is told by them (0063).
        return {"unit": unit.name, "handling_due": c.handling_due.isoformat() if c.handling_due else None,
                "co_handlers": [u.name for u in co_handlers or []], "unit_id": unit.pk,
                "co_handler_ids": sorted(u.pk for u in co_handlers or []), "priority": c.priority, **dropped}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.unit_users(c), _("新交办：%(line)s") % {"line": notifications.case_line(c)},
            _("请于 %(due)s 前办结。") % {"due": deadline_text(c)},
        )

    return run(case, Action.DISPATCH, by=by, version=version, note=note, change=change, notify=tell)


def check_co_handlers(unit: Unit | None, co_handlers: list[Unit]) -> None:
    """协办单位: each named once, and none the 承办单位 itself (the case page's form and the API alike)."""
    seen: set[int] = set()
    for co in co_handlers:
        if co.pk in seen:
            raise InvalidInput(_("协办单位“%(unit)s”选了不止一次，请只选一次。") % {"unit": co.name})
        seen.add(co.pk)
        if unit is not None and co.pk == unit.pk:
            raise InvalidInput(_("协办单位不能是承办单位本身：“%(unit)s”已是承办单位，请在协办单位中取消勾选。") % {
                "unit": co.name})


def _serving(case: Case, units: list[Unit], what: str) -> None:
    """Another town's department would read the raiser in full: only the units serving the campaign's area."""
    if not units:  # no 协办单位: nothing to check, and the area's units cost a query to find
        return
    serving = set(access.serving_units(case.campaign).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    checking = set(access.callback_companies(case.campaign.scope).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    for unit in units:
        if unit.kind not in access.HANDLING_KINDS:  # the page never offers it; the API is told the same rule
            raise InvalidInput(_("%(what)s“%(unit)s”是%(kind)s，不承办问题：请交办给镇部门、村（居）委会、市级机关部门或其他单位。") % {
                "what": what, "unit": unit.name, "kind": unit.get_kind_display()})
        if unit.pk in checking:
            raise InvalidInput(_("%(what)s“%(unit)s”是第三方回访单位，负责回访核实，不能承办问题。") % {
                "what": what, "unit": unit.name})
        if unit.pk not in serving:  # another town's 派出所 said with its town (decision 0032)
            raise InvalidInput(_("%(what)s“%(unit)s”不在本活动的范围内：只能交办给%(area)s及其上级的单位。") % {
                "what": what, "unit": unitnames.labels([unit])[unit.pk], "area": case.campaign.scope.name})


def accept_case(case: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    """签收: the unit takes the case on."""
    return run(case, Action.ACCEPT, by=by, version=version, note=note)


def return_case(case: Case, *, by: Any, version: int | None, reason: str) -> Case:
    """退单: not this unit's matter; back to the office with a reason, the clock stops."""
    reason = _required(reason, _("退单理由"))

    def change(c: Case) -> dict[str, Any]:
        returned_by = c.unit.name if c.unit else ""
        dropped = drop_extension_request(c, "return")
        c.unit = None
        c.co_handlers.clear()
        c.dispatched_on = c.handling_due = c.paused_since = None
        return {"unit": returned_by, **dropped}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.office_users(c), _("退单：%(line)s") % {"line": notifications.case_line(c)}, reason
        )

    return run(case, Action.RETURN, by=by, version=version, note=reason, change=change, notify=tell)


def drop_extension_request(c: Case, handover: str) -> dict[str, Any]:
    """A unit's extension request still pending when the case leaves the unit (退单, 签字上报, 改派) dies with that
    hand-over: the next unit never asked for it, and it must not hold that unit's clock. The details name it."""
    if not c.requested_extension_days:
        return {}
    dropped = {"days": c.requested_extension_days, "unit": c.unit.name if c.unit else "", "by": handover}
    c.requested_extension_days = None
    c.extension_reason = ""
    return {"dropped_extension": dropped}


def request_extension(case: Case, *, by: Any, version: int | None, days: int, reason: str) -> Case:
    """延期申请: the clock pauses until the office decides."""
    reason = _required(reason, _("延期理由"))
    if not 1 <= int(days) <= 60:
        raise InvalidInput(_("延期天数应在 1 至 60 个工作日之间。"))

    def change(c: Case) -> dict[str, Any]:
        if c.requested_extension_days:
            raise InvalidInput(_("已有延期申请待审批。"))
        c.requested_extension_days = int(days)
        c.extension_reason = reason
        deadlines.pause(c, clock.today())
        return {"days": int(days)}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.office_users(c), _("延期申请：%(line)s") % {"line": notifications.case_line(c)}, reason
        )

    return run(case, Action.REQUEST_EXTENSION, by=by, version=version, note=reason, change=change, notify=tell)


def _decide_extension(case: Case, action: Action, *, by: Any, version: int | None, note: str) -> Case:
    approve = action == Action.APPROVE_EXTENSION

    def change(c: Case) -> dict[str, Any]:
        if not c.requested_extension_days:
            raise InvalidInput(_("没有待审批的延期申请。"))
        days = c.requested_extension_days
        if approve:
            c.extension_days += days
        c.requested_extension_days = None
        deadlines.resume(c, clock.today())  # never in SIGNOFF: the table waits for the leader's answer
        return {"days": days, "approved": approve}

    def tell(c: Case) -> None:
        verdict = _("同意延期") if approve else _("不同意延期")
        notifications.notify(
            notifications.unit_users(c), f"{verdict}：{notifications.case_line(c)}",
            _("办理期限：%(due)s") % {"due": deadline_text(c)},
        )

    return run(case, action, by=by, version=version, note=note, change=change, notify=tell)


def approve_extension(case: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    return _decide_extension(case, Action.APPROVE_EXTENSION, by=by, version=version, note=note)


def refuse_extension(case: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    return _decide_extension(case, Action.REFUSE_EXTENSION, by=by, version=version, note=note)


def resolve_case(case: Case, *, by: Any, version: int | None, result: str) -> Case:
    """办结: the 办理结果 is recorded (seed 000 §二(二)); next, the person is answered."""
    result = _required(result, _("办理结果"))

    def change(c: Case) -> dict[str, Any]:
        c.resolution = result
        c.resolved_at = clock.now()
        c.requested_extension_days = None
        c.paused_since = None
        return {}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.office_users(c), _("已办结：%(line)s") % {"line": notifications.case_line(c)}, result
        )

    return run(case, Action.RESOLVE, by=by, version=version, note=result, change=change, notify=tell)
