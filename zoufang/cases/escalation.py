"""What a unit cannot solve goes up (seed 000 §二(二), seed 002 §五2): with its supervising leader's
signature (分管领导签字) to town coordination (会商), the upper-level office, or the leadership; or the
person gets an explanation (解释说明). The upper-level office (上一级活动办, the city office) takes on what was
signed up to it or sends it back to the town (workflow.py; docs/upper-office.md)."""

from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.cases import access, deadlines, notifications
from zoufang.cases.actions import drop_extension_request
from zoufang.cases.models import Case
from zoufang.cases.transition import InvalidInput, run
from zoufang.cases.workflow import Action
from zoufang.registry.models import Cadre


def escalate_case(
    case: Case, *, by: Any, version: int | None, route: str, leader: Cadre, reason: str
) -> Case:
    """上报: asks the named supervising leader to sign; the unit's clock stops meanwhile."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写上报理由。"))
    if route not in Case.Route.values:
        raise InvalidInput(_("请选择上报去向。"))
    if leader.role != Cadre.Role.TOWN_LEADER or leader.user_id is None:
        raise InvalidInput(_("请选择有登录账号的分管领导签字。"))
    if not access.signing_leaders(case.campaign).filter(pk=leader.pk).exists():
        raise InvalidInput(_("签字的分管领导“%(leader)s”不是%(area)s的领导，请选择本镇的分管领导。") % {
            "leader": leader.name, "area": case.campaign.scope.name})

    def change(c: Case) -> dict[str, Any]:
        c.escalation_route = route
        c.escalation_reason = reason
        c.signoff_leader = leader
        c.signed_at = None
        deadlines.pause(c, clock.today())
        # The leader by name for the history, by id as chosen: a resend of the same form is told by it (0063).
        return {"route": route, "leader": leader.name, "leader_id": leader.pk}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.signer_users(c), _("待签字上报：%(line)s") % {"line": notifications.case_line(c)}, reason
        )

    return run(case, Action.ESCALATE, by=by, version=version, note=reason, change=change, notify=tell)


def sign_escalation(case: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    """分管领导签字: the case leaves the unit's desk for the route chosen, with any extension the unit asked for and
    was not answered (a later dispatch starts a fresh limit); the unit's clock stays stopped."""

    def change(c: Case) -> dict[str, Any]:
        c.signed_at = clock.now()
        c.paused_since = None
        return {"route": c.escalation_route, **drop_extension_request(c, "sign")}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.office_users(c),
            _("已签字上报（%(route)s）：%(line)s") % {
                "route": c.get_escalation_route_display(), "line": notifications.case_line(c),
            },
            c.escalation_reason,
        )

    return run(case, Action.SIGN, by=by, version=version, note=note, change=change, notify=tell)


def refuse_escalation(case: Case, *, by: Any, version: int | None, note: str) -> Case:
    """The leader does not sign: the unit handles it itself; the clock runs again."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写退回意见。"))

    def change(c: Case) -> dict[str, Any]:
        c.escalation_route = ""
        c.signoff_leader = None
        if not c.requested_extension_days:
            deadlines.resume(c, clock.today())
        return {}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.unit_users(c), _("上报未获签字：%(line)s") % {"line": notifications.case_line(c)}, note
        )

    return run(case, Action.REFUSE_SIGN, by=by, version=version, note=note, change=change, notify=tell)


def explain_case(case: Case, *, by: Any, version: int | None, explanation: str) -> Case:
    """解释说明: cannot be solved now; what the person is told, and why."""
    explanation = (explanation or "").strip()
    if not explanation:
        raise InvalidInput(_("请填写解释说明的内容。"))

    def change(c: Case) -> dict[str, Any]:
        c.explanation = explanation
        c.paused_since = None
        c.requested_extension_days = None
        return {}

    def tell(c: Case) -> None:
        # The town office answers the person next, whoever explained (the unit, or the city office).
        notifications.notify(
            notifications.office_users(c), _("已解释说明：%(line)s") % {"line": notifications.case_line(c)},
            explanation,
        )

    return run(case, Action.EXPLAIN, by=by, version=version, note=explanation, change=change, notify=tell)


def accept_upper(case: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    """上级受理: the city office takes on a case its town signed up to it; the town office is told."""

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.office_users(c), _("上一级活动办已受理：%(line)s") % {"line": notifications.case_line(c)},
            note,
        )

    return run(case, Action.UPPER_ACCEPT, by=by, version=version, note=note, notify=tell)


def return_to_town(case: Case, *, by: Any, version: int | None, instructions: str) -> Case:
    """退回镇办理: the city office sends the case back with its instructions; the town office dispatches it again
    (a fresh limit), or settles or explains it itself."""
    instructions = (instructions or "").strip()
    if not instructions:
        raise InvalidInput(_("请填写退回的办理意见。"))

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.office_users(c), _("上一级活动办退回镇办理：%(line)s") % {"line": notifications.case_line(c)},
            instructions,
        )

    return run(case, Action.UPPER_RETURN, by=by, version=version, note=instructions,
               change=lambda c: {"instructions": instructions}, notify=tell)
