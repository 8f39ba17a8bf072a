"""How a case looks to a given user: the raiser masked per role, deadlines and allowed actions spelled out."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.masking import Kind
from zoufang.cases import access, deadlines, workflow
from zoufang.cases.models import Case
from zoufang.cases.similarity import Suggestion
from zoufang.registry import unitnames
from zoufang.registry.presenters import TargetPresenter

# A case's free text, each read through the masker: full for those who see the raiser in full.
FREE_TEXT = ("description", "resolution", "explanation", "extension_reason", "escalation_reason")


def village_name(case: Case) -> str:
    """The village (or community) of a case: what the office reads, not the grid inside it."""
    region = case.region
    while region is not None and region.level in ("group", "grid") and region.parent_id:
        region = region.parent
    return region.name if region is not None else ""


def unit_shown(case: Case, several_towns: bool) -> str:
    """The case's unit: “锦溪镇 派出所” on a page or in a file of several towns' cases, else its name (0032)."""
    if case.unit is None:
        return ""
    return unitnames.in_town(case.unit, case.campaign.scope, True) if several_towns else case.unit.name


def paused_deadline(days_left: int | None) -> str:
    """A paused case's 办理期限 in a list or a file: its saved date is not its deadline while the clock stands
    still, so 暂停计时 and the working days as they stood when it stopped, worded as the case page words them."""
    if days_left is None:
        return _("暂停计时")
    if days_left < 0:
        days = _("暂停时已超期 %(n)s 个工作日") % {"n": -days_left}
    elif days_left == 0:
        days = _("暂停时当日到期")
    else:
        days = _("暂停时剩 %(n)s 个工作日") % {"n": days_left}
    return _("暂停计时（%(days)s）") % {"days": days}


def deadline_reads(case: Case, calendars: deadlines.CalendarCache | None = None) -> dt.date | str | None:
    """What a case's 办理期限 reads as wherever it is said (the board, lists and files, notifications): its date while
    the clock runs; `paused_deadline` while it stands still, when its saved date is not its deadline."""
    if not case.is_paused:
        return case.handling_due
    return paused_deadline(deadlines.working_days_left(case, clock.today(), calendars))


def deadline_text(case: Case, calendars: deadlines.CalendarCache | None = None) -> str:
    """`deadline_reads` as text: the date as `clock.day` says it; "" without a deadline."""
    return day_text(deadline_reads(case, calendars), "")


def day_text(value: dt.date | str | None, missing: str = "—") -> str:
    """A date as `clock.day` says it (text as it is), `missing` for none."""
    if isinstance(value, dt.date):
        return clock.day(value)
    return value or missing


def event_notice(data: dict[str, Any]) -> str:
    """What a step did beside its own (a CaseEvent's `data`), said in the case's history: a unit's pending
    extension request dropped with its hand-over (actions.drop_extension_request); "" when nothing."""
    dropped = data.get("dropped_extension")
    if not dropped:
        return ""
    with_step = {"return": _("随退单作废"), "sign": _("随签字上报作废"), "reassign": _("随改派作废"),
                 "redispatch": _("随重新交办作废")}
    return _("%(unit)s的延期申请（%(days)s 个工作日）%(how)s") % {
        "unit": dropped.get("unit") or _("原承办单位"), "days": dropped.get("days"),
        "how": with_step.get(dropped.get("by"), _("作废"))}


class CasePresenter:
    def __init__(self, user: Any) -> None:
        self.user = user
        self.targets = TargetPresenter(user)
        self.masker = self.targets.masker
        self.calendars = deadlines.CalendarCache()
        # The linked cases (merged into, follows) asked about so far, and those of them the reader may open.
        self.asked: set[int] = set()
        self.openable: set[int] = set()

    def know_links(self, cases: Iterable[Case]) -> None:
        """Which cases the given ones link to (merged into, follows) the reader may open: one query for a page, none
        for a page without links. A link the reader may not open is given as none (decision 0049)."""
        ids = {pk for case in cases for pk in (case.merged_into_id, case.follows_id) if pk} - self.asked
        if ids:
            self.openable |= set(access.visible_cases(self.user).filter(pk__in=ids).values_list("pk", flat=True))
            self.asked |= ids

    def linked(self, case: Case, field: str) -> Case | None:
        """The case `field` (merged_into, follows) links to, where the reader may open it; else None."""
        pk = getattr(case, f"{field}_id")
        if pk is None:
            return None
        if pk not in self.asked:
            self.know_links([case])
        return getattr(case, field) if pk in self.openable else None

    def raiser(self, case: Case) -> dict[str, Any]:
        """Name and phone of whoever raised it; in full only for the office of the area and the handling unit."""
        full = access.sees_raiser_in_full(self.user, case)
        if case.target_id and case.target:
            name, phone = case.target.name, case.target.phone
            shown_phone = phone if full else self.targets.phone(case.target)
            # Enterprises are public bodies; the office and the village of the area know their residents.
            known = full or case.target.kind in ("enterprise", "project") or self.targets.policy.full_identity(
                case.target
            )
            shown_name = self.masker.show(Kind.NAME, name, full=known)
        else:
            name, phone = case.raiser_name, case.raiser_phone
            shown_name = self.masker.show(Kind.NAME, name, full=full)
            shown_phone = self.masker.show(Kind.PHONE, phone, full=full)
        # `full`: this answer discloses a full phone number (a read to audit).
        return {"name": shown_name, "phone": shown_phone, "full": bool(shown_phone) and "*" not in shown_phone}

    def text(self, case: Case, value: str) -> str:
        """Free text that belongs to the case (its fields, replies, callbacks, event notes), masked by role."""
        return self.masker.show(Kind.FREE_TEXT, value, case)

    def free_text(self, case: Case) -> dict[str, str]:
        return {name: self.text(case, getattr(case, name)) for name in FREE_TEXT}

    def allowed_actions(self, case: Case) -> list[str]:
        """What the case's page offers the user and its API lists: access.refused_now's rule, once per action."""
        kinds = access.actor_kinds(self.user, case)
        return [str(rule.action) for rule in workflow.actions_from(case.status)
                if rule.actors & kinds and not workflow.why_not(rule, case)]

    def deadline_cell(self, case: Case) -> dt.date | str | None:
        """The 办理期限 of a list's row or a file's cell: the date, or `paused_deadline` while the clock stands still."""
        return deadline_reads(case, self.calendars)

    def as_dict(self, case: Case) -> dict[str, Any]:
        today = clock.today()
        return {
            "id": case.public_id,
            "number": case.number,
            "version": case.version,
            "kind": case.kind,
            "kind_label": str(case.get_kind_display()),
            "status": case.status,
            "status_label": str(case.get_status_display()),
            "priority": case.priority,
            "source": case.source,
            "category_code": case.category.code if case.category else "",
            "category": case.category.label if case.category else "",
            # Numbers the raiser typed are theirs: in full only for those who see the raiser in full.
            "description": self.text(case, case.description),
            "region": village_name(case),
            "raiser": self.raiser(case),
            "raised_at": case.raised_at,
            "registration_due": case.registration_due,
            "registered_on": case.registered_on,
            "registered_late": case.registered_late,
            "unit": case.unit.name if case.unit else "",
            "co_handlers": [u.name for u in case.co_handlers.all()],
            "dispatched_on": case.dispatched_on,
            "handling_due": deadlines.standing_due(case, today, self.calendars),
            "working_days_left": deadlines.working_days_left(case, today, self.calendars),
            "paused": case.is_paused,
            "overdue": deadlines.is_overdue(case, today),
            "requested_extension_days": case.requested_extension_days,
            "escalation_route": case.escalation_route,
            "signoff_leader": case.signoff_leader.name if case.signoff_leader else "",
            "resolution": self.text(case, case.resolution),
            "explanation": self.text(case, case.explanation),
            "satisfaction": case.satisfaction,
            "merged_into": self._linked_id(case, "merged_into"),
            "follows": self._linked_id(case, "follows"),
            "allowed_actions": self.allowed_actions(case),
        }


    def _linked_id(self, case: Case, field: str) -> Any:
        linked = self.linked(case, field)
        return linked.public_id if linked is not None else None


def offered(user: Any, suggestions: list[Suggestion]) -> list[dict[str, Any]]:
    """Cases offered as the one a case repeats, as the reader may read them: the text masked by role, the unit, and
    where (village and grid)."""
    presenter = CasePresenter(user)
    several = unitnames.sees_several_towns(user)
    return [{**vars(s), "description": presenter.text(s.case, s.case.description), "unit": unit_shown(s.case, several),
             "place": s.case.region.local_name() if s.case.region else ""} for s in suggestions]
