"""A unit's 工作总结 returned for revision (退回, decision 0075): the office returns the current version with a reason;
the unit's handlers are told once; the unit page, the list, the xlsx and the API say 已退回（待重交）; a stale page or a
resend returns nothing twice; a new version puts it back to 已提交; the reminders treat it as owing."""

import io
import uuid
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import AuditEvent
from zoufang.cases.sms import MemorySmsBackend
from zoufang.documents import reminders, summaries
from zoufang.documents.models import Summary, SummaryReminder, SummaryReturn
from zoufang.documents.tests.test_summaries import NOTE, PDF, owed  # noqa: F401 — the fixture, shared
from zoufang.documents.tests.test_summary_reminders import run
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.django_db
REASON = "缺少典型案例，请补充后重新提交"


@pytest.fixture
def handed(owed: Any, settings: Any) -> Any:  # noqa: F811
    """派出所 handed its 工作总结 in (第 1 版); its handler has an email address and a phone on file."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    handler = owed.users["handler"]
    handler.email = "handler@jinxi.example"
    handler.save()
    CadreFactory(user=handler, phone="13900000001", unit=owed.police)
    owed.summary, _made = summaries.hand_in(handler, owed.campaign, owed.police, "派出所总结.pdf", PDF, "初稿")
    return owed


def _page(c: Client, town: Any) -> str:
    return c.get(reverse("documents:summary_unit", args=[town.campaign.slug, town.police.public_id])).content.decode()


def _return(c: Client, town: Any, **fields: Any) -> Any:
    url = reverse("documents:summary_return", args=[town.campaign.slug, town.police.public_id])
    body = {"reason": REASON, "version": str(town.summary.public_id), "key": str(uuid.uuid4()), **fields}
    return c.post(url, body, follow=True)


def test_the_office_returns_it_and_the_unit_is_told_once(handed: Any, client: Client,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    office = Client()
    office.force_login(handed.users["office"])
    assert "退回第 1 版" in _page(office, handed)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = _return(office, handed, key=key)
        again = _return(office, handed, key=key)  # a double click, a browser's resend
    assert first.status_code == again.status_code == 200
    assert "已退回第 1 版，并已通知派出所的承办人" in first.content.decode()
    assert "刚才已退回，未重复退回" in again.content.decode()
    made = SummaryReturn.objects.get()
    assert (made.summary, made.reason, made.returned_by) == (handed.summary, REASON, handed.users["office"])
    assert [m.to for m in mail.outbox] == [["handler@jinxi.example"]]
    told = mail.outbox[0]
    assert told.subject == f"工作总结已退回，请修改后重新提交：{handed.campaign.name}"
    assert REASON in told.body
    assert "第 1 版" in told.body
    assert [text for _phone, text in MemorySmsBackend.outbox] == [f"【走访】{told.subject}"]
    event = AuditEvent.objects.get(summary__startswith="退回", action=AuditEvent.Action.CREATE)
    assert "退回工作总结：派出所 第 1 版" in event.summary
    # The unit's page: 已退回, the reason, who and when; the form asks for a new version; the version marked.
    handler = client
    handler.force_login(handed.users["handler"])
    text = _page(handler, handed)
    assert "已退回（待重交）" in text
    assert "退回原因：" + REASON in text
    assert f"被镇走访办退回（{made.returner}）" in text
    assert "请修改后提交新版本" in text
    assert 'badge-bad">已退回<' in text
    assert "提交新版本" in text
    assert "退回第 1 版" not in text  # a unit's handler never returns
    unit_page = handler.get(reverse("oversight:unit", args=[handed.campaign.slug, handed.police.public_id]))
    assert "已退回（待重交）" in unit_page.content.decode()


def test_the_list_the_xlsx_and_the_api_carry_the_three_states(handed: Any, client: Client, api_token: Any) -> None:
    from openpyxl import load_workbook

    summaries.return_summary(handed.users["office"], handed.campaign, handed.police, handed.summary.public_id,
                             f"{REASON}；联系人 {NOTE}")
    client.force_login(handed.users["office"])
    slug = handed.campaign.slug
    text = client.get(reverse("documents:summaries", args=[slug])).content.decode()
    assert "已提交 0 / 2 个单位" in text
    for tab in ("全部 2", "已提交 0", "已退回（待重交） 1", "未提交 1"):
        assert tab in text
    returned = client.get(reverse("documents:summaries", args=[slug]) + "?state=returned").content.decode()
    unit_page = _page(client, handed)
    assert "139****0099" in unit_page  # the reason on the unit's page, masked as the note is
    assert "0100 1X" not in unit_page
    assert "派出所" in returned
    assert "镇党政班子" not in returned
    missing = client.get(reverse("documents:summaries", args=[slug]) + "?state=missing").content.decode()
    assert "镇党政班子" in missing
    assert "派出所总结.pdf" not in missing
    sheet = load_workbook(io.BytesIO(client.get(reverse("documents:summaries_xlsx", args=[slug])).content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert sheet.cell(2, 10).value == "退回原因"
    assert sheet["A1"].value.endswith("0/2 个单位已提交，1 个已退回待重交）")
    assert rows["派出所"][2] == "已退回（待重交）"
    assert rows["派出所"][9].startswith(REASON)
    assert "139****0099" in rows["派出所"][9]
    assert "0100 1X" not in rows["派出所"][9]
    assert (rows["镇党政班子"][2], rows["镇党政班子"][9]) == ("未提交", None)
    body = client.get(f"/api/v1/summaries/{slug}", **api_token("office")).json()
    assert (body["submitted"], body["returned"], body["owing"]) == (0, 1, 2)
    units = {row["unit"]["name"]: row for row in body["units"]}
    assert units["派出所"]["state"] == "returned"
    assert units["派出所"]["returned"]["reason"].startswith(REASON)
    assert "139****0099" in units["派出所"]["returned"]["reason"]
    assert (units["镇党政班子"]["state"], units["镇党政班子"]["returned"]) == ("missing", None)


def test_a_stale_page_returns_nothing(handed: Any, client: Client) -> None:
    office = Client()
    office.force_login(handed.users["office"])
    drawn = handed.summary.public_id
    newer, _made = summaries.hand_in(handed.users["handler"], handed.campaign, handed.police, "定稿.pdf", PDF + b"2")
    answer = _return(office, handed, version=str(drawn))
    assert "您打开此页后，派出所已提交第 2 版（当前版本），未退回" in answer.content.decode()
    assert not SummaryReturn.objects.exists()
    # Another clerk returned the version meanwhile: the second is refused, naming who did.
    summaries.return_summary(handed.users["office"], handed.campaign, handed.police, newer.public_id, REASON)
    answer = _return(office, handed, version=str(newer.public_id), reason="数据与台账不符")
    assert "您打开此页后，第 2 版已由" in answer.content.decode()
    assert SummaryReturn.objects.count() == 1
    with pytest.raises(summaries.SummaryRefused, match="请写明退回原因"):
        summaries.return_summary(handed.users["office"], handed.campaign, handed.police, newer.public_id, "  ")


def test_only_the_office_returns(handed: Any, client: Client) -> None:
    for name in ("handler", "leader", "assessor", "dept", "outsider"):
        with pytest.raises(Http404):
            summaries.return_summary(handed.users[name], handed.campaign, handed.police, handed.summary.public_id,
                                     REASON)
        c = Client()
        c.force_login(handed.users[name])
        url = reverse("documents:summary_return", args=[handed.campaign.slug, handed.police.public_id])
        assert c.post(url, {}).status_code == 404
    assert not SummaryReturn.objects.exists()


def test_a_new_version_after_the_return_is_submitted_again_even_after_the_due_date(handed: Any, settings: Any,
                                                                                   client: Client) -> None:
    settings.ZOUFANG_TODAY = "2017-07-03"  # after the due date: replacing is closed, a returned one is owed again
    summaries.return_summary(handed.users["office"], handed.campaign, handed.police, handed.summary.public_id, REASON)
    newer, made = summaries.hand_in(handed.users["handler"], handed.campaign, handed.police, "修改稿.pdf", PDF + b"2")
    assert made
    assert newer.version == 2
    row = next(r for r in summaries.roster(handed.campaign).rows if r.unit == handed.police)
    assert (row.state, row.late) == (summaries.SUBMITTED, False)
    assert [summaries.returned_of(v) is not None for v in row.versions] == [False, True]
    with pytest.raises(summaries.SummaryRefused, match="已过截止日期"):
        summaries.hand_in(handed.users["handler"], handed.campaign, handed.police, "三稿.pdf", PDF + b"3")
    client.force_login(handed.users["handler"])
    text = _page(client, handed)
    assert "<h2 id=\"state-title\">已提交" in text
    assert 'badge-bad">已退回<' in text  # the returned version stays in the history, marked
    assert Summary.objects.count() == 2


def test_the_reminders_treat_a_returned_summary_as_owing(handed: Any) -> None:
    campaign = handed.campaign
    campaign.config = {**campaign.config, "summaries": {"due": "2017-06-01", "label": "工作总结"}}
    campaign.save()
    summaries.return_summary(handed.users["office"], campaign, handed.police, handed.summary.public_id, REASON)
    mail.outbox.clear()
    run("2017-05-26")  # three working days before 6月1日
    assert sorted(SummaryReminder.objects.values_list("unit__name", flat=True)) == ["派出所", "镇党政班子"]
    told = [m for m in mail.outbox if m.to == ["handler@jinxi.example"]]
    assert [m.subject for m in told] == [f"工作总结已退回，请修改后重新提交（2017年6月1日 截止）：{campaign.name}"]
    assert "已退回，请修改后重新提交" in told[0].body
    assert run("2017-05-26") == 0  # twice the same day: once
    office = handed.users["office"]
    office.email = "office@jinxi.example"
    office.save()
    run("2017-06-02")
    (overdue,) = [m for m in mail.outbox if m.to == ["office@jinxi.example"]]
    assert "派出所（已退回）" in overdue.body
    assert {(row.unit.name, row.state) for row in reminders.still_owing(campaign)} == {
        ("镇党政班子", "missing"), ("派出所", "returned")}


@pytest.mark.django_db(transaction=True)
def test_two_clerks_returning_at_once_return_it_once_and_tell_the_unit_once(handed: Any) -> None:
    from zoufang.cases.tests.test_concurrency import _in_threads

    office, drawn = handed.users["office"], handed.summary.public_id

    def clerk(i: int) -> Any:
        try:
            return summaries.return_summary(office, handed.campaign, handed.police, drawn, f"{REASON}（{i}）")[1]
        except summaries.SummaryRefused as refused:
            return str(refused)

    results = _in_threads(2, clerk)
    assert results.count(True) == 1, results
    (refused,) = [r for r in results if r is not True]
    assert "您打开此页后，第 1 版已由" in refused
    assert SummaryReturn.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["handler@jinxi.example"]]
