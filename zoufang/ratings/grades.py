"""The four grades of 附件2-2 (好 / 较好 / 一般 / 差) and the ratings read out of a questionnaire's answers.

A campaign's questionnaire entry lists the aspects it rates (`ratings: [服务意识, 服务效率, 廉洁履职]`); the
form's question whose label is the aspect holds the grade. Only answers whose form version offers exactly the
four grades count: an answer given on an older wording (2018-1: 满意 / 基本满意 / 不满意) keeps its own words and
is counted apart, never mapped onto the grades.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.forms import xlsform

GOOD, FAIRLY_GOOD, AVERAGE, POOR = "good", "fairly_good", "average", "poor"
GRADES = (GOOD, FAIRLY_GOOD, AVERAGE, POOR)
LABELS = {GOOD: _("好"), FAIRLY_GOOD: _("较好"), AVERAGE: _("一般"), POOR: _("差")}
# Points of a grade (docs/ratings.md): 一般 passes at 60; 差 fails outright and brings a 督查 item.
POINTS = {GOOD: 100, FAIRLY_GOOD: 80, AVERAGE: 60, POOR: 0}
# The free-text answers shown as the enterprise's comments, in this order.
COMMENT_QUESTIONS = ("rating_reason", "innovation_advice")


@dataclass(frozen=True)
class Aspect:
    key: str  # the question's name (service_awareness)
    label: str  # as the campaign names it (服务意识)


@dataclass(frozen=True)
class Rating:
    aspect: Aspect
    grade: str  # one of GRADES, or the old wording's choice name when `four_grades` is False
    grade_label: str
    four_grades: bool


def rating_forms(campaign: Any) -> dict[str, list[str]]:
    """{form key: [aspect labels]} for the campaign's questionnaires that carry ratings."""
    return {q["key"]: list(q["ratings"]) for q in campaign.config.get("questionnaires") or [] if q.get("ratings")}


def aspects_of(spec: dict[str, Any], labels: list[str]) -> list[tuple[Aspect, list[list[str]]]]:
    """The form version's rating questions in the campaign's order, each with its choices."""
    by_label = {node.get("label"): node for node in xlsform.walk(spec["items"])
                if node.get("kind") == "question" and str(node.get("type", "")).startswith("select_one")}
    found = []
    for label in labels:
        node = by_label.get(label)
        if node is not None:
            found.append((Aspect(node["name"], label), spec["choices"].get(node["list"], [])))
    return found


def is_four_grade(choices: list[list[str]]) -> bool:
    return [c[0] for c in choices] == list(GRADES)


def read_ratings(spec: dict[str, Any], labels: list[str], data: dict[str, Any]) -> list[Rating]:
    """The ratings one answer gives, in the campaign's aspect order; unanswered aspects are left out."""
    found = []
    for aspect, choices in aspects_of(spec, labels):
        value = data.get(aspect.key)
        if not value:
            continue
        words = dict((c[0], c[1]) for c in choices)
        four = is_four_grade(choices)
        # A value outside the form's choices (an import, an old wording) shows as given, personal numbers scrubbed.
        found.append(Rating(aspect, str(value), str(LABELS[value]) if four and value in LABELS
                            else words.get(str(value)) or scrub(str(value)), four and value in LABELS))
    return found


def month_of(moment: dt.datetime) -> str:
    return f"{clock.local(moment):%Y-%m}"
