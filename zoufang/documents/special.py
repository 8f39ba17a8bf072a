"""The 专报 (decision 0074; seed 002 六2): a short report on one subject sent up to the town's leaders so they can
decide. The subject is a case category (one of the six “一” items or a sub-item), a village (社区), a unit, or cases
the office picked by number; the period is the office's, as for the other kinds.

Every figure comes from zoufang.oversight.figures, read over the subject's cases (and, for a village or a unit,
its assignments), with the names the dashboard uses. The cases' own words are quoted masked (`masked_case_text`):
a document leaves the office. Every sentence is a first draft the office edits; the tables stay as generated.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as Switch
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases.access import visible_cases
from zoufang.cases.models import Case
from zoufang.cases.presenters import village_name
from zoufang.clock import day
from zoufang.documents import content
from zoufang.documents.content import (
    Draft,
    case_sentence,
    chinese,
    numbered,
    overdue_sentence,
    percent,
    section,
    table,
)
from zoufang.oversight import figures
from zoufang.regions.models import Region
from zoufang.registry.models import Unit
from zoufang.registry.stats import campaign_units

CATEGORY, VILLAGE, UNIT, CASES = "category", "village", "unit", "cases"
KINDS = (CATEGORY, VILLAGE, UNIT, CASES)
QUOTED = 3  # the most frequent groups of problems, each quoted by one case
LISTED = 30  # the table of the cases behind the figures lists at most this many
PICKED = 50  # cases picked by number, at most
NUMBER = re.compile(r"[0-9A-Fa-f]{8}")


def leaders() -> str:
    """The 专报's 报送 line as generated (the office may edit it)."""
    return _("镇党委、政府主要领导")


class SubjectError(ValueError):
    """A subject the office can correct: the message says what to change."""


@dataclass(frozen=True)
class Subject:
    """What a 专报 is about, as stored on the draft (`Document.subject`)."""

    kind: str
    id: str  # a category's pk, a village's or a unit's public id; "" for picked cases
    label: str
    cases: tuple[str, ...] = ()  # picked cases' public ids

    def stored(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "label": self.label, "cases": list(self.cases)}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> "Subject":
        return cls(str(stored["kind"]), str(stored.get("id", "")), str(stored.get("label", "")),
                   tuple(str(case) for case in stored.get("cases", [])))


def choices(campaign: Campaign) -> list[tuple[str, list[tuple[str, str]]]]:
    """The subjects the office of the campaign's town may report on, grouped for a select: the campaign's
    categories (sub-items under their item), the villages of its town, the units working in it, picked cases."""
    categories = CaseCategory.objects.filter(campaign=campaign, disabled_on__isnull=True).order_by(
        "sort_order", "code")
    villages = Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE).order_by("path")
    units = campaign_units(campaign).order_by("sort_order", "name")
    return [
        (_("问题类别"), [(f"{CATEGORY}:{c.pk}", ("　" if c.parent_id else "") + str(c)) for c in categories]),
        (_("村（社区）"), [(f"{VILLAGE}:{v.public_id}", v.name) for v in villages]),
        (_("单位"), [(f"{UNIT}:{u.public_id}", u.name) for u in units]),
        (_("选定的问题"), [(CASES, _("按问题编号选定（在下方填写编号）"))]),
    ]


def chosen(campaign: Campaign, value: str, numbers: str = "", *, viewer: Any) -> Subject:
    """The subject a form or an API call names (`choices`' values: “village:<id>”; “cases” with the numbers),
    checked against the campaign's scope, picked cases against what `viewer` may read; SubjectError otherwise."""
    kind, _sep, ident = (value or "").partition(":")
    if kind == CASES:
        return _picked(campaign, numbers, viewer)
    found: Any = None
    try:
        if kind == CATEGORY:
            found = CaseCategory.objects.filter(campaign=campaign, pk=int(ident)).first()
        elif kind == VILLAGE:
            found = Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE,
                                          public_id=ident).first()
        elif kind == UNIT:
            found = campaign_units(campaign).filter(public_id=ident).first()
    except (ValueError, TypeError):  # an id of the wrong shape: not one of the campaign's
        found = None
    if found is None:
        raise SubjectError(_("请选择专报的主题：本活动的问题类别、本镇的村（社区）、单位，或按编号选定的问题。"))
    label = found.label if kind == CATEGORY else found.name
    return Subject(kind, str(found.pk if kind == CATEGORY else found.public_id), label)


def _picked(campaign: Campaign, numbers: str, viewer: Any) -> Subject:
    """The campaign's cases by number, among those `viewer` may read (decision 0079): a role writing 专报 over a
    narrower area than the campaign's names no one else's case; a number it may not read is refused as unknown."""
    wanted = list(dict.fromkeys(number.upper() for number in NUMBER.findall(numbers or "")))
    if not wanted:
        raise SubjectError(_("请填写选定问题的编号（8位，如 3F2A9C1B），多个编号用空格或逗号隔开。"))
    if len(wanted) > PICKED:
        raise SubjectError(_("一份专报最多选定%(n)s件问题。") % {"n": PICKED})
    match = Q()
    for number in wanted:
        match |= Q(public_id__istartswith=number.lower())
    readable = visible_cases(viewer).values("pk")
    found = {case.number: case for case in figures.case_rows(campaign).filter(match).filter(pk__in=readable)}
    missing = [number for number in wanted if number not in found]
    if missing:
        raise SubjectError(_("本活动中没有这些编号的问题：%(numbers)s。") % {"numbers": "、".join(missing)})
    picked = [found[number] for number in wanted]
    return Subject(CASES, "", _("选定的%(n)s件问题") % {"n": len(picked)},
                   tuple(str(case.public_id) for case in picked))


def narrowed(cases: QuerySet[Case], subject: Subject) -> QuerySet[Case]:
    """The subject's cases among `cases`."""
    if subject.kind == CATEGORY:
        return cases.filter(Q(category_id=int(subject.id)) | Q(category__parent_id=int(subject.id)))
    if subject.kind == VILLAGE:
        village = Region.objects.get(public_id=subject.id)
        return cases.filter(region__path__startswith=village.path)
    if subject.kind == UNIT:
        return cases.filter(unit__public_id=subject.id)
    return cases.filter(public_id__in=subject.cases)


def _assignments(campaign: Campaign, subject: Subject) -> Any:
    """A village's or a unit's assignments (None for the other subjects, which hold no targets)."""
    if subject.kind == VILLAGE:
        return figures.assignments(campaign, region=Region.objects.get(public_id=subject.id))
    if subject.kind == UNIT:
        return figures.assignments(campaign, unit=Unit.objects.get(public_id=subject.id))
    return None


def title_of(subject: Subject) -> str:
    if subject.kind == CATEGORY:
        return _("关于群众反映“%(label)s”类问题情况的专报") % {"label": subject.label}
    if subject.kind == VILLAGE:
        return _("关于%(label)s走访和问题办理情况的专报") % {"label": subject.label}
    if subject.kind == UNIT:
        return _("关于%(label)s问题办理情况的专报") % {"label": subject.label}
    return _("关于%(n)s件群众反映问题办理情况的专报") % {"n": len(subject.cases)}


# ---------------------------------------------------------------------------------------------- the sections


def _basic(campaign: Campaign, subject: Subject, cases: figures.CaseFigures, start: dt.date, end: dt.date,
           on: dt.date, today: dt.date) -> str:
    """基本情况: for a village or a unit its targets visited and the visits of the period, then the cases."""
    period = _("%(start)s至%(end)s") % {"start": day(start), "end": day(end)}
    text = ""
    rows = _assignments(campaign, subject)
    if rows is not None:
        total = figures.coverage(campaign, "kind", on, rows, until=on if on < today else None).total
        made = figures.visits_of(campaign, rows).filter(
            visited_at__gte=figures.day_end(start - dt.timedelta(days=1)), visited_at__lt=figures.day_end(end)).count()
        text = _("截至%(day)s，%(label)s应走访对象%(assigned)s个，已走访%(visited)s个，完成%(percent)s；"
                 "%(period)s走访%(made)s次。") % {
            "day": day(on), "label": subject.label, "assigned": total.assigned, "visited": total.visited,
            "percent": percent(total.percent if total.assigned else None), "period": period, "made": made}
    if subject.kind == CATEGORY:
        opening = _("%(period)s，“%(label)s”类") % {"period": period, "label": subject.label}
    elif subject.kind == CASES:
        opening = _("本专报选定的问题中，")
    else:  # after the visits' sentence, which named the period
        opening = (_("同期，%(label)s") if text else _("%(period)s，%(label)s")) % {"period": period,
                                                                               "label": subject.label}
    return text + case_sentence(cases, opening, today if on < today else None)


def _grouping(subject: Subject) -> tuple[str, str]:
    """How the subject's cases are grouped: by village for a category, by category (六个一) otherwise."""
    return ("village", _("村（社区）")) if subject.kind == CATEGORY else ("category", _("问题类别"))


def _group_cases(cases: QuerySet[Case], by: str, key: Any) -> QuerySet[Case]:
    if by == "village":
        return cases.filter(region__path__startswith=key.path)
    return cases.filter(Q(category_id=key.pk) | Q(category__parent_id=key.pk))


def _problems(subject: Subject, raised: QuerySet[Case], grouped: figures.CaseFigures) -> tuple[str, list[Any]]:
    """群众反映的主要问题: the groups most cases first, the most frequent few quoted (masked), and their table."""
    by, what = _grouping(subject)
    rows = sorted((row for row in grouped.rows if row.total), key=lambda row: -row.total)
    if not rows:
        return _("本期未收集到问题。"), []
    named = "、".join(_("%(name)s%(n)s件") % {"name": _named(row), "n": row.total} for row in rows[:QUOTED])
    lines = [_("按%(what)s分，反映较多的是：%(named)s。") % {"what": what, "named": named}]
    for n, row in enumerate((row for row in rows if row.key is not None), start=1):
        if n > QUOTED:
            break
        case = _group_cases(raised, by, row.key).select_related("region__parent__parent", "target") \
            .order_by("-raised_at", "-id").first()
        if case is not None:  # where the group or the subject is not already a village, the case's village named
            where = village_name(case) if by == "category" and subject.kind in (UNIT, CASES) else ""
            lines.append(_("（%(n)s）%(group)s：如%(village)s群众反映“%(what)s”（%(day)s收集）。") % {
                "n": chinese(n), "group": _named(row), "village": where,
                "what": content.masked_case_text(case, case.description, 60), "day": day(localdate(case.raised_at))})
    header = [what, _("收集"), _("已交办"), _("已办结"), _("解决"), _("超期")]
    body = [[row.label, row.total, row.dispatched, row.answered, row.resolved, row.overdue] for row in rows]
    total = grouped.total
    body.append([total.label, total.total, total.dispatched, total.answered, total.resolved, total.overdue])
    return "\n".join(lines), [table(_("按%(what)s分的问题") % {"what": what}, header, body)]


def _named(row: figures.CaseRow) -> str:
    """A group as the text names it: a category by its words (the table keeps its code), a village by its name."""
    return row.key.label if isinstance(row.key, CaseCategory) else row.label


def _handling(units: figures.CaseFigures, handled_on: dt.date) -> str:
    """办理情况: what was answered and resolved, what is overdue and with which units (named)."""
    total = units.total
    text = _("截至%(day)s，已交办的%(dispatched)s件问题中，已办结%(answered)s件（其中解决%(resolved)s件，"
             "解释说明%(explained)s件），正在办理%(open)s件。") % {
        "day": day(handled_on), "dispatched": total.dispatched, "answered": total.answered,
        "resolved": total.resolved, "explained": total.answered - total.resolved,
        "open": max(0, total.dispatched - total.answered)}
    if total.escalated:
        text += _("其中已上报提请协调%(n)s件。") % {"n": total.escalated}
    overdue = overdue_sentence(units)
    return text + ("\n" + overdue if overdue else "\n" + _("目前没有超过办理期限尚未办结的问题。"))


def _suggestions(subject: Subject, units: figures.CaseFigures) -> str:
    """意见建议: which units to press, what the leaders are asked to decide; a starting text the office edits."""
    total = units.total
    asks = []
    late = sorted((row for row in units.rows if row.overdue and row.key is not None), key=lambda row: -row.overdue)
    if late:
        asks.append(_("建议督促%(names)s在5个工作日内办结超期问题并答复反映人，逾期仍未办结的在季度通报中点名。") % {
            "names": "、".join(row.label for row in late)})
    if total.escalated:
        asks.append(_("对已上报的%(n)s件问题，建议提请镇党委、政府主要领导研究，明确牵头单位、配合单位和办理时限。") % {
            "n": total.escalated})
    if total.answered > total.resolved:
        asks.append(_("对仅作解释说明、尚未解决的%(n)s件问题，建议承办单位再次研判，能解决的限期解决，"
                      "暂不能解决的纳入相关工作计划。") % {"n": total.answered - total.resolved})
    asks.append(_closing_ask(subject))
    lines = [_("（%(n)s）%(ask)s") % {"n": chinese(n), "ask": ask} for n, ask in enumerate(asks, start=1)]
    lines.append(_("以上专报，请阅示。"))
    return "\n".join(lines)


def _closing_ask(subject: Subject) -> str:
    if subject.kind == CATEGORY:
        return _("建议将“%(label)s”类问题作为下阶段走访调研的重点，举一反三，从机制上加以解决。") % {
            "label": subject.label}
    if subject.kind == VILLAGE:
        return _("建议将%(label)s群众反映集中的问题作为下阶段走访调研的重点，挂钩领导跟踪督办。") % {
            "label": subject.label}
    if subject.kind == UNIT:
        return _("建议%(label)s对照问题清单逐件办理、逐件销号，举一反三，从机制上加以解决。") % {
            "label": subject.label}
    return _("建议对上述问题逐件跟踪、逐件销号，办理结果报镇党委、政府主要领导。")


def _case_list(raised: QuerySet[Case], today: dt.date) -> list[dict[str, Any]]:
    """The cases behind the figures (overdue first, then newest), at most LISTED, the caption saying how many."""
    count = raised.count()
    if not count:
        return []
    listed = figures.with_answer_day(raised).annotate(late=Switch(
        When(figures.overdue_condition(today), then=Value(0)), default=Value(1), output_field=IntegerField())) \
        .select_related("region__parent__parent", "unit").order_by("late", "-raised_at", "id")[:LISTED]
    rows = []
    for case in listed:
        answered = getattr(case, "answered_on", None)  # with_answer_day's
        until = answered if answered is not None else today
        rows.append([case.number, village_name(case) or _("未填村"), case.unit.name if case.unit else _("未交办"),
                     _("超期未办结") if case.late == 0 else case.get_status_display(),
                     max(0, (until - localdate(case.raised_at)).days)])
    caption = (_("问题清单（共%(count)s件，列出%(shown)s件：超期的在前，再按收集时间由近及远）")
               if len(rows) < count else _("问题清单（共%(count)s件）")) % {"count": count, "shown": len(rows)}
    return [table(caption, [_("问题编号"), _("村（社区）"), _("承办单位"), _("状态"), _("历时（天）")], rows)]


def special_report(campaign: Campaign, start: dt.date, end: dt.date, today: dt.date, subject: Subject) -> Draft:
    """专报: 基本情况, 群众反映的主要问题, 办理情况, 意见建议 (with the cases behind the figures). Cases collected
    in the period (picked cases: all of them); their handling as it stands today (the text says both days when they
    differ)."""
    on = content.as_of(end, today)
    # Picked cases are the office's own choice, whenever they were collected; the others', those of the period.
    collected = figures.case_rows(campaign) if subject.kind == CASES else figures.cases_raised_between(
        campaign, start, end)
    raised = narrowed(collected, subject)
    by, _what = _grouping(subject)
    grouped = figures.case_figures(campaign, by, today, raised)
    units = figures.case_figures(campaign, "unit", today, raised)
    problems, blocks = _problems(subject, raised, grouped)
    sections = [
        section("basic", _("基本情况"), _basic(campaign, subject, grouped, start, end, on, today)),
        section("problems", _("群众反映的主要问题"), problems, blocks),
        section("handling", _("办理情况"), _handling(units, today)),
        section("suggestions", _("意见建议"), _suggestions(subject, units), _case_list(raised, today)),
    ]
    return Draft(title_of(subject), leaders(), numbered(sections))
