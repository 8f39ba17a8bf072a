"""What a campaign's configuration says about visits: allowed modes, unassigned visits, the pace."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.periods import period_end, period_start
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Target
from zoufang.visits.models import Visit

# The configuration's vocabulary (docs/campaign-format.md) → Visit.Mode.
CONFIG_MODES = {
    "in_person": Visit.Mode.HOME, "forum": Visit.Mode.FORUM, "phone": Visit.Mode.PHONE,
    "letter": Visit.Mode.LETTER, "online": Visit.Mode.ONLINE, "concentrated": Visit.Mode.GROUP,
}


def allows_unassigned(campaign: Campaign) -> bool:
    """`visits: {allow_unassigned: true}` lets a cadre record a visit to a visible target not assigned to them."""
    return bool((campaign.config.get("visits") or {}).get("allow_unassigned", False))


def _role_keys(campaign: Campaign, cadre: Cadre) -> set[str]:
    roles = campaign.config.get("roles") or {}
    return {key for key, role in roles.items() if role.get("cadre_role") == cadre.role}


def _rule_matches(rule: dict[str, Any], target: Target, role_keys: set[str]) -> bool:
    if "target_kinds" in rule and target.kind not in rule["target_kinds"]:
        return False
    if "roles" in rule and not role_keys & set(rule["roles"]):
        return False
    if "is_key" in rule and bool(rule["is_key"]) != target.is_key:
        return False
    return not ("scale" in rule and rule["scale"] != target.scale)


def allowed_modes(campaign: Campaign, target: Target, cadre: Cadre) -> list[str]:
    """Visit.Mode values allowed: the union of the matching rules' modes, else the default; all without rules."""
    config = campaign.config.get("visit_modes")
    if not config:
        return list(Visit.Mode.values)
    role_keys = _role_keys(campaign, cadre)
    matched = [rule for rule in config.get("rules") or [] if _rule_matches(rule, target, role_keys)]
    names = [mode for rule in matched for mode in rule["modes"]] if matched else list(config.get("default") or [])
    ordered = [mode for mode in Visit.Mode.values if mode in {CONFIG_MODES[name] for name in names}]
    return ordered or list(Visit.Mode.values)


def campaign_for(cadre: Cadre, target: Target, slug: str | None = None) -> Campaign | None:
    """The campaign a visit belongs to: the one named, else the latest one assigning the target to the cadre."""
    if slug:
        return Campaign.objects.filter(slug=slug).first()
    assignment = (
        Assignment.objects.filter(target=target, cadre=cadre).select_related("campaign")
        .order_by("-campaign__starts_on").first()
    )
    if assignment is not None:
        return assignment.campaign
    ancestor_ids = [int(part) for part in target.region.path.split(".") if part]
    return Campaign.objects.filter(scope_id__in=ancestor_ids).order_by("-starts_on").first()


@dataclass
class PeriodLine:
    """A share per period on 我的走访: this period's minimum and the cadre's visits in it (per rule, for its kinds)."""

    kinds: str  # the rule's kinds when the campaign has a rule per kind, else ""
    period: str  # 本月, 本季度, 本周, 本两周
    minimum: int
    done: int


@dataclass
class Pace:
    """A cadre's progress against the campaign's pace rule (seed 000: each month ≥ 1/5, all by 30 Sept)."""

    assigned: int
    visited: int
    complete_by: dt.date | None
    periods: list[PeriodLine] = field(default_factory=list)
    expected_by_next: int | None = None  # due by the rule's next checkpoint (seed 000: the month's end)
    next_on: dt.date | None = None
    behind: int = 0  # short of the next checkpoint's figure (expected_by_next)
    due_today: int | None = None  # what the periods ended and milestones passed required (逾期未完成 counts from it)
    rule_text: str = ""  # the rule as the campaign wrote it
    basis: str = ""  # what due_today counts: 已结束的月份, 已到的进度节点 …
    next_text: str = ""  # 到本月底, or 到6月30日 when the next checkpoint is another day
    notes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # the kinds the rule counts, when it does not count all
    complete_by_passed: bool = False  # no more counting down to complete_by: a note says what is left past it
    complete_by_said: bool = False  # the rule's sentence names complete_by: the count-down to it need not again

    @property
    def kinds_text(self) -> str:
        return "、".join(self.kinds)

    @property
    def remaining(self) -> int:
        return max(0, self.assigned - self.visited)

    @property
    def past_due(self) -> int:
        """Short of what the periods ended required: the oversight pages' 逾期未完成 for this cadre."""
        return max(0, (self.due_today or 0) - self.visited)


THIS_PERIOD = {"week": gettext_noop("本周"), "two_weeks": gettext_noop("本两周"), "month": gettext_noop("本月"),
               "quarter": gettext_noop("本季度")}


def pace_for(campaign: Campaign, cadre: Cadre, today: dt.date) -> Pace:
    """The cadre's 我的走访 pace; what is due comes from the one definition in oversight.pace.pace_due."""
    from zoufang.oversight.pace import (
        checkpoint_words,
        describe,
        due_basis,
        given_later,
        kinds_text,
        later_than_plan,
        next_checkpoint,
        pace_due,
        pace_rule,
        period_minimum,
    )

    rule = pace_rule(campaign)
    kinds = list(rule.kinds)
    mine_given = Assignment.objects.filter(campaign=campaign, cadre=cadre, target__kind__in=kinds)
    assigned_kinds = dict(mine_given.values_list("target_id", "target__kind"))
    later: dict[dt.date, dict[str, int]] = {}  # the cadre's work given after the plan day, due from its own day (decision 0042)
    if given_later(campaign):
        for kind, day, n in mine_given.filter(later_than_plan(campaign)).values_list(
                "target__kind", "given_on").annotate(n=Count("id")).order_by():
            later.setdefault(day, {})[kind] = n
    visits = Visit.objects.filter(campaign=campaign, cadre=cadre, target_id__in=assigned_kinds)
    visited = visits.values("target_id").distinct().count()
    by_kind: dict[str, int] = {}
    for kind in assigned_kinds.values():
        by_kind[kind] = by_kind.get(kind, 0) + 1
    complete_by = rule.complete_by
    pace = Pace(assigned=len(assigned_kinds), visited=visited, complete_by=complete_by, rule_text=describe(rule),
                basis=due_basis(rule), complete_by_said=any(part.complete_by == complete_by for part in rule.parts))
    if not rule.counts_all_kinds:
        pace.kinds = [str(label) for kind, label in Target.Kind.choices if kind in kinds]
    if pace.assigned:
        for part in rule.parts:
            if part.share is None or not any(by_kind.get(kind) for kind in part.kinds) or today < part.starts_on \
                    or (part.complete_by and today > part.complete_by):
                continue
            first, last = period_start(part.every, part.starts_on, today), period_end(part.every, part.starts_on, today)
            # What the period adds to the due (`pace_due`, each piece of work from its own day): ⌈share × assigned⌉
            # on the plan's work alone, the rest of the due in the period holding complete_by.
            minimum = period_minimum(part, by_kind, first, last, later)
            if not minimum:
                continue
            done = visits.filter(target__kind__in=part.kinds, visited_at__date__gte=first, visited_at__date__lte=last) \
                .values("target_id").distinct().count()
            pace.periods.append(PeriodLine(kinds_text(part.kinds) if rule.by_kind else "", _(THIS_PERIOD[part.every]),
                                           minimum, done))
        if today >= rule.starts_on and (any(p.share is not None or p.milestones for p in rule.parts)
                                        or complete_by is not None):
            pace.next_on = next_checkpoint(rule, today)
            pace.next_text = _("到%(day)s") % {"day": checkpoint_words(pace.next_on, today)}
            pace.expected_by_next = pace_due(rule, by_kind, pace.next_on, later)
            pace.due_today = pace_due(rule, by_kind, today, later)
    if pace.expected_by_next is not None:
        pace.behind = max(0, pace.expected_by_next - pace.visited)
    if complete_by and today > complete_by:
        pace.complete_by_passed = True
        if pace.remaining:
            pace.notes.append(_("已过 %(date)s 的完成期限，尚有 %(n)s 个未走访") % {
                "date": clock.day(complete_by), "n": pace.remaining})
    return pace

