"""An assessment as rows: the table of a level (序号、名称、指标得分…、加减分、总分、名次、备注) and a score's detail,
shared by the pages, the API and the xlsx."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zoufang.assessment.indicators import DEDUCTION, MONTHS, Indicator
from zoufang.assessment.models import Adjustment, Assessment, Score


def cell_text(indicator: Indicator, cell: dict[str, Any]) -> str:
    """How the figure was counted, in words: “已走访 1 / 应走访 3”, “查实 1 件 × 50 分”, “数据未接入”."""
    if cell.get("absent"):
        return _("数据未接入")
    numerator, denominator = cell.get("numerator"), cell.get("denominator")
    if indicator.scoring == DEDUCTION:
        return _("查实 %(n)s 件，每件扣 %(points)s 分") % {"n": numerator or 0, "points": indicator.deduction}
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
    if not absent:
        return ""
    return _("%(names)s：数据未接入，不计分，其权重按比例分配给其余指标") % {"names": "、".join(absent)}
