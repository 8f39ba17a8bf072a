"""Every time a user sees is Beijing time: a visit recorded near midnight shows the same minute and the same
date on the visit page, in the cadre's ledger, in the questionnaire answers and in the weekly list."""

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from zoufang.jobs.testing import queued_file
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def _table(content: bytes, sheet: str | None = None) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)]


def _record(rows: list[list[Any]], header: int) -> dict[Any, Any]:
    return dict(zip(rows[header], rows[header + 1], strict=True))


def _text(value: Any) -> str:
    """A cell as the user reads it: a date-time cell or a text cell, to the minute."""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


# (what the phone sends in UTC, its Beijing day, what every page and export prints — clock.minute; a list drops
# this year's year, decision 0045): just before and just after midnight in Beijing, when the UTC date is still the
# day before. 2017-06-12 is a Monday, the first day of a week.
NEAR_MIDNIGHT = [("2017-06-14T15:46:00Z", "2017-06-14", "2017年6月14日 23:46"),
                 ("2017-06-11T16:16:00Z", "2017-06-12", "2017年6月12日 00:16")]


@pytest.mark.parametrize(("sent", "day", "printed"), NEAR_MIDNIGHT)
def test_a_visit_near_midnight_shows_beijing_time_everywhere(client, login, visiting, api_token, sent, day,
                                                             printed):
    response = client.post("/api/v1/visits", payload(visiting.enterprise, visited_at=sent),
                           content_type="application/json", **api_token("dept"))
    assert response.status_code == 201, response.content
    visit = Visit.objects.get(public_id=response.json()["id"])
    in_a_list = printed.removeprefix("2017年")

    cadre = login(visiting.users["dept"])
    assert printed in cadre.get(f"/visits/{visit.public_id}/").content.decode()
    assert in_a_list in cadre.get("/me/").content.decode()
    ledger = _record(_table(cadre.get("/me/ledger.xlsx").content, "走访台账"), 1)
    assert _text(ledger["走访时间"]) == printed

    office = login(visiting.users["office"])
    assert in_a_list in office.get("/visits/").content.decode()
    unit_ledger = _record(_table(queued_file(office, f"/units/{visiting.police.public_id}/ledger.xlsx").content, "走访台账"), 1)
    assert _text(unit_ledger["走访时间"]) == printed
    answers = _record(_table(queued_file(office, "/forms/enterprise_survey/answers.xlsx").content), 0)
    assert _text(answers["走访时间"]) == printed

    case = visit.cases.get()
    weekly = queued_file(office, "/cases/weekly.xlsx", {"kind": "problem", "week": day})
    rows = _table(weekly.content)
    listed = _record(rows, 1)
    assert listed["内容"] == "厂房扩建用地指标不足"
    assert _text(listed["收集日期"])[:10] == day  # a date cell reads back as midnight
    page = office.get("/cases/weekly/", {"kind": "problem", "week": day}).content.decode()
    assert "厂房扩建用地指标不足" in page
    assert f'<time datetime="{day}">{in_a_list.split()[0]}</time>' in page
    assert printed in office.get(f"/cases/{case.public_id}/").content.decode()
