"""Kept rating tallies: each answer's contribution, moved in the transaction that changes the answer (decision 0012).

An answer of a rating form adds, for its department (the visiting cadre's unit as it is now) and for the whole
campaign (unit 0): one to the answers counted (`FORMS`; `ANSWERS` when every grade is one of the four, else
`OLD_ANSWERS`), and per rating one to (aspect, all time, grade), (all aspects, all time, grade) and (all aspects,
its month, grade); a rating on the old wording adds to (aspect, all time, "~" + its words) only. `RatedAnswer`
records the contribution: a change subtracts it and adds the new one (`core.moves`).

- Hooks: a FormAnswer saved or deleted (the visit form, the API, the demo, the admin; a visit deleted deletes its
  answers one by one through the ORM), a Visit saved (moved to another day, cadre or campaign) and a Cadre saved
  with another unit call `refresh` through the signals below, inside their transaction.
- Tally rows change by `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (`core.bulk.add_to_rows`), in key
  order: no lost increment, no deadlock between two answers. Two writers of one answer take turns on the answer
  row (the UPDATE locks it) and on its RatedAnswer row (locked before it is read).
- `verify` holds the kept rows against `figures.recount`; `rebuild` rewrites a campaign's from it (`--repair`).
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_delete, post_save

from zoufang.campaigns.models import Campaign
from zoufang.core.bulk import add_to_rows, write_rows
from zoufang.core.moves import moves
from zoufang.forms.models import FormAnswer, FormVersion
from zoufang.ratings import grades
from zoufang.ratings.models import RatedAnswer, RatingTally
from zoufang.registry.models import Cadre
from zoufang.visits.models import Visit

FORMS, ANSWERS, OLD_ANSWERS = "_forms", "_answers", "_old_answers"
OLD = "~"  # before the old wording's words in `grade`
WORST = {grades.POOR: 3, grades.AVERAGE: 2, grades.FAIRLY_GOOD: 1}
CHUNK = 2000

Key = tuple[str, str, str]  # (aspect or "", month or "", grade)
Node = tuple[int, str, str, str]  # (unit or 0, aspect, month, grade)


@dataclass(frozen=True)
class Contribution:
    """What one answer adds, and where its comment sorts."""

    campaign: int
    cadre: int
    unit: int
    visited_at: Any
    worst: int
    commented: bool
    keys: tuple[Key, ...]

    def nodes(self) -> list[Node]:
        return [(scope, *key) for scope in (0, self.unit) for key in self.keys]

    @classmethod
    def of(cls, row: RatedAnswer) -> "Contribution":
        return cls(row.campaign_id, row.cadre, row.unit, row.visited_at, row.worst, row.commented,
                   tuple(tuple(key) for key in row.counted))


def contribution(answer: FormAnswer, spec: dict[str, Any], labels: list[str]) -> Contribution:
    """One answer's contribution: the single definition of what an answer counts for (figures.recount reads it)."""
    visit = answer.visit
    ratings = grades.read_ratings(spec, labels, answer.data)
    month = grades.month_of(visit.visited_at)
    keys: list[Key] = [("", "", FORMS)]
    if ratings:
        keys.append(("", "", ANSWERS if all(r.four_grades for r in ratings) else OLD_ANSWERS))
    for rating in ratings:
        if rating.four_grades:
            keys += [(rating.aspect.label, "", rating.grade), ("", "", rating.grade), ("", month, rating.grade)]
        else:
            keys.append((rating.aspect.label, "", OLD + rating.grade_label))
    worst = max((WORST.get(r.grade, 0) for r in ratings if r.four_grades), default=0)
    commented = any(str(answer.data.get(q) or "").strip() for q in grades.COMMENT_QUESTIONS)
    return Contribution(visit.campaign_id, visit.cadre_id, visit.cadre.unit_id, visit.visited_at, worst,
                        commented and bool(ratings), tuple(keys))


def contributions(answers: Any) -> Iterator[tuple[int, Contribution]]:
    """(answer id, contribution) of each answer of a rating form among `answers` (a FormAnswer queryset)."""
    forms: dict[int, dict[str, list[str]]] = {}
    specs: dict[int, dict[str, Any]] = {}
    rows = (answers.select_related("visit__cadre", "visit__campaign", "form")
            .only("id", "data", "form_version_id", "form__key", "visit__campaign__config", "visit__campaign_id",
                  "visit__visited_at", "visit__cadre_id", "visit__cadre__unit_id").order_by("id"))
    for answer in rows.iterator(chunk_size=CHUNK):
        campaign = answer.visit.campaign
        if campaign.pk not in forms:
            forms[campaign.pk] = grades.rating_forms(campaign)
        labels = forms[campaign.pk].get(answer.form.key)
        if not labels:
            continue
        if answer.form_version_id not in specs:
            specs[answer.form_version_id] = FormVersion.objects.values_list("spec", flat=True).get(
                pk=answer.form_version_id)
        yield answer.pk, contribution(answer, specs[answer.form_version_id], labels)


# ---------------------------------------------------------------------------------------------- refresh


def refresh(answer_ids: Iterable[int]) -> None:
    """Move the kept counts of these answers (saved, deleted, their visit or cadre changed) to what they are now."""
    ids = sorted(set(answer_ids))
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(ids[start:start + CHUNK])


def _refresh_chunk(ids: list[int]) -> None:
    kept_rows = {row.answer: row for row in RatedAnswer.objects.select_for_update().filter(answer__in=ids)
                 .order_by("answer")}
    _move(ids, kept_rows, dict(contributions(FormAnswer.objects.filter(pk__in=ids))))


def _created(answer: FormAnswer) -> None:
    """A new answer: nobody else knows it, so it has no kept row to lock, and its contribution is read from the
    instance the writer holds (its visit, cadre, campaign and form version are in memory on every writing path):
    an answer of a form that does not rate costs no query, one that rates two (its tallies, its kept row)."""
    labels = grades.rating_forms(answer.visit.campaign).get(answer.form.key)
    if labels:
        _move([answer.pk], {}, {answer.pk: contribution(answer, answer.form_version.spec, labels)})


def _move(ids: list[int], kept_rows: dict[int, RatedAnswer], now: dict[int, Contribution]) -> None:
    """Move the tallies from the kept contributions to `now`, and write the kept rows to match."""
    deltas: dict[int, Counter[Node]] = {}

    def spread(part: Contribution, sign: int) -> None:
        change = deltas.setdefault(part.campaign, Counter())
        for node in part.nodes():
            change[node] += sign

    found = moves(ids, {pk: Contribution.of(row) for pk, row in kept_rows.items()}, now, spread)
    for campaign_id, change in sorted(deltas.items()):
        add_to_rows(RatingTally, ["campaign_id", "unit", "aspect", "month", "grade"], ["n"],
                    [(campaign_id, *node, n) for node, n in sorted(change.items()) if n])
    found.store(RatedAnswer, "answer", kept_rows, _fields)


def _fields(part: Contribution) -> dict[str, Any]:
    return {"campaign_id": part.campaign, "cadre": part.cadre, "unit": part.unit, "visited_at": part.visited_at,
            "worst": part.worst, "commented": part.commented, "counted": [list(key) for key in part.keys]}


def _answer_saved(sender: Any, instance: FormAnswer, created: bool = False, raw: bool = False,
                  **kwargs: Any) -> None:
    if raw:
        return
    if created:
        _created(instance)
    else:
        refresh([instance.pk])


def _answer_deleted(sender: Any, instance: FormAnswer, **kwargs: Any) -> None:
    refresh([instance.pk])


def _visit_saved(sender: Any, instance: Visit, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A visit moved to another day, cadre or campaign moves its answers; a new visit has none yet."""
    if not created and not raw:
        answers = list(RatedAnswer.objects.filter(answer__in=FormAnswer.objects.filter(visit=instance).values("pk"))
                       .exclude(campaign_id=instance.campaign_id, cadre=instance.cadre_id,
                                visited_at=instance.visited_at).values_list("answer", flat=True))
        if answers:
            refresh(answers)


def _cadre_saved(sender: Any, instance: Cadre, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """The figures read the cadre's unit as it is now: a cadre moved to another unit moves its answers there."""
    if not created and not raw:
        cadres_moved([instance.pk])


def cadres_moved(cadre_ids: list[int]) -> None:
    """Recount the answers of these cadres that are counted under another unit than the cadre's now: the signal
    above, and the writers that bypass it (the cadres import's bulk_update), in their transaction. One query when
    nothing moved."""
    answers = list(RatedAnswer.objects.filter(cadre__in=cadre_ids)
                   .exclude(unit=Subquery(Cadre.objects.filter(pk=OuterRef("cadre")).values("unit_id")[:1]))
                   .values_list("answer", flat=True))
    if answers:
        refresh(answers)


def connect() -> None:
    post_save.connect(_answer_saved, sender=FormAnswer, dispatch_uid="ratings-tallies-answer-saved")
    post_delete.connect(_answer_deleted, sender=FormAnswer, dispatch_uid="ratings-tallies-answer-deleted")
    post_save.connect(_visit_saved, sender=Visit, dispatch_uid="ratings-tallies-visit-saved")
    post_save.connect(_cadre_saved, sender=Cadre, dispatch_uid="ratings-tallies-cadre-saved")


# ---------------------------------------------------------------------------------------------- proof


@dataclass
class Verdict:
    differences: list[tuple[Node, int, int]]  # (node, kept, recounted)
    answers: list[int]  # answers whose kept contribution is not what they contribute now

    @property
    def ok(self) -> bool:
        return not self.differences and not self.answers


def verify(campaign_id: int) -> Verdict:
    """The kept tallies and RatedAnswer rows of a campaign against a full recount."""
    from zoufang.ratings.figures import recount

    nodes, parts = recount(campaign_id)
    kept = {(row.unit, row.aspect, row.month, row.grade): row.n
            for row in RatingTally.objects.filter(campaign_id=campaign_id).exclude(n=0)}
    differences = [(node, kept.get(node, 0), nodes.get(node, 0)) for node in sorted(set(kept) | set(nodes))
                   if kept.get(node, 0) != nodes.get(node, 0)]
    rows = {row.answer: Contribution.of(row) for row in RatedAnswer.objects.filter(campaign_id=campaign_id)}
    answers = sorted(pk for pk in set(rows) | set(parts) if rows.get(pk) != parts.get(pk))
    return Verdict(differences, answers)


def rebuild(campaign_id: int) -> None:
    """Rewrite a campaign's kept rows from the recount (`--repair`, the migration's backfill)."""
    from zoufang.ratings.figures import recount

    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        nodes, parts = recount(campaign_id)
        RatingTally.objects.filter(campaign_id=campaign_id).delete()
        RatedAnswer.objects.filter(campaign_id=campaign_id).delete()
        write_rows(RatingTally, ["campaign_id", "unit", "aspect", "month", "grade", "n"],
                   ((campaign_id, *node, n) for node, n in sorted(nodes.items())))
        RatedAnswer.objects.bulk_create([RatedAnswer(answer=pk, **_fields(part)) for pk, part in parts.items()],
                                        batch_size=CHUNK)
