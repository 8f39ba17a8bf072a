"""The enterprise ratings per department, per aspect, per month, and the comments, read from the kept tallies.

The rated department is the unit of the cadre who made the visit (Visit.cadre.unit), as it is now. What an answer
counts for is `tallies.contribution`; the tallies (decision 0012) hold their sums, and `recount` is the one full
recount from the answers (verify, the tests). Pages, the API and the xlsx read a page of departments or comments
at a time: what a page costs does not grow with the answers.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Collate

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.forms.models import FormAnswer, FormVersion
from zoufang.oversight.figures import code_points
from zoufang.ratings import grades, tallies
from zoufang.ratings.models import RatedAnswer, RatingTally
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


Node = tallies.Node


def recount(campaign_id: int) -> tuple[dict[Node, int], dict[int, tallies.Contribution]]:
    """The campaign's tallies and every answer's contribution recounted from the answers: the one full recount
    (`zoufang ratings verify`, `--repair`, the migration's backfill and the tests hold the kept rows against it)."""
    parts = dict(tallies.contributions(FormAnswer.objects.filter(visit__campaign_id=campaign_id)))
    nodes: Counter[Node] = Counter()
    for part in parts.values():
        nodes.update(part.nodes())
    return dict(nodes), parts


def _fill(entry: UnitRatings, aspect: str, month: str, grade: str, n: int) -> None:
    """One tally row into a department's (or the campaign's) figures."""
    if not n:
        return
    if grade == tallies.ANSWERS:
        entry.answers += n
    elif grade == tallies.OLD_ANSWERS:
        entry.old_answers += n
    elif grade.startswith(tallies.OLD):
        entry.old_scale[aspect][grade[len(tallies.OLD):]] += n
    elif grade == tallies.FORMS:
        return
    elif month:
        entry.months[month].counts[grade] += n
    elif aspect:
        entry.aspect(aspect).counts[grade] += n
    else:
        entry.overall.counts[grade] += n


def _entries(campaign: Any, aspects: list[str], units: list[Unit]) -> list[UnitRatings]:
    """These departments' figures, in the order given, from their tally rows: one query."""
    entries = {u.pk: UnitRatings(u) for u in units}
    rows = (RatingTally.objects.filter(campaign=campaign, unit__in=list(entries))
            .values_list("unit", "aspect", "month", "grade", "n"))
    for unit, aspect, month, grade, n in rows:
        _fill(entries[unit], aspect, month, grade, n)
    for entry in entries.values():
        _complete(entry, aspects)
    return list(entries.values())


def _complete(entry: UnitRatings, aspects: list[str]) -> None:
    """Every aspect present, the aspects and the old wording's answers in the campaign's order."""
    for label in aspects:
        entry.aspect(label)
    entry.aspects = {label: entry.aspects[label] for label in [*aspects, *sorted(set(entry.aspects) - set(aspects))]}
    order = {label: i for i, label in enumerate(aspects)}
    old = sorted(entry.old_scale.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    entry.old_scale = defaultdict(Counter, old)


def aspects_of(campaign: Any) -> list[str]:
    return list(dict.fromkeys(label for labels in grades.rating_forms(campaign).values() for label in labels))


def campaign_total(campaign: Any, unit_ids: frozenset[int] | None = None) -> UnitRatings:
    """The campaign's figures (or those of `unit_ids` summed): the campaign's node, or the units' rows summed in
    the database, by aspect, month and grade. One query, bounded by aspects × months × grades (× units)."""
    total = UnitRatings(None)
    rows = RatingTally.objects.filter(campaign=campaign)
    if unit_ids is None:
        rows = rows.filter(unit=0)
    else:
        rows = rows.filter(unit__in=unit_ids)
    for aspect, month, grade, n in (rows.values("aspect", "month", "grade").annotate(sum=Sum("n"))
                                    .values_list("aspect", "month", "grade", "sum")):
        _fill(total, aspect, month, grade, n)
    _complete(total, aspects_of(campaign))
    return total


def _score_order(campaign: Any, unit_ids: frozenset[int] | None) -> QuerySet[Any]:
    """The rated departments, worst score first (those with no grade of the four last), then by name in
    code-point order and id: one row per department from its all-time rows, ordered and cut in the database."""
    points = Sum(Case(*[When(grade=g, then=F("n") * grades.POINTS[g]) for g in grades.GRADES],
                      default=Value(0), output_field=IntegerField()))
    rated = Sum(Case(When(grade__in=grades.GRADES, then=F("n")), default=Value(0), output_field=IntegerField()))
    rows = (RatingTally.objects.filter(campaign=campaign, aspect="", month="",
                                       grade__in=[*grades.GRADES, tallies.FORMS]).exclude(unit=0))
    if unit_ids is not None:
        rows = rows.filter(unit__in=unit_ids)
    name = Subquery(Unit.objects.filter(pk=OuterRef("unit")).values("name")[:1])
    return (rows.values("unit").annotate(points=points, rated=rated, forms=Sum(Case(
        When(grade=tallies.FORMS, then=F("n")), default=Value(0), output_field=IntegerField())))
        .filter(forms__gt=0)
        .annotate(score=Case(When(rated__gt=0, then=Cast("points", FloatField()) / Cast("rated", FloatField())),
                             default=None, output_field=FloatField()),
                  name=Collate(name, code_points(connection)))
        .order_by(F("score").asc(nulls_last=True), "name", "unit"))


def unit_count(campaign: Any, unit_ids: frozenset[int] | None = None) -> int:
    """How many departments were rated (the overview's page links)."""
    return int(_score_order(campaign, unit_ids).count())


def units_page(campaign: Any, unit_ids: frozenset[int] | None, offset: int, size: int) -> list[UnitRatings]:
    """One page of the departments, worst score first: the page's keys cut in the database, then their rows."""
    keys = [row["unit"] for row in _score_order(campaign, unit_ids)[offset:offset + size]]
    units = Unit.objects.in_bulk(keys)
    return _entries(campaign, aspects_of(campaign), [units[k] for k in keys if k in units])


def campaign_ratings(campaign: Any, unit_ids: frozenset[int] | None = None, *, offset: int = 0,
                     size: int | None = None) -> CampaignRatings:
    """The campaign's figures and a page of its departments (all of them when `size` is None: the xlsx)."""
    aspects = aspects_of(campaign)
    if size is None:
        keys = [row["unit"] for row in _score_order(campaign, unit_ids)]
        units = Unit.objects.in_bulk(keys)
        entries = _entries(campaign, aspects, [units[k] for k in keys if k in units])
    else:
        entries = units_page(campaign, unit_ids, offset, size)
    return CampaignRatings(aspects, entries, campaign_total(campaign, unit_ids))


def rated_units(campaign: Any, unit_ids: frozenset[int] | None = None) -> QuerySet[Unit]:
    """The departments rated in the campaign (or those of `unit_ids`), in their keyset order (sort order, name):
    the units API pages them and reads the figures of a page's units only (page_ratings)."""
    rated = RatingTally.objects.filter(campaign=campaign, unit=OuterRef("pk"), aspect="", month="",
                                       grade=tallies.FORMS, n__gt=0)
    units = Unit.objects.filter(Exists(rated))
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return units.order_by("sort_order", "name", "id")


def page_ratings(campaign: Any, units: list[Unit]) -> tuple[list[str], list[UnitRatings]]:
    """(the campaign's aspects, the ratings of these departments in their order): their tally rows only."""
    aspects = aspects_of(campaign)
    return aspects, _entries(campaign, aspects, units)


def unit_ratings(campaign: Any, unit: Unit) -> tuple[list[str], UnitRatings]:
    """(the campaign's aspects, one department's ratings), every aspect present even when nothing was rated."""
    aspects, entries = page_ratings(campaign, [unit])
    return aspects, entries[0]


# ---------------------------------------------------------------------------------------------- comments


def comments(campaign: Any, unit_ids: frozenset[int] | None = None, unit: Unit | None = None) -> QuerySet[Any]:
    """The answers with a comment, 差 first then 一般, latest first (ties by the answer, latest first): a keyset
    list along RatedAnswer's comment indexes. `comment_rows` turns a page of it into Comments."""
    rows = RatedAnswer.objects.filter(campaign=campaign, commented=True)
    if unit is not None:
        rows = rows.filter(unit=unit.pk)
    elif unit_ids is not None:
        rows = rows.filter(unit__in=unit_ids)
    return rows.order_by("-worst", "-visited_at", "-pk")


def comment_rows(rated: Iterable[RatedAnswer]) -> list[Comment]:
    """A page of comments: its answers, their form versions and units, in three queries."""
    rated = list(rated)
    answers = FormAnswer.objects.select_related("visit__campaign", "visit__target", "form").in_bulk(
        [r.answer for r in rated])
    specs = dict(FormVersion.objects.filter(pk__in={a.form_version_id for a in answers.values()})
                 .values_list("pk", "spec"))
    units = Unit.objects.in_bulk({r.unit for r in rated})
    found = []
    for row in rated:
        answer = answers.get(row.answer)
        if answer is None:
            continue
        visit = answer.visit
        labels = grades.rating_forms(visit.campaign).get(answer.form.key) or []
        found.append(Comment(answer.pk, visit, clock.local(visit.visited_at).date(), visit.target.name,
                             units[row.unit], grades.read_ratings(specs[answer.form_version_id], labels, answer.data),
                             scrub(str(answer.data.get("rating_reason") or "").strip()),
                             scrub(str(answer.data.get("innovation_advice") or "").strip())))
    return found


def all_comments(campaign: Any, unit_ids: frozenset[int] | None = None, chunk: int = 500) -> Iterable[Comment]:
    """Every comment in the list's order, a chunk at a time along the keyset (the xlsx streams them)."""
    from zoufang.core import paging

    cursor = None
    while True:
        page = paging.keyset_page(comments(campaign, unit_ids), cursor, chunk)
        yield from comment_rows(page.rows)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
