"""A background job over the API: what an operation answering 202 queued, followed until it is done (its owner only).

The web pages and the API share one job row (`Download`): the same progress, Chinese failure reason, retry and
result (a file to fetch, or a report as JSON) as the job's page shows.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zoufang.core import request_keys
from zoufang.core.apierrors import error_body
from zoufang.jobs import services
from zoufang.jobs.models import Download

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str = Field(..., description="queued 排队中 / running 生成中 / done 已完成 / failed 失败（含已中断）/ expired 已过期")
    label: str
    done: int
    total: int
    percent: int
    error: str = Field(..., description="失败时的中文原因")
    may_retry: bool
    # The queue's moments on the product's calendar, as 我的下载 shows them (decision 0040, clock.from_machine).
    created_at: dt.datetime = Field(..., description="申请时间（按平台的日期：固定了“今天”的演示移到该日，与“我的下载”一致）")
    finished_at: dt.datetime | None = Field(..., description="完成时间（同上）")
    expires_at: dt.datetime | None = Field(..., description="文件有效期至（同上）")
    file_url: str = Field(..., description="完成且结果是文件时，取文件的地址（/api/v1/jobs/{id}/file）")
    report: dict[str, Any] | None = Field(..., description="完成且结果是报告时（如重新分配），报告内容")
    made_url: str = Field(..., description="任务生成了对象时（如公文简报的草稿或印发件），它在本接口的地址")


class JobQueuedOut(Schema):
    id: uuid.UUID
    status: str
    status_url: str = Field(..., description="轮询这个地址，直到 status 为 done 或 failed")


def _own(request: HttpRequest, job_id: uuid.UUID) -> Download:
    """The requester's own job; anyone else's is not there (404), as on the pages."""
    download = Download.objects.filter(public_id=job_id, user_id=request.user.pk or 0).first()
    if download is None:
        raise Http404
    return download


def queued(download: Download) -> dict[str, Any]:
    """The 202 body of an operation that put its work on the queue."""
    download.refresh_from_db(fields=["status"])
    return {"id": download.public_id, "status": download.status,
            "status_url": reverse("api:get_job", kwargs={"job_id": download.public_id})}


def queue(request: HttpRequest, kind: str, params: dict[str, Any]) -> Status:
    """An operation's answer once it put its work on the queue: 202 with the job; 409 when the request's `key` was
    sent before with other parameters (a retry carries the same key and the same body)."""
    try:
        return Status(202, queued(services.request(request.user, kind, params)))
    except request_keys.KeyReused:
        return Status(409, error_body(_("该 key 已用于参数不同的另一次请求；新的请求请生成新的 key。"), "conflict"))


def job_out(download: Download) -> dict[str, Any]:
    from zoufang.jobs.views import state

    shown = state(download)
    report = services.report(download)
    return {"id": download.public_id, "kind": download.kind, "title": download.title, "status": shown["status"],
            "label": shown["label"], "done": download.done, "total": download.total, "percent": shown["percent"],
            "error": shown["error"], "may_retry": shown["retry"], "created_at": shown["asked"],
            "finished_at": shown["finished"], "expires_at": shown["expires"],
            "file_url": reverse("api:get_job_file", kwargs={"job_id": download.public_id})
            if shown["file_url"] and report is None else "", "report": report,
            "made_url": made.api_url if (made := services.made(download)) else ""}


@router.get("/{job_id}", response=JobOut, summary="后台任务的状态和结果（进度、失败原因、文件地址或报告；仅申请人本人）")
def get_job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    download = _own(request, job_id)
    return job_out(download)


@router.get("/{job_id}/file", summary="完成的任务的文件（仅申请人本人；取文件时再次检查范围，记入审计）",
            openapi_extra={"responses": {200: {"description": "xlsx 或 docx 文件",
                                                "content": {"application/octet-stream": {
                                                    "schema": {"type": "string", "format": "binary"}}}}}})
def get_job_file(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    from zoufang.jobs.views import file_response

    download = _own(request, job_id)
    return file_response(download, services.fetch(request.user, download))


@router.post("/{job_id}/retry", response={202: JobQueuedOut, 409: JobOut},
             summary="重试失败、中断或过期的任务（重新排队，不会重复写入）；正在进行或已完成的答 409 和任务现状")
def retry_job(request: HttpRequest, job_id: uuid.UUID) -> Status[dict[str, Any]]:
    download = _own(request, job_id)
    if not services.retry(download):
        return Status(409, job_out(download))
    return Status(202, queued(download))
