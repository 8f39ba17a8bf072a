"""A batch's progress and results by unit, village and cadre: one table definition for the page, xlsx and API."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.regions.models import Region

Outcome = CallbackSample.Outcome
T = TypeVar("T")

# The call script's `satisfaction` answer (its choice names; the question is optional) and the column counting it.
SATISFACTION = {"satisfied": "satisfied", "fairly": "fairly_satisfied", "unsatisfied": "unsatisfied"}
# The columns a 满意率 counts as satisfied (满意 or 基本满意, as figures.SATISFIED does for the cases' ratings).
SATISFIED = ("satisfied", "fairly_satisfied")
COLUMNS = [("sampled", _("抽查")), ("settled", _("已完成")), *[(o.value, o.label) for o in Outcome],
           ("pending", _("待核实")), ("upheld", _("核实未走访")), ("unanswered", _("问题未回复")),
           ("satisfied", _("满意")), ("fairly_satisfied", _("基本满意")), ("unsatisfied", _("不满意")),
           ("followed_up", _("不满意已跟进"))]
GROUPINGS = [("unit", _("按单位")), ("village", _("按村（社区）")), ("cadre", _("按走访干部"))]


@dataclass
class Line:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _label in COLUMNS})

    def add(self, sample: CallbackSample) -> None:
        self.counts["sampled"] += 1
        if sample.outcome:
            self.counts["settled"] += 1
            self.counts[sample.outcome] += 1
        if sample.verification == CallbackSample.Verification.PENDING:
            self.counts["pending"] += 1
        if sample.verification == CallbackSample.Verification.UPHELD:
            self.counts["upheld"] += 1
        if sample.says_unanswered:
            self.counts["unanswered"] += 1
        said = SATISFACTION.get(str((sample.answers or {}).get("satisfaction", "")))
        if said:
            self.counts[said] += 1
        if said == "unsatisfied" and sample.dissatisfied_handled_at is not None:
            self.counts["followed_up"] += 1

    def values(self) -> list[int]:
        return [self.counts[key] for key, _label in COLUMNS]

    @property
    def reached(self) -> int:
        """Calls that got through (接通): every settled sample but the unreachable."""
        return self.counts["settled"] - self.counts[Outcome.UNREACHABLE]

    @property
    def asked(self) -> int:
        """Answers on satisfaction (满意, 基本满意 or 不满意)."""
        return sum(self.counts[key] for key in SATISFACTION.values())

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 满意 or 基本满意 ÷ answers on satisfaction × 100, one decimal, as the cases' 满意率 reads."""
        asked = self.asked
        return round(100 * sum(self.counts[key] for key in SATISFIED) / asked, 1) if asked else None


@dataclass
class Table:
    key: str
    title: str
    lines: list[Line]
    total: Line


def counted(batches: QuerySet[CallbackBatch]) -> QuerySet[CallbackBatch]:
    """Each batch with how many visits it sampled and how many of them are settled, counted in the one query
    that reads the batches (no query per batch)."""
    return batches.annotate(sampled=Count("samples"), settled=Count("samples", filter=~Q(samples__outcome="")))


def composition(batch: CallbackBatch) -> list[tuple[str, int]]:
    """[(why drawn, how many)] in the order the draw picks them: what the sample is made of, counted from it."""
    drawn = dict(batch.samples.values_list("reason").annotate(n=Count("id")).values_list("reason", "n"))
    return [(str(reason.label), drawn[reason.value]) for reason in CallbackSample.Reason if drawn.get(reason.value)]


def listed_samples(batch: CallbackBatch) -> QuerySet[CallbackSample]:
    """A batch's samples with what a call list shows of each (visit, cadre, unit, target, region), by position."""
    return batch.samples.select_related("visit__cadre__unit", "visit__target__region").order_by("position", "id")


def samples_of(batch: CallbackBatch) -> list[CallbackSample]:
    return list(listed_samples(batch))


def village_names(campaign: Any) -> dict[str, str]:
    return dict(Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE)
                .values_list("path", "name"))


def enclosing(by_path: dict[str, T], path: str, fallback: T) -> T:
    """What `by_path` holds for the village (村/社区) a region path lies in (or is); `fallback` above villages."""
    step = Region.PATH_STEP + 1
    return next((by_path[path[:end]] for end in range(step, len(path) + 1, step) if path[:end] in by_path), fallback)


def grouped(campaign: Any, samples: list[CallbackSample], key: str, *, by_name: bool = True) -> Table:
    """The samples counted per unit, village (村/社区) or cadre (`key`), with their total; lines by name, or in the
    order the samples first name them (`by_name=False`). Each sample needs its visit's cadre, unit and target's
    region loaded."""
    names = village_names(campaign) if key == "village" else {}
    keys: dict[str, Callable[[CallbackSample], str]] = {
        "unit": lambda s: s.visit.cadre.unit.name,
        "village": lambda s: enclosing(names, s.visit.target.region.path, s.visit.target.region.name),
        "cadre": lambda s: f"{s.visit.cadre.name}（{s.visit.cadre.unit.name}）",
    }
    lines: dict[str, Line] = {}
    total = Line(str(_("合计")))
    for sample in samples:
        name = keys[key](sample)
        lines.setdefault(name, Line(name)).add(sample)
        total.add(sample)
    shown = sorted(lines.values(), key=lambda line: line.name) if by_name else list(lines.values())
    return Table(key, str(dict(GROUPINGS)[key]), shown, total)


def tables(batch: CallbackBatch, samples: list[CallbackSample] | None = None) -> list[Table]:
    samples = samples_of(batch) if samples is None else samples
    return [grouped(batch.campaign, samples, key) for key, _title in GROUPINGS]


def headings() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def as_dict(table: Table) -> dict[str, Any]:
    return {"key": table.key, "title": table.title,
            "rows": [{"name": line.name, **line.counts} for line in table.lines],
            "total": {"name": table.total.name, **table.total.counts}}
