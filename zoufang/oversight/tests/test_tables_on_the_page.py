"""A long figures table as the page shows it (decision 0083): its worst rows first, the rest folded under it — while
the xlsx and the API keep the table as it is. The city's ranking under grouped headers: test_city.py."""

import datetime as dt
import io
import re
from typing import Any

from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from zoufang.oversight import board, figures
from zoufang.oversight.tables import PagedRows, Table

TODAY = dt.date(2017, 6, 15)


def _villages(behind: list[int]) -> Table:
    return Table(key="coverage-village", title="各村（社区）走访覆盖与进度", headers=["村", "逾期未完成", "未走访"],
                 rows=[[f"村{n}", late, n] for n, late in enumerate(behind)],
                 links=[f"/v/{n}/" for n in range(len(behind))], worst=(1, 2))


def test_a_long_table_shows_its_worst_rows_first_and_folds_the_rest() -> None:
    table = _villages([0, 5, 2, 5, 0, 9, 1, 0, 3, 0, 0, 4, 0, 7, 0, 0, 6])  # 17 rows
    table.fold(10, 5)
    assert table.shown == 10
    firsts = [first for _link, first, _cells in table.first_lines()]
    assert firsts[:4] == ["村5", "村13", "村16", "村3"]  # 9, 7, 6, then 5 and 5 by 未走访: 村3 before 村1
    assert firsts[4] == "村1"
    folded = [first for _link, first, _cells in table.folded_lines()]
    assert len(folded) == 7
    assert sorted(firsts + folded) == sorted(f"村{n}" for n in range(17))
    assert all(link == f"/v/{first[1:]}/" for link, first, _cells in table.lines())  # each row keeps its link


def test_a_table_a_few_rows_over_is_shown_whole_in_its_own_order() -> None:
    table = _villages([0, 5, 2, 5, 0, 9, 1, 0, 3, 0, 0, 4, 0, 7, 0])  # 15 rows: 10 + 5 of slack
    table.fold(10, 5)
    assert table.shown == 0
    assert [row[0] for row in table.rows] == [f"村{n}" for n in range(15)]
    assert table.folded_lines() == []


def test_a_worst_first_list_folds_in_its_own_order_and_a_paged_table_does_not_fold() -> None:
    listed = _villages(list(range(20)))
    listed.worst = ()  # already worst first (进度落后的单位): kept as it is
    listed.fold(10, 5)
    assert (listed.shown, listed.rows[0][0]) == (10, "村0")
    paged = _villages(list(range(20)))
    paged.pages = 2  # a city's table page by page: its order is the database's, across pages
    paged.fold(10, 5)
    streamed = _villages(list(range(20)))
    streamed.rows = PagedRows(20, lambda start, size: [], 200)
    streamed.fold(10, 5)
    assert paged.shown == streamed.shown == 0
    never = _villages(list(range(20)))
    never.worst = None
    never.fold(10, 5)
    assert never.shown == 0


def _section(page: str, key: str) -> str:
    return page.split(f'<h2 id="t-{key}">', 1)[1].split("</section>", 1)[0]


def test_the_demo_dashboard_folds_its_long_tables_worst_first_and_the_xlsx_keeps_every_row(
        demo: Any, client: Any, settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    client.force_login(get_user_model().objects.get(username="office"))
    page = client.get("/").content.decode()
    villages = figures.coverage(demo, "village", TODAY).rows
    assert len(villages) > board.FOLD_SHOWN + board.FOLD_SLACK
    section = _section(page, "coverage-village")
    shown, folded = section.split('<details class="fold-rows">', 1)
    names = re.compile(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>')
    first = names.findall(shown)
    rest = names.findall(folded)
    assert f"展开其余 {len(villages) - board.FOLD_SHOWN} 行" in folded
    assert len(first) == board.FOLD_SHOWN
    assert len(rest) == len(villages) - board.FOLD_SHOWN
    worst = sorted(villages, key=lambda row: (-row.pace.behind, -row.unvisited))  # stable: the villages' order
    assert first + rest == [row.label for row in worst]
    assert "逾期未完成多者在前" in shown
    assert shown.count('data-chart="bar"') == 1
    assert 'data-chart' not in folded
    assert "<tfoot>" in shown  # the total stays in view, over every row
    # The download is the table as it is: every village, in the villages' order.
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{demo.slug}/xlsx/coverage-village/").content)).active
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert labels[2:-1] == [row.label for row in villages]
    # Lists already worst first fold in their own order; a short table is not folded.
    behind = _section(page, "behind-cadre")
    assert '<details class="fold-rows">' in behind
    assert '<details class="fold-rows">' not in _section(page, "cases-funnel")


def test_the_demo_boards_jumps_land_on_their_headings_for_the_office_and_the_leader(
        demo: Any, client: Any, settings: Any) -> None:
    from zoufang.oversight.tests.test_pages_api import assert_jumps_land_on_their_headings

    settings.ZOUFANG_TODAY = "2017-06-15"
    for username in ("office", "leader"):
        client.force_login(get_user_model().objects.get(username=username))
        page = client.get("/").content.decode()
        assert '<details class="fold-rows">' in page
        assert_jumps_land_on_their_headings(page)
    # The leader's own villages and units come first, whole: never folded.
    assert page.index("我挂钩的村（社区）") < page.index("各村（社区）走访覆盖与进度")
    assert '<details class="fold-rows">' not in _section(page, "mine-village")
