"""The one transition table: status × action → next status, and who may take the action.

Who is who for a given case is decided in `access.actor_kinds`: the office of the case's area,
the handling unit (承办部门), the supervising leader named to sign (分管领导), and the city office
(上一级活动办) over the town.

Beyond the town (seed 002 §五2 “涉及到上级相关条线的，要帮助反映并及时上报上一级活动办”): once the leader has
signed an escalation routed to the upper office, the case waits in the city office's queue. The city office
either takes it on (上级受理), then records the answer its lines gave (办结, 办理结果) or an explanation (解释说明),
or sends it back to the town with instructions (退回镇办理) when the town can solve it after all. Either way the
town office answers the person (回复、回访、结案), as for any case. Until the city office takes it on, the town
office may still record what the upper level decided off the platform (办结、解释说明) or dispatch it again;
once taken on, only the city office acts on it. Details in docs/upper-office.md.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from zoufang.cases.models import Case

S = Case.Status


class Actor(StrEnum):
    OFFICE = "office"
    UNIT = "unit"
    SIGNER = "signer"
    CITY = "city"


class Action(StrEnum):
    # In the order a page offers them: the usual next step first.
    REGISTER = "register"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    APPROVE_EXTENSION = "approve_extension"
    SIGN = "sign"
    REPLY = "reply"
    CALLBACK = "callback"
    CLOSE = "close"
    REOPEN = "reopen"
    REQUEST_EXTENSION = "request_extension"
    ESCALATE = "escalate"
    EXPLAIN = "explain"
    REFUSE_EXTENSION = "refuse_extension"
    REFUSE_SIGN = "refuse_sign"
    RETURN = "return"
    MERGE = "merge"
    UPPER_ACCEPT = "upper_accept"
    UPPER_RETURN = "upper_return"


LABELS = {
    Action.REGISTER: _("登记"),
    Action.DISPATCH: _("交办"),
    Action.ACCEPT: _("签收"),
    Action.RETURN: _("退单"),
    Action.REQUEST_EXTENSION: _("申请延期"),
    Action.APPROVE_EXTENSION: _("同意延期"),
    Action.REFUSE_EXTENSION: _("不同意延期"),
    Action.RESOLVE: _("办结"),
    Action.ESCALATE: _("上报"),
    Action.SIGN: _("分管领导签字"),
    Action.REFUSE_SIGN: _("退回部门办理"),
    Action.EXPLAIN: _("解释说明"),
    Action.REPLY: _("回复反映人"),
    Action.CALLBACK: _("回访"),
    Action.CLOSE: _("结案"),
    Action.REOPEN: _("重办"),
    Action.MERGE: _("合并到主件"),
    Action.UPPER_ACCEPT: _("上级受理"),
    Action.UPPER_RETURN: _("退回镇办理"),
}


@dataclass(frozen=True)
class Rule:
    status: str
    action: Action
    next_status: str
    actors: frozenset[Actor]
    # Taken only for a third party's finding (回访抽查) through its own page, never offered on the case's page or
    # taken through the case's API: the office records its 回访 once per round of handling (decision 0049).
    finding_only: bool = False


OFFICE = frozenset({Actor.OFFICE})
UNIT = frozenset({Actor.UNIT})
SIGNER = frozenset({Actor.SIGNER})
CITY = frozenset({Actor.CITY})
OFFICE_OR_UNIT = OFFICE | UNIT
OPEN_BEFORE_HANDLING = (S.DRAFT, S.REGISTERED, S.RETURNED)

_ROWS: list[tuple[str, Action, str, frozenset[Actor]]] = [
    (S.DRAFT, Action.REGISTER, S.REGISTERED, OFFICE),
    (S.REGISTERED, Action.DISPATCH, S.DISPATCHED, OFFICE),
    (S.RETURNED, Action.DISPATCH, S.DISPATCHED, OFFICE),
    # Coordination (会商) or the upper level named who solves it: dispatched again, with a fresh limit.
    (S.ESCALATED, Action.DISPATCH, S.DISPATCHED, OFFICE),
    (S.DISPATCHED, Action.ACCEPT, S.ACCEPTED, UNIT),
    (S.DISPATCHED, Action.RETURN, S.RETURNED, UNIT),
    (S.ACCEPTED, Action.RETURN, S.RETURNED, UNIT),
    (S.DISPATCHED, Action.REQUEST_EXTENSION, S.DISPATCHED, UNIT),
    (S.ACCEPTED, Action.REQUEST_EXTENSION, S.ACCEPTED, UNIT),
    (S.DISPATCHED, Action.APPROVE_EXTENSION, S.DISPATCHED, OFFICE),
    (S.ACCEPTED, Action.APPROVE_EXTENSION, S.ACCEPTED, OFFICE),
    (S.DISPATCHED, Action.REFUSE_EXTENSION, S.DISPATCHED, OFFICE),
    (S.ACCEPTED, Action.REFUSE_EXTENSION, S.ACCEPTED, OFFICE),
    # A unit that can solve it records the 办理结果 (seed 000 §二(二)); the office records what was
    # settled on the spot or what the coordination / upper level decided.
    (S.ACCEPTED, Action.RESOLVE, S.RESOLVED, UNIT),
    (S.REGISTERED, Action.RESOLVE, S.RESOLVED, OFFICE),
    (S.ESCALATED, Action.RESOLVE, S.RESOLVED, OFFICE),
    # A unit that cannot solve it escalates with its supervising leader's signature.
    (S.ACCEPTED, Action.ESCALATE, S.SIGNOFF, UNIT),
    (S.SIGNOFF, Action.SIGN, S.ESCALATED, SIGNER),
    (S.SIGNOFF, Action.REFUSE_SIGN, S.ACCEPTED, SIGNER),
    # Cannot be solved for now: the person gets an explanation (seed 002 §五2).
    (S.ACCEPTED, Action.EXPLAIN, S.EXPLAINED, UNIT),
    (S.ESCALATED, Action.EXPLAIN, S.EXPLAINED, OFFICE),
    # The city office (上一级活动办) on what was signed up to it: take it on, or send it back with instructions.
    (S.ESCALATED, Action.UPPER_ACCEPT, S.UPPER_ACCEPTED, CITY),
    (S.ESCALATED, Action.UPPER_RETURN, S.UPPER_RETURNED, CITY),
    (S.UPPER_ACCEPTED, Action.RESOLVE, S.RESOLVED, CITY),
    (S.UPPER_ACCEPTED, Action.EXPLAIN, S.EXPLAINED, CITY),
    (S.UPPER_ACCEPTED, Action.UPPER_RETURN, S.UPPER_RETURNED, CITY),
    # Sent back: the town office dispatches it again (a fresh limit), or settles or explains it itself.
    (S.UPPER_RETURNED, Action.DISPATCH, S.DISPATCHED, OFFICE),
    (S.UPPER_RETURNED, Action.RESOLVE, S.RESOLVED, OFFICE),
    (S.UPPER_RETURNED, Action.EXPLAIN, S.EXPLAINED, OFFICE),
    (S.RESOLVED, Action.REPLY, S.REPLIED, OFFICE_OR_UNIT),
    (S.EXPLAINED, Action.REPLY, S.REPLIED, OFFICE_OR_UNIT),
    (S.REPLIED, Action.CALLBACK, S.CALLED_BACK, OFFICE),
    (S.CALLED_BACK, Action.CLOSE, S.CLOSED, OFFICE),
    (S.CALLED_BACK, Action.REOPEN, S.DISPATCHED, OFFICE),
    (S.CLOSED, Action.REOPEN, S.DISPATCHED, OFFICE),
    (S.DRAFT, Action.MERGE, S.MERGED, OFFICE),
    (S.REGISTERED, Action.MERGE, S.MERGED, OFFICE),
    (S.RETURNED, Action.MERGE, S.MERGED, OFFICE),
]

# A later call (a third-party callback, 回访抽查) records the person's word again, even on a closed case: only as the
# third party's finding (callbacks.findings), never as a second 回访 by the office (decision 0049).
_FINDINGS: list[tuple[str, Action, str, frozenset[Actor]]] = [
    (S.CALLED_BACK, Action.CALLBACK, S.CALLED_BACK, OFFICE),
    (S.CLOSED, Action.CALLBACK, S.CALLED_BACK, OFFICE),
]

TABLE: dict[tuple[str, Action], Rule] = {
    **{(status, action): Rule(status, action, next_status, actors) for status, action, next_status, actors in _ROWS},
    **{(status, action): Rule(status, action, next_status, actors, finding_only=True)
       for status, action, next_status, actors in _FINDINGS},
}

# What waits for the city office: signed up to it and not yet answered or sent back.
UPPER_QUEUE = (S.ESCALATED, S.UPPER_ACCEPTED)
# Statuses in which a unit's deadline runs.
HANDLING = (S.DISPATCHED, S.ACCEPTED, S.SIGNOFF)
# Statuses that count as closed for the person who raised it (Open311 "closed").
ANSWERED = (S.RESOLVED, S.EXPLAINED, S.REPLIED, S.CALLED_BACK, S.CLOSED)
FINISHED = (S.CLOSED, S.MERGED)


def guard(action: Action, case: Case) -> str:
    """Why an action the table allows cannot happen to this case now; empty when it can."""
    if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION) and not case.requested_extension_days:
        return str(_("没有待审批的延期申请。"))
    if action == Action.REQUEST_EXTENSION and case.requested_extension_days:
        return str(_("已有延期申请待审批。"))
    if action == Action.REOPEN and case.satisfaction != Case.Satisfaction.UNSATISFIED:
        return str(_("回访满意的件不重办。"))
    if action == Action.REOPEN and case.unit_id is None:
        return str(_("该件没有承办单位，请重新交办。"))
    if action in (Action.UPPER_ACCEPT, Action.UPPER_RETURN) and not is_signed_to_upper_office(case):
        return str(_("该件未经分管领导签字上报上一级活动办。"))
    return ""


def why_not(rule: Rule, case: Case, *, finding: bool = False) -> str:
    """Why the rule cannot be followed on this case now ("" when it can): its guard, or a rule kept for a third
    party's finding asked for as anything else (a second 回访 on a case already called back or closed)."""
    if rule.finding_only and not finding:
        return str(_("该件已回访（%(satisfaction)s），不再重复回访；第三方回访抽查的结果在“回访抽查”中处理。") % {
            "satisfaction": case.get_satisfaction_display()})
    return guard(rule.action, case)


def not_in_status(case: Case, action: Action | str) -> str:
    """The refusal of an action the table does not allow in the case's status."""
    return str(_("“%(status)s”状态下不能%(action)s。") % {
        "status": case.get_status_display(), "action": LABELS[Action(action)]})


def is_signed_to_upper_office(case: Case) -> bool:
    """Escalated beyond the town: routed to the upper office and signed by the supervising leader."""
    return case.escalation_route == Case.Route.UPPER_OFFICE and case.signed_at is not None


def rule(status: str, action: Action | str) -> Rule | None:
    return TABLE.get((status, Action(action)))


def actors_of(action: Action | str) -> frozenset[Actor]:
    """Who takes `action` in any status: a user who is none of them is refused it whatever the case's state."""
    return frozenset().union(*(r.actors for (_s, a), r in TABLE.items() if a == Action(action)))


def actions_from(status: str) -> list[Rule]:
    return [r for (s, _a), r in TABLE.items() if s == status]
