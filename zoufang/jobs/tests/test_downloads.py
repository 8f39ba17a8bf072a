"""我的下载 with the tasks run at once (the tests' immediate backend): asked for, built, listed, fetched, scoped,
failed and retried, expired; the periodic work chained by the worker."""

import hashlib
import io
import json
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.core.testfiledb import on_a_file  # noqa: F401 - a fixture
from zoufang.jobs import services, tasks
from zoufang.jobs.models import Download, Periodic
from zoufang.jobs.tests import kinds as _test_kinds  # noqa: F401 - registers test_slow

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


def test_the_office_asks_for_the_town_plan_and_gets_it_from_its_downloads(client, town, settings):
    client.force_login(town.users["office"])
    asked = client.post(f"/plan/export.xlsx?campaign={town.campaign.slug}")
    assert asked.status_code == 302
    download = Download.objects.get()
    assert asked["Location"] == f"/downloads/{download.public_id}/"
    assert (download.kind, download.params, download.status) == (
        "plan_export", {"campaign": "jinxi-test", "fmt": "xlsx"}, "done")
    assert download.region == town.town
    assert download.campaign == town.campaign
    page = client.get(asked["Location"]).content.decode()
    assert "锦溪镇测试走访分配表" in page
    assert "已完成" in page
    assert f"/downloads/{download.public_id}/file" in page
    state = client.get(f"/downloads/{download.public_id}/status.json").json()
    assert (state["status"], state["percent"], state["retry"]) == ("done", 100, False)
    listing = client.get("/downloads/").content.decode()
    assert "锦溪镇测试走访分配表" in listing
    fetched = client.get(state["file_url"])
    body = b"".join(fetched.streaming_content)
    assert "filename*=UTF-8''" in fetched["Content-Disposition"]
    load_workbook(io.BytesIO(body))  # opens
    assert hashlib.sha256(body).hexdigest() == download.sha256
    assert len(body) == download.size
    assert AuditEvent.objects.filter(action="export", object_id=str(download.public_id)).exists()  # the download
    assert AuditEvent.objects.filter(action="export", summary__startswith="导出分配表 xlsx").exists()  # the build
    assert not list(Path(settings.ZOUFANG_DOWNLOADS_DIR).glob(f".{download.public_id}.*"))  # no temporary file left


def test_nobody_else_sees_a_download_and_scope_is_checked_again_when_fetched(client, town):
    office = town.users["office"]
    client.force_login(office)
    download = Download.objects.get(public_id=client.post("/plan/export.xlsx")["Location"].split("/")[2])
    for name in ("leader", "outsider"):
        client.force_login(town.users[name])
        for suffix in ("", "status.json", "file"):
            assert client.get(f"/downloads/{download.public_id}/{suffix}").status_code == 404
        assert client.post(f"/downloads/{download.public_id}/retry/").status_code == 404
        assert "锦溪镇测试走访分配表" not in client.get("/downloads/").content.decode()
    client.force_login(town.users["leader"])
    assert client.post("/plan/export.xlsx").status_code == 403  # as the synchronous view answered
    RoleGrant.objects.filter(user=office, role=RoleGrant.Role.OFFICE).delete()  # no longer the office
    client.force_login(office)
    assert client.get(f"/downloads/{download.public_id}/file").status_code == 403


def test_asking_twice_while_it_is_queued_gives_the_same_job(client, town, settings):
    settings.TASKS = DUMMY  # nothing runs
    client.force_login(town.users["office"])
    first, second = client.post("/plan/export.docx"), client.post("/plan/export.docx")
    assert first["Location"] == second["Location"]
    assert Download.objects.get().status == "queued"
    assert client.get(first["Location"] + "status.json").json()["percent"] == 0
    client.post("/plan/export.xlsx")
    assert Download.objects.count() == 2


def test_a_failed_job_says_why_in_chinese_and_can_be_retried(client, town, settings):
    user = town.users["office"]
    download = services.request(user, "test_slow", {"chunks": 4, "fail": True})
    download.refresh_from_db()
    assert download.status == "failed"
    assert "生成文件时出错（ValueError）" in download.error
    assert "可以重试" in download.error
    assert download.file == ""
    assert not any(Path(settings.ZOUFANG_DOWNLOADS_DIR).glob(f"*{download.public_id}*"))
    client.force_login(user)
    page = client.get(f"/downloads/{download.public_id}/").content.decode()
    assert "失败" in page
    assert "重试" in page
    Download.objects.filter(pk=download.pk).update(params={"chunks": 4, "fail": False, "delay": 0.0, "fmt": "xlsx"})
    assert client.post(f"/downloads/{download.public_id}/retry/").status_code == 302
    download.refresh_from_db()
    assert (download.status, download.attempts, download.error, download.done, download.total) == ("done", 2, "", 4, 4)
    assert client.post(f"/downloads/{download.public_id}/retry/").status_code == 302  # done: nothing to retry
    download.refresh_from_db()
    assert download.attempts == 2


def test_a_job_is_refused_when_the_requester_lost_the_scope_before_it_ran(town, settings):
    settings.TASKS = DUMMY
    office = town.users["office"]
    download = services.request(office, "plan_export", {"fmt": "xlsx"})
    RoleGrant.objects.filter(user=office, role=RoleGrant.Role.OFFICE).delete()
    assert services.run(download.pk) == "failed"
    download.refresh_from_db()
    assert "无权生成这个文件" in download.error


def test_old_files_expire_and_interrupted_jobs_are_given_up(town, settings):
    user = town.users["office"]
    done = services.request(user, "test_slow", {"chunks": 2})
    path = services.file_path(Download.objects.get(pk=done.pk))
    assert path is not None
    assert path.exists()
    Download.objects.filter(pk=done.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    settings.TASKS = DUMMY
    stuck = services.request(user, "test_slow", {"chunks": 3})
    Download.objects.filter(pk=stuck.pk).update(status="running", attempts=1,
                                                heartbeat_at=timezone.now() - timezone.timedelta(hours=1))
    part = Path(settings.ZOUFANG_DOWNLOADS_DIR) / f".{stuck.public_id}.1.part"
    part.write_bytes(b"half")
    assert services.interrupted(Download.objects.get(pk=stuck.pk))
    with override_settings(ZOUFANG_JOBS_STALE_MINUTES=0):
        report = services.sweep()
    assert report["expired"] == 1
    assert report["interrupted"] == 1
    assert not path.exists()
    assert not part.exists()
    assert Download.objects.get(pk=done.pk).status == "expired"
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert "生成中断" in stuck.error
    assert services.may_retry(stuck)


def test_the_periodic_work_runs_cases_tick_and_chains_itself_once(town, settings):
    settings.TASKS = DUMMY
    assert tasks.ensure_scheduled()
    assert not tasks.ensure_scheduled()  # already chained: no second chain
    row = Periodic.objects.get()
    assert tasks.periodic.call("not-the-token") == "superseded"
    result = json.loads(tasks.periodic.call(row.token))
    assert set(result) == {"cases_tick", "summary_reminders", "downloads", "task_results_pruned", "integrity_scans",
                           "integrity_scans_pruned"}
    after = Periodic.objects.get()
    assert after.token != row.token
    assert after.next_run_at > timezone.now()
    assert after.last_result
    assert tasks.periodic.call(row.token) == "superseded"


def test_the_database_backends_old_task_results_are_pruned_by_the_periodic_work(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert tasks._prune_task_results() is True
    settings.TASKS = DUMMY
    assert tasks._prune_task_results() is False


def test_a_job_queued_for_long_says_the_worker_may_not_be_running(client, town, settings):
    settings.TASKS = DUMMY
    client.force_login(town.users["office"])
    url = client.post("/plan/export.xlsx")["Location"]
    assert "仍在排队" not in client.get(url).content.decode()
    Download.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    assert "后台任务进程（db_worker）在运行" in client.get(url).content.decode()


def test_a_job_tells_its_progress_while_another_connection_commits(on_a_file, town, settings, monkeypatch):  # noqa: F811
    """A builder reports progress while its rows still come from a server-side cursor. On SQLite (WAL, as `make
    run` has it) that write on the reading connection failed with "database is locked" once a cadre's visit
    (another connection) had committed since the read began; the progress goes through a connection of its own."""
    from zoufang.core.testfiledb import another_connection
    from zoufang.jobs.tests.kinds import MEANWHILE
    from zoufang.regions.models import Region

    settings.TASKS = DUMMY
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    download = services.request(town.users["office"], "test_reading", {})

    def visit_meanwhile():
        with another_connection():
            Region.objects.filter(pk=town.shangxiatang.pk).update(name="上下塘社区（改）")

    MEANWHILE[0] = visit_meanwhile
    try:
        assert services.run(download.pk) == "done", Download.objects.get(pk=download.pk).error
    finally:
        MEANWHILE[0] = lambda: None
    download.refresh_from_db()
    assert download.done == download.total == Region.objects.count() + 1
    assert b"\n" in Path(services.file_path(download)).read_bytes()


def test_an_empty_downloads_page_points_each_role_to_what_it_can_download(client, town):
    """The office is sent to 分配 and the unit pages; a cadre, who has neither, to the ledger on 我的走访."""
    client.force_login(town.users["office"])
    assert "在“分配”、单位页面或走访台账处点“下载”" in client.get("/downloads/").content.decode()
    client.force_login(town.users["dept"])
    page = client.get("/downloads/").content.decode()
    assert "在“我的走访”点“台账”" in page
    assert "“分配”" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers (BEGIN IMMEDIATE)")
@pytest.mark.django_db(transaction=True)
def test_asking_at_the_same_moment_from_several_tabs_queues_one_job(town, settings):
    """The check for an identical queued job and the insert are one step: on PostgreSQL a row lock on nothing (no
    job yet) held nobody back, and requests arriving together each queued their own build of the same file."""
    settings.TASKS = DUMMY  # nothing runs: every request finds the others' job queued
    user, count = town.users["office"], 6
    start, asked = threading.Barrier(count), []

    def ask() -> None:
        try:
            start.wait()
            asked.append(services.request(user, "plan_export", {"campaign": town.campaign.slug, "fmt": "xlsx"}).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(asked) == count
    assert Download.objects.count() == 1
    assert set(asked) == {Download.objects.get().pk}
