"""A case whose clock stopped after it ran late: one definition of 超期 everywhere.

The figures (oversight.figures.overdue_condition) count a case overdue while it is being handled, its clock
running and its deadline past. While an extension request or a leader's signature is pending the clock stands
still and every paused working day moves the deadline on, so the case is not counted 超期; the days it was late
when the clock stopped are shown as such, and stay what they were until the clock runs again.
"""

import datetime as dt
from typing import Any

import pytest

from zoufang.cases import actions, board, deadlines, escalation
from zoufang.cases.models import Case
from zoufang.cases.presenters import CasePresenter
from zoufang.oversight import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def paused_late(cases_town: Any, make_case: Any, settings: Any) -> Case:
    """Dispatched 15 June (due 29 June), escalated on 13 July, 10 working days late; asked about on 20 July."""
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    settings.ZOUFANG_TODAY = "2017-07-13"
    case = escalation.escalate_case(case, by=town.users["handler"], version=case.version, route="coordination",
                                    leader=town.wangwen, reason="涉及多个部门，需镇里协调")
    settings.ZOUFANG_TODAY = "2017-07-20"
    assert case.status == Case.Status.SIGNOFF
    return case


TODAY = dt.date(2017, 7, 20)


def test_it_is_not_overdue_while_its_clock_is_paused_by_the_figures_definition(paused_late):
    assert not deadlines.is_overdue(paused_late, TODAY)
    assert not Case.objects.filter(figures.overdue_condition(TODAY)).exists()
    assert not Case.objects.filter(deadlines.overdue_condition(TODAY)).exists()


def test_it_keeps_the_working_days_it_was_late_when_the_clock_stopped(paused_late, cases_town):
    shown = CasePresenter(cases_town.users["office"]).as_dict(paused_late)
    assert shown["overdue"] is False
    assert shown["paused"] is True
    assert shown["working_days_left"] == -10  # late 30 June … 13 July; the paused days 14–20 July do not count
    # The deadline as it stands today: moved on by the five paused working days.
    assert shown["handling_due"] == dt.date(2017, 7, 6) == deadlines.handling_due(paused_late, TODAY)


def test_the_board_and_the_desk_do_not_count_it_overdue(paused_late, cases_town):
    counted = board.counts(Case.objects.all(), TODAY)
    assert counted["columns"]["escalated"] == {"total": 1, "overdue": 0, "new": 0}
    assert counted["columns"]["overdue"]["total"] == 0
    assert [c.rank for c in board.desk_inbox(Case.objects.all(), TODAY)] == [board.WAITING]


def test_the_pages_say_it_was_late_when_the_clock_stopped_not_that_it_is_overdue(paused_late, cases_town, client):
    client.force_login(cases_town.users["handler"])
    desk = client.get("/cases/desk/").content.decode()
    assert "badge-bad\">超期" not in desk  # neither the heading nor the row says 超期
    assert "暂停时已超期 10 个工作日" in desk
    assert "超期 15 个工作日" not in desk
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{paused_late.public_id}/").content.decode()
    assert "暂停时已超期 10 个工作日" in page
    assert "已超期 15 个工作日" not in page
    assert '<time datetime="2017-07-06">2017年7月6日</time>' in page
    listed = client.get("/cases/?status=overdue").content.decode()
    assert paused_late.number not in listed
    assert paused_late.number in client.get("/cases/").content.decode()


def test_it_runs_late_again_from_where_it_stopped_once_the_leader_signs(paused_late, cases_town, settings):
    case = escalation.sign_escalation(paused_late, by=cases_town.users["leader"], version=paused_late.version)
    # Signed, it waits for coordination (已上报), out of the unit's hands: not handled, not overdue.
    assert not deadlines.is_overdue(case, TODAY)
    assert deadlines.working_days_left(case, TODAY) is None
