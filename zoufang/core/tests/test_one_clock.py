"""One clock for what users read (decision 0040): with the day pinned (ZOUFANG_TODAY, the 2017 demo), every moment
the product stores for a user to read is on that day — an integrity scan, a plan proof, an audit row, a visit, its
case, a download asked for, an Open311 key's use — and only operational clocks (sessions, tokens, lockouts, the job
queue, file expiry) read the machine's, each module saying why."""

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

import zoufang
from zoufang import clock
from zoufang.core.models import RecordedAtField
from zoufang.integrity.tests.conftest import desk_entry, visiting

__all__ = ["desk_entry", "visiting"]  # the visits tests' town and its desk entry, as fixtures
ROOT = Path(zoufang.__file__).parent
PINNED = dt.date(2017, 6, 15)
MACHINE_CLOCK = re.compile(
    r"timezone\.now\b|\bdatetime\.now\(|\bdate\.today\(|\butcnow\(|\btime\.time\(\)|localdate\(\)|localtime\(\)"
)
# The modules that read the machine's clock on purpose, and why: pinning a day must not make a token, a password or
# a session live for ever, nor stop the job queue's heartbeats, schedules and file expiry.
MACHINE_READERS = {
    "zoufang/clock.py": "the clock itself",
    "zoufang/accounts/middleware.py": "session re-check and idle timeout",
    "zoufang/accounts/passwords.py": "password age",
    "zoufang/accounts/tokens.py": "API-token expiry",
    "zoufang/accounts/twofactor.py": "second-factor lockout",
    "zoufang/accounts/views.py": "the tokens page compares their expiry",
    "zoufang/core/backup.py": "a backup's own manifest",
    "zoufang/jobs/services.py": "job heartbeats and a file's expiry",
    "zoufang/jobs/views.py": "how long a job has been queued",
    "zoufang/jobs/tasks.py": "the periodic schedule and job claims",
    "zoufang/web/import_views.py": "upload staging expiry",
    "zoufang/conftest.py": "the suite's pinned days start at one hard hour from the machine's (decision 0072)",
    "zoufang/exportbench.py": "benchmark, not product",
    "zoufang/pagebench.py": "benchmark, not product",
    "zoufang/oversight/bench.py": "benchmark, not product",
}
# Model fields stamped on the machine's clock on purpose, and why.
MACHINE_FIELDS = {
    "accounts.ApiToken.created_at": "a token's life, which its expiry is measured against",
    "accounts.PasswordHistory.created_at": "password age",
    "jobs.Download.created_at": "the queue's: shown through clock.from_machine, like the file's expiry",
}


def _readers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if MACHINE_CLOCK.search(line.split("#")[0]):
                found.setdefault(str(path.relative_to(ROOT.parent)), []).append(f"{number}: {line.strip()}")
    return found


def test_only_the_modules_that_say_why_read_the_machine_clock():
    unexplained = {path: lines for path, lines in _readers().items() if path not in MACHINE_READERS}
    assert unexplained == {}


def test_the_list_of_machine_clock_readers_holds_no_module_that_no_longer_reads_it():
    assert set(MACHINE_READERS) - set(_readers()) == set()


def test_every_moment_a_model_stamps_by_itself_comes_from_the_products_clock():
    """auto_now / auto_now_add through RecordedAtField, a default through clock.now: visits, cases, callbacks,
    assessments, circulars, downloads, audit rows … (the project's apps, not Django's own)."""
    wrong = []
    for model in apps.get_models():
        if not model.__module__.startswith("zoufang."):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.DateTimeField):
                continue
            name = f"{model._meta.label}.{field.name}"
            stamped = field.auto_now or field.auto_now_add
            if stamped and not isinstance(field, RecordedAtField) and name not in MACHINE_FIELDS:
                wrong.append(name)
            if field.default is timezone.now:
                wrong.append(name)
    assert wrong == []


@pytest.fixture
def pinned(settings):
    settings.ZOUFANG_TODAY = PINNED.isoformat()


def _day(moment: dt.datetime) -> dt.date:
    return clock.local(moment).date()


@pytest.mark.django_db
def test_an_integrity_scan_is_computed_on_the_pinned_day(pinned, visiting, desk_entry):
    from zoufang.integrity import scans

    assert _day(scans.compute_scan(visiting.campaign).computed_at) == PINNED


@pytest.mark.django_db
def test_a_plan_proof_is_computed_on_the_pinned_day(pinned, town):
    from zoufang.planning import proof

    assert _day(proof.compute(town.campaign).computed_at) == PINNED


@pytest.mark.django_db
def test_a_visit_its_case_and_their_audit_rows_are_stamped_on_the_pinned_day(pinned, visiting):
    from zoufang.accounts.models import AuditEvent
    from zoufang.visits import services
    from zoufang.visits.tests.conftest import payload

    data = payload(visiting.enterprise)
    recorded = services.record_visit(visiting.users["dept"], services.VisitSubmission(
        client_uuid=uuid.UUID(data["client_uuid"]), target_id=uuid.UUID(data["target_id"]),
        visited_at=dt.datetime.fromisoformat(data["visited_at"]), mode=data["mode"], summary=data["summary"],
        answers=data["answers"], opinions=[services.Opinion(**o) for o in data["opinions"]]))
    visit = recorded.visit
    visit.refresh_from_db()
    assert (_day(visit.created_at), _day(visit.modified_at)) == (PINNED, PINNED)
    case = visit.cases.get()
    assert (_day(case.created_at), case.raised_at) == (PINNED, visit.visited_at)  # raised when the resident said it
    assert {_day(at) for at in AuditEvent.objects.values_list("at", flat=True)} == {PINNED}


@pytest.mark.django_db
def test_a_download_s_page_dates_it_on_the_pinned_day(pinned, settings, client, visiting, desk_entry):
    from zoufang.jobs import services as jobs

    office = visiting.users["office"]
    asked = jobs.request(office, "integrity_scan", {"slug": visiting.campaign.slug})
    asked.refresh_from_db()
    assert asked.status == "done"
    client.force_login(office)
    page = client.get("/downloads/").content.decode()
    keep = dt.timedelta(days=settings.ZOUFANG_DOWNLOADS_KEEP_DAYS)
    for said, on in (("申请于", PINNED), ("有效期至", PINNED + keep)):  # not the machine's calendar beside the pinned one
        # As every page writes a moment (decision 0045): clock.minute's words in a <time> whose datetime is ISO.
        assert re.search(rf'{said} <time datetime="{on.isoformat()}T\d\d:\d\d:\d\d\+08:00">{clock.day(on)} \d\d:\d\d</time>',
                         page), page


@pytest.mark.django_db
def test_an_open311_key_is_issued_and_used_on_the_pinned_day(pinned, town):
    from zoufang.cases import open311_keys
    from zoufang.cases.models import Open311Key

    key, _secret = Open311Key.issue("12345热线", town.campaign, by=town.users["office"])
    open311_keys.record_use(key, "读取诉求")
    key.refresh_from_db()
    assert (_day(key.created_at), _day(key.last_used_at)) == (PINNED, PINNED)


def _api_token(user) -> dict[str, str]:
    from zoufang.accounts.models import ApiToken

    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret),
                            expires_at=timezone.now() + dt.timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
def test_the_jobs_api_dates_a_job_on_the_pinned_day(pinned, settings, client, visiting, desk_entry):
    """The queue keeps the machine's moments; the API reads them on the product's calendar, as 我的下载 does."""
    from zoufang.jobs import services as jobs

    office = visiting.users["office"]
    asked = jobs.request(office, "integrity_scan", {"slug": visiting.campaign.slug})
    job = client.get(f"/api/v1/jobs/{asked.public_id}", **_api_token(office)).json()
    assert job["status"] == "done"
    keep = dt.timedelta(days=settings.ZOUFANG_DOWNLOADS_KEEP_DAYS)
    read = {name: _day(dt.datetime.fromisoformat(job[name])) for name in ("created_at", "finished_at", "expires_at")}
    assert read == {"created_at": PINNED, "finished_at": PINNED, "expires_at": PINNED + keep}


@pytest.mark.django_db
def test_the_tokens_page_dates_a_token_on_the_pinned_day(pinned, client, town):
    """A token lives on the machine's clock (its expiry); the page shows when it was taken and used on the pinned day."""
    from zoufang.accounts import tokens

    leader = town.users["leader"]
    token, secret, _refresh = tokens.issue(leader)
    tokens.authenticate(secret)  # its first use
    client.force_login(leader)
    page = client.get("/account/tokens/").content.decode()
    # As clock.minute prints in a table (short: the pinned year's day without its year), in a <time> whose datetime
    # is the same moment in ISO (decisions 0045, 0082).
    rows = re.findall(r'<td[^>]*><time datetime="(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d\+08:00">'
                      r"((?:\d{4}年)?\d{1,2}月\d{1,2}日) \d\d:\d\d</time></td>", page)
    assert len(rows) == 3  # 取得时间, 有效至, 最近使用
    on = {PINNED, PINNED + dt.timedelta(days=1)}  # expiry after midnight
    assert set(rows) <= {(day.isoformat(), clock.day(day, short=True)) for day in on}
    assert clock.day(timezone.localdate()) not in page
