"""我的下载: the user's own files built in the background, a job's page with its progress, the file itself."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.core import request_keys
from zoufang.core.downloads import attachment
from zoufang.core.queryparams import BadParameter, refused
from zoufang.jobs import kinds, services
from zoufang.jobs.models import Download

LIST_SIZE = 50
WAITING = dt.timedelta(minutes=2)  # queued this long: say the worker may not be running


def start(request: HttpRequest, kind: str, params: dict[str, Any]) -> HttpResponse:
    """What a download button does now: check, queue (or find the same job already queued), go to its page."""
    asked_at = timezone.now()  # the queue runs on the machine clock: compared with the job's created_at
    try:
        download = services.request(request.user, kind, params)
    except request_keys.KeyReused as reused:  # the form sent, changed (back button) and sent again
        messages.error(request, _("这张表刚才已提交过，这次的内容与上次不同，未重复提交；下面是上次的任务。"
                                  "如要按新的内容再做一次，请回到原页面刷新后重新填写提交。"))
        return redirect("jobs:detail", public_id=reused.made.public_id)
    except BadParameter as error:  # a download asked with a bad filter: said, nothing queued (decision 0035)
        return refused(request, error)
    if download.params.get("key") and kinds.get(kind).request_key and download.created_at < asked_at:
        messages.info(request, _("这张表刚才已提交过，未重复提交；下面是上次的任务。"))  # the same form sent again
    return redirect("jobs:detail", public_id=download.public_id)


def _own(request: HttpRequest, public_id: Any) -> Download:
    return get_object_or_404(Download, public_id=public_id, user_id=request.user.pk)


def state(download: Download) -> dict[str, Any]:
    """The job as the page and the polling script show it."""
    interrupted = services.interrupted(download)
    status = "failed" if interrupted else download.status
    label = _("已中断") if interrupted else download.get_status_display()
    error = _("生成中断（后台任务进程退出），没有留下文件，可以重试。") if interrupted else download.error
    return {
        "id": str(download.public_id), "status": status, "label": label, "percent": download.percent,
        "done": download.done, "total": download.total, "error": error,
        "file_url": reverse("jobs:file", args=[download.public_id]) if download.status == Download.Status.DONE else "",
        "size": download.size, "retry": services.may_retry(download),
        # The queue's moments are the machine's (its heartbeats and the file's expiry run on them), shown on the
        # product's calendar: a pinned day's page does not print the machine's year (decision 0040).
        "asked": clock.machine_moment(download.created_at), "finished": clock.machine_moment(download.finished_at),
        "expires": clock.machine_moment(download.expires_at),
        "waiting": download.status == Download.Status.QUEUED and download.created_at < timezone.now() - WAITING,
        # A report (an import's, a plan run's) is read on the job's page, not downloaded as its .json.
        "report_kind": bool(download.kind in kinds.KINDS and kinds.KINDS[download.kind].report_template),
    }


@login_required
def download_list(request: HttpRequest) -> HttpResponse:
    downloads = list(Download.objects.filter(user_id=request.user.pk or 0).order_by("-created_at")[:LIST_SIZE])
    return render(request, "jobs/list.html", {"here": "downloads",
                                              "jobs": [(d, state(d)) for d in downloads], "limit": LIST_SIZE})


@login_required
def detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    download = _own(request, public_id)
    report = services.report(download)
    template = kinds.KINDS[download.kind].report_template if download.kind in kinds.KINDS else ""
    return render(request, "jobs/detail.html", {"here": "downloads", "job": download, "state": state(download),
                                                "report": report if template else None, "report_template": template,
                                                "made": services.made(download)})


@login_required
def status(request: HttpRequest, public_id: Any) -> JsonResponse:
    response = JsonResponse(state(_own(request, public_id)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def file(request: HttpRequest, public_id: Any) -> FileResponse:
    download = _own(request, public_id)
    return file_response(download, services.fetch(request.user, download))


def file_response(download: Download, path: Any) -> FileResponse:
    """A job's file as an attachment named as the user asked for it (the page's and the API's)."""
    extension = path.suffix.lstrip(".")
    response = FileResponse(open(path, "rb"), content_type=kinds.MEDIA_TYPES.get(extension, "application/octet-stream"))  # noqa: SIM115 - FileResponse closes it
    plain = f"{download.kind}-{download.public_id}"
    response["Content-Disposition"] = attachment(download.filename or f"{plain}.{extension}", fallback=plain)
    return response


@login_required
@require_POST
def retry(request: HttpRequest, public_id: Any) -> HttpResponse:
    download = _own(request, public_id)
    if services.retry(download):
        messages.success(request, _("已重新排队生成。"))
    else:
        messages.info(request, _("这个文件正在生成或已经生成，不需要重试。"))
    return redirect("jobs:detail", public_id=download.public_id)
