"""Drawing a callback sample: stratified, weighted toward flagged visits, reproducible from its recorded inputs.

`draw_visits` is a pure function of its inputs (rows, flagged ids, cadres covered by earlier batches, size,
flagged share, seed): the batch records them all, and `redraw_matches` proves a batch's sample follows from them.

Order of picking (each pick uniform at random among the candidates, with the seeded generator):
1. every cadre with visits in the period whom no earlier batch of the campaign sampled: one visit each;
2. every village (村/社区) with visits in the period not yet covered: one visit each;
3. every unit with visits in the period not yet covered: one visit each;
4. flagged visits until the flagged share of the requested size is reached (or none are left);
5. any remaining visits until the requested size is reached.
Coverage comes first, so a small count may be exceeded; the batch records both.
"""

import hashlib
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from zoufang.callbacks.models import CallbackSample

Reason = CallbackSample.Reason


class Period(NamedTuple):
    """The visits' dates a batch samples from, both days included (Beijing dates)."""

    starts_on: Any
    ends_on: Any


@dataclass(frozen=True)
class VisitRow:
    visit_id: int
    cadre_id: int
    unit_id: int
    village_id: int

    def as_list(self) -> list[int]:
        return [self.visit_id, self.cadre_id, self.unit_id, self.village_id]


def flagged_visit_ids(campaign: Any, period: Period) -> set[int]:
    """The visits that integrity flags point at, still open (not cleared), in the period.

    The one door to the integrity flags: `zoufang.integrity.flags.open_flag_visit_ids(campaign, period)` when that
    module is installed; without it no visit is flagged and the flagged share of a draw stays empty.
    """
    try:
        from zoufang.integrity.flags import open_flag_visit_ids  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return set()
    return {int(visit_id) for visit_id in open_flag_visit_ids(campaign, period)}


def sample_size(population: int, *, rate: Fraction | None, count: int | None) -> int:
    """The requested size: a count, or the rate of the population rounded up (never more than there is)."""
    wanted = count if count is not None else math.ceil((rate or 0) * population)
    return max(0, min(wanted, population))


def draw_visits(
    rows: Iterable[VisitRow], *, size: int, flagged: set[int], covered_cadres: set[int], flagged_share: Fraction,
    seed: int,
) -> list[tuple[int, str]]:
    """[(visit id, reason)] in the order drawn. Same inputs, same sample, on any machine."""
    ordered = sorted(rows, key=lambda row: row.visit_id)
    rng = random.Random(seed)  # noqa: S311 - a seeded, reproducible draw, not a secret
    chosen: dict[int, str] = {}

    def pick(candidates: list[VisitRow], reason: str) -> None:
        free = [row for row in candidates if row.visit_id not in chosen]
        if free:
            chosen[rng.choice(free).visit_id] = reason

    def cover(key: str, reason: str, skip: set[int]) -> None:
        groups: dict[int, list[VisitRow]] = {}
        for row in ordered:
            groups.setdefault(getattr(row, key), []).append(row)
        for value in sorted(groups):
            if value in skip or any(row.visit_id in chosen for row in groups[value]):
                continue
            pick(groups[value], reason)

    cover("cadre_id", Reason.CADRE, covered_cadres)
    cover("village_id", Reason.VILLAGE, set())
    cover("unit_id", Reason.UNIT, set())
    flagged_rows = [row for row in ordered if row.visit_id in flagged]
    flagged_wanted = round(size * flagged_share)
    while sum(1 for visit_id in chosen if visit_id in flagged) < flagged_wanted:
        free = [row for row in flagged_rows if row.visit_id not in chosen]
        if not free:
            break
        chosen[rng.choice(free).visit_id] = Reason.FLAGGED
    rest = [row for row in ordered if row.visit_id not in chosen]
    missing = max(0, size - len(chosen))
    for row in rng.sample(rest, min(missing, len(rest))):
        chosen[row.visit_id] = Reason.RANDOM
    return list(chosen.items())


def digest(rows: Iterable[VisitRow]) -> str:
    """A fingerprint of the population, to show which visits a draw read."""
    text = ";".join(",".join(map(str, row.as_list())) for row in sorted(rows, key=lambda r: r.visit_id))
    return hashlib.sha256(text.encode()).hexdigest()


def redraw_matches(batch: Any) -> bool:
    """Whether the batch's sample is exactly what its recorded inputs draw (same visits, reasons, order)."""
    inputs = batch.inputs
    rows = [VisitRow(*row) for row in inputs["rows"]]
    again = draw_visits(
        rows, size=inputs["size"], flagged=set(inputs["flagged"]), covered_cadres=set(inputs["covered_cadres"]),
        flagged_share=Fraction(inputs["flagged_share"]), seed=batch.seed,
    )
    drawn = list(batch.samples.order_by("position").values_list("visit_id", "reason"))
    return [(visit_id, str(reason)) for visit_id, reason in again] == drawn and digest(rows) == inputs["digest"]
