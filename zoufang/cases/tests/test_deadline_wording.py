"""One way to say a case's 办理期限, wherever it is said: its date while the clock runs; while the clock stands still
(an extension request or a leader's signature pending) its saved date is not its deadline, so 暂停计时 and the
working days as they stood when it stopped, in what the unit and the office are told as on the board and in the
weekly list (presenters.deadline_text).

The case is 派出所's, dispatched on Thursday 15 June 2017: 10 working days, due 29 June."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from zoufang.cases import actions, escalation, tick
from zoufang.cases.models import Case
from zoufang.cases.transition import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(cases_town: Any, make_case: Any, django_capture_on_commit_callbacks: Any) -> Case:
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    assert [m.body for m in mail.outbox] == ["请于 2017年6月29日 前办结。"]
    mail.outbox.clear()
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


def test_an_extension_asked_before_an_escalation_is_decided_once_the_clock_can_run_again(
        accepted: Any, cases_town: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The office decides no extension while a leader's signature is pending (the workflow table), so a decision
    never finds the clock stopped by a signature: it runs again from the decision, and the unit is told the date."""
    town = cases_town
    case = actions.request_extension(accepted, by=town.users["handler"], version=accepted.version, days=5,
                                     reason="需协调供电所更换线路")
    case = escalation.escalate_case(case, by=town.users["handler"], version=case.version, route="coordination",
                                    leader=town.wangwen, reason="涉及多个部门，需镇里协调")
    with pytest.raises(NotAllowed):
        actions.approve_extension(case, by=town.users["office"], version=case.version)
    settings.ZOUFANG_TODAY = "2017-06-20"
    case = escalation.refuse_escalation(case, by=town.users["leader"], version=case.version, note="部门自行办理")
    assert case.is_paused  # the request still waits
    settings.ZOUFANG_TODAY = "2017-06-21"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.approve_extension(case, by=town.users["office"], version=case.version)
    # 29 June, the 5 days approved and the 4 working days the clock stood still (16, 19, 20, 21 June): 12 July.
    assert case.handling_due == dt.date(2017, 7, 12)
    assert [m.body for m in mail.outbox] == ["办理期限：2017年7月12日"]


def test_an_extension_decided_on_a_running_clock_tells_the_unit_its_new_date(
        accepted: Any, cases_town: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    town = cases_town
    case = actions.request_extension(accepted, by=town.users["handler"], version=accepted.version, days=5,
                                     reason="需协调供电所更换线路")
    settings.ZOUFANG_TODAY = "2017-06-16"
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.approve_extension(case, by=town.users["office"], version=case.version)
    # 29 June, 5 working days approved and the 1 the request stood still: 7 July.
    assert case.handling_due == dt.date(2017, 7, 7)
    assert [m.body for m in mail.outbox] == ["办理期限：2017年7月7日"]


@pytest.mark.parametrize("marked", [None, dt.date(2017, 6, 30)])
def test_the_overdue_reminder_gives_the_deadline_the_tick_found(accepted: Any, settings: Any, marked: Any,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    # A saved date gone stale (the official schedule of the year imported after the dispatch moved it): the tick
    # computes the deadline again, saves it, and says that one, not the stale one it read; on the day it first
    # finds the case late as on a later one.
    Case.objects.filter(pk=accepted.pk).update(handling_due=dt.date(2017, 6, 28), overdue_since=marked)
    settings.ZOUFANG_TODAY = "2017-07-03"
    with django_capture_on_commit_callbacks(execute=True):
        tick.tick()
    case = Case.objects.get(pk=accepted.pk)
    assert (case.handling_due, case.overdue_since) == (dt.date(2017, 6, 29), marked or dt.date(2017, 7, 3))
    assert sorted(m.body for m in mail.outbox) == ["承办单位：派出所；办理期限：2017年6月29日。"] * 2
