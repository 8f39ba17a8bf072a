"""Asking for a file, building it in a task, fetching it, retrying it, expiring it (docs/jobs.md).

A job writes its file under a temporary name and renames it only when the builder has returned; the row is marked
done after the rename, in one transaction that also checks the attempt is still the live one. A worker killed
half-way leaves a `.part` file (removed by the sweep) and a row still "running" with an old heartbeat: never a file
or a row that claims success. Such a row is taken as interrupted after ZOUFANG_JOBS_STALE_MINUTES and can be retried.
"""

import datetime as dt
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core import request_keys
from zoufang.core.aside import Aside
from zoufang.core.progress import Progress
from zoufang.jobs import kinds
from zoufang.jobs.models import Download

logger = logging.getLogger(__name__)
Status = Download.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
PROGRESS_EVERY_SECONDS = 1.0


def downloads_dir() -> Path:
    path = Path(settings.ZOUFANG_DOWNLOADS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.ZOUFANG_JOBS_STALE_MINUTES)


def interrupted(download: Download) -> bool:
    """A running job whose worker stopped reporting: killed, or its machine gone."""
    beat = download.heartbeat_at or download.started_at
    return download.status == Status.RUNNING and beat is not None and beat < stale_before()


def report(download: Download) -> dict[str, Any] | None:
    """A finished job whose result is a report (a .json file: registry_import), as its page shows it."""
    import json

    if download.status != Status.DONE or not download.file.endswith(".json"):
        return None
    try:
        return dict(json.loads((downloads_dir() / download.file).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def made(download: Download) -> kinds.Made | None:
    """What a finished job made besides its file (a draft, an issued document), where the kind says so."""
    kind = kinds.KINDS.get(download.kind)
    if download.status != Status.DONE or kind is None or kind.made is None:
        return None
    return kind.made(download.params)


def may_retry(download: Download) -> bool:
    return download.status in (Status.FAILED, Status.EXPIRED) or interrupted(download)


def request(user: Any, kind: str, params: dict[str, Any]) -> Download:
    """Check the user may have this file (Http404 / PermissionDenied as the synchronous view did), then queue it;
    the same request while an identical one is queued or running returns that one (no duplicate job)."""
    resolved = kinds.get(kind).resolve(user, params)
    with transaction.atomic():
        # One request of a user's at a time from here to the insert: a row lock on the identical job finds nothing to
        # lock while there is none, and requests arriving together (two tabs, a double click) each queued their own.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        same = _same_key(user, kind, resolved.params)
        if same is not None:
            return same
        existing = (Download.objects.select_for_update().filter(user=user, kind=kind, params=resolved.params,
                                                                  status__in=ACTIVE).order_by("-created_at").first())
        if existing is not None and not interrupted(existing):
            return existing
        download = Download.objects.create(user=user, kind=kind, params=resolved.params, title=resolved.title[:200],
                                           filename=resolved.filename[:200], campaign=resolved.campaign,
                                           region=resolved.region)
    _enqueue(download)
    return download


def _same_key(user: Any, kind: str, params: dict[str, Any]) -> Download | None:
    """The job a request `key` already made, when it is still to be had (queued, running or done); None when the key
    is new or its job failed or expired (a new job then gives back what the key made: request_keys.once). Sent
    again with other parameters (another period, another kind), the key is refused (request_keys.KeyReused)
    rather than answered with what the first request made."""
    key = params.get("key") if kinds.get(kind).request_key else None
    if not key:
        return None
    earlier = Download.objects.filter(user=user, kind=kind, params__key=key).order_by("-created_at").first()
    if earlier is None:
        return None
    if earlier.params != params:
        raise request_keys.KeyReused(earlier)
    usable = earlier.status in (*ACTIVE, Download.Status.DONE) and not interrupted(earlier)
    return earlier if usable else None


def retry(download: Download) -> bool:
    """Queue a failed, expired or interrupted job again; False when it is not in such a state."""
    kinds.get(download.kind).resolve(download.user, download.params)  # still allowed?
    with transaction.atomic():
        locked = Download.objects.select_for_update().get(pk=download.pk)
        if not may_retry(locked):
            return False
        _discard_file(locked)
        Download.objects.filter(pk=locked.pk).update(status=Status.QUEUED, done=0, total=0, error="", file="",
                                                     size=None, sha256="", started_at=None, heartbeat_at=None,
                                                     finished_at=None, expires_at=None)
    _enqueue(download)
    return True


def _enqueue(download: Download) -> None:
    from zoufang.jobs.tasks import build_download

    result = build_download.enqueue(download.pk)
    Download.objects.filter(pk=download.pk).update(task_id=str(result.id)[:64])


class Throttled:
    """The builder's (done, total) calls, stored at most once a second (and the last one always).

    Stored through a connection of its own (core.aside): a builder reports progress while its rows still come
    from a server-side cursor, and on SQLite (WAL) a write on the reading connection fails with "database is
    locked" once any other connection has committed since the read began — a cadre's visit during a ledger. Inside a
    read-only build's `core.snapshot.held()` it writes through the snapshot's writer (`snapshot.writes()`)."""

    def __init__(self, download_id: int, attempt: int) -> None:
        self.download_id, self.attempt = download_id, attempt
        self.last = 0.0
        self.aside = Aside()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS and not (total and done >= total):
            return
        self.last = now
        with self.aside.used():
            Download.objects.filter(pk=self.download_id, attempts=self.attempt, status=Status.RUNNING).update(
                done=max(done, 0), total=max(total, 0), heartbeat_at=timezone.now())


def run(download_id: int) -> str:
    """The task's body: build the file of one queued job. Returns the status it ends in."""
    with transaction.atomic():
        download = Download.objects.select_for_update().filter(pk=download_id).first()
        if download is None or download.status != Status.QUEUED:
            return download.status if download else "missing"  # run twice, or already retried: nothing to do
        now = timezone.now()
        attempt = download.attempts + 1
        Download.objects.filter(pk=download.pk).update(status=Status.RUNNING, attempts=attempt, started_at=now,
                                                       heartbeat_at=now, done=0, total=0)
    folder = downloads_dir()
    extension = download.params.get("fmt", "xlsx")
    final = folder / f"{download.public_id}.{extension}"
    part = folder / f".{download.public_id}.{attempt}.part"
    user = download.user
    try:
        if not user.is_active:
            raise PermissionDenied
        kind = kinds.get(download.kind)
        resolved = kind.resolve(user, download.params)  # scope re-checked now: grants may have changed
        progress = Throttled(download.pk, attempt)
        try:
            with open(part, "wb") as out:
                summary = _build(kind, user, resolved, out, progress)
                out.flush()
                os.fsync(out.fileno())
        finally:
            progress.aside.close()
        size, digest = _measure(part)
    except (PermissionDenied, Http404):
        return _fail(download, attempt, part, _("您已无权生成这个文件（权限或范围已变更），请与走访办联系。"))
    except kinds.Refused as refused:
        return _fail(download, attempt, part, str(refused))
    except Exception as exc:
        logger.exception("download %s (%s) failed", download.public_id, download.kind)
        return _fail(download, attempt, part, _("生成文件时出错（%(what)s），可以重试；多次失败请联系系统管理员。")
                     % {"what": type(exc).__name__})
    os.replace(part, final)
    finished = timezone.now()
    with transaction.atomic():
        marked = Download.objects.filter(pk=download.pk, attempts=attempt, status=Status.RUNNING).update(
            status=Status.DONE, file=final.name, size=size, sha256=digest, done=Greatest(F("total"), 1),
            total=Greatest(F("total"), 1), finished_at=finished, heartbeat_at=finished,
            expires_at=finished + dt.timedelta(days=settings.ZOUFANG_DOWNLOADS_KEEP_DAYS))
        if marked:
            audit.record(user, AuditEvent.Action.EXPORT, resolved.obj, summary=summary)
    if not marked:  # the sweep gave this attempt up meanwhile, or it was retried: the file is nobody's
        final.unlink(missing_ok=True)
        return "superseded"
    return Status.DONE


def _build(kind: kinds.Kind, user: Any, resolved: kinds.Resolved, out: IO[bytes], progress: Progress) -> str:
    """The kind's file. A download that only reads is read at one moment, the one its build starts at (decision
    0027): every statement of it inside one read-only snapshot (`core.snapshot.held`), whatever visits arrive
    meanwhile; its progress and any audit row it writes go through a connection of their own (`writes()`)."""
    if kind.writes:
        return kind.build(user, resolved, out, progress)
    from zoufang.core import snapshot

    with snapshot.held():
        return kind.build(user, resolved, out, progress)  # stored beside the snapshot: Throttled's Aside


def _measure(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _fail(download: Download, attempt: int, part: Path, message: str) -> str:
    part.unlink(missing_ok=True)
    Download.objects.filter(pk=download.pk, attempts=attempt, status=Status.RUNNING).update(
        status=Status.FAILED, error=message, finished_at=timezone.now())
    return Status.FAILED


def file_path(download: Download) -> Path | None:
    if download.status != Status.DONE or not download.file or "/" in download.file:
        return None
    path = Path(settings.ZOUFANG_DOWNLOADS_DIR) / download.file
    return path if path.is_file() else None


def _discard_file(download: Download) -> None:
    if download.file and "/" not in download.file:
        (Path(settings.ZOUFANG_DOWNLOADS_DIR) / download.file).unlink(missing_ok=True)


def fetch(user: Any, download: Download) -> Path:
    """The file of a done job, for its owner while the owner may still have it; audited."""
    if download.user_id != user.pk:
        raise Http404
    kinds.get(download.kind).resolve(user, download.params)  # scope re-checked at download time
    path = file_path(download)
    if path is None:
        raise Http404
    audit.record(user, AuditEvent.Action.EXPORT, download, summary=_("下载 %(download_title)s（%(filename)s）") % {
        "download_title": download.title, "filename": download.filename,
    })
    return path


def sweep() -> dict[str, int]:
    """Expire old files, give up interrupted jobs (saying so in Chinese), delete stray temporary files."""
    now = timezone.now()
    expired = 0
    for download in Download.objects.filter(status=Status.DONE, expires_at__lt=now):
        _discard_file(download)
        expired += Download.objects.filter(pk=download.pk, status=Status.DONE).update(
            status=Status.EXPIRED, file="")
    stale = stale_before()
    interrupted_count = Download.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)).update(
        status=Status.FAILED, finished_at=now,
        error=_("生成中断（后台任务进程退出），没有留下文件，可以重试。"))
    removed = 0
    folder = Path(settings.ZOUFANG_DOWNLOADS_DIR)
    if folder.is_dir():
        live = {f".{d.public_id}.{d.attempts}.part" for d in Download.objects.filter(status=Status.RUNNING)}
        kept = set(Download.objects.filter(status=Status.DONE).exclude(file="").values_list("file", flat=True))
        for path in folder.iterdir():  # a young file may be a job starting or finishing right now
            if path.name in live or path.name in kept or path.stat().st_mtime > stale.timestamp():
                continue
            path.unlink(missing_ok=True)
            removed += 1
    return {"expired": expired, "interrupted": interrupted_count, "removed": removed}
