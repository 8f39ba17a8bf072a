"""An assessment as rows: the table of a level (序号、名称、指标得分…、加减分、总分、名次、备注) and a score's detail,
shared by the pages, the API and the xlsx."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zoufang.assessment.indicators import DEDUCTION, MONTHS, PART_LABELS, Indicator
from zoufang.assessment.models import Adjustment, Assessment, Score


def cell_text(indicator: Indicator, cell: dict[str, Any]) -> str:
    """How the figure was counted, in words: “已走访 1 / 应走访 3”, “查实 1 件 × 50 分”, “数据未接入”."""
    if cell.get("absent"):
        return _("数据未接入")
    numerator, denominator = cell.get("numerator"), cell.get("denominator")
    if indicator.scoring == DEDUCTION:
        return _("查实 %(n)s 件，每件扣 %(points)s 分") % {"n": numerator or 0, "points": indicator.deduction}
    if cell.get("parts") is not None:
        return _pooled_text(indicator, cell)
    if not denominator:
        return _("无可计算的数据")
    if indicator.scoring == MONTHS and indicator.monthly:
        return _("%(n)s / %(d)s 个月达到进度要求") % {"n": numerator, "d": denominator}
    if indicator.scoring == MONTHS:
        return _("%(n)s / %(d)s 个检查日达到进度要求") % {"n": numerator, "d": denominator}
    parts = {
        "quota_completion": _("已走访 %(n)s / 应走访 %(d)s"),
        "registration_timeliness": _("按时登记 %(n)s / 已登记 %(d)s"),
        "handled_on_time": _("按时办结 %(n)s / 已办结或已到期 %(d)s"),
        "resolution": _("已解决 %(n)s / 已交办 %(d)s"),
        "response": _("已答复 %(n)s / 已交办 %(d)s"),
        "satisfaction": _("满意和基本满意 %(n)s / 已回访评价 %(d)s"),
    }
    return parts[indicator.key] % {"n": numerator, "d": denominator}


def _pooled_text(indicator: Indicator, cell: dict[str, Any]) -> str:
    """A rate over two sources, each named with its own count: “满意和基本满意 3 / 已评价 5（问题回访 1 / 2，第三方回访抽查
    2 / 3）”; a source not connected says so."""
    named = []
    for name, part in zip(PART_LABELS[indicator.key], cell["parts"], strict=True):
        named.append(_("%(name)s：数据未接入") % {"name": _(name)} if part is None else
                     _("%(name)s %(n)s / %(d)s") % {"name": _(name), "n": part[0], "d": part[1]})
    if not cell.get("denominator"):
        return _("无可计算的数据（%(parts)s）") % {"parts": "，".join(named)}
    return _("满意和基本满意 %(n)s / 已评价 %(d)s（%(parts)s）") % {
        "n": cell["numerator"], "d": cell["denominator"], "parts": "，".join(named)}


def parts(indicator: Indicator, cell: dict[str, Any]) -> list[dict[str, Any]]:
    """A rate's sources as the API gives them: cases (the office's ratings), callbacks (the third party's)."""
    stored = cell.get("parts")
    if stored is None:
        return []
    return [{"source": source, "label": _(name), "numerator": part[0] if part else None,
             "denominator": part[1] if part else None, "absent": part is None}
            for source, name, part in zip(("cases", "callbacks"), PART_LABELS[indicator.key], stored, strict=True)]


def value_text(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


def total_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def remarks(score: Score, adjustments: list[Adjustment], indicators: list[Indicator]) -> str:
    """备注: each 加减分 with its reason, and what had nothing to measure."""
    notes = [_("%(points)s分：%(reason)s") % {"points": f"{a.points.normalize():+f}", "reason": a.reason} for a in adjustments]
    empty = [i.label for i in indicators if i.weight and not score.cells[i.key].get("absent")
             and score.cells[i.key].get("value") is None]
    if empty:
        notes.append(_("无数据未计分：%(names)s") % {"names": "、".join(empty)})
    return "；".join(notes)


@dataclass
class Line:
    score: Score
    values: list[Any]  # per indicator: the score out of 100, or None
    remark: str


def lines(assessment: Assessment, chosen: list[Score], indicators: list[Indicator]) -> list[Line]:
    by_score: dict[int, list[Adjustment]] = {}
    for adjustment in Adjustment.objects.filter(score__in=chosen).order_by("at", "id"):
        by_score.setdefault(adjustment.score_id, []).append(adjustment)
    return [Line(score, [score.cells[i.key].get("value") for i in indicators],
                 remarks(score, by_score.get(score.pk, []), indicators)) for score in chosen]


def absent_note(indicators: list[Indicator]) -> str:
    absent = [f"{i.label}（{i.weight}）" for i in indicators if not i.available and i.weight]
    notes = [_("%(names)s：数据未接入，不计分，其权重按比例分配给其余指标") % {"names": "、".join(absent)}] if absent else []
    notes += [_("%(name)s：%(part)s数据未接入，只按%(other)s计算") % {
        "name": i.label, "part": _(PART_LABELS[i.key][1]), "other": _(PART_LABELS[i.key][0])}
        for i in indicators if i.part_absent and i.weight]
    return "；".join(notes)
