"""The tests' shortcut into a state (conftest.in_state) builds only what the real transitions can produce."""

import datetime as dt
from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.cases.tests.conftest import ImpossibleState, in_state

pytestmark = pytest.mark.django_db

S = Case.Status


@pytest.mark.parametrize(("status", "with_unit", "options"), [
    (S.DISPATCHED, False, {}),  # 交办 always names a unit, and a unit in use cannot be deleted
    (S.ACCEPTED, False, {"overdue": True, "due": "2017-06-07", "raised": dt.date(2017, 5, 15)}),
    (S.REGISTERED, True, {}),  # not yet dispatched
    (S.RETURNED, True, {}),  # 退单 takes the unit off
    (S.DISPATCHED, True, {"resolved": "2017-06-20"}),  # 办结 after today
    (S.REGISTERED, False, {"resolved": "2017-06-12"}),  # 办结 of a case never dispatched
    (S.REPLIED, True, {"resolved": "2017-06-10", "raised": dt.date(2017, 6, 13)}),  # 办结 before it was raised
    (S.RESOLVED, True, {}),  # 办结 without its time
    (S.ACCEPTED, True, {"overdue": True}),  # its deadline (20 June) has not passed on 15 June
    (S.ACCEPTED, True, {"due": "2017-06-05"}),  # due before it was raised (13 June)
    (S.UPPER_ACCEPTED, True, {"route": Case.Route.COORDINATION}),  # only what went to the city office
    (S.DRAFT, False, {"route": Case.Route.COORDINATION}),
])
def test_it_refuses_a_state_no_transition_produces(cases_town: Any, make_case: Any, status: str, with_unit: bool,
                                                   options: dict[str, Any]) -> None:
    with pytest.raises(ImpossibleState):
        in_state(make_case, status, cases_town.police if with_unit else None, **options)
    assert not Case.objects.exists()


def test_it_builds_what_the_transitions_leave_behind(cases_town: Any, make_case: Any) -> None:
    police = cases_town.police
    reopened = in_state(make_case, S.DISPATCHED, police, resolved="2017-06-14")
    assert (reopened.reopen_count, reopened.dispatched_on, reopened.handling_due) == (
        1, dt.date(2017, 6, 13), dt.date(2017, 6, 20))
    signing = in_state(make_case, S.SIGNOFF, police, overdue=True, due="2017-06-01", raised=dt.date(2017, 5, 15))
    assert signing.signoff_leader == cases_town.wangwen
    assert signing.escalation_route == Case.Route.COORDINATION
    assert signing.is_paused
    assert signing.overdue_since == dt.date(2017, 6, 2)
    signed = in_state(make_case, S.UPPER_ACCEPTED, police, route=Case.Route.UPPER_OFFICE)
    assert signed.signed_at is not None
    assert not signed.is_paused
    on_the_spot = in_state(make_case, S.CLOSED, resolved="2017-06-14")
    assert (on_the_spot.unit, on_the_spot.handling_due, on_the_spot.reopen_count) == (None, None, 0)
