"""超期 now, one definition everywhere: the board, the case list, the agenda, the API read the deadline, not the
mark the daily `cases tick` sets, so a deadline that has just passed is overdue before the tick runs; a paused
case is overdue nowhere, and its saved deadline, which is not its deadline while the clock stands still, is not
given as one in the weekly xlsx or in Open311.

Both cases are 派出所's, dispatched by the office. `late` was due on Friday 30 June and the tick has not run
since; `paused` was due on 29 June, the tick marked it overdue on the 30th, and the unit asked for an extension
that day, which stopped its clock. The day asked about is Monday 3 July.
"""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.cases import actions, board, lists, publication, tick
from zoufang.cases.models import Case
from zoufang.jobs.testing import queued_file

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context

TODAY = dt.date(2017, 7, 3)


def _dispatched(town: Any, case: Case) -> Case:
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    return actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)


@pytest.fixture
def two(cases_town: Any, make_case: Any, settings: Any) -> Any:
    town = cases_town
    town.paused = _dispatched(town, make_case("上下塘社区东侧路灯损坏"))  # 15 June: due 29 June
    settings.ZOUFANG_TODAY = "2017-06-16"
    town.late = _dispatched(town, make_case("村道积水，雨天无法通行"))  # due 30 June
    settings.ZOUFANG_TODAY = "2017-06-30"
    tick.tick()
    town.paused.refresh_from_db()
    assert town.paused.overdue_since == dt.date(2017, 6, 30)
    town.paused = actions.request_extension(town.paused, by=town.users["handler"], version=town.paused.version,
                                            days=5, reason="需协调供电所更换线路")
    settings.ZOUFANG_TODAY = TODAY.isoformat()
    town.late.refresh_from_db()
    assert town.late.overdue_since is None  # the tick has not run since the deadline passed
    assert town.paused.is_paused
    assert town.paused.handling_due < TODAY
    return town


def test_it_keeps_the_overdue_mark_while_the_clock_stands_still(two: Any) -> None:
    # The history mark (超期日期) stays what the tick set; it no longer decides what is overdue now.
    assert two.paused.overdue_since == dt.date(2017, 6, 30)


def test_the_board_and_the_case_list_count_the_deadline_not_the_mark(two: Any, client: Any) -> None:
    counted = board.counts(Case.objects.all(), TODAY)["columns"]
    assert counted["overdue"] == {"total": 1, "overdue": 1, "new": 0}
    assert (counted["extension"]["total"], counted["extension"]["overdue"]) == (1, 0)  # asked on Friday: new
    client.force_login(two.users["office"])
    page = client.get("/cases/board/").content.decode()
    column = page[page.index("超期未办结"):page.index("上报待办")]
    assert two.late.number in column
    assert two.paused.number not in column
    listed = client.get("/cases/?status=overdue")
    assert [row["case"].pk for row in listed.context["rows"]] == [two.late.pk]


def test_the_agenda_counts_and_lists_the_deadline_not_the_mark(two: Any, client: Any) -> None:
    agenda = lists.monthly_agenda(Case.objects.all(), TODAY)
    (police,) = agenda.units
    assert (police.open, police.overdue) == (2, 1)
    assert [c.pk for c in police.overdue_cases] == [two.late.pk]
    assert agenda.unit_total == {"open": 2, "overdue": 1, "resolved_in_month": 0}
    client.force_login(two.users["office"])
    page = client.get("/cases/agenda/").content.decode()
    units = page[page.index('id="units"'):]
    assert f'{two.late.number}</a>（<time datetime="2017-06-30">6月30日</time>）' in units
    assert two.paused.number not in units


def test_the_api_filter_reads_the_deadline_not_the_mark(two: Any, client: Any, api_token: Any) -> None:
    rows = client.get("/api/v1/cases/", {"overdue": "true"}, **api_token("office")).json()["items"]
    assert [(row["number"], row["overdue"]) for row in rows] == [(two.late.number, True)]


def test_the_tick_changes_none_of_it(two: Any) -> None:
    before = board.counts(Case.objects.all(), TODAY)["columns"]["overdue"]
    tick.tick(TODAY)
    assert Case.objects.get(pk=two.late.pk).overdue_since == TODAY
    assert board.counts(Case.objects.all(), TODAY)["columns"]["overdue"] == before


def test_the_weekly_list_gives_a_paused_case_no_date_for_its_deadline(two: Any, client: Any) -> None:
    client.force_login(two.users["office"])
    week = {"kind": "problem", "week": "2017-06-13"}
    book = load_workbook(io.BytesIO(queued_file(client, "/cases/weekly.xlsx", week).content))
    due = {row[1]: row[8] for row in book.active.iter_rows(min_row=3, values_only=True)}
    assert due[two.late.number].date() == dt.date(2017, 6, 30)
    assert due[two.paused.number] == "暂停计时（暂停时已超期 1 个工作日）"
    page = client.get("/cases/weekly/", week).content.decode()
    assert "暂停计时（暂停时已超期 1 个工作日）" in page
    assert '<time datetime="2017-06-30">6月30日</time>' in page


def test_open311_gives_no_expected_datetime_while_the_clock_stands_still(two: Any, client: Any) -> None:
    for case in (two.late, two.paused):
        publication.publish_case(case, by=two.users["office"], summary="上下塘社区一处问题，正在办理。")
    rows = {row["service_request_id"]: row for row in client.get("/open311/v2/requests.json").json()}
    assert rows[str(two.late.public_id)]["expected_datetime"] == "2017-06-30T17:30:00+08:00"
    assert rows[str(two.paused.public_id)]["expected_datetime"] is None


def test_the_board_and_the_brief_give_a_paused_case_its_deadline_as_it_stands(two: Any, client: Any) -> None:
    """On the board a paused case reads 暂停计时, not its saved date (29 June, which it is not held to while the clock
    stands still); the office deciding its extension reads the deadline as it stands today: 29 June moved on by
    the working day it has stood still since Friday (3 July is a Monday), 30 June."""
    client.force_login(two.users["office"])
    page = client.get("/cases/board/").content.decode()
    column = page[page.index("延期待审批"):page.index("超期未办结")]
    assert two.paused.number in column
    assert "暂停计时" in column
    assert '<time datetime="2017-06-29">' not in column
    brief = client.get(f"/cases/{two.paused.public_id}/").context["brief"]
    assert [(str(line.label), line.text) for line in brief if str(line.label) == "现办理期限"] == [
        ("现办理期限", "2017年6月30日")]


def test_the_board_says_a_deadline_as_the_weekly_list_does(two: Any, client: Any) -> None:
    """One wording (presenters.deadline_text): the paused case's 期限 is the weekly list's 暂停计时 with the days."""
    client.force_login(two.users["office"])
    page = client.get("/cases/board/").content.decode()
    column = page[page.index("延期待审批"):page.index("超期未办结")]
    assert "期限 暂停计时（暂停时已超期 1 个工作日）" in column
    late = page[page.index("超期未办结"):page.index("上报待办")]
    assert '期限 <time datetime="2017-06-30">6月30日</time>' in late
