"""Two schedulers running the tick at once, and twenty clerks pressing the same button."""

import random
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from zoufang.cases import actions
from zoufang.cases.models import Case, CaseEvent, CaseReminder
from zoufang.cases.transition import StaleVersion

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = _waiting_for_the_lock(work, i)
        except Exception as exc:  # noqa: BLE001 — the test inspects what each thread met
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _waiting_for_the_lock(work, i):
    # PostgreSQL and a file SQLite database wait for a writer's lock (busy timeout); the in-memory
    # SQLite test database answers "table is locked" at once instead. Each attempt is one whole
    # transaction that rolled back, so retrying is what the busy timeout would have done. The wait is
    # bounded by time, not attempts: twenty writers taking turns on a loaded CI machine can queue for
    # several seconds (a 500-attempt budget ran out there), and a real lock would wait as long.
    # Backing off exponentially with jitter keeps twenty readers that each want to write from locking
    # each other out in step (a livelock that made this test take a minute at times).
    deadline = time.monotonic() + 120
    attempt = 0
    while time.monotonic() < deadline:
        try:
            return work(i)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            attempt += 1
            time.sleep(random.uniform(0, min(0.25, 0.002 * 2 ** attempt)))  # noqa: S311 - jitter, not security
    raise AssertionError("never got the lock")


def _overdue_case(town, make_case, settings):
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    settings.ZOUFANG_TODAY = "2017-07-03"  # past 29 June
    return case


def test_it_sends_one_reminder_each_when_two_ticks_run_at_once(cases_town, make_case, settings):
    case = _overdue_case(cases_town, make_case, settings)
    results = _in_threads(2, lambda i: call_command("cases", "tick"))
    assert not [r for r in results if isinstance(r, Exception)], results
    kinds = sorted(CaseReminder.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [CaseReminder.Kind.OVERDUE_OFFICE, CaseReminder.Kind.OVERDUE_UNIT]
    case.refresh_from_db()
    assert str(case.overdue_since) == "2017-07-03"


def test_it_lets_one_of_twenty_concurrent_transitions_win(cases_town, make_case):
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    version = case.version

    def dispatch(i):
        return actions.dispatch_case(Case.objects.get(pk=case.pk), town.police, by=town.users["office"],
                                     version=version, note=f"第{i}次")

    results = _in_threads(20, dispatch)
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, StaleVersion)]
    assert len(winners) == 1, results
    assert len(losers) == 19, results
    case.refresh_from_db()
    assert case.version == version + 1
    assert list(CaseEvent.objects.filter(case=case).values_list("version", flat=True)) == [1, 2, 3]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot hold "
                    "concurrent requests (it answers 'table is locked' mid-response); the service-level test above "
                    "covers SQLite, this one runs on PostgreSQL")
def test_it_answers_409_to_all_but_one_of_twenty_concurrent_api_calls(cases_town, make_case, api_token):
    from django.test import Client

    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    headers = api_token("office")
    body = {"unit": str(town.police.public_id), "version": case.version}

    def post(i):
        return Client().post(f"/api/v1/cases/{case.public_id}/dispatch", {**body, "note": f"第{i}次"},
                             content_type="application/json", **headers)

    codes = sorted(r.status_code for r in _in_threads(20, post))
    assert codes == [200] + [409] * 19
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED
    assert list(CaseEvent.objects.filter(case=case).values_list("version", flat=True)) == [1, 2, 3]
