"""Real workers: the database backend's `db_worker` in its own process (killed with SIGKILL in the middle of a job:
nothing half-written, nothing claims success, the job retried and finished), and the Redis backend with rq's
SimpleWorker in burst mode against the local Redis (when one is reachable: CI has one)."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from zoufang.jobs import services
from zoufang.jobs.models import Download
from zoufang.jobs.tests import kinds as _test_kinds  # noqa: F401 - registers test_slow

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_BACKEND = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
REDIS_URL = os.environ.get("ZOUFANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
BOOT = ("import django; django.setup(); import zoufang.jobs.tests.kinds; "
        "from django.core.management import call_command; ")


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a worker process needs a database it can share: the PostgreSQL run (DATABASE_URL) has one")
    host = db.get("HOST") or "127.0.0.1"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def _worker(code: str, settings, backend: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "ZOUFANG_TASKS_BACKEND": backend, "REDIS_URL": REDIS_URL,
           "ZOUFANG_DOWNLOADS_DIR": str(settings.ZOUFANG_DOWNLOADS_DIR), "DJANGO_SETTINGS_MODULE": "zoufang.settings",
           "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", BOOT + code], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _files(settings, download: Download) -> list[Path]:
    return sorted(Path(settings.ZOUFANG_DOWNLOADS_DIR).glob(f"*{download.public_id}*"))


def test_a_worker_killed_mid_job_leaves_nothing_claiming_success_and_the_job_is_retried(settings, town, tmp_path):
    settings.TASKS = DB_BACKEND
    settings.ZOUFANG_DOWNLOADS_DIR = tmp_path  # its own folder: the sweep below finds this job's files only
    download = services.request(town.users["office"], "test_slow", {"chunks": 40, "delay": 0.1})
    worker = _worker("call_command('db_worker', '--no-startup-delay', '--interval', '0.1', '--no-reload')",
                     settings, "db")
    try:
        _wait(lambda: Download.objects.get(pk=download.pk).done >= 5)  # half-way: progress stored as it goes
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = Download.objects.get(pk=download.pk)
    assert killed.status == "running"
    assert 5 <= killed.done < 40
    assert killed.total == 40
    assert killed.file == ""
    assert killed.sha256 == ""
    assert killed.size is None
    assert killed.finished_at is None
    assert [p.name for p in _files(settings, download)] == [f".{download.public_id}.1.part"]  # never the final name
    with override_settings(ZOUFANG_JOBS_STALE_MINUTES=0):  # its heartbeat stopped: interrupted
        said = io.StringIO()
        call_command("jobs", "sweep", stdout=said)
        assert said.getvalue().strip() == "已清理：过期下载文件 0 个，中断的任务 1 个标为失败，残留的临时文件 1 个。"
    killed.refresh_from_db()
    assert killed.status == "failed"
    assert "生成中断" in killed.error
    assert _files(settings, download) == []
    Download.objects.filter(pk=download.pk).update(params={**killed.params, "delay": 0.0})
    assert services.retry(killed)
    # The worker settles its heap as it starts its first task, as a web worker does (zoufang/core/heap.py).
    batch = _worker("call_command('db_worker', '--no-startup-delay', '--batch', '--no-reload'); import gc; "
                    "print('settled', gc.get_freeze_count() > 0, gc.get_threshold()[0])", settings, "db")
    output = batch.communicate(timeout=120)[0].decode()
    assert batch.returncode == 0, output
    assert "settled True 20000" in output
    done = Download.objects.get(pk=download.pk)
    assert (done.status, done.attempts, done.done, done.total) == ("done", 2, 40, 40), output
    assert [p.name for p in _files(settings, download)] == [done.file]
    assert services.file_path(done).stat().st_size == done.size == 40 * 65536


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at ZOUFANG_TEST_REDIS_URL")
def test_the_redis_backend_builds_the_town_plan_with_rqs_worker(settings, town):
    import django_rq

    settings.TASKS = RQ_BACKEND
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    queue = django_rq.get_queue("default")
    queue.empty()
    download = services.request(town.users["office"], "plan_export", {"fmt": "xlsx"})
    failing = services.request(town.users["office"], "test_slow", {"chunks": 3, "fail": True})
    assert Download.objects.get(pk=download.pk).status == "queued"
    assert len(queue) == 2
    worker = _worker("call_command('rqworker', 'default', '--burst', '--worker-class', 'rq.SimpleWorker', "
                     "'--job-class', 'django_tasks_rq.Job')", settings, "rq")
    output = worker.communicate(timeout=180)[0].decode()
    assert worker.returncode == 0, output
    done = Download.objects.get(pk=download.pk)
    assert done.status == "done", output
    from openpyxl import load_workbook

    load_workbook(services.file_path(done))
    assert Download.objects.get(pk=failing.pk).status == "failed"


def test_a_real_worker_runs_the_api_s_plan_and_issues_a_document_once(settings, town, client, api_token):
    """What moved onto the queue from the requests (docs/jobs.md), through a real `db_worker`: the API's plan run
    answers 202 and its job's report is read over the API; an issue queued twice (a double click's second job
    asked after the first finished) numbers the document once and both jobs give the same stored file."""
    import datetime as dt

    from zoufang import clock
    from zoufang.documents import services as documents
    from zoufang.documents.models import Document

    settings.TASKS = DB_BACKEND
    office = town.users["office"]
    headers = api_token("office")
    asked = client.post(f"/api/v1/plan/{town.campaign.slug}/runs", {"dry_run": True},
                        content_type="application/json", **headers)
    assert asked.status_code == 202
    assert asked.json()["status"] == "queued"
    today = clock.today()
    draft = documents.generate_draft(town.campaign, "briefing", today - dt.timedelta(days=6), today, by=office)
    first = services.request(office, "document_issue", {"slug": town.campaign.slug, "document": str(draft.public_id)})
    batch = _worker("call_command('db_worker', '--no-startup-delay', '--batch', '--no-reload')", settings, "db")
    output = batch.communicate(timeout=180)[0].decode()
    assert batch.returncode == 0, output
    job = client.get(asked.json()["status_url"], **headers).json()
    assert job["status"] == "done", (job, output)
    assert job["report"]["preview"] is True
    second = services.request(office, "document_issue", {"slug": town.campaign.slug, "document": str(draft.public_id)})
    batch = _worker("call_command('db_worker', '--no-startup-delay', '--batch', '--no-reload')", settings, "db")
    output = batch.communicate(timeout=180)[0].decode()
    assert batch.returncode == 0, output
    draft.refresh_from_db()
    assert (draft.status, draft.serial) == ("issued", 1)
    assert Document.objects.filter(status="issued").count() == 1
    for download in (first, second):
        download.refresh_from_db()
        assert download.status == "done", (download.error, output)
        assert services.file_path(download).read_bytes() == bytes(draft.content)
