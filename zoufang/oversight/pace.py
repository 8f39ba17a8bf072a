"""The campaign's pace rule and what it wants visited by a day: one definition for every form (docs/oversight.md).

A rule (the campaign's `pace:` block, docs/campaign-format.md) asks, for the target kinds it names, a share of
their assigned total per period (seed 000: 每月不少于1/5; a week, two weeks, a quarter), cumulative milestones
(4月底前完成30%，6月底前完成70%), everything by `complete_by`, or, with neither share nor milestone, an even spread
over the months up to it. A campaign may state one rule per group of kinds (`pace.rules`): what is due is the sum
over them. `pace_due` computes it in Python, `due_sql` the same in the database's integers (the behind-pace lists
order thousands of rows by it); tests hold the two equal on SQLite and PostgreSQL.

The rule counts from the day the campaign's plan was given (`Campaign.plan_given_on`) when that is later than its own
start (decision 0041): a town whose lists go out on 16 June owes nothing for May, and a milestone passed before then
asks nothing of work given after it. Work given after the plan day (a re-plan, a cadre who joins in August, a hand
reassignment: `Assignment.given_on`) counts from its own day in the same way (decision 0042): `pace_due`'s `later`.
"""

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from django.db.models import ExpressionWrapper, IntegerField, Value
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.periods import PACE_PERIODS, month_end, period_end, periods_ended
from zoufang.campaigns.values import parse_date, parse_share, period_share, share_text
from zoufang.registry.models import Target

__all__ = ["Later", "Milestone", "PaceRule", "checked_when", "checkpoint_label", "checkpoint_words", "checkpoints", "counted_from",
           "describe", "due_basis", "due_sql", "given_by", "given_later", "kinds_text", "later_classes", "later_than_plan", "month_end",
           "next_checkpoint", "pace_due", "pace_rule", "period_minimum"]

# The part of an assigned total given after the campaign's plan day: day given → assigned count per kind.
Later = Mapping[dt.date, Mapping[str, int]]


@dataclass(frozen=True)
class Milestone:
    """By the end of `by`, at least `share` of the assigned total visited, counted from the rule's start."""

    by: dt.date
    share: Fraction
    written: str = ""  # the share as the campaign wrote it: 30%, 7/10

    @property
    def share_text(self) -> str:
        return self.written or f"{self.share.numerator}/{self.share.denominator}"


@dataclass(frozen=True)
class PaceRule:
    """One pace rule, for `kinds`; or, with `by_kind`, the campaign's rules per kind, whose dues add up."""

    starts_on: dt.date
    complete_by: dt.date | None
    share: Fraction | None  # per period; exact: ⌈share × assigned⌉ must not round 7/12 × 108 up to 64
    kinds: tuple[str, ...]
    note: str = ""
    every: str = "month"  # the period of `share`: week, two_weeks, month, quarter
    milestones: tuple[Milestone, ...] = ()
    by_kind: tuple["PaceRule", ...] = ()
    written: str = ""  # `share` as the campaign wrote it
    given_on: dt.date | None = None  # the plan's day, when the rule counts from it rather than from its own start

    @property
    def parts(self) -> tuple["PaceRule", ...]:
        """The rules whose dues add up: those per kind, or this one."""
        return self.by_kind or (self,)

    @property
    def share_text(self) -> str:
        """The share per period as the campaign wrote it: 1/5."""
        if self.share is None:
            return ""
        return self.written or f"{self.share.numerator}/{self.share.denominator}"

    @property
    def counts_all_kinds(self) -> bool:
        return set(self.kinds) == set(Target.Kind.values)

    @property
    def monthly(self) -> bool:
        """Every part counts in months: a share a month, or the even spread over the months."""
        return all(p.every == "month" and not p.milestones for p in self.parts)


def pace_rule(campaign: Campaign) -> PaceRule:
    """The campaign's rule as written, counted from the day its plan was given when that came later."""
    return counted_from(_written_rule(campaign), campaign.plan_given_on)


def given_later(campaign: Campaign) -> bool:
    """Whether any of the campaign's work was given after its plan day (`Campaign.given_later_on`, kept by the
    assignments' writers): only then do the figures read the days work was given (`later_than_plan`)."""
    later, plan = campaign.given_later_on, campaign.plan_given_on
    return later is not None and (plan is None or later > plan)


def later_than_plan(campaign: Campaign) -> Any:
    """The condition on assignments given after the campaign's plan day (a range of `assignment_campaign_given`);
    work given on or before it, or undated, counts with the plan."""
    from django.db.models import Q

    if campaign.plan_given_on is None:
        return Q(given_on__isnull=False)
    return Q(given_on__gt=campaign.plan_given_on)


def given_by(day: dt.date) -> Any:
    """The condition on assignments given by the end of `day` (undated ones count with the plan): the work a past
    checkpoint judges (the assessment's 进度达标)."""
    from django.db.models import Q

    return Q(given_on__isnull=True) | Q(given_on__lte=day)


def counted_from(rule: PaceRule, given_on: dt.date | None) -> PaceRule:
    """The rule for work given on `given_on`: each part starts then if it started earlier (the period holding that
    day is its first, as a rule's own first part-period is), its milestones passed before then ask nothing, and
    one whose milestones have all passed wants everything by `complete_by`."""
    if given_on is None or all(given_on <= part.starts_on for part in rule.parts):
        return rule

    def moved(part: PaceRule) -> PaceRule:
        if given_on <= part.starts_on:
            return part
        ahead = tuple(m for m in part.milestones if m.by >= given_on)
        if part.milestones and not ahead and part.complete_by is not None:
            ahead = (Milestone(part.complete_by, Fraction(1), "100%"),)
        return replace(part, starts_on=given_on, milestones=ahead, given_on=given_on)

    if not rule.by_kind:
        return moved(rule)
    parts = tuple(moved(part) for part in rule.by_kind)
    return replace(rule, starts_on=min(part.starts_on for part in parts), by_kind=parts, given_on=given_on)


def _written_rule(campaign: Campaign) -> PaceRule:
    block = campaign.config.get("pace") or {}
    starts = parse_date(block.get("starts_on")) or campaign.starts_on
    complete_by = parse_date(block.get("complete_by"))
    note = str(block.get("note") or "")
    if not block.get("rules"):
        return _read_rule(block, starts, complete_by, note)
    parts = tuple(_read_rule(item, starts, complete_by, str(item.get("note") or "")) for item in block["rules"])
    kinds = tuple(kind for kind in Target.Kind.values if any(kind in part.kinds for part in parts))
    return PaceRule(starts_on=min(part.starts_on for part in parts), complete_by=complete_by, share=None,
                    kinds=kinds, note=note, by_kind=parts)


def _read_rule(block: Mapping[str, Any], starts: dt.date, complete_by: dt.date | None, note: str) -> PaceRule:
    every, written = period_share(block)
    milestones = sorted(
        (Milestone(by, share, share_text(item["share"])) for item in block.get("milestones") or ()
         if (by := parse_date(item.get("by"))) is not None and (share := parse_share(item.get("share"))) is not None),
        key=lambda milestone: milestone.by)
    return PaceRule(
        starts_on=parse_date(block.get("starts_on")) or starts,
        complete_by=parse_date(block.get("complete_by")) or complete_by,
        share=parse_share(written) if written not in (None, "") else None,
        kinds=tuple(block.get("target_kinds") or Target.Kind.values),
        note=note, every=every, milestones=tuple(milestones),
        written=share_text(written) if written not in (None, "") else "",
    )


# ---------------------------------------------------------------------------------------------- due by a day


def period_minimum(rule: PaceRule, assigned: Mapping[str, int], first: dt.date, last: dt.date,
                   later: Later | None = None) -> int:
    """What the rule asks visited within the period `first` … `last` (我的走访's 本月应至少走访 N 个): what is due by its
    end less what was due before it, both by `pace_due` (one definition: each piece of work from the day it was given,
    `later`, decision 0042). Seed 000's ⌈share × assigned⌉ while the share alone counts; in the period holding
    `complete_by`, the rest of what is due by then (work given on 20 August is due whole by 30 September)."""
    before = pace_due(rule, assigned, first - dt.timedelta(days=1), later)
    return max(0, pace_due(rule, assigned, last, later) - before)


def _ceil(assigned: int, share: Fraction) -> int:
    return (assigned * share.numerator + share.denominator - 1) // share.denominator


def _reached(rule: PaceRule, day: dt.date) -> Milestone | None:
    """The milestone with the largest share among those due by `day` (they only go up: the latest one)."""
    reached = [m for m in rule.milestones if m.by <= day]
    return max(reached, key=lambda m: m.share) if reached else None


def _even_months(rule: PaceRule, day: dt.date) -> tuple[int, int]:
    """The even spread's months ended by `day`, and its months up to `complete_by`."""
    assert rule.complete_by is not None  # noqa: S101 — only asked with one
    return (periods_ended("month", rule.starts_on, day),
            max(1, periods_ended("month", rule.starts_on, month_end(rule.complete_by))))


def pace_due(rule: PaceRule, assigned: int | Mapping[str, int], day: dt.date, later: Later | None = None) -> int:
    """How many of the assigned targets the rule wants visited by the end of `day`.

    `later` is the part of `assigned` given after the plan day, per day given and kind: each day's work is due under
    the rule counted from that day (`counted_from`, as the plan's own day is), the rest under `rule`, and the dues
    add up (decision 0042). Work given on days the rule counts alike by `day` (`later_classes`: one period, the same
    milestones ahead) is pooled before rounding up, as `due_sql` sums it. Work given after `day` asks nothing by
    then.

    `assigned` is the count of the rule's kinds, or the counts per kind (needed when the campaign has rules per
    kind: the due is their sum). One rule wants: with a share per period, ⌈share × assigned⌉ for every period
    ended by `day`, capped at `assigned`; with milestones, ⌈share × assigned⌉ of the last one reached (the larger
    of the two when it has both); with neither, an even spread over the months up to `complete_by`; the whole
    total once `complete_by` has come. Nothing before its start, nor ever without a share, milestone or date.
    """
    if later:
        if not isinstance(assigned, Mapping):
            raise ValueError("work given on several days needs the assigned counts per kind")
        rest = dict(assigned)
        for counts in later.values():
            for kind, n in counts.items():
                rest[kind] = rest.get(kind, 0) - n
        due = pace_due(rule, rest, day)
        for moved, days in later_classes(rule, later, day):  # days the rule counts alike: their work pooled
            pooled: dict[str, int] = {}
            for given in days:
                for kind, n in later[given].items():
                    pooled[kind] = pooled.get(kind, 0) + n
            due += pace_due(moved, pooled, day)
        return due
    if isinstance(assigned, Mapping):
        return sum(_due(part, sum(assigned.get(kind, 0) for kind in part.kinds), day) for part in rule.parts)
    if rule.by_kind:
        raise ValueError("a campaign with rules per kind needs the assigned counts per kind")
    return _due(rule, assigned, day)


def _due(rule: PaceRule, assigned: int, day: dt.date) -> int:
    if not assigned or day < rule.starts_on:
        return 0
    if rule.complete_by is not None and day >= rule.complete_by:
        return assigned
    due: int | None = None
    if rule.share is not None:
        due = min(assigned, _ceil(assigned, rule.share) * periods_ended(rule.every, rule.starts_on, day))
    milestone = _reached(rule, day)
    if milestone is not None:
        due = max(due or 0, _ceil(assigned, milestone.share))
    if due is not None or rule.milestones or rule.complete_by is None:
        return due or 0
    months, total = _even_months(rule, day)
    return min(assigned, -(-assigned * months // total))  # ⌈assigned × months ÷ total⌉ in integers


def _due_shape(rule: PaceRule, day: dt.date) -> tuple[Any, ...]:
    """What `_due(rule, assigned, day)` depends on besides `assigned`: two rules of one shape want the same of any
    count by `day`."""
    if day < rule.starts_on:
        return ("none",)
    if rule.complete_by is not None and day >= rule.complete_by:
        return ("all",)
    even = rule.share is None and not rule.milestones and rule.complete_by is not None
    return (periods_ended(rule.every, rule.starts_on, day) if rule.share is not None else None,
            _reached(rule, day), bool(rule.milestones), _even_months(rule, day) if even else None)


def later_classes(rule: PaceRule, days: Iterable[dt.date], day: dt.date) -> list[tuple[PaceRule, list[dt.date]]]:
    """The days work was given after the plan day (`days`), grouped by what the rule counted from each wants by
    `day` (`counted_from`): each group's rule (its first day's) and its days, in order. Work given on any day of a
    group is due as if given on one: `due_sql` sums a group's count once, and a city's hand reassignments on
    hundreds of days make as many groups as the rule has periods. Days after `day`, whose work asks nothing yet,
    are left out."""
    groups: dict[tuple[Any, ...], tuple[PaceRule, list[dt.date]]] = {}
    for given in sorted(set(days)):
        moved = counted_from(rule, given)
        shape = tuple(_due_shape(part, day) for part in moved.parts)
        if all(part == ("none",) for part in shape):
            continue
        groups.setdefault(shape, (moved, []))[1].append(given)
    return list(groups.values())


def due_sql(rule: PaceRule, day: dt.date, assigned: Callable[[tuple[str, ...]], Any]) -> Any:
    """`pace_due(rule, counts, day)` as a database expression: `assigned(kinds)` is the expression of the assigned
    count of those kinds (a column, or a filtered sum); the rules per kind add up."""
    return functools.reduce(operator.add, [_due_sql(part, day, assigned(part.kinds)) for part in rule.parts])


def _due_sql(rule: PaceRule, day: dt.date, assigned: Any) -> Any:
    if day < rule.starts_on:
        return Value(0)
    if rule.complete_by is not None and day >= rule.complete_by:
        return assigned
    terms = []
    if rule.share is not None:  # ⌈a × p ÷ q⌉ = (a × p + q − 1) div q: integers, exact as `pace_due` is
        periods = periods_ended(rule.every, rule.starts_on, day)
        terms.append(Least(assigned, _ceil_div(assigned * Value(rule.share.numerator), rule.share.denominator)
                           * Value(periods)))
    milestone = _reached(rule, day)
    if milestone is not None:
        terms.append(_ceil_div(assigned * Value(milestone.share.numerator), milestone.share.denominator))
    if terms:
        return terms[0] if len(terms) == 1 else Greatest(*terms)
    if rule.milestones or rule.complete_by is None:
        return Value(0)
    months, total = _even_months(rule, day)
    return Least(assigned, _ceil_div(assigned * Value(months), total))


def _ceil_div(numerator: Any, denominator: int) -> Any:
    """⌈numerator ÷ denominator⌉ of a non-negative integer expression, in integer arithmetic (exact; on PostgreSQL
    no numeric or float per row)."""
    return ExpressionWrapper((numerator + Value(denominator - 1)) / Value(denominator), output_field=IntegerField())


# ---------------------------------------------------------------------------------------------- when it asks


def next_checkpoint(rule: PaceRule, today: dt.date) -> dt.date:
    """The first day from `today` on by which the rule asks for more: the end of the current period, the next
    milestone, the completion date (the month's end for an even spread), the earliest over the rules per kind.
    The month's end once every rule is complete (everything is due then, as on any later day)."""
    days = []
    for part in rule.parts:
        if part.complete_by is not None and today >= part.complete_by:
            continue
        if part.share is not None:
            days.append(period_end(part.every, part.starts_on, today))
        days += [m.by for m in part.milestones if m.by >= today]
        if part.share is None and not part.milestones:
            days.append(month_end(today))
        if part.complete_by is not None:
            days.append(part.complete_by)
    return min(days, default=month_end(today))


def checkpoints(rule: PaceRule, starts_on: dt.date, until: dt.date) -> list[dt.date]:
    """The days inside `starts_on` … `until` by which the rule asks for something (the assessment's 进度达标
    counts them): each period's last day up to the period holding `complete_by` (seed 000: May … September's
    month ends), each milestone and `complete_by` of a rule with milestones, over every rule per kind."""
    days: set[dt.date] = set()
    for part in rule.parts:
        if part.share is not None or not part.milestones:
            every = part.every if part.share is not None else "month"
            last = min(until, period_end(every, part.starts_on, part.complete_by) if part.complete_by else until)
            day = period_end(every, part.starts_on, max(part.starts_on, starts_on))
            while day <= last:
                days.add(day)
                day = period_end(every, part.starts_on, day + dt.timedelta(days=1))
        if part.milestones:
            ends = [m.by for m in part.milestones] + ([part.complete_by] if part.complete_by else [])
            days.update(day for day in ends if starts_on <= day <= until and day >= part.starts_on)
    return sorted(days)


# ---------------------------------------------------------------------------------------------- in words


def kinds_text(kinds: tuple[str, ...]) -> str:
    """The kinds' names in the registry's order: 户籍户、非户籍常住户."""
    return "、".join(str(label) for kind, label in Target.Kind.choices if kind in kinds)


def _rule_text(rule: PaceRule) -> str:
    said = []
    if rule.share is not None:
        share = {"start": clock.day(rule.starts_on), "every": _(PACE_PERIODS[rule.every]), "share": rule.share_text}
        if rule.given_on == rule.starts_on:  # moved to the day the plan was given: describe() says that day once
            said.append(_("%(every)s走访不少于分配总数的 %(share)s（向上取整）") % share)
        else:
            said.append(_("自 %(start)s 起%(every)s走访不少于分配总数的 %(share)s（向上取整）") % share)
    if rule.milestones:
        first, *rest = rule.milestones
        steps = [_("%(by)s前累计走访不少于分配总数的 %(share)s") % {"by": clock.day(first.by), "share": first.share_text}]
        steps += [_("%(by)s前不少于 %(share)s") % {"by": clock.day(m.by), "share": m.share_text} for m in rest]
        said.append(_("%(steps)s（向上取整）") % {"steps": "，".join(steps)})
    if rule.complete_by is not None:
        if said:
            said.append(_("%(end)s前全部完成") % {"end": clock.day(rule.complete_by)})
        else:
            said.append(_("%(end)s前全部完成，按月平均计算应完成数") % {"end": clock.day(rule.complete_by)})
    return "，".join(said)


def describe(rule: PaceRule) -> str:
    """The rule as the campaign wrote it, in a sentence (the dashboards' 进度要求; '' without one), and from when it
    counts when the plan was given after the rule's start."""
    if not rule.by_kind:
        text = _rule_text(rule)
        said = _("进度要求：%(rule)s。") % {"rule": text} if text else ""
    else:
        said = _("进度要求：%(rules)s。") % {"rules": "；".join(
            _("%(kinds)s：%(rule)s") % {"kinds": kinds_text(part.kinds), "rule": _rule_text(part) or _("不计进度")}
            for part in rule.parts)}
    if said and rule.given_on is not None:
        said += _("进度自走访分配下达之日（%(day)s）起计算，此前的要求不计。") % {"day": clock.day(rule.given_on)}
    return said


_ENDED = {"week": gettext_noop("已结束的周"), "two_weeks": gettext_noop("已结束的两周"),
          "month": gettext_noop("已结束的月份"), "quarter": gettext_noop("已结束的季度")}


def _forms(rule: PaceRule) -> list[str]:
    """The periods the rules count in (the even spread counts months) and "milestones", each once, in order."""
    forms = []
    for part in rule.parts:
        if part.share is not None or not part.milestones:
            forms.append(part.every if part.share is not None else "month")
        if part.milestones:
            forms.append("milestones")
    return list(dict.fromkeys(forms))


def due_basis(rule: PaceRule) -> str:
    """What “截至今日应完成” counts: the periods ended and the milestones passed (seed 000: the months ended)."""
    return "、".join(_("已到的进度节点") if form == "milestones" else _(_ENDED[form]) for form in _forms(rule))


def checked_when(rule: PaceRule) -> str:
    """When the rule is checked, in words: 每季度, 按节点, 每两周、按节点."""
    return "、".join(_("按节点") if form == "milestones" else _(PACE_PERIODS[form]) for form in _forms(rule))


def checkpoint_words(day: dt.date, today: dt.date) -> str:
    """The next checkpoint as said from `today`: 本月底 when it is the month's end, else 6月30日."""
    if day == month_end(today):
        return _("本月底")
    return clock.month_day(day)


def checkpoint_label(day: dt.date, today: dt.date) -> str:
    """The heading of what is due by the next checkpoint `day`: 本月底应累计, 截至6月30日应累计."""
    if day == month_end(today):
        return _("本月底应累计")
    return _("截至%(day)s应累计") % {"day": checkpoint_words(day, today)}
