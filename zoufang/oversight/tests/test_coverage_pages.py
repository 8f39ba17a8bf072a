"""Coverage by unit and by cadre a page at a time, ordered and cut in the database from the kept counts: every
page equals the whole table sliced (hand-counted), the API's keyset pages too, in a bounded number of queries."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.campaigns.models import Campaign
from zoufang.oversight import board, export, figures, paged, tables
from zoufang.oversight.access import Reach
from zoufang.oversight.tests.conftest import visit
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import TargetFactory

TODAY = dt.date(2017, 6, 15)


@pytest.fixture
def units(counted: Any) -> Any:
    """Two more units after the fixture's two, of one sort order so the name decides in code-point order (Latin
    before Chinese): 'Zeta' (1 target, visited) and 综治办 (甲: 1 visited; 乙: 1; a target given to no cadre)."""
    town, campaign = counted, counted.campaign
    last = max(town.police.sort_order, town.wangwen.unit.sort_order) + 1
    zeta = Unit.objects.create(name="Zeta", kind=Unit.Kind.TOWN_DEPARTMENT, sort_order=last)
    office = Unit.objects.create(name="综治办", kind=Unit.Kind.TOWN_DEPARTMENT, sort_order=last)
    jia = Cadre.objects.create(name="甲", unit=office, role=Cadre.Role.PARTY_MEMBER, sort_order=1)
    yi = Cadre.objects.create(name="乙", unit=office, role=Cadre.Role.PARTY_MEMBER, sort_order=1)
    zed = Cadre.objects.create(name="Zed", unit=zeta, role=Cadre.Role.PARTY_MEMBER)
    region = town.households["shangxiatang"][0].region
    made = [TargetFactory(region=region) for _n in range(4)]
    for target, unit, cadre in zip(made, (zeta, office, office, office), (zed, jia, yi, None), strict=True):
        Assignment.objects.create(campaign=campaign, target=target, unit=unit, cadre=cadre)
    visit(campaign, made[0], zed, "2017-06-01")
    visit(campaign, made[1], jia, "2017-06-02")
    town.zeta, town.office = zeta, office
    return town


def figures_of(result: figures.Coverage) -> list[tuple[str, int, int, int, int]]:
    rows = [*result.rows, result.total]
    assert all(row.pace is not None for row in rows)
    return [(row.label, row.assigned, row.visited, row.pace.due_today, row.pace.behind)  # type: ignore[union-attr]
            for row in rows]


# Hand-counted (conftest: 派出所 3 assigned / 1 visited, 镇党政班子 3 / 2; plus the units above). On 6/15 one month
# (May) has ended: each row's due is ⌈1/5 × its assigned⌉.
BY_UNIT = [("派出所", 3, 1, 1, 0), ("镇党政班子", 3, 2, 1, 0), ("Zeta", 1, 1, 1, 0), ("综治办", 3, 1, 1, 0)]
BY_CADRE = [("派出所党员甲（派出所）", 3, 1, 1, 0), ("王文（镇党政班子）", 3, 2, 1, 0), ("Zed（Zeta）", 1, 1, 1, 0),
            ("乙（综治办）", 1, 0, 1, 1), ("甲（综治办）", 1, 1, 1, 0), ("未落实到人", 1, 0, 1, 1)]
TOTAL = ("合计", 10, 5, 2, 0)


def test_a_page_of_coverage_by_unit_or_cadre_is_the_slice_of_the_whole_table(
        units: Any, django_assert_max_num_queries: Any) -> None:
    campaign = units.campaign
    for by, expected in (("unit", BY_UNIT), ("cadre", BY_CADRE)):
        whole = figures.coverage(campaign, by, TODAY)
        assert figures_of(whole) == [*expected, TOTAL], by
        assert figures_of(whole) == figures_of(figures.coverage(campaign, by, TODAY, figures.assignments(campaign).all()))
        *every, total = figures_of(whole)
        for size in (1, 2, 4):
            for start in range(len(whole.rows) + 2):
                with django_assert_max_num_queries(4):  # past the keyed rows: counted alone
                    page = figures.coverage(campaign, by, TODAY, figures.assignments(campaign), page=(start, size))
                assert (page.count, page.start) == (len(whole.rows), start), (by, size, start)
                assert figures_of(page) == [*every[start:start + size], total], (by, size, start)
        # Page 1 and page 2 of two rows, the second named by the first's last row (the API's cursor).
        first = figures.coverage(campaign, by, TODAY, figures.assignments(campaign), page=(0, 2))
        cursor = figures.coverage_order(by)(first.rows[-1])
        with django_assert_max_num_queries(5):
            second = figures.coverage(campaign, by, TODAY, figures.assignments(campaign), page=(0, 2), after=cursor)
        assert second.start == 2
        assert figures_of(first)[:-1] + figures_of(second)[:-1] == every[:4]
        assert figures_of(second)[-1] == total


def test_a_units_page_by_cadre_and_a_leaders_own_units_read_only_their_rows(units: Any) -> None:
    campaign, office = units.campaign, units.office
    mine = figures.assignments(campaign, unit=office)
    whole = figures.coverage(campaign, "cadre", TODAY, mine)
    assert [row.label for row in whole.rows] == ["乙（综治办）", "甲（综治办）", "未落实到人"]
    page = figures.coverage(campaign, "cadre", TODAY, mine, page=(2, 5))
    assert figures_of(page) == figures_of(whole)[2:]
    other = Campaign.objects.get(slug="other")  # nothing assigned: no row, and no statement with nothing to sum
    empty = figures.coverage(other, "cadre", TODAY, figures.assignments(other), page=(0, 200))
    assert (empty.rows, empty.count, empty.total.assigned) == ([], 0, 0)
    chosen = figures.coverage(campaign, "unit", TODAY, figures.assignments(campaign), keys=[office, units.police])
    assert [row.label for row in chosen.rows] == ["派出所", "综治办"]
    assert chosen.total.assigned == 10


def test_the_api_cuts_coverage_and_cases_by_unit_in_the_database(units: Any, api_token: Any, client: Any,
                                                                 django_assert_max_num_queries: Any) -> None:
    slug, office = units.campaign.slug, api_token("office")
    for what, by in (("coverage", "unit"), ("coverage", "cadre"), ("cases", "unit"), ("cases", "village")):
        whole = client.get(f"/api/v1/oversight/{slug}/{what}?by={by}", **office).json()
        assert whole["next"] is None
        assert whole["count"] == len(whole["rows"])
        shown, after = [], None
        while True:
            with django_assert_max_num_queries(10):  # 5 for the token, grants and campaign; ≤ 5 for the page
                answer = client.get(f"/api/v1/oversight/{slug}/{what}?by={by}&page_size=2"
                                    + (f"&after={after}" if after else ""), **office).json()
            assert answer["count"] == whole["count"]
            assert answer["total"] == whole["total"]
            shown += answer["rows"]
            after = answer["next"]
            if after is None:
                break
        assert shown == whole["rows"], (what, by)
    other = client.get(f"/api/v1/oversight/{slug}/coverage?by=unit&page_size=1", **office).json()["next"]
    assert client.get(f"/api/v1/oversight/{slug}/coverage?by=cadre&after={other}", **office).status_code == 400
    assert client.get(f"/api/v1/oversight/{slug}/cases?by=unit&after={paged.encode([0, 'x'])}",
                      **office).status_code == 400


def test_the_download_reads_the_long_tables_a_page_at_a_time(units: Any, monkeypatch: Any,
                                                             django_assert_max_num_queries: Any) -> None:
    """The xlsx's by-unit tables go through their rows a page at a time (two rows a page here), no list of every
    row, and hold the same rows as the whole tables."""
    monkeypatch.setattr(paged, "PAGE_MAX", 2)
    campaign = units.campaign
    downloaded = board.campaign_board(Reach(campaign, whole=True), TODAY, None, behind_limit=None).tables
    whole = {"coverage-unit": tables.coverage_table(figures.coverage(campaign, "unit", TODAY)),
             "cases-unit": tables.case_table(figures.case_figures(campaign, "unit", TODAY))}
    for key, table in whole.items():
        assert isinstance(downloaded[key].rows, tables.PagedRows), key
        with django_assert_max_num_queries(4 * 2):  # two pages, ≤ 4 queries each
            rows = list(downloaded[key].rows)
        assert rows == table.rows, key
        assert downloaded[key].total == table.total, key
    assert [row[0] for row in whole["coverage-unit"].rows] == [label for label, *_n in BY_UNIT]
    sheet = load_workbook(io.BytesIO(export.xlsx([downloaded["coverage-unit"]]))).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == [*(label for label, *_n in BY_UNIT), "合计"]
