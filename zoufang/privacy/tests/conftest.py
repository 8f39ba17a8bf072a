"""The resident the privacy tests ask about: 张建国 with a visit, its answers, a problem, a hotline call and a
callback sample, each holding his name, address or numbers."""

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from zoufang.callbacks.models import CallbackAttempt, CallbackBatch, CallbackSample
from zoufang.cases.models import Case, CaseReply
from zoufang.cases.services import draft_case, receive_case
from zoufang.conftest import TOWN_BORN
from zoufang.forms.models import Form, FormAnswer
from zoufang.registry.tests.factories import id_number
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import make_visiting

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13812340001"
ID = id_number(1, born=TOWN_BORN)
SUMMARY = "张建国反映：上下塘社区1号门前路灯不亮，联系电话138 1234 0001。"


@pytest.fixture
def resident(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-15"
    make_visiting(town)
    zhang = town.households["shangxiatang"][0]
    cadre = town.users["dept"].cadre
    visit = Visit.objects.create(
        campaign=town.campaign, target=zhang, cadre=cadre, client_uuid=uuid.uuid4(), content_hash="a" * 64,
        visited_at=dt.datetime(2017, 6, 14, 10, tzinfo=SHANGHAI), mode=Visit.Mode.HOME, summary=SUMMARY)
    form = Form.objects.get(key="six_ones_form")
    FormAnswer.objects.create(visit=visit, form=form, form_version=form.current_version(), data={
        "aspects": ["innovation"], "innovation": "张建国想在上下塘社区1号办家庭农场，电话13812340001",
        "satisfaction": "satisfied"})
    raised = dt.datetime(2017, 6, 14, 11, tzinfo=SHANGHAI)
    problem = draft_case(campaign=town.campaign, kind=Case.Kind.PROBLEM, target=zhang, source_visit=visit,
                         description="张建国家（上下塘社区1号）屋顶漏雨", raised_at=raised, by=town.users["dept"])
    CaseReply.objects.create(case=problem, channel=CaseReply.Channel.PHONE, content="已告知张建国维修安排",
                             replied_on=dt.date(2017, 6, 20))
    hotline = receive_case(campaign=town.campaign, kind=Case.Kind.SUGGESTION, description="建议村口加装路灯",
                           raised_at=raised, source=Case.Source.HOTLINE, region=town.shangxiatang,
                           raiser_name="张建国", raiser_phone="138-1234-0001", by=town.users["office"])
    batch = CallbackBatch.objects.create(campaign=town.campaign, number=1, period_starts_on=dt.date(2017, 6, 1),
                                         period_ends_on=dt.date(2017, 6, 30), count=1, seed=7)
    sample = CallbackSample.objects.create(batch=batch, visit=visit, position=1, reason=CallbackSample.Reason.RANDOM,
                                           outcome=CallbackSample.Outcome.CONFIRMED, answers={"remark": "张建国本人接听"})
    CallbackAttempt.objects.create(sample=sample, kind=CallbackAttempt.Kind.COMPLETED, called_at=raised,
                                   note="拨打13812340001，张建国确认走访属实")
    town.zhang, town.visit, town.problem, town.hotline, town.sample = zhang, visit, problem, hotline, sample
    return town


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _close(*cases: Case) -> None:
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(status=Case.Status.CLOSED)


def _erase(client: Client, number: str = ID, **fields: Any) -> Any:
    return client.post("/privacy/erase/", {"number": number, "reason": "withdrawn", "confirm": "on", **fields})
