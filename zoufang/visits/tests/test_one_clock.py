"""One clock: with a pinned day, everything a visit records (the visit, its answers, its case draft, the audit
row) is stamped on that day at the real time of day; `clock.frozen` pins the whole moment."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zoufang import clock
from zoufang.accounts.models import AuditEvent
from zoufang.cases.models import Case
from zoufang.conftest import pinned_day_starts_at
from zoufang.forms.models import FormAnswer
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


def test_a_visit_recorded_now_is_stamped_on_the_pinned_day(client, visiting, api_token, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    before = timezone.localtime() + clock.PINNED_TIME_SHIFT  # the suite starts a pinned day at 00:30 (decision 0072)
    response = client.post("/api/v1/visits", payload(visiting.enterprise), content_type="application/json",
                           **api_token("dept"))
    assert response.status_code == 201, response.content
    visit = Visit.objects.get()
    case = Case.objects.get(source_visit=visit)
    answer = FormAnswer.objects.filter(visit=visit).first()
    row = AuditEvent.objects.filter(object_id=str(visit.public_id)).latest("seq")
    stamps = {"visit": visit.created_at, "modified": visit.modified_at, "case": case.created_at,
              "answer": answer.created_at, "audit": row.at}
    days = {name: timezone.localtime(moment).date() for name, moment in stamps.items()}
    assert days == dict.fromkeys(stamps, dt.date(2017, 6, 15))
    # The real time of day, so that ordering within the day and “how long after the visit” stay true.
    shift = clock.local(visit.created_at) - dt.datetime.combine(dt.date(2017, 6, 15), before.time().replace(tzinfo=None))
    after = timezone.localtime() + clock.PINNED_TIME_SHIFT
    assert dt.timedelta(0) <= shift < dt.timedelta(minutes=1) or before.date() != after.date()


def test_the_suite_starts_a_pinned_day_at_its_hard_hour(settings):
    """Decision 0072: 00:30 Beijing unless ZOUFANG_TEST_TIME_OF_DAY says otherwise, whatever the machine's hour; the
    product itself adds nothing to the real time of day."""
    start = pinned_day_starts_at()
    if start is None:
        pytest.skip("ZOUFANG_TEST_TIME_OF_DAY=real: the machine's time of day")
    settings.ZOUFANG_TODAY = "2017-06-15"
    since_start = dt.datetime.combine(dt.date(2017, 6, 15), clock.local(clock.now()).time()) \
        - dt.datetime.combine(dt.date(2017, 6, 15), start)
    assert dt.timedelta(0) <= since_start < dt.timedelta(hours=6)  # time runs on from the hour, as long as a run lasts


def test_a_frozen_moment_stamps_records_and_today(visiting):
    moment = dt.datetime(2017, 6, 14, 23, 50, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with clock.frozen(moment):
        assert clock.now() == moment
        assert clock.today() == dt.date(2017, 6, 14)
        visiting.enterprise.save()
    visiting.enterprise.refresh_from_db()
    assert visiting.enterprise.modified_at == moment
    assert clock.now() != moment


def test_without_a_pinned_day_the_clock_is_the_real_one(settings: Any) -> None:
    settings.ZOUFANG_TODAY = ""
    assert abs(clock.now() - timezone.now()) < dt.timedelta(seconds=5)
