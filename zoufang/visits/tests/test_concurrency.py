"""Two phones (or one phone retrying on a flaky network) send one client_uuid at the same moment."""

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from django.db import connection

from zoufang.cases.models import Case
from zoufang.visits import services
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db(transaction=True)


def _submission(data: dict[str, Any]) -> services.VisitSubmission:
    return services.VisitSubmission(
        client_uuid=uuid.UUID(data["client_uuid"]), target_id=uuid.UUID(data["target_id"]),
        visited_at=dt.datetime.fromisoformat(data["visited_at"]), mode=data["mode"], summary=data["summary"],
        answers=data["answers"], opinions=[services.Opinion(**o) for o in data["opinions"]],
    )


def _race(user: Any, submissions: list[services.VisitSubmission]) -> list[Any]:
    barrier = threading.Barrier(len(submissions))
    results: list[Any] = [None] * len(submissions)

    def send(index: int) -> None:
        try:
            barrier.wait()
            results[index] = services.record_visit(user, submissions[index])
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(submissions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


needs_concurrent_writers = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database (shared cache) refuses a second writer instead of waiting; "
    "test_it_returns_the_winners_visit_when_it_commits_between_check_and_insert covers SQLite",
)


def test_it_returns_the_winners_visit_when_it_commits_between_check_and_insert(visiting, settings, monkeypatch):
    """The loser's unique-constraint failure is caught and answered with the winner's visit (both databases)."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    user = visiting.users["dept"]
    data = payload(visiting.enterprise)
    original = services._validate

    def validate_while_the_other_request_commits(*args: Any) -> Any:
        checked = original(*args)
        monkeypatch.setattr(services, "_validate", original)
        services.record_visit(user, _submission(data))  # the other request wins the race
        return checked

    monkeypatch.setattr(services, "_validate", validate_while_the_other_request_commits)
    loser = services.record_visit(user, _submission(data))
    assert not loser.created
    assert Visit.objects.get() == loser.visit
    assert Case.objects.count() == 1


def test_it_answers_the_loser_with_a_conflict_when_its_content_differs(visiting, settings, monkeypatch):
    settings.ZOUFANG_TODAY = "2017-06-15"
    user = visiting.users["dept"]
    data = payload(visiting.enterprise)
    original = services._validate

    def validate_while_the_other_request_commits(*args: Any) -> Any:
        checked = original(*args)
        monkeypatch.setattr(services, "_validate", original)
        services.record_visit(user, _submission({**data, "summary": "内容不同"}))
        return checked

    monkeypatch.setattr(services, "_validate", validate_while_the_other_request_commits)
    with pytest.raises(services.VisitConflict):
        services.record_visit(user, _submission(data))
    assert Visit.objects.get().summary == "内容不同"


@needs_concurrent_writers
def test_it_creates_one_visit_from_two_concurrent_posts_with_one_uuid(visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    user = visiting.users["dept"]
    data = payload(visiting.enterprise)
    results = _race(user, [_submission(data), _submission(data)])
    assert all(isinstance(r, services.Recorded) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].visit.pk == results[1].visit.pk
    assert Visit.objects.count() == 1
    assert Case.objects.count() == 1


@needs_concurrent_writers
def test_it_gives_the_loser_a_conflict_when_the_same_uuid_carries_other_content(visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    user = visiting.users["dept"]
    data = payload(visiting.enterprise)
    results = _race(user, [_submission(data), _submission({**data, "summary": "内容不同"})])
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Recorded", "VisitConflict"], results
    assert Visit.objects.count() == 1
