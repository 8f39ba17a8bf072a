"""The background tasks, on Django's Tasks API (django-tasks on 5.2, django.tasks from 6.0): the backend is
settings.TASKS (database by default, Redis with ZOUFANG_TASKS_BACKEND=rq)."""

import datetime as dt
import io
import json
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

try:  # Django 6 ships the Tasks API; on 5.2 the django-tasks backport provides the same one
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from django_tasks import task

from zoufang.jobs import services
from zoufang.jobs.models import Claim, Periodic

PERIODIC = "periodic"


@task()
def build_download(download_id: int) -> str:
    return str(services.run(download_id))


def periodic_work() -> dict[str, object]:
    """What the worker runs every ZOUFANG_PERIODIC_MINUTES: `cases tick`, the units' 工作总结 reminders
    (documents/reminders.py), the downloads' expiry and the running campaigns' integrity flags, recomputed once a
    day, and old scans of chosen periods dropped (integrity/scans.py); residents' personal data past its retention
    when ZOUFANG_PERSONAL_DATA_EXPIRE is on."""
    from zoufang.cases.tick import tick
    from zoufang.documents.reminders import remind
    from zoufang.integrity.scans import prune, refresh_due
    from zoufang.privacy.retention import expire

    report = tick()
    return {"cases_tick": {"overdue": report.overdue, "newly_overdue": report.newly_overdue,
                           "late_drafts": report.late_drafts, "reminders": report.reminders},
            "summary_reminders": remind().reminders,
            "downloads": services.sweep(), "task_results_pruned": _prune_task_results(),
            "integrity_scans": refresh_due(), "integrity_scans_pruned": prune(),
            **({"personal_data_expired": expire(apply=True).as_dict()} if settings.ZOUFANG_PERSONAL_DATA_EXPIRE else {})}


def enqueue_once(key: str, work: object, *args: object) -> bool:
    """Enqueue the task `work(*args)` unless one under `key` is already queued or running (its Claim fresh);
    True when it was queued. The claim is committed before the task is enqueued, so a second caller sees it."""
    now = timezone.now()
    with transaction.atomic():
        claim, created = Claim.objects.select_for_update().get_or_create(
            key=key, defaults={"queued_at": now, "heartbeat_at": now})
        if not created:
            if claim.heartbeat_at >= services.stale_before():
                return False
            claim.queued_at = claim.heartbeat_at = now  # its worker was lost: taken over
            claim.save(update_fields=["queued_at", "heartbeat_at"])
    work.enqueue(*args)  # type: ignore[attr-defined]
    return True


def claimed(key: str) -> bool:
    """Whether a task under `key` is queued or running."""
    return Claim.objects.filter(key=key, heartbeat_at__gte=services.stale_before()).exists()


def scan_key(campaign_id: int) -> str:
    return f"integrity_scan:{campaign_id}"


@task()
def refresh_scan(campaign_id: int, seen: int | None = None) -> str:
    """One campaign's whole-campaign integrity scan, queued by the periodic work (integrity.scans.refresh_due)."""
    from zoufang.integrity.scans import refresh_campaign

    key = scan_key(campaign_id)

    def beat(done: int, total: int) -> None:
        Claim.objects.filter(key=key).update(heartbeat_at=timezone.now())

    try:
        return refresh_campaign(campaign_id, seen, progress=beat)
    finally:
        Claim.objects.filter(key=key).delete()


def _prune_task_results() -> bool:
    """The database backend keeps every task's result row: drop those older than its default (14 days)."""
    from django.core.management import call_command
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_backends

    if not isinstance(task_backends["default"], DatabaseBackend):
        return False
    call_command("prune_db_task_results", stdout=io.StringIO())
    return True


@task()
def periodic(token: str) -> str:
    """Run the periodic work, then enqueue the next run (run_after) — only if this run holds the chain's token,
    so a second chain (a restart, `jobs schedule` twice) stops at its first run."""
    with transaction.atomic():  # claim this run and enqueue the next first: a failing run does not end the chain
        row = Periodic.objects.select_for_update().filter(name=PERIODIC).first()
        if row is None or row.token != token:
            return "superseded"
        row.token = uuid.uuid4().hex
        row.next_run_at = timezone.now() + dt.timedelta(minutes=settings.ZOUFANG_PERIODIC_MINUTES)
        row.save()
        following, at = row.token, row.next_run_at
        transaction.on_commit(lambda: periodic.using(run_after=at).enqueue(following))
    result = json.dumps(periodic_work(), ensure_ascii=False)
    Periodic.objects.filter(name=PERIODIC).update(last_run_at=timezone.now(), last_result=result)
    return result


def ensure_scheduled(*, now: bool = False) -> bool:
    """Start the chain when there is none, or when it is overdue (its queue was lost); True when (re)started."""
    with transaction.atomic():
        row, created = Periodic.objects.select_for_update().get_or_create(
            name=PERIODIC, defaults={"token": "", "next_run_at": timezone.now()})
        grace = dt.timedelta(minutes=max(5, settings.ZOUFANG_PERIODIC_MINUTES // 2))
        if not (created or now or not row.token or row.next_run_at < timezone.now() - grace):
            return False
        row.token = uuid.uuid4().hex
        row.next_run_at = timezone.now()
        row.save()
        token = row.token
        transaction.on_commit(lambda: periodic.enqueue(token))
    return True
