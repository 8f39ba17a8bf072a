"""Integrity flags: what in a cadre's visits looks like a visit that exists only on paper, with its evidence.

Computed on demand from the visits of a campaign (and period), never stored and never blocking a visit; the
office clears a flag with a reason (FlagClearance, audited). Only office, leaders and assessors see them
(views.py); a cadre never does. Thresholds: config.py and the campaign's `integrity:` block.

Kinds, for each visit and each cadre:
- pace: more home visits in an hour than can be walked; two home visits minutes apart (overlapping);
  targets far apart visited minutes apart.
- distance: a home visit recorded far from its target, when both have positions (100 m / 300 m bands).
- late_bulk: many visits recorded in one sitting long after they happened (批量补录).
- night: a home visit at night.
- copied_text: the same or nearly the same words across a cadre's visits (summary and free-text answers).
- straight_lining: identical questionnaire answers on every visit.
- callbacks: callback failures, from the callbacks app through `register_flag_source`.
"""

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang import clock
from zoufang.accounts import masking
from zoufang.accounts.names import named
from zoufang.forms.models import FormAnswer, FormVersion
from zoufang.forms.xlsform import outside_repeats
from zoufang.integrity import text
from zoufang.integrity.config import Thresholds, thresholds
from zoufang.integrity.models import FlagClearance
from zoufang.regions.positions import distance_m
from zoufang.registry.models import PositionSource
from zoufang.visits.models import Visit

KINDS = {
    "pace": _l("走访节奏不可能"),
    "distance": _l("登记位置远离走访对象"),
    "late_bulk": _l("事后批量补录"),
    "night": _l("夜间入户"),
    "copied_text": _l("文字雷同"),
    "straight_lining": _l("答案千篇一律"),
    "callbacks": _l("回访未通过"),
}
SERIOUS, NOTICE = 3, 1  # how much a flag weighs in a cadre's rank
HOME = Visit.Mode.HOME
CHOICE_TYPES = {"select_one", "select_multiple", "integer", "decimal"}
Period = Any  # None, (first day, last day), or anything with starts_on/ends_on


@dataclass
class Flag:
    kind: str
    key: str  # stable across recomputations: the office's clearance is stored under it
    cadre_id: int
    visit_ids: list[int]
    evidence: str
    weight: int = SERIOUS
    clearance: FlagClearance | None = None
    visits: list[Visit] = field(default_factory=list)  # the first few, for the page's links
    more: int = 0  # how many visits besides those

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def is_open(self) -> bool:
        return self.clearance is None

    @property
    def is_upheld(self) -> bool:
        return self.clearance is not None and self.clearance.upheld


@dataclass
class VisitRow:
    id: int
    cadre_id: int
    target_id: int
    target_name: str
    at: dt.datetime  # when it happened
    recorded: dt.datetime  # when it was recorded
    mode: str
    summary: str
    position: tuple[float, float] | None
    accuracy: float
    target_position: tuple[float, float] | None
    target_position_source: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # form key: {question: answer}
    free_text: list[str] = field(default_factory=list)


@dataclass
class CadreFlags:
    cadre: Any
    flags: list[Flag]

    @property
    def open_flags(self) -> list[Flag]:
        return [f for f in self.flags if f.is_open]

    @property
    def upheld_flags(self) -> list[Flag]:
        return [f for f in self.flags if f.is_upheld]

    @property
    def score(self) -> int:
        return sum(f.weight for f in self.open_flags)


FlagSource = Callable[[Any, list[VisitRow], Thresholds], Iterable[Flag]]
_SOURCES: list[FlagSource] = []


def register_flag_source(source: FlagSource) -> None:
    """The hook for flags computed elsewhere: the callbacks app registers its callback failures here (kind
    "callbacks", one per failed visit), called with (campaign, visits, thresholds)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def period_bounds(period: Period) -> tuple[dt.date | None, dt.date | None]:
    if period is None:
        return None, None
    if isinstance(period, tuple | list):
        return period[0], period[1]
    return getattr(period, "starts_on", None), getattr(period, "ends_on", None)


@dataclass
class FormWords:
    """A questionnaire's words, to show a straight-lined answer as the cadre saw it."""

    title: str
    questions: dict[str, tuple[str, dict[str, str]]]  # name: (label, {choice value: choice label})

    def describe(self, answers: dict[str, Any]) -> str:
        parts = []
        for name, value in sorted(answers.items()):
            label, choices = self.questions.get(name, (name, {}))
            values = value if isinstance(value, list) else [value]
            parts.append(f"{label}：{'、'.join(choices.get(str(v), str(v)) for v in values)}")
        return "；".join(parts)


@dataclass
class Forms:
    choices: dict[int, set[str]]  # form version: the names of its choice and number questions (the rest is text)
    words: dict[str, FormWords]  # form key: the words of its latest version


def load_forms(campaign: Any) -> Forms:
    forms = Forms({}, {})
    for version in FormVersion.objects.filter(answers__visit__campaign=campaign).distinct().select_related(
            "form").order_by("pk"):
        nodes = [n for n in outside_repeats(version.spec.get("items", [])) if n.get("kind") == "question"]
        forms.choices[version.pk] = {n["name"] for n in nodes if n.get("type") in CHOICE_TYPES}
        lists = version.spec.get("choices", {})
        forms.words[version.form.key] = FormWords(
            version.spec.get("title") or version.form.key,
            {n["name"]: (n.get("label") or n["name"], {str(v): str(t) for v, t in lists.get(n.get("list"), [])})
             for n in nodes})
    return forms


def load_visits(campaign: Any, period: Period = None, forms: Forms | None = None) -> list[VisitRow]:
    first, last = period_bounds(period)
    visits = Visit.objects.filter(campaign=campaign)
    if first is not None:
        visits = visits.filter(visited_at__gte=_start_of(first))
    if last is not None:
        visits = visits.filter(visited_at__lt=_start_of(last + dt.timedelta(days=1)))
    rows: dict[int, VisitRow] = {}
    for v in visits.values_list("id", "cadre_id", "target_id", "target__name", "visited_at", "created_at", "mode",
                                "summary", "latitude", "longitude", "location_accuracy", "target__latitude",
                                "target__longitude", "target__position_source").order_by("visited_at", "id"):
        rows[v[0]] = VisitRow(
            id=v[0], cadre_id=v[1], target_id=v[2], target_name=v[3], at=v[4], recorded=v[5], mode=v[6],
            summary=v[7], position=(float(v[8]), float(v[9])) if v[8] is not None and v[9] is not None else None,
            accuracy=v[10] or 0.0,
            target_position=(float(v[11]), float(v[12])) if v[11] is not None and v[12] is not None else None,
            target_position_source=v[13])
    choices = (forms or load_forms(campaign)).choices
    answers = FormAnswer.objects.filter(visit__in=visits).values_list("visit_id", "form__key", "form_version_id",
                                                                       "data")
    for visit_id, form_key, version_id, data in answers.iterator(chunk_size=2000):
        row = rows.get(visit_id)
        if row is None:
            continue
        picked = choices.get(version_id, set())
        row.answers[form_key] = {k: v for k, v in (data or {}).items() if k in picked}
        row.free_text.extend(v for k, v in (data or {}).items() if k not in picked and isinstance(v, str))
    return list(rows.values())


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def compute(campaign: Any, period: Period = None) -> list[Flag]:
    """Every flag of the campaign's visits in `period`, with the office's clearances attached."""
    limits = thresholds(campaign)
    forms = load_forms(campaign)
    visits = load_visits(campaign, period, forms)
    by_cadre: dict[int, list[VisitRow]] = {}
    for row in visits:
        by_cadre.setdefault(row.cadre_id, []).append(row)
    flags: list[Flag] = []
    for cadre_id, rows in by_cadre.items():
        flags += cadre_flags(cadre_id, rows, limits, forms.words)
    for source in _SOURCES:
        flags += list(source(campaign, visits, limits))
    cleared = {c.key: c for c in FlagClearance.objects.filter(campaign=campaign).select_related("cleared_by")
               .prefetch_related(*named("cleared_by"))}
    for flag in flags:
        flag.clearance = cleared.get(flag.key)
    return flags


def cadre_flags(cadre_id: int, rows: list[VisitRow], limits: Thresholds,
                words: dict[str, FormWords] | None = None) -> list[Flag]:
    """Every flag of one cadre's visits (in the order they happened)."""
    home = [r for r in rows if r.mode == HOME]
    return [*pace_flags(cadre_id, home, limits), *distance_flags(home, limits),
            *late_bulk_flags(cadre_id, rows, limits), *night_flags(home, limits),
            *copied_text_flags(cadre_id, rows, limits), *straight_lining_flags(cadre_id, rows, limits, words)]


def open_flag_visit_ids(campaign: Any, period: Period = None) -> set[int]:
    """The visits an open (not cleared) flag points at: the callbacks draw weighs them more."""
    return {visit_id for flag in compute(campaign, period) if flag.is_open for visit_id in flag.visit_ids}


def upheld_against(campaign: Any, by: str, starts_on: Any, ends_on: Any) -> dict[int | None, int]:
    """The assessment's provider (zoufang.assessment.indicators.PROVIDERS): flags the office upheld (查实) whose
    first visit was claimed in the period (either end may be None), counted per cadre, unit or village (the
    村/社区 of the first visit's target). Read from the stored decisions, so later visits do not move it."""
    from zoufang.callbacks.findings import count_by

    decisions = FlagClearance.objects.filter(campaign=campaign, outcome=FlagClearance.Outcome.UPHELD)
    if starts_on is not None:
        decisions = decisions.filter(visited_on__gte=starts_on)
    if ends_on is not None:
        decisions = decisions.filter(visited_on__lte=ends_on)
    rows = list(decisions.values_list("cadre_id", "cadre__unit_id", "visit_ids"))
    firsts = {v.pk: v.target.region_id for v in Visit.objects.filter(pk__in={row[2][0] for row in rows if row[2]})
              .select_related("target").only("target__region_id")}
    return count_by(campaign, by, [(cadre, unit, firsts[ids[0]]) for cadre, unit, ids in rows
                                   if ids and ids[0] in firsts])


def by_cadre(campaign: Any, period: Period = None) -> list[CadreFlags]:
    """Cadres with flags, worst first (open flags' weight, then how many)."""
    from zoufang.registry.models import Cadre

    flags = compute(campaign, period)
    grouped: dict[int, list[Flag]] = {}
    for flag in flags:
        grouped.setdefault(flag.cadre_id, []).append(flag)
    cadres = Cadre.objects.select_related("unit").in_bulk(list(grouped))
    found = [CadreFlags(cadres[pk], sorted(items, key=lambda f: (not f.is_open, -f.weight, f.key)))
             for pk, items in grouped.items() if pk in cadres]
    return sorted(found, key=listed_order)


def listed_order(cadre: CadreFlags) -> tuple[int, int, str, str]:
    """The lists' order, worst first, ending in the cadre's public id so that a keyset cursor names one row."""
    return -cadre.score, -len(cadre.open_flags), cadre.cadre.name, str(cadre.cadre.public_id)


# --- the flags ----------------------------------------------------------------------------------------------

def pace_flags(cadre_id: int, home: list[VisitRow], limits: Thresholds) -> list[Flag]:
    """Too many home visits within an hour; two minutes apart; far apart with too little time between."""
    flags: list[Flag] = []
    most = limits("pace", "max_home_visits_per_hour")
    hour = dt.timedelta(hours=1)
    start = end = 0
    clusters: list[tuple[int, int]] = []
    for start in range(len(home)):
        end = max(end, start)
        while end < len(home) and home[end].at < home[start].at + hour:
            end += 1
        if end - start > most:
            if clusters and start < clusters[-1][1]:
                clusters[-1] = (clusters[-1][0], end)
            else:
                clusters.append((start, end))
    for first, stop in clusters:
        run = home[first:stop]
        flags.append(Flag("pace", f"pace:hour:{run[0].id}", cadre_id, [r.id for r in run],
                          _("%(day)s %(start)s–%(end)s 入户走访 %(n)d 户，一小时内超过 %(most)d 户") % {
                              "day": clock.day(run[0].at), "start": clock.time_of_day(run[0].at),
                              "end": clock.time_of_day(run[-1].at), "n": len(run), "most": most}))
    gap_min = dt.timedelta(minutes=limits("pace", "min_minutes_between_home_visits"))
    speed = limits("pace", "max_travel_speed_kmh") * 1000 / 60  # metres a minute
    far = limits("pace", "min_distance_m")
    for before, after in zip(home, home[1:], strict=False):
        if before.target_id == after.target_id:
            continue
        gap = after.at - before.at
        minutes = gap.total_seconds() / 60
        if gap < gap_min:
            flags.append(Flag("pace", f"pace:overlap:{after.id}", cadre_id, [before.id, after.id],
                              _("%(a)s %(at_a)s 与 %(b)s %(at_b)s 两次入户相隔 %(m).0f 分钟（每次入户至少 %(min)d 分钟）") % {
                                  "a": before.target_name, "at_a": clock.time_of_day(before.at), "b": after.target_name,
                                  "at_b": clock.time_of_day(after.at), "m": minutes, "min": gap_min.total_seconds() // 60}))
            continue
        if before.target_position is None or after.target_position is None:
            continue
        metres = distance_m(*before.target_position, *after.target_position)
        needed = metres / speed + gap_min.total_seconds() / 60
        if metres >= far and minutes < needed:
            flags.append(Flag("pace", f"pace:far:{after.id}", cadre_id, [before.id, after.id],
                              _("%(a)s 与 %(b)s 相距 %(km).1f 公里，仅隔 %(m).0f 分钟（按每小时 %(speed)d 公里至少需 %(need).0f 分钟）")
                              % {"a": before.target_name, "b": after.target_name, "km": metres / 1000, "m": minutes,
                                 "speed": limits("pace", "max_travel_speed_kmh"), "need": needed}))
    return flags


def distance_flags(home: list[VisitRow], limits: Thresholds) -> list[Flag]:
    """A home visit whose recorded position (less its reported accuracy) is beyond a band from the target's:
    100 m / 300 m from a position imported or found by address, a wider band from a village's centre. Only
    for visits recorded within max_lag_minutes: the phone's position is where the visit was written up, and
    a visit written up that evening was written at home."""
    near, far = limits("distance", "near_m"), limits("distance", "far_m")
    lag = dt.timedelta(minutes=limits("distance", "max_lag_minutes"))
    village_far = limits("distance", "village_position_far_m")
    flags: list[Flag] = []
    for row in home:
        if row.position is None or row.target_position is None or row.recorded - row.at > lag:
            continue
        metres = distance_m(*row.position, *row.target_position) - row.accuracy
        coarse = row.target_position_source == PositionSource.VILLAGE
        band = village_far if coarse else far
        if metres > band:
            weight = SERIOUS
        elif not coarse and metres > near:
            weight, band = NOTICE, near
        else:
            continue
        flags.append(Flag("distance", f"distance:{row.id}", row.cadre_id, [row.id],
                          _("%(day)s 入户 %(name)s，登记位置距对象%(where)s约 %(m).0f 米（超过 %(band)d 米）") % {
                              "day": clock.minute(row.at), "name": row.target_name,
                              "where": _("所在村（社区）中心") if coarse else "", "m": metres, "band": band},
                          weight=weight))
    return flags


def late_bulk_flags(cadre_id: int, rows: list[VisitRow], limits: Thresholds) -> list[Flag]:
    """Visits recorded `late_hours` after they happened, at least `batch_size` of them within one sitting, made
    on at least `min_days` different days (one outing written up days later is not a desk)."""
    late = dt.timedelta(hours=limits("late_bulk", "late_hours"))
    window = dt.timedelta(minutes=limits("late_bulk", "batch_window_minutes"))
    size = limits("late_bulk", "batch_size")
    overdue = sorted((r for r in rows if r.recorded - r.at > late), key=lambda r: (r.recorded, r.id))
    batches: list[list[VisitRow]] = []
    for row in overdue:
        if batches and row.recorded - batches[-1][-1].recorded <= window:
            batches[-1].append(row)
        else:
            batches.append([row])
    flags = []
    for batch in batches:
        visited = sorted({clock.local(r.at).date() for r in batch})
        if len(batch) < size or len(visited) < limits("late_bulk", "min_days"):
            continue
        days = sum((r.recorded - r.at).total_seconds() for r in batch) / len(batch) / 86400
        flags.append(Flag("late_bulk", f"late_bulk:{batch[0].id}", cadre_id, [r.id for r in batch],
                          _("%(day)s %(start)s–%(end)s 一次补录 %(n)d 次走访（走访于 %(first)s 至 %(last)s），平均晚 %(days).1f 天")
                          % {"day": clock.day(batch[0].recorded), "start": clock.time_of_day(batch[0].recorded),
                             "end": clock.time_of_day(batch[-1].recorded), "n": len(batch),
                             "first": clock.day(visited[0]), "last": clock.period_end(visited[0], visited[-1]),
                             "days": days}))
    return flags


def night_flags(home: list[VisitRow], limits: Thresholds) -> list[Flag]:
    """A home visit between from_hour and to_hour (when it happened, not when it was written up)."""
    start, stop = limits("night", "from_hour"), limits("night", "to_hour")
    flags = []
    for row in home:
        hour = clock.local(row.at).hour
        if (start <= hour or hour < stop) if start > stop else (start <= hour < stop):
            flags.append(Flag("night", f"night:{row.id}", row.cadre_id, [row.id],
                              _("%(at)s 入户 %(name)s（%(start)d 时至%(next)s %(stop)d 时之间）") % {
                                  "at": clock.minute(row.at), "name": row.target_name,
                                  "start": start, "next": _("次日") if start > stop else "", "stop": stop},
                              weight=NOTICE))
    return flags


def copied_text_flags(cadre_id: int, rows: list[VisitRow], limits: Thresholds) -> list[Flag]:
    """A cadre's visits whose summaries (or free-text answers) are the same or nearly: one flag per cadre and
    field, when enough of their visits share a text with another."""
    flags = []
    for field_name, texts in (("summary", [r.summary for r in rows]),
                              ("answers", ["".join(r.free_text) for r in rows])):
        groups = text.near_duplicate_groups(
            texts, size=limits("copied_text", "shingle_chars"), similarity=limits("copied_text", "similarity"),
            min_chars=limits("copied_text", "min_chars"))
        copied = sorted({i for members, _score in groups for i in members})
        if len(copied) < limits("copied_text", "min_visits") or \
                len(copied) < limits("copied_text", "min_share") * len(rows):
            continue
        biggest, score = max(groups, key=lambda g: len(g[0]))
        sample = masking.scrub(texts[biggest[0]])  # an example of the words, never a personal number
        flags.append(Flag("copied_text", f"copied_text:{field_name}:{cadre_id}", cadre_id,
                          [rows[i].id for i in copied],
                          _("%(n)d 次走访（占 %(share).0f%%）的%(field)s与本人其他记录相同或几乎相同（相似度不低于 %(score).2f），"
                            "最多的一组 %(group)d 次，如：“%(sample)s”") % {
                              "n": len(copied), "share": 100 * len(copied) / len(rows),
                              "field": _("走访情况") if field_name == "summary" else _("调查表文字答案"),
                              "score": score, "group": len(biggest),
                              "sample": sample[:60] + ("…" if len(sample) > 60 else "")}))
    return flags


def straight_lining_flags(cadre_id: int, rows: list[VisitRow], limits: Thresholds,
                          words: dict[str, FormWords] | None = None) -> list[Flag]:
    """The same choices on (nearly) every one of a cadre's questionnaires of one form."""
    flags = []
    by_form: dict[str, list[tuple[int, str]]] = {}
    example: dict[str, dict[str, Any]] = {}
    for row in rows:
        for form_key, answers in row.answers.items():
            if len(answers) >= limits("straight_lining", "min_questions"):
                by_form.setdefault(form_key, []).append((row.id, _signature(answers)))
                example.setdefault(_signature(answers), answers)
    for form_key, answered in by_form.items():
        if len(answered) < limits("straight_lining", "min_visits"):
            continue
        signature, count = Counter(s for _id, s in answered).most_common(1)[0]
        if count < limits("straight_lining", "share") * len(answered):
            continue
        form = (words or {}).get(form_key)
        flags.append(Flag("straight_lining", f"straight_lining:{form_key}:{cadre_id}", cadre_id,
                          [visit_id for visit_id, s in answered if s == signature],
                          _("填写《%(form)s》%(n)d 次，其中 %(same)d 次选项答案完全相同：%(answers)s") % {
                              "n": len(answered), "form": form.title if form else form_key, "same": count,
                              "answers": (form.describe(example[signature]) if form else signature)[:120]}))
    return flags


def _signature(answers: dict[str, Any]) -> str:
    return json.dumps(answers, sort_keys=True, ensure_ascii=False)
