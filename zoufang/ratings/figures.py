"""The one place the enterprise ratings are counted: per department, per aspect, per month, and the comments.

The rated department is the unit of the cadre who made the visit (Visit.cadre.unit). Pages, the API and the
xlsx all read `campaign_ratings`; nothing else counts grades.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.forms.models import FormAnswer, FormVersion
from zoufang.ratings import grades
from zoufang.registry.models import Unit


@dataclass
class Tally:
    """How many of each grade, and what they come to."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, grade: str) -> None:
        self.counts[grade] += 1

    @property
    def total(self) -> int:
        return sum(self.counts[g] for g in grades.GRADES)

    def count(self, grade: str) -> int:
        return self.counts[grade]

    @property
    def score(self) -> float | None:
        """The mean of the grades' points (好 100, 较好 80, 一般 60, 差 0), one decimal; None when nothing."""
        if not self.total:
            return None
        return round(sum(grades.POINTS[g] * self.counts[g] for g in grades.GRADES) / self.total, 1)

    @property
    def favourable(self) -> float | None:
        """好 and 较好 as a share of all grades, in per cent, one decimal."""
        if not self.total:
            return None
        return round(100 * (self.counts[grades.GOOD] + self.counts[grades.FAIRLY_GOOD]) / self.total, 1)

    def distribution(self) -> list[tuple[str, str, int]]:
        return [(g, str(grades.LABELS[g]), self.counts[g]) for g in grades.GRADES]


@dataclass
class Comment:
    """What one enterprise wrote beside its grades (already scrubbed of personal numbers)."""

    answer_id: int
    visit: Any
    day: dt.date
    enterprise: str
    unit: Unit
    ratings: list[grades.Rating]
    reason: str
    advice: str


@dataclass
class UnitRatings:
    unit: Unit | None  # None: the whole campaign
    answers: int = 0
    aspects: dict[str, Tally] = field(default_factory=dict)  # by aspect label
    overall: Tally = field(default_factory=Tally)
    months: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # Answers given on an older wording (满意 / 基本满意 / 不满意): by aspect label, their own words counted.
    old_scale: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    old_answers: int = 0
    comments: list[Comment] = field(default_factory=list)

    def aspect(self, label: str) -> Tally:
        return self.aspects.setdefault(label, Tally())

    @property
    def poor(self) -> int:
        return self.overall.count(grades.POOR)

    def old_scale_rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """The old wording's answers as plain rows (a template must not touch the defaultdict)."""
        return [(label, sorted(words.items())) for label, words in self.old_scale.items()]

    def month_rows(self) -> list[tuple[str, Tally]]:
        return sorted(self.months.items())


@dataclass
class CampaignRatings:
    aspects: list[str]
    units: list[UnitRatings]
    total: UnitRatings

    def months(self) -> list[str]:
        return sorted(self.total.months)


def campaign_ratings(campaign: Any, unit_ids: frozenset[int] | None = None) -> CampaignRatings:
    """Every rating given in the campaign (or only to `unit_ids`), by department; worst score first."""
    forms = grades.rating_forms(campaign)
    aspects = list(dict.fromkeys(label for labels in forms.values() for label in labels))
    answers = (FormAnswer.objects.filter(visit__campaign=campaign, form__key__in=list(forms))
               .select_related("visit__cadre__unit", "visit__target", "form")
               .only("id", "data", "form_version_id", "form__key", "visit__public_id", "visit__visited_at",
                     "visit__target__name", "visit__cadre__unit__name", "visit__cadre__unit__public_id",
                     "visit__cadre__unit__kind", "visit__cadre__unit__sort_order")
               .order_by("visit__visited_at", "id"))
    if unit_ids is not None:
        answers = answers.filter(visit__cadre__unit_id__in=unit_ids)
    rows = list(answers)
    specs = dict(FormVersion.objects.filter(pk__in={a.form_version_id for a in rows}).values_list("pk", "spec"))
    total = UnitRatings(None)
    by_unit: dict[int, UnitRatings] = {}
    for answer in rows:
        visit = answer.visit
        unit = visit.cadre.unit
        entry = by_unit.setdefault(unit.pk, UnitRatings(unit))
        ratings = grades.read_ratings(specs[answer.form_version_id], forms[answer.form.key], answer.data)
        if not ratings:
            continue
        month = grades.month_of(visit.visited_at)
        four = all(r.four_grades for r in ratings)
        for target in (entry, total):
            if four:
                target.answers += 1
            else:
                target.old_answers += 1
            for rating in ratings:
                if rating.four_grades:
                    target.aspect(rating.aspect.label).add(rating.grade)
                    target.overall.add(rating.grade)
                    target.months[month].add(rating.grade)
                else:
                    target.old_scale[rating.aspect.label][rating.grade_label] += 1
        reason = str(answer.data.get("rating_reason") or "").strip()
        advice = str(answer.data.get("innovation_advice") or "").strip()
        if reason or advice:
            comment = Comment(answer.pk, visit, clock.local(visit.visited_at).date(), visit.target.name, unit, ratings,
                              scrub(reason), scrub(advice))
            entry.comments.append(comment)
            total.comments.append(comment)
    for entry in [*by_unit.values(), total]:
        for label in aspects:
            entry.aspect(label)
        entry.comments.sort(key=lambda c: (-_worst(c), -c.day.toordinal()))
    units = sorted(by_unit.values(), key=lambda u: (u.overall.score is None, u.overall.score or 0, u.unit.name
                                                    if u.unit else ""))
    return CampaignRatings(aspects, units, total)


def _worst(comment: Comment) -> int:
    """Comments with a 差 first, then 一般: the order 镇督查组 reads them in."""
    order = {grades.POOR: 3, grades.AVERAGE: 2, grades.FAIRLY_GOOD: 1}
    return max((order.get(r.grade, 0) for r in comment.ratings if r.four_grades), default=0)


def rated_units(campaign: Any, unit_ids: frozenset[int] | None = None) -> QuerySet[Unit]:
    """The departments rated in the campaign (or those of `unit_ids`), in their keyset order (sort order, name):
    the units API pages them and reads the figures of a page's units only (page_ratings)."""
    rated = FormAnswer.objects.filter(visit__campaign=campaign, form__key__in=list(grades.rating_forms(campaign)),
                                      visit__cadre__unit_id=OuterRef("pk"))
    units = Unit.objects.filter(Exists(rated))
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return units.order_by("sort_order", "name", "id")


def page_ratings(campaign: Any, units: list[Unit]) -> tuple[list[str], list[UnitRatings]]:
    """(the campaign's aspects, the ratings of these departments in their order): their answers only."""
    ratings = campaign_ratings(campaign, frozenset(u.pk for u in units))
    found = {entry.unit.pk: entry for entry in ratings.units if entry.unit is not None}
    entries = [found.get(u.pk) or UnitRatings(u) for u in units]
    for entry in entries:
        for label in ratings.aspects:
            entry.aspect(label)
    return ratings.aspects, entries


def unit_ratings(campaign: Any, unit: Unit) -> tuple[list[str], UnitRatings]:
    """(the campaign's aspects, one department's ratings), every aspect present even when nothing was rated."""
    ratings = campaign_ratings(campaign, frozenset({unit.pk}))
    entry = ratings.units[0] if ratings.units else UnitRatings(unit)
    for label in ratings.aspects:
        entry.aspect(label)
    return ratings.aspects, entry
