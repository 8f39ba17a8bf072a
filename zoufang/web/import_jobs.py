"""The registry import's background jobs (docs/jobs.md): checking (仅检查) and importing an uploaded file of many
rows, each writing the import page's report; the office only, for its own campaigns, as on the page."""

from typing import IO, Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.core.progress import Progress
from zoufang.jobs.kinds import Kind, Refused, Resolved, register

# ---------------------------------------------------------------- a confirmed registry import of many rows

def _stored_upload(user: Any, params: dict[str, Any], folder: str) -> Resolved:
    """An uploaded file the office stored for a job under `folder`, of a known kind, for one of its campaigns."""
    from zoufang.registry import imports

    if not scope.may_import(user):
        raise Http404
    path, kind, filename = str(params.get("path", "")), str(params.get("kind", "")), str(params.get("filename", ""))
    if not path.startswith(f"{folder}/") or ".." in path or kind not in imports.KINDS:
        raise Http404
    campaign = None
    if params.get("campaign"):
        campaign = get_object_or_404(scope.managed_campaigns(user), public_id=params["campaign"])
    label = imports.KINDS[kind].label
    return Resolved({"path": path, "kind": kind, "filename": filename, "campaign": params.get("campaign") or "",
                     "update": bool(params.get("update")), "fmt": "json"},
                    _("导入%(label)s：%(filename)s") % {
                        "label": label, "filename": filename,
                    }, _("导入结果-%(filename)s.json") % {"filename": filename}, campaign=campaign,
                    region=campaign.scope if campaign else None, obj=campaign, extra={"label": str(label)})


def _import_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.web.import_views import QUEUED_DIR

    resolved = _stored_upload(user, params, QUEUED_DIR)
    resolved.params["checked"] = str(params.get("checked", ""))  # the check it was confirmed from, if any
    return resolved


def _run_stored(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress, *, dry_run: bool) -> Any:
    """Read the stored file, import (or only check) it as the page does, write the page's report; the report."""
    import io
    import json

    from django.core.files.storage import default_storage

    from zoufang.registry import imports
    from zoufang.web.import_views import report_for_page

    params = resolved.params
    try:
        with default_storage.open(params["path"], "rb") as stored:
            source = io.BytesIO(stored.read())
    except FileNotFoundError:
        raise Refused(_("上传的文件已不在（已经导入，或检查后超过一天未确认），请重新上传。")) from None
    report = imports.run_import(params["kind"], source, filename=params["filename"], campaign=resolved.campaign,
                                dry_run=dry_run, by=user, update=params["update"], progress=progress)
    page = report_for_page(report, label=resolved.extra["label"], filename=params["filename"],
                           campaign=resolved.campaign)
    out.write(json.dumps(page, ensure_ascii=False).encode())
    return report


def _import_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Imports the checked file (all or nothing, as on the page) and writes its report; the stored file is then
    removed, so a retry of a finished job can never import it twice."""
    from django.core.files.storage import default_storage

    params = resolved.params
    report = _run_stored(user, resolved, out, progress, dry_run=False)
    default_storage.delete(params["path"])
    return _("导入%(label)s %(filename)s：%(total_rows)s 行，新增 %(created)s，更新 %(updated)s") % {
        "label": resolved.extra['label'], "filename": params['filename'], "total_rows": report.total_rows,
        "created": report.created, "updated": report.updated,
    }


register(Kind("registry_import", _import_resolve, _import_build, report_template="web/_import_report.html",
              writes=True))


# ---------------------------------------------------------------- checking (仅检查) an uploaded file of many rows

def _check_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.web.import_views import PENDING_DIR

    resolved = _stored_upload(user, params, PENDING_DIR)
    label, filename = resolved.extra["label"], resolved.params["filename"]
    resolved.title, resolved.filename = _("检查%(label)s：%(filename)s") % {
        "label": label, "filename": filename,
    }, _("检查结果-%(filename)s.json") % {"filename": filename}
    return resolved


def _check_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Every row validated as the page's 仅检查 does, nothing written; a file that passed waits (as a checked file
    waits on the page, a day at most) for the office to confirm it from the job's page, one that failed is dropped."""
    from django.core.files.storage import default_storage

    params = resolved.params
    report = _run_stored(user, resolved, out, progress, dry_run=True)
    if not report.ok:
        default_storage.delete(params["path"])
    return _("检查%(label)s %(filename)s：%(total_rows)s 行，%(n_errors)s 处错误") % {
        "label": resolved.extra['label'], "filename": params['filename'], "total_rows": report.total_rows,
        "n_errors": len(report.errors),
    }


register(Kind("registry_check", _check_resolve, _check_build, report_template="web/_import_report.html",
              writes=True))  # validated in a transaction rolled back
