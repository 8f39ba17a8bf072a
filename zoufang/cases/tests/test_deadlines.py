"""Registration and handling deadlines on the official calendar; tick marks and reminds once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from zoufang.cases import actions, deadlines
from zoufang.cases.models import CaseReminder
from zoufang.cases.sms import MemorySmsBackend

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("registered_on", "late"), [("2017-10-09", False), ("2017-10-10", True)])
def test_it_flags_a_registration_after_two_working_days_as_late(cases_town, make_case, settings, registered_on,
                                                                 late):
    # 30 September 2017 was a working Saturday; 1–8 October were holidays.
    case = make_case(raised=dt.date(2017, 9, 29))
    assert case.registration_due == dt.date(2017, 10, 9)
    settings.ZOUFANG_TODAY = registered_on
    case = actions.register_case(case, by=cases_town.users["office"], version=case.version,
                                 category=cases_town.category)
    assert case.registered_late is late


def test_it_gives_urgent_cases_the_shorter_limit(cases_town):
    assert deadlines.handling_days(cases_town.campaign, cases_town.category, "urgent") == 2
    assert deadlines.handling_days(cases_town.campaign, cases_town.category, "normal") == 10
    cases_town.campaign.config["case_handling"]["handling_deadlines"]["categories"] = {"1": 7}
    assert deadlines.handling_days(cases_town.campaign, cases_town.category, "normal") == 7


def test_it_marks_overdue_and_reminds_once_a_day(cases_town, make_case, settings,
                                                  django_capture_on_commit_callbacks):
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    mail.outbox.clear()
    MemorySmsBackend.outbox.clear()
    settings.ZOUFANG_TODAY = "2017-06-29"
    call_command("cases", "tick")
    assert CaseReminder.objects.count() == 0  # due today: not overdue yet
    settings.ZOUFANG_TODAY = "2017-06-30"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases", "tick")
        call_command("cases", "tick")
    case.refresh_from_db()
    assert case.overdue_since == dt.date(2017, 6, 30)
    assert case.version == 3  # a system mark: open forms stay valid
    assert CaseReminder.objects.filter(case=case).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["office@example.cn", "paichusuo@example.cn"]


def test_it_reminds_the_office_of_a_draft_past_its_registration_deadline(cases_town, make_case, settings,
                                                                         django_capture_on_commit_callbacks):
    make_case(raised=dt.date(2017, 6, 12))  # due 14 June
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases", "tick")
    assert CaseReminder.objects.filter(kind=CaseReminder.Kind.REGISTRATION).count() == 1
    assert [m.body for m in mail.outbox] == ["登记期限 2017年6月14日 已过，请尽快登记。"]  # the day as pages say it


def test_it_does_not_count_a_paused_case_overdue(cases_town, make_case, settings):
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.request_extension(case, by=town.users["handler"], version=case.version, days=3, reason="待协调")
    settings.ZOUFANG_TODAY = "2017-07-10"
    call_command("cases", "tick")
    assert CaseReminder.objects.count() == 0


def test_it_warns_on_the_case_page_when_a_deadline_falls_in_an_unknown_year(cases_town, make_case, settings, client):
    settings.ZOUFANG_TODAY = "2026-12-28"
    case = make_case(raised=dt.date(2026, 12, 28))
    case = actions.register_case(case, by=cases_town.users["office"], version=case.version,
                                 category=cases_town.category)
    case = actions.dispatch_case(case, cases_town.police, by=cases_town.users["office"], version=case.version)
    client.force_login(cases_town.users["office"])
    assert "尚未掌握 2027 年的法定节假日安排" in client.get(f"/cases/{case.public_id}/").content.decode()
