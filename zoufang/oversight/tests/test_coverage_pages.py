"""Coverage by unit and by cadre a page at a time, ordered and cut in the database from the kept counts: every
page equals the whole table sliced (hand-counted), the API's keyset pages too, in a bounded number of queries."""

import datetime as dt
import io
from typing import Any

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from zoufang.campaigns.models import Campaign
from zoufang.oversight import board, counters, export, figures, paged, tables
from zoufang.oversight.access import Reach
from zoufang.oversight.models import CadreTally, CoverageTally, UnitCadres
from zoufang.oversight.tests.conftest import visit
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit

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


# Hand-counted: 上下塘社区 holds the fixture's 3 (1 visited) and the four above (2 visited); 计家墩村 2 households and
# the enterprise (2 visited); one more target directly under the town, in no village (the test adds it).
BY_VILLAGE = [("上下塘社区", 7, 3, 2, 0), ("计家墩村", 3, 2, 1, 0), ("（未填村）", 1, 0, 1, 1)]
VILLAGE_TOTAL = ("合计", 11, 5, 3, 0)


def test_a_page_of_coverage_by_village_is_the_slice_of_the_whole_table(
        units: Any, django_assert_max_num_queries: Any) -> None:
    campaign = units.campaign
    town_level = TargetFactory(region=units.town)
    Assignment.objects.create(campaign=campaign, target=town_level, unit=units.zeta)
    whole = figures.coverage(campaign, "village", TODAY)
    assert figures_of(whole) == [*BY_VILLAGE, VILLAGE_TOTAL]
    assert figures_of(whole) == figures_of(figures.coverage(campaign, "village", TODAY,
                                                            figures.assignments(campaign).all()))
    every = figures_of(whole)[:-1]
    for size in (1, 2, 4):
        for start in range(len(every) + 2):
            with django_assert_max_num_queries(4):
                page = figures.coverage(campaign, "village", TODAY, figures.assignments(campaign), page=(start, size))
            assert (page.count, page.start) == (3, start), (size, start)
            assert figures_of(page) == [*every[start:start + size], VILLAGE_TOTAL], (size, start)
    # Each page after the previous one's last row (the API's cursor), the row without a village last.
    shown, cursor = [], None
    while True:
        with django_assert_max_num_queries(5):
            page = figures.coverage(campaign, "village", TODAY, figures.assignments(campaign), page=(0, 1),
                                    after=cursor)
        shown += figures_of(page)[:-1]
        if page.start + len(page.rows) >= page.count:
            break
        cursor = figures.coverage_order("village")(page.rows[-1])
    assert shown == every
    # A town's villages, and a leader's own (`keys`): only those rows, over the kept counts.
    town = figures.assignments(campaign, region=units.town)
    assert figures_of(figures.coverage(campaign, "village", TODAY, town, page=(1, 5))) == [*every[1:], VILLAGE_TOTAL]
    jijiadun = whole.rows[1].key
    with django_assert_max_num_queries(4):
        mine = figures.coverage(campaign, "village", TODAY, figures.assignments(campaign), keys=[jijiadun])
    assert figures_of(mine) == [every[1], VILLAGE_TOTAL]
    with pytest.raises(ValueError, match="派出所"):  # a cursor of another table's order
        figures.coverage(campaign, "village", TODAY, figures.assignments(campaign), page=(0, 1),
                         after=figures.coverage_order("unit")(figures.coverage(campaign, "unit", TODAY).rows[0]))


def test_the_dashboard_pages_the_village_table_and_the_api_walks_it(
        units: Any, login: Any, api_token: Any, client: Any, monkeypatch: Any,
        django_assert_max_num_queries: Any) -> None:
    Assignment.objects.create(campaign=units.campaign, target=TargetFactory(region=units.town), unit=units.zeta)
    slug = units.campaign.slug
    office = api_token("office")
    whole = client.get(f"/api/v1/oversight/{slug}/coverage?by=village", **office).json()
    assert [row["label"] for row in whole["rows"]] == [label for label, *_n in BY_VILLAGE]
    shown, after = [], None
    while True:
        with django_assert_max_num_queries(10):  # 5 for the token, grants and campaign; ≤ 5 for the page
            answer = client.get(f"/api/v1/oversight/{slug}/coverage?by=village&page_size=1"
                                + (f"&after={after}" if after else ""), **office).json()
        assert (answer["count"], answer["total"]) == (3, whole["total"])
        shown += answer["rows"]
        after = answer["next"]
        if after is None:
            break
    assert shown == whole["rows"]
    monkeypatch.setattr(paged, "PAGE_MAX", 2)
    browser = login(units.users["office"])
    second = browser.get(f"/oversight/{slug}/?p-coverage-village=2").content.decode()
    table = second[second.index('id="t-coverage-village"'):]
    table = table[:table.index("</section>")]
    assert "（未填村）" in table
    assert "上下塘社区" not in table
    assert "?p-coverage-village=1#t-coverage-village" in table
    sheet = load_workbook(io.BytesIO(browser.get(f"/oversight/{slug}/xlsx/coverage-village/").content)).active
    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert [name for name in names if name in {label for label, *_n in BY_VILLAGE}] == \
        [label for label, *_n in BY_VILLAGE]


def test_the_kept_cadre_counts_follow_reassignment_and_a_target_given_to_no_cadre(
        units: Any, django_assert_max_num_queries: Any) -> None:
    """Hand-counted: each unit's cadres holding assignments (UnitCadres) and each cadre's assigned over the kinds
    (CadreTally); the rows no cadre holds as a node of their own. A target moved from 乙 to 甲 takes 乙 out of the
    by-cadre table; the target no cadre held given to 乙 brings 乙 back and empties 未落实到人. Every page of the
    whole campaign's table stays the slice of the recount."""
    campaign, office = units.campaign, units.office
    jia, yi = Cadre.objects.get(name="甲"), Cadre.objects.get(name="乙")

    def kept() -> tuple[dict[str, int], dict[str, int], int]:
        names = dict(Unit.objects.values_list("pk", "name"))
        cadres = dict(Cadre.objects.values_list("pk", "name"))
        held = {cadres[c]: n for c, n in CadreTally.objects.filter(campaign=campaign, assigned__gt=0)
                .values_list("cadre", "assigned")}
        per_unit = {names[u]: n for u, n in UnitCadres.objects.filter(campaign=campaign, cadres__gt=0)
                    .values_list("unit", "cadres")}
        loose = CoverageTally.objects.filter(campaign=campaign, region=0, unit=0, cadre=counters.NO_CADRE) \
            .aggregate(n=Sum("assigned"))["n"] or 0
        return held, per_unit, loose

    def pages_are_slices() -> list[str]:
        whole = figures.coverage(campaign, "cadre", TODAY, figures.assignments(campaign).all())
        for size in (1, 2, 4):
            for start in range(len(whole.rows) + 1):
                with django_assert_max_num_queries(4):
                    page = figures.coverage(campaign, "cadre", TODAY, figures.assignments(campaign),
                                            page=(start, size))
                assert figures_of(page) == figures_of(whole)[:-1][start:start + size] + figures_of(whole)[-1:]
                assert page.count == len(whole.rows)
        assert counters.verify(campaign.pk).ok
        return [row.label for row in whole.rows]

    assert kept() == ({"派出所党员甲": 3, "王文": 3, "Zed": 1, "甲": 1, "乙": 1},
                      {"派出所": 1, "镇党政班子": 1, "Zeta": 1, "综治办": 2}, 1)
    pages_are_slices()
    moved = Assignment.objects.get(campaign=campaign, cadre=yi)
    moved.cadre = jia
    moved.save()
    assert kept() == ({"派出所党员甲": 3, "王文": 3, "Zed": 1, "甲": 2},
                      {"派出所": 1, "镇党政班子": 1, "Zeta": 1, "综治办": 1}, 1)
    assert "乙（综治办）" not in pages_are_slices()
    loose = Assignment.objects.get(campaign=campaign, unit=office, cadre__isnull=True)
    loose.cadre = yi
    loose.save()
    assert kept() == ({"派出所党员甲": 3, "王文": 3, "Zed": 1, "甲": 2, "乙": 1},
                      {"派出所": 1, "镇党政班子": 1, "Zeta": 1, "综治办": 2}, 0)
    assert pages_are_slices()[-1] == "甲（综治办）"
    Visit.objects.filter(campaign=campaign, target=moved.target).delete()  # a visit voided: no cadre count moves
    assert kept()[1] == {"派出所": 1, "镇党政班子": 1, "Zeta": 1, "综治办": 2}
    pages_are_slices()


def test_the_dashboard_states_the_campaign_s_own_pace_share(units: Any, login: Any) -> None:
    """The rule under the coverage table is the campaign's (another town's 1/4), not the seed's 1/5 written in."""
    campaign = units.campaign
    browser = login(units.users["office"])
    for pace, said in (({**campaign.config["pace"], "monthly_min_share": "1/4"}, "不少于分配总数的 1/4（向上取整），"),
                       ({"monthly_min_share": "3/10", "starts_on": "2017-05-01"}, "不少于分配总数的 3/10（向上取整）。")):
        type(campaign).objects.filter(pk=campaign.pk).update(config={**campaign.config, "pace": pace})
        page = browser.get(f"/oversight/{campaign.slug}/").content.decode()
        assert said in page
        assert "1/5" not in page
