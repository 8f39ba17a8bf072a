"""A return of a unit's 工作总结 made in error, withdrawn (撤销退回), and the return through the API (decision 0080): the
version stands again, the unit's handlers are told once, the return stays in the history marked withdrawn; a stale or
repeated withdrawal does nothing twice; the office reads its own sentence on the unit's page."""

import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client
from django.urls import reverse

from zoufang.accounts.models import AuditEvent
from zoufang.cases.sms import MemorySmsBackend
from zoufang.documents import summaries
from zoufang.documents.models import SummaryReturn
from zoufang.documents.tests.test_summaries import PDF, owed  # noqa: F401 — the fixture, shared
from zoufang.documents.tests.test_summaries_returned import REASON, _page, handed  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(handed: Any) -> Any:  # noqa: F811
    """派出所's 第 1 版, returned by the office; the return's email and SMS already sent."""
    handed.made, _new = summaries.return_summary(handed.users["office"], handed.campaign, handed.police,
                                                 handed.summary.public_id, REASON)
    mail.outbox.clear()
    MemorySmsBackend.outbox.clear()
    return handed


def _withdraw(c: Client, town: Any, **fields: Any) -> Any:
    url = reverse("documents:summary_withdraw_return", args=[town.campaign.slug, town.police.public_id])
    body = {"version": str(town.summary.public_id), "key": str(uuid.uuid4()), "confirm": "on", **fields}
    return c.post(url, body, follow=True)


def _office(town: Any, name: str = "office") -> Client:
    c = Client()
    c.force_login(town.users[name])
    return c


def test_it_withdraws_a_return_from_the_page_and_tells_the_unit_once(returned: Any,
                                                                       django_capture_on_commit_callbacks: Any) -> None:
    office = _office(returned)
    text = _page(office, returned)
    assert "撤销对第 1 版的退回" in text
    assert "退回第 1 版" not in text.replace("撤销对第 1 版的退回", "")  # returned: no second return offered
    assert "等待该单位修改后提交新版本" in text  # the office's words, not the unit's
    assert "请修改后提交新版本" not in text
    unconfirmed = _withdraw(office, returned, confirm="")
    assert unconfirmed.status_code == 400
    assert "请勾选确认后再撤销退回" in unconfirmed.content.decode()
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = _withdraw(office, returned, key=key)
        again = _withdraw(office, returned, key=key)  # a double click, a browser's resend
    assert first.status_code == again.status_code == 200
    assert "已撤销对第 1 版的退回，该版恢复为已提交，并已通知派出所的承办人" in first.content.decode()
    assert "刚才已撤销，未重复撤销" in again.content.decode()
    made = SummaryReturn.objects.get()
    assert (made.reason, made.withdrawn_by, made.withdraw_key) == (REASON, returned.users["office"], uuid.UUID(key))
    assert made.withdrawn_at is not None
    assert [m.to for m in mail.outbox] == [["handler@jinxi.example"]]
    told = mail.outbox[0]
    assert told.subject == f"工作总结的退回已撤销，无需重新提交：{returned.campaign.name}"
    assert "第 1 版仍为已提交" in told.body
    assert [text for _phone, text in MemorySmsBackend.outbox] == [f"【走访】{told.subject}"]
    event = AuditEvent.objects.get(summary__startswith="撤销退回")
    assert (event.action, "撤销退回工作总结：派出所 第 1 版" in event.summary) == (AuditEvent.Action.UPDATE, True)
    row = summaries.roster(returned.campaign).rows
    assert {r.unit.name: r.state for r in row}["派出所"] == summaries.SUBMITTED
    # The unit's page: 已提交 again; the return kept in the history, marked withdrawn, with who and when.
    handler = _office(returned, "handler")
    text = _page(handler, returned)
    assert '<h2 id="state-title">已提交' in text
    assert "退回已撤销" in text
    assert f"撤销退回（{made.withdrawer}）" in text
    assert "退回原因：" not in text  # no standing return
    assert "撤销对第 1 版的退回" not in text  # a unit's handler never withdraws
    # The office is offered neither form again: one return a version.
    text = _page(office, returned)
    assert "撤销对第 1 版的退回" not in text
    assert "退回第 1 版" not in text
    with pytest.raises(summaries.SummaryRefused, match="第 1 版的退回已于 .* 撤销，不能再次退回"):
        summaries.return_summary(returned.users["office"], returned.campaign, returned.police,
                                 returned.summary.public_id, REASON)


def test_a_stale_withdrawal_does_nothing(returned: Any) -> None:
    office = _office(returned)
    summaries.withdraw_return(returned.users["office"], returned.campaign, returned.police, returned.summary.public_id)
    answer = _withdraw(office, returned)  # another clerk's page, drawn before the first withdrew it
    assert "您打开此页后，第 1 版的退回已由" in answer.content.decode()
    assert "未重复撤销" in answer.content.decode()
    assert AuditEvent.objects.filter(summary__startswith="撤销退回").count() == 1


def test_a_withdrawal_after_the_unit_handed_in_again_does_nothing(returned: Any) -> None:
    newer, _made = summaries.hand_in(returned.users["handler"], returned.campaign, returned.police, "修改稿.pdf",
                                     PDF + b"2")
    answer = _withdraw(_office(returned), returned)
    assert "您打开此页后，派出所已提交第 2 版（当前版本），未撤销退回" in answer.content.decode()
    assert SummaryReturn.objects.get().withdrawn_at is None
    with pytest.raises(summaries.SummaryStale, match="第 2 版（当前版本）未被退回"):
        summaries.withdraw_return(returned.users["office"], returned.campaign, returned.police, newer.public_id)
    assert newer.version == 2


def test_only_the_office_withdraws(returned: Any) -> None:
    for name in ("handler", "leader", "assessor", "dept", "outsider"):
        with pytest.raises(Http404):
            summaries.withdraw_return(returned.users[name], returned.campaign, returned.police,
                                      returned.summary.public_id)
        url = reverse("documents:summary_withdraw_return", args=[returned.campaign.slug, returned.police.public_id])
        assert _office(returned, name).post(url, {}).status_code == 404
    assert SummaryReturn.objects.get().withdrawn_at is None


def test_the_office_reads_its_own_sentence(handed: Any) -> None:  # noqa: F811
    office = re.sub(r"<[^>]+>", "", _page(_office(handed), handed))
    assert "该单位应于 2017年6月30日 前报送工作总结" in office
    assert "请在 2017年6月30日 前将工作总结报镇走访办" not in office
    unit = re.sub(r"<[^>]+>", "", _page(_office(handed, "handler"), handed))
    assert "请在 2017年6月30日 前将工作总结报镇走访办" in unit
    assert "该单位应于" not in unit


def _api(c: Client, town: Any, what: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    url = f"/api/v1/summaries/{town.campaign.slug}/units/{town.police.public_id}/{what}"
    return c.post(url, body, content_type="application/json", **headers)


def test_the_office_returns_and_withdraws_through_the_api(handed: Any, client: Client, api_token: Any,  # noqa: F811
                                                          django_capture_on_commit_callbacks: Any) -> None:
    office = api_token("office")
    assert _api(client, handed, "return", {"reason": REASON}, office).status_code == 428
    blank = _api(client, handed, "return", {"reason": "  ", "version": 1}, office)
    assert (blank.status_code, blank.json()["errors"]) == (400, {"reason": "请写明退回原因，单位按此修改"})
    assert _api(client, handed, "return", {"reason": REASON, "version": 1}, api_token("handler")).status_code == 404
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = _api(client, handed, "return", {"reason": REASON, "version": 1, "key": key}, office)
        again = _api(client, handed, "return", {"reason": REASON, "version": 1, "key": key}, office)
    assert (first.status_code, again.status_code) == (200, 200), first.content
    assert (first.json()["version"], first.json()["repeated"], again.json()["repeated"]) == (1, False, True)
    assert first.json()["reason"] == REASON
    assert [m.to for m in mail.outbox] == [["handler@jinxi.example"]]
    other = _api(client, handed, "return", {"reason": "数据与台账不符", "version": 1}, office)
    assert other.status_code == 409
    assert "您打开此页后，第 1 版已由" in other.json()["detail"]
    reused = _api(client, handed, "return", {"reason": "数据与台账不符", "version": 1, "key": key}, office)
    assert (reused.status_code, list(reused.json()["errors"])) == (400, ["key"])
    stale = _api(client, handed, "withdraw-return", {"version": 2}, office)
    assert stale.status_code == 409
    assert "当前版本" in stale.json()["detail"]
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = _api(client, handed, "withdraw-return", {"key": key}, {**office, "HTTP_IF_MATCH": '"1"'})
        again = _api(client, handed, "withdraw-return", {"key": key}, {**office, "HTTP_IF_MATCH": '"1"'})
    assert (first.status_code, again.status_code) == (200, 200), first.content
    assert (first.json()["repeated"], again.json()["repeated"]) == (False, True)
    assert first.json()["withdrawn_at"] is not None
    assert len(mail.outbox) == 2
    late = _api(client, handed, "withdraw-return", {"version": 1}, office)
    assert late.status_code == 409
    assert "未重复撤销" in late.json()["detail"]
    listed = client.get(f"/api/v1/summaries/{handed.campaign.slug}", **office).json()
    police = next(row for row in listed["units"] if row["unit"]["name"] == "派出所")
    assert (police["state"], police["returned"], listed["submitted"]) == ("submitted", None, 1)
