"""Every way product code may write assignments keeps the kept counts (decision 0042's addendum): the ORM's save and
delete (the receivers), the bulk writes (AssignmentQuerySet.delete, update, bulk_update, bulk_create through
`counters.count_assignments`), a hand reassignment and a pin; after each, `oversight verify` finds nothing, the work
given after the plan day (GivenLaterTally) included. A raw SQL write of the assignment table outside the planner
(COPY, then a rebuild) and the bench (INSERT, then a rebuild) fails the last test."""

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.oversight import counters
from zoufang.oversight.tests.conftest import PACE, visit
from zoufang.planning.models import Assignment
from zoufang.planning.services import reassign, set_pinned
from zoufang.registry.models import Cadre, Target
from zoufang.registry.tests.factories import TargetFactory

D = dt.date
PLAN_DAY, LATER, LATEST = D(2017, 5, 1), D(2017, 8, 20), D(2017, 9, 2)


@pytest.fixture
def given(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-09-02"
    campaign = town.campaign
    campaign.starts_on = PLAN_DAY
    campaign.config = {"pace": PACE}
    campaign.plan_given_on = PLAN_DAY
    campaign.save()
    officer, other = Cadre.objects.get(name="派出所党员甲"), Cadre.objects.get(name="王文")
    region = town.households["shangxiatang"][0].region
    for n in range(6):
        target = TargetFactory(region=region, kind=Target.Kind.REGISTERED_HOUSEHOLD)
        Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=officer,
                                  given_on=PLAN_DAY if n < 4 else LATER)
        if n % 2:
            visit(campaign, target, officer, f"2017-06-1{n}")
    town.campaign, town.officer, town.other = Campaign.objects.get(pk=campaign.pk), officer, other
    town.region = region
    return town


def _clean(campaign: Campaign) -> None:
    verdict = counters.verify(campaign.pk)
    assert verdict.ok, verdict
    assert counters.kept_later(campaign.pk) == counters.recount_later(campaign.pk)


def test_every_write_path_leaves_the_kept_counts_equal_to_a_recount(given: Any) -> None:
    campaign, officer, other = given.campaign, given.officer, given.other
    rows = Assignment.objects.filter(campaign=campaign)
    assert counters.kept_later(campaign.pk)  # the fixture has work given after the plan day
    _clean(campaign)

    rows.filter(given_on=PLAN_DAY).update(given_on=LATER)  # a bulk UPDATE of the day
    assert counters.kept_later(campaign.pk)[("registered_household", 0, 0, 0, LATER)] == 6
    _clean(campaign)
    first_two = list(rows.order_by("id").values_list("pk", flat=True)[:2])
    rows.filter(pk__in=first_two).update(cadre=other, unit=other.unit, given_on=LATEST)  # to another holder
    _clean(campaign)
    assert Campaign.objects.get(pk=campaign.pk).given_later_on == LATEST

    moved = list(rows.filter(cadre=officer).order_by("id")[:2])
    for assignment in moved:
        assignment.cadre, assignment.unit, assignment.given_on = other, other.unit, PLAN_DAY
    Assignment.objects.bulk_update(moved, ["cadre", "unit", "given_on"])
    _clean(campaign)
    Assignment.objects.bulk_update(moved, ["pinned"])  # no counted column: written as it is
    _clean(campaign)

    made = Assignment.objects.bulk_create([
        Assignment(campaign=campaign, target=TargetFactory(region=given.region, kind=Target.Kind.ENTERPRISE),
                   unit=officer.unit, cadre=officer, given_on=LATEST) for _n in range(3)])
    assert all(assignment.pk for assignment in made)
    _clean(campaign)
    Assignment.objects.bulk_create([  # one target already held (skipped), one new: the campaign is recounted
        Assignment(campaign=campaign, target=made[0].target, unit=other.unit, cadre=other, given_on=LATEST),
        Assignment(campaign=campaign, target=TargetFactory(region=given.region), unit=other.unit, cadre=other,
                   given_on=LATEST)], ignore_conflicts=True)
    assert rows.filter(cadre=other, given_on=LATEST).count() == 3
    _clean(campaign)

    with clock.frozen(clock.now()):
        reassign(made[0], other.pk, by=None)
    set_pinned(made[1], True, by=None)
    made[2].given_on = LATER
    made[2].save()
    _clean(campaign)
    Assignment.objects.get(pk=made[1].pk).delete()
    rows.filter(given_on=LATEST).delete()
    _clean(campaign)
    Assignment.objects.create(campaign=campaign, target=TargetFactory(region=given.region), unit=other.unit,
                              cadre=other, given_on=LATEST)
    _clean(campaign)


# Product modules that write the assignment table in raw SQL, each followed by a rebuild of the kept counts.
RAW_WRITERS = {"zoufang/planning/services.py": {"insert_assignments"}, "zoufang/oversight/bench.py": {"*"}}
WRITES = ("INSERT INTO", "UPDATE ", "DELETE FROM", "COPY ")
NAMES = ("planning_assignment", "Assignment._meta", "Assignment)")


def _raw_writes(path: Path) -> set[str]:
    """The functions (and "*" for the module's own statements) of `path` that name the assignment table and hold a
    write statement in a string."""
    source = path.read_text()
    if not any(table in source for table in NAMES):
        return set()
    tree = ast.parse(source)
    lines = source.splitlines()
    found = set()
    scopes: list[tuple[str, ast.AST]] = [("*", node) for node in tree.body if not isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    scopes += [(node.name, node) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    for name, node in scopes:
        text = "\n".join(lines[node.lineno - 1:node.end_lineno])  # type: ignore[attr-defined]
        strings = " ".join(str(item.value) for item in ast.walk(node)
                           if isinstance(item, ast.Constant) and isinstance(item.value, str))
        if any(write in strings.upper() for write in WRITES) and any(table in text for table in NAMES):
            found.add(name)
    return found


def test_no_raw_sql_writes_assignments_outside_the_planner_and_the_bench() -> None:
    root = Path(__file__).resolve().parents[3]
    found = {}
    for path in sorted((root / "zoufang").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        writes = _raw_writes(path) - RAW_WRITERS.get(relative, set())
        if writes and "*" not in RAW_WRITERS.get(relative, set()):
            found[relative] = writes
    assert found == {}
    assert _raw_writes(root / "zoufang/planning/services.py") >= {"insert_assignments"}  # the check sees it
