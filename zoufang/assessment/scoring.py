"""Scores from the oversight figures: each indicator's value per cadre, unit and village, the weighted total,
the ranking (docs/assessment.md gives every formula). Plain functions over `zoufang.oversight.figures`."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from zoufang.assessment.indicators import DEDUCTION, MONTHS, PART_LABELS, Indicator, provider
from zoufang.campaigns.models import Campaign
from zoufang.oversight import figures
from zoufang.oversight.figures import CaseRow, CoverageRow
from zoufang.oversight.pace import checkpoints, given_by, given_later, pace_rule
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit

LEVELS = ("unit", "cadre", "village")
CENT = Decimal("0.01")
# Case indicators: (numerator, denominator) attributes of figures.CaseRow and the rate property read.
CASE_PARTS = {
    "registration_timeliness": ("registered_on_time", "registered", "registration_rate"),
    "handled_on_time": ("done_on_time", "due_or_done", "on_time_rate"),
    "resolution": ("resolved", "dispatched", "resolution_rate"),
    "response": ("answered", "dispatched", "response_rate"),
    "satisfaction": ("satisfied", "rated", "satisfaction_rate"),
}


@dataclass
class Cell:
    """One indicator for one subject: its score out of 100 (None: nothing to measure, or data not connected)."""

    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    absent: bool = False  # 数据未接入
    # A rate over two sources (PART_LABELS): each one's [numerator, denominator], None for a part not connected.
    parts: list[list[int] | None] | None = None

    def as_json(self) -> dict[str, Any]:
        shown = {"value": self.value, "numerator": self.numerator, "denominator": self.denominator,
                 "absent": self.absent}
        return shown if self.parts is None else {**shown, "parts": self.parts}


@dataclass
class Subject:
    level: str
    key: Any  # a Unit, Cadre or Region
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)
    base_total: Decimal | None = None


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    as_of: dt.date  # the day the figures are read at: the period's end, or today when that is still to come


def rounded(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(cells: Mapping[str, Cell], indicators: Iterable[Indicator]) -> Decimal | None:
    """Σ weight × score ÷ Σ weight over the indicators with a value: a missing one's weight goes to the others."""
    weighed = [(Decimal(i.weight), Decimal(str(cells[i.key].value))) for i in indicators
               if i.weight and cells[i.key].value is not None]
    weights = sum((w for w, _v in weighed), Decimal(0))
    if not weights:
        return None
    return rounded(sum((w * v for w, v in weighed), Decimal(0)) / weights)


def ranks(totals: list[Decimal | None]) -> list[int | None]:
    """Competition ranking, highest first (1, 2, 2, 4); no total, no rank."""
    ordered = sorted((t for t in totals if t is not None), reverse=True)
    return [ordered.index(t) + 1 if t is not None else None for t in totals]


def pace_months(campaign: Campaign, period: Period) -> list[dt.date]:
    """The days the pace rule asks for something (seed 000: the months' ends) that came inside the period (by
    `as_of`): the periods' ends, the milestones, as the campaign's rule states them (`pace.checkpoints`)."""
    return checkpoints(pace_rule(campaign), period.starts_on, period.as_of)


def _key_id(row: Any) -> Any:
    return getattr(row.key, "pk", None)


def _sort(level: str, key: Any) -> tuple[Any, ...]:
    if level == "unit":
        return (key.sort_order, key.name)
    if level == "cadre":
        return (key.unit.sort_order, key.unit.name, key.sort_order, key.name)
    return (key.path,)


def _label(level: str, key: Any) -> str:
    return f"{key.name}（{key.unit.name}）" if level == "cadre" else str(key.name)


def score_level(campaign: Campaign, level: str, period: Period, indicators: list[Indicator]) -> list[Subject]:
    """Every cadre, unit or village with assignments or cases in the period, scored on every indicator."""
    coverage = figures.coverage(campaign, level, period.as_of, until=period.as_of)
    covered: dict[Any, CoverageRow] = {_key_id(r): r for r in coverage.rows if r.key is not None}
    monthly: list[dict[Any, figures.Pace]] = []
    if any(i.scoring == MONTHS for i in indicators):
        later = given_later(campaign)
        for end in pace_months(campaign, period):
            # Each checkpoint judges the work given by then (decision 0042): a unit given its targets on 20 August is
            # not measured at May's end, nor kept there on work it did not have.
            given = figures.assignments(campaign).filter(given_by(end)) if later else None
            rows = figures.coverage(campaign, level, end, given, until=end).rows
            monthly.append({_key_id(r): r.pace for r in rows if r.key is not None and r.pace is not None})
    cases = figures.case_figures(campaign, level, period.as_of,
                                 figures.cases_raised(campaign, period.starts_on, period.ends_on))
    handled: dict[Any, CaseRow] = {_key_id(r): r for r in cases.rows if r.key is not None}
    provided: dict[str, Mapping[Any, Any] | None] = {}  # findings upheld, or a rate's second source
    for indicator in indicators:
        if indicator.scoring == DEDUCTION or indicator.key in PART_LABELS:
            found = provider(indicator.key) if indicator.available else None
            provided[indicator.key] = found(campaign, level, period.starts_on, period.ends_on) if found else None
    keys = {**{k: r.key for k, r in covered.items()}, **{k: r.key for k, r in handled.items()}}
    subjects = []
    for pk, key in sorted(keys.items(), key=lambda item: _sort(level, item[1])):
        subject = Subject(level, key, _label(level, key))
        for indicator in indicators:
            subject.cells[indicator.key] = _cell(indicator, covered.get(pk), [m.get(pk) for m in monthly],
                                                 handled.get(pk), provided.get(indicator.key), pk)
        subject.base_total = weighted_total(subject.cells, indicators)
        subjects.append(subject)
    return subjects


def _cell(indicator: Indicator, coverage: CoverageRow | None, months: list[figures.Pace | None],
          cases: CaseRow | None, upheld: Mapping[Any, Any] | None, pk: Any) -> Cell:
    key = indicator.key
    if key == "quota_completion":
        if coverage is None or not coverage.assigned:
            return Cell(None, 0, 0)
        return Cell(min(100.0, coverage.percent), coverage.visited, coverage.assigned)
    if key == "pace":
        measured = [p for p in months if p is not None and p.assigned]
        kept = sum(1 for p in measured if p.visited >= p.due_today)
        return Cell(round(100 * kept / len(measured), 1) if measured else None, kept, len(measured))
    if key in PART_LABELS:
        return _pooled(key, cases, upheld, pk)
    if key in CASE_PARTS:
        numerator, denominator, rate = CASE_PARTS[key]
        if cases is None:
            return Cell(None, 0, 0)
        return Cell(getattr(cases, rate), getattr(cases, numerator), getattr(cases, denominator))
    if upheld is None:
        return Cell(None, absent=True)
    count = int(upheld.get(pk, 0))
    return Cell(float(max(0, 100 - indicator.deduction * count)), count)


def _pooled(key: str, cases: CaseRow | None, provided: Mapping[Any, Any] | None, pk: Any) -> Cell:
    """A rate over the cases' figures and a provider's counts (满意率: the office's ratings of the cases and the
    third party's answers on the visits): one answer, one count, whichever source asked it. A provider not
    connected leaves its part out (None), never guessed; nothing asked in either: no value."""
    numerator, denominator, _rate = CASE_PARTS[key]
    own = [getattr(cases, numerator), getattr(cases, denominator)] if cases is not None else [0, 0]
    other = list(provided.get(pk, (0, 0))) if provided is not None else None
    parts = [own, other]
    satisfied = sum(part[0] for part in parts if part is not None)
    asked = sum(part[1] for part in parts if part is not None)
    return Cell(round(100 * satisfied / asked, 1) if asked else None, satisfied, asked, parts=parts)


def level_name(level: str) -> str:
    return {"unit": _("单位"), "cadre": _("走访干部"), "village": _("村（社区）")}[level]


SUBJECT_MODELS: dict[str, type] = {"unit": Unit, "cadre": Cadre, "village": Region}
