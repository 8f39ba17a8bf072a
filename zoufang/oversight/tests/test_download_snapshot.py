"""A long download is read at one moment: a visit recorded on another connection while the xlsx is being written
(between two of its pages) neither drops a row nor repeats one, nor changes a figure of the file (decision 0024).

The pages are one row each here, so that every row is a page of its own. On SQLite the test runs on a copy of the
test database in a file (WAL, as `make run` has it): the in-memory test database's shared cache refuses a second
writer while a reader holds its tables, where the file's readers keep their snapshot and the writer goes on.
"""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from zoufang.accounts.models import AuditEvent
from zoufang.core import snapshot
from zoufang.core.testfiledb import another_connection, on_a_file  # noqa: F401 - a fixture
from zoufang.jobs import kinds, services
from zoufang.jobs.testing import cells
from zoufang.oversight import export, figures, fullcoverage_tables, paged
from zoufang.oversight.tests.conftest import visit
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_HOUSEHOLD = [{"key": "households", "name": "户籍户走访全覆盖", "targets": [{"target_kinds": ["registered_household"]}]}]


@pytest.fixture
def gapped(on_a_file: Any, town: Any, settings: Any) -> Any:  # noqa: F811 - the imported fixture
    """Five households, none visited, each assigned to 派出所党员甲: every one is in the gap 未走访."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    campaign = town.campaign
    campaign.config = {"target_kinds": ["registered_household"], "full_coverage": EVERY_HOUSEHOLD,
                       "pace": {"monthly_min_share": "1/5", "target_kinds": ["registered_household"]}}
    campaign.save()
    town.officer = Cadre.objects.get(name="派出所党员甲")
    for target in [*town.households["shangxiatang"], *town.households["jijiadun"]]:
        Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=town.officer)
    return town


def _built(kind: str, user: Any, params: dict[str, Any], progress: Callable[[int, int], None]) -> list[list[Any]]:
    """The file a queued job of `kind` writes (its builder, as the worker runs it, inside the worker's read
    snapshot: jobs.services._build): the first sheet's rows."""
    job = kinds.get(kind)
    out = io.BytesIO()
    services._build(job, user, job.resolve(user, params), out, progress)
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows()]


def _visiting_after_the_first_row(town: Any, target: Any) -> Callable[[int, int], None]:
    """The job's progress, told of every row written: after the first row, the cadre visits `target`."""
    def progress(done: int, total: int) -> None:
        if done == 1 and not target.visits.exists():
            with another_connection():
                visit(town.campaign, target, town.officer, "2017-06-14")

    return progress


def test_a_visit_between_two_pages_of_a_gap_leaves_no_household_out(gapped: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(fullcoverage_tables, "PAGE_ROWS", 1)
    monkeypatch.setattr(export, "PROGRESS_ROWS", 1)
    first = gapped.households["shangxiatang"][0]
    params = {"slug": gapped.campaign.slug, "requirement": "households", "gap": "unvisited"}
    rows = _built("full_coverage_rows", gapped.users["office"], params, _visiting_after_the_first_row(gapped, first))
    names = [row[1] for row in rows[2:]]
    assert sorted(names) == sorted(t.name for t in [*gapped.households["shangxiatang"],
                                                    *gapped.households["jijiadun"]])  # each once, none left out
    assert first.visits.count() == 1  # the visit was recorded meanwhile, and is seen by the next download
    again = _built("full_coverage_rows", gapped.users["office"], params, lambda done, total: None)
    assert first.name not in [row[1] for row in again[2:]]
    assert len(again) == len(rows) - 1


def test_a_visit_between_two_pages_of_a_dashboard_table_leaves_the_file_as_it_was(gapped: Any,
                                                                                   monkeypatch: Any) -> None:
    """The villages' coverage a row a page: the file is the table at the moment it began, total included."""
    params = {"slug": gapped.campaign.slug, "key": "coverage-village"}
    office = gapped.users["office"]
    before = _built("oversight_all", office, params, lambda done, total: None)
    monkeypatch.setattr(paged, "PAGE_MAX", 1)
    monkeypatch.setattr(export, "PROGRESS_ROWS", 1)
    second_village = gapped.households["jijiadun"][0]
    during = _built("oversight_all", office, params, _visiting_after_the_first_row(gapped, second_village))
    assert during == before
    assert second_village.visits.count() == 1
    assert _built("oversight_all", office, params, lambda done, total: None) != before


def test_every_table_of_the_dashboard_and_the_rows_behind_a_figure_download_in_one_snapshot(gapped: Any) -> None:
    """The whole board and a drill-down's rows read nothing that writes (a write would be refused), and the audit
    of the full numbers shown is kept (written on its own connection)."""
    office = gapped.users["office"]
    told: list[tuple[int, int]] = []
    board = _built("oversight_all", office, {"slug": gapped.campaign.slug, "key": "all"},
                   lambda done, total: told.append((done, total)))
    assert board[0][0].startswith(gapped.campaign.name)
    assert told
    assert told[-1][0] == told[-1][1]
    rows = _built("oversight_rows", office, {"slug": gapped.campaign.slug, "what": "unvisited"},
                  lambda done, total: None)
    assert len(rows) == 2 + 5
    _built("full_coverage_rows", office, {"slug": gapped.campaign.slug, "requirement": "households",
                                          "gap": "unvisited"}, lambda done, total: None)
    summaries = list(AuditEvent.objects.values_list("summary", flat=True))
    assert any(s.startswith("督查：未走访对象") for s in summaries)
    assert any(s.startswith("督查：全覆盖明细") for s in summaries)


def test_a_write_outside_writes_is_refused_and_one_inside_is_kept(gapped: Any) -> None:
    with snapshot.held():
        assert Target.objects.count() == 6
        with pytest.raises(DatabaseError), transaction.atomic():
            Region.objects.create(name="新村", level=Region.Level.VILLAGE, parent=gapped.town)
        with snapshot.writes():
            with snapshot.writes():  # nested: still the writer's connection, and back to it after
                Region.objects.create(name="新村", level=Region.Level.VILLAGE, parent=gapped.town)
            assert Region.objects.filter(name="新村").exists()
        assert not Region.objects.filter(name="新村").exists()  # written after the snapshot was taken
    assert Region.objects.filter(name="新村").count() == 1
    assert connection.get_autocommit()


def test_a_table_built_in_the_request_reads_its_pages_at_one_moment(gapped: Any, monkeypatch: Any,
                                                                   login: Any) -> None:
    """The dashboard's 下载xlsx of a table short enough for the request (≤ 2,000 rows) reads its pages too."""
    url = f"/oversight/{gapped.campaign.slug}/xlsx/coverage-village/"
    office = login(gapped.users["office"])
    before = office.get(url)
    monkeypatch.setattr(paged, "PAGE_MAX", 1)
    second_village = gapped.households["jijiadun"][0]
    read = figures.coverage

    def visited_after_the_first_page(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        if kwargs.get("page") == (1, 1) and not second_village.visits.exists():  # the second page is asked
            with another_connection():
                visit(gapped.campaign, second_village, gapped.officer, "2017-06-14")
            found = read(*args, **kwargs)
        return found

    monkeypatch.setattr(figures, "coverage", visited_after_the_first_page)
    during = office.get(url)
    assert second_village.visits.count() == 1
    assert cells(during.content) == cells(before.content)
