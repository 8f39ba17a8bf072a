"""The units' 工作总结 reminded (decision 0073): a unit's handlers on the working days before the due date and on it,
the office once after it; never twice, never a unit that handed in, never outside the campaign."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from zoufang.campaigns.validation import validate_config
from zoufang.cases.sms import MemorySmsBackend
from zoufang.documents import reminders
from zoufang.documents.models import Summary, SummaryReminder
from zoufang.documents.tests.test_summaries import PDF, owed  # noqa: F401 — the fixture, shared
from zoufang.jobs.tasks import periodic_work
from zoufang.registry.tests.factories import CadreFactory

Kind = SummaryReminder.Kind


@pytest.fixture
def due_june_1(owed: Any, settings: Any) -> Any:  # noqa: F811
    """Due 6月1日 2017 (Thursday), after the 端午 holiday of 5月28–30日 (5月27日, a Saturday, was worked)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    campaign = owed.campaign
    campaign.config = {**campaign.config, "summaries": {"due": "2017-06-01", "label": "工作总结"}}
    campaign.save()
    for name in ("handler", "leadership_handler", "office"):
        user = owed.users[name]
        user.email = f"{name}@jinxi.example"
        user.save()
    return owed


def run(day: str | dt.date) -> int:
    """One daily run, its messages sent as after its commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders.remind(day if isinstance(day, dt.date) else dt.date.fromisoformat(day)).reminders


def test_it_reminds_each_owing_unit_three_working_days_ahead_by_the_calendar_and_on_the_due_date(due_june_1: Any):
    days = [dt.date(2017, 5, 20) + dt.timedelta(days=n) for n in range(13)]  # 5月20日 … 6月1日
    for day in days:
        run(day)
    sent = sorted(SummaryReminder.objects.values_list("on", "kind", "unit__name"))
    # Three working days before 6月1日 are 5月31日, 5月27日 (a worked Saturday) and 5月26日: reminded on 5月26日,
    # not on 5月29日 as counting weekends only would.
    assert sent == [(dt.date(2017, 5, 26), Kind.AHEAD, "派出所"), (dt.date(2017, 5, 26), Kind.AHEAD, "镇党政班子"),
                    (dt.date(2017, 6, 1), Kind.DUE, "派出所"), (dt.date(2017, 6, 1), Kind.DUE, "镇党政班子")]
    police = [m for m in mail.outbox if m.to == ["handler@jinxi.example"]]
    assert [m.subject for m in police] == [f"请于 2017年6月1日 前提交工作总结：{due_june_1.campaign.name}"] * 2
    ahead, due = (m.body for m in police)
    assert "派出所" in ahead
    assert "2017年6月1日" in ahead
    assert "还有 3 个工作日截止" in ahead
    assert reverse("documents:summary_unit", args=[due_june_1.campaign.slug, due_june_1.police.public_id]) in ahead
    assert "今天截止" in due
    assert SummaryReminder.objects.filter(unit=due_june_1.police, recipients=1).count() == 2


def test_the_lead_time_is_the_campaign_s_and_none_with_zero(due_june_1: Any) -> None:
    campaign = due_june_1.campaign
    campaign.config["summaries"]["remind_days"] = 1
    campaign.save()
    assert [d for d in (dt.date(2017, 5, 26), dt.date(2017, 5, 31)) if run(d.isoformat())] == [dt.date(2017, 5, 31)]
    campaign.config["summaries"]["remind_days"] = 0
    campaign.save()
    assert not any(run(f"2017-05-{d}") for d in range(20, 32))
    assert validate_config({**campaign.config, "summaries": {"due": "2017-06-01", "label": "工作总结",
                                                             "remind_days": -1}}) != []


def test_a_unit_that_handed_in_is_not_reminded(due_june_1: Any) -> None:
    Summary.objects.create(campaign=due_june_1.campaign, unit=due_june_1.police, version=1, file_name="总结.pdf",
                           kind="pdf", size=len(PDF), content=PDF, sha256="0" * 64)
    assert run("2017-05-26") == 1
    assert list(SummaryReminder.objects.values_list("unit__name", flat=True)) == ["镇党政班子"]
    assert [m.to for m in mail.outbox] == [["leadership_handler@jinxi.example"]]


def test_a_second_run_the_same_day_sends_nothing_again(due_june_1: Any) -> None:
    assert run("2017-06-01") == 2
    assert run("2017-06-01") == 0
    assert len(mail.outbox) == 2


def test_a_handler_with_a_phone_on_file_gets_a_text(due_june_1: Any) -> None:
    CadreFactory(name="派出所内勤", unit=due_june_1.police, phone="13912340088", user=due_june_1.users["handler"])
    assert run("2017-06-01") == 2
    ((phone, text),) = MemorySmsBackend.outbox
    assert phone == "13912340088"
    assert text == f"【走访】请于 2017年6月1日 前提交工作总结：{due_june_1.campaign.name}"  # the SMS: the subject


def test_the_office_is_told_once_after_the_due_date_who_still_owes(due_june_1: Any) -> None:
    assert run("2017-06-02") == 1
    assert run("2017-06-05") == 0  # once, not every day after
    (told,) = mail.outbox
    assert told.to == ["office@jinxi.example"]
    assert told.subject == f"工作总结逾期未交 2 个单位：{due_june_1.campaign.name}（2017年6月1日 截止）"
    assert "2017年6月1日" in told.body
    assert "2 个单位未提交" in told.body
    assert "派出所" in told.body
    assert reverse("documents:summaries", args=[due_june_1.campaign.slug]) in told.body
    assert SummaryReminder.objects.get(kind=Kind.OVERDUE_OFFICE).unit is None


def test_nothing_after_the_campaign_ends_or_without_summaries(due_june_1: Any) -> None:
    campaign = due_june_1.campaign
    campaign.ends_on = dt.date(2017, 6, 1)
    campaign.save()
    assert run("2017-06-02") == 0  # the office is not told once the campaign is over
    campaign.ends_on = dt.date(2017, 12, 31)
    campaign.config.pop("summaries")
    campaign.save()
    assert run("2017-06-01") == 0
    assert not mail.outbox


def test_the_periodic_work_and_cases_tick_remind(due_june_1: Any, settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-01"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert periodic_work()["summary_reminders"] == 2
        call_command("cases", "tick", stdout=io.StringIO())  # the cron's run: the same day, nothing again
    assert SummaryReminder.objects.count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(due_june_1: Any) -> None:
    from zoufang.cases.tests.test_concurrency import _in_threads

    results = _in_threads(2, lambda i: reminders.remind(dt.date(2017, 6, 1)).reminders)
    assert sum(results) == 2, results  # each unit's reminder made by one run or the other
    assert SummaryReminder.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["handler@jinxi.example", "leadership_handler@jinxi.example"]


def test_a_run_missed_on_the_ahead_day_reminds_on_the_next_working_day_once_with_the_days_left(due_june_1: Any):
    """The worker was down on 5月26日 (and the weekend, and 端午): the next working run, 5月31日, still sends the ahead
    reminder — dated the day it was for, so it goes once — saying how many working days are really left."""
    assert not run("2017-05-25")
    assert not run("2017-05-28")  # a day of 端午: no reminder on a day off, whatever is owed
    assert run("2017-05-31") == 2
    assert not run("2017-05-31")
    assert sorted(SummaryReminder.objects.values_list("on", "kind", "unit__name")) == [
        (dt.date(2017, 5, 26), Kind.AHEAD, "派出所"), (dt.date(2017, 5, 26), Kind.AHEAD, "镇党政班子")]
    police = [m for m in mail.outbox if m.to == ["handler@jinxi.example"]]
    assert len(police) == 1
    assert "还有 1 个工作日截止" in police[0].body


def test_the_admin_lists_the_reminders_read_only(due_june_1: Any, client: Any) -> None:
    from django.contrib.auth import get_user_model

    from zoufang.conftest import PASSWORD

    run("2017-05-26")
    reminder = SummaryReminder.objects.order_by("pk").first()
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    page = client.get("/admin/documents/summaryreminder/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "工作总结提醒" in text
    assert "截止前提醒承办单位" in text
    assert "派出所" in text
    assert client.get("/admin/documents/summaryreminder/?q=派出所").status_code == 200
    assert "工作总结提醒" in client.get("/admin/").content.decode()
    change = client.get(f"/admin/documents/summaryreminder/{reminder.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get("/admin/documents/summaryreminder/add/").status_code == 403
    assert client.post(f"/admin/documents/summaryreminder/{reminder.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/documents/summaryreminder/{reminder.pk}/change/", {"recipients": "9"}).status_code == 403
    assert SummaryReminder.objects.get(pk=reminder.pk).recipients == reminder.recipients
