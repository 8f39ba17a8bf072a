"""The transition table itself: every open status has a way forward, every status is reachable."""

from zoufang.cases.models import Case
from zoufang.cases.workflow import HANDLING, TABLE, Action, Actor, rule

S = Case.Status


def test_it_leaves_no_open_status_without_a_way_forward():
    stuck = {s for s in S.values if not any(status == s for status, _action in TABLE)}
    assert stuck == {S.MERGED}


def test_it_reaches_every_status_from_a_draft():
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        status = frontier.pop()
        for (source, _action), r in TABLE.items():
            if source == status and r.next_status not in reached:
                reached.add(r.next_status)
                frontier.append(r.next_status)
    assert reached == set(S.values)


def test_it_lets_only_the_named_leader_sign():
    assert rule(S.SIGNOFF, "sign").actors == {Actor.SIGNER}
    assert rule(S.ACCEPTED, "sign") is None


def test_only_a_dispatch_or_a_reopen_starts_handling_so_a_handled_case_has_its_unit():
    """dispatch_case names the unit and reopen_case is refused without one (workflow.guard); within the handling
    statuses only a return (退单), which leaves them, takes the unit off. The agenda's unit lines count on it."""
    into = {r.action for r in TABLE.values() if r.next_status in HANDLING and r.status not in HANDLING}
    assert into == {Action.DISPATCH, Action.REOPEN}
    leaving = {r.action for r in TABLE.values() if r.status in HANDLING and r.next_status not in HANDLING}
    assert Action.RETURN in leaving
    assert rule(S.ACCEPTED, Action.RETURN).next_status == S.RETURNED
