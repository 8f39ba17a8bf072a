"""The life of a case through the named actions, as the seeds describe it."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from zoufang.accounts.models import AuditEvent
from zoufang.cases import actions, answers, escalation
from zoufang.cases.models import Case
from zoufang.cases.transition import InvalidInput, NotAllowed, StaleVersion

S = Case.Status


def _registered(town, case):
    return actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)


def _accepted(town, case):
    case = _registered(town, case)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


def test_it_walks_a_case_from_draft_to_closed(cases_town, make_case, django_capture_on_commit_callbacks):
    town = cases_town
    case = make_case()
    case = _registered(town, case)
    assert case.status == S.REGISTERED
    assert not case.registered_late
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    assert case.status == S.DISPATCHED
    assert case.dispatched_on == dt.date(2017, 6, 15)
    assert case.handling_due == dt.date(2017, 6, 29)  # 10 working days; 端午 (30 May) is behind us
    assert [m.to for m in mail.outbox] == [["paichusuo@example.cn"]]
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已更换灯具，恢复照明")
    case = answers.reply_case(case, by=town.users["handler"], version=case.version, channel="phone",
                              content="路灯已修复")
    case = answers.record_callback(case, by=town.users["office"], version=case.version, satisfaction="satisfied")
    case = answers.close_case(case, by=town.users["office"], version=case.version)
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.satisfaction == "satisfied"
    assert case.closed_at is not None
    history = list(case.events.values_list("action", "to_status", "version"))
    assert history == [
        ("draft", S.DRAFT, 1), ("register", S.REGISTERED, 2), ("dispatch", S.DISPATCHED, 3),
        ("accept", S.ACCEPTED, 4), ("resolve", S.RESOLVED, 5), ("reply", S.REPLIED, 6),
        ("callback", S.CALLED_BACK, 7), ("close", S.CLOSED, 8),
    ]
    assert AuditEvent.objects.filter(object_id=str(case.public_id)).count() == 8


def test_it_sends_a_returned_case_back_to_the_office_for_re_dispatch(cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case())
    case = actions.return_case(case, by=town.users["handler"], version=case.version, reason="属水务站职责")
    assert case.status == S.RETURNED
    assert case.unit is None
    assert case.handling_due is None
    case = actions.dispatch_case(case, town.waterworks, by=town.users["office"], version=case.version)
    assert case.status == S.DISPATCHED
    assert case.unit == town.waterworks


def test_it_escalates_with_the_leaders_signature_to_the_upper_office(cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case())
    case = escalation.escalate_case(
        case, by=town.users["handler"], version=case.version, route=Case.Route.UPPER_OFFICE,
        leader=town.wangwen, reason="涉及市级条线，本部门无法解决",
    )
    assert case.status == S.SIGNOFF
    assert case.paused_since == dt.date(2017, 6, 15)
    with pytest.raises(PermissionDenied):
        escalation.sign_escalation(case, by=town.users["handler"], version=case.version)
    case = escalation.sign_escalation(case, by=town.users["leader"], version=case.version, note="同意上报")
    assert case.status == S.ESCALATED
    assert case.signed_at is not None
    case = escalation.explain_case(case, by=town.users["office"], version=case.version,
                                   explanation="已报市活动办，列入明年计划")
    assert case.status == S.EXPLAINED


def test_it_pauses_the_clock_while_an_extension_is_pending(cases_town, make_case, settings):
    town = cases_town
    case = _accepted(town, make_case())
    due = case.handling_due
    case = actions.request_extension(case, by=town.users["handler"], version=case.version, days=5, reason="需协调")
    assert case.paused_since == dt.date(2017, 6, 15)
    settings.ZOUFANG_TODAY = "2017-06-19"  # Monday: 2 working days later
    case = actions.approve_extension(case, by=town.users["office"], version=case.version)
    assert case.paused_since is None
    assert case.paused_working_days == 2
    assert case.extension_days == 5
    assert case.handling_due == dt.date(2017, 7, 10)  # 29 June + 2 paused + 5 extension working days
    assert due == dt.date(2017, 6, 29)


def test_it_merges_a_duplicate_and_reopens_an_unsatisfied_case(cases_town, make_case):
    town = cases_town
    master = make_case()
    duplicate = make_case("东侧路灯坏了好几天", target=town.households["shangxiatang"][1])
    duplicate = answers.merge_case(duplicate, master, by=town.users["office"], version=duplicate.version)
    assert duplicate.status == S.MERGED
    assert duplicate.merged_into == master
    master = _accepted(town, master)
    master = actions.resolve_case(master, by=town.users["handler"], version=master.version, result="已修")
    master = answers.reply_case(master, by=town.users["office"], version=master.version, channel="phone",
                                content="已修")
    master = answers.record_callback(master, by=town.users["office"], version=master.version,
                                     satisfaction="unsatisfied", note="又坏了")
    master = answers.reopen_case(master, by=town.users["office"], version=master.version, reason="群众不满意")
    assert master.status == S.DISPATCHED
    assert master.reopen_count == 1
    assert master.unit == town.police


def test_it_refuses_a_stale_version_and_changes_nothing(cases_town, make_case):
    town = cases_town
    case = _registered(town, make_case())
    with pytest.raises(StaleVersion):
        actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version - 1)
    case.refresh_from_db()
    assert case.status == S.REGISTERED
    assert case.unit is None
    assert case.events.count() == 2


def test_it_refuses_a_transition_the_table_does_not_have(cases_town, make_case):
    case = make_case()
    with pytest.raises(NotAllowed):
        actions.accept_case(case, by=cases_town.users["handler"], version=case.version)


def test_it_requires_a_reason_to_return(cases_town, make_case):
    case = _accepted(cases_town, make_case())
    with pytest.raises(InvalidInput):
        actions.return_case(case, by=cases_town.users["handler"], version=case.version, reason=" ")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("office", True), ("leader", False), ("handler", False), ("water", False), ("village", False),
     ("auditor", False), ("outsider", False)],
)
def test_it_lets_only_the_office_dispatch(cases_town, make_case, persona, allowed):
    case = _registered(cases_town, make_case())
    if allowed:
        actions.dispatch_case(case, cases_town.police, by=cases_town.users[persona], version=case.version)
    else:
        with pytest.raises(PermissionDenied):
            actions.dispatch_case(case, cases_town.police, by=cases_town.users[persona], version=case.version)


def test_it_dispatches_again_after_town_coordination(cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case())
    case = escalation.escalate_case(case, by=town.users["handler"], version=case.version,
                                    route=Case.Route.COORDINATION, leader=town.wangwen, reason="需多部门会商")
    case = escalation.sign_escalation(case, by=town.users["leader"], version=case.version)
    case = actions.dispatch_case(case, town.waterworks, by=town.users["office"], version=case.version,
                                 note="会商决定由水务站牵头办理")
    assert case.status == S.DISPATCHED
    assert case.unit == town.waterworks
    assert case.paused_since is None
    assert case.handling_due == dt.date(2017, 6, 29)


def test_a_notification_is_queued_after_the_commit_and_sent_by_the_worker(cases_town, make_case, settings,
                                                                          django_capture_on_commit_callbacks):
    """A request never waits for the mail server or the SMS gateway (issue 14): dispatching queues the sending
    (recipients' addresses read then) once the change commits; the worker's task sends it."""
    from django_tasks import default_task_backend

    from zoufang.cases import notifications

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    town = cases_town
    case = _registered(town, make_case())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    assert not default_task_backend.results  # nothing queued before the commit
    with django_capture_on_commit_callbacks(execute=True):  # the commit: notify's own on_commit runs too
        for callback in callbacks:
            callback()
    queued = [r for r in default_task_backend.results if r.task.func is notifications.send_notification.func]
    assert len(queued) == 1
    assert not mail.outbox  # not sent inside the request
    recipients, subject, body = queued[0].args
    assert recipients == [["paichusuo@example.cn", ""]]
    assert subject.startswith("新交办：")
    assert notifications.send_notification.call(recipients, subject, body) == 1  # the worker's part
    assert [m.to for m in mail.outbox] == [["paichusuo@example.cn"]]
