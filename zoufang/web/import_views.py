"""The office's import page: upload, check (仅检查), confirm, and the per-kind templates.

Post/Redirect/Get: every POST ends in a redirect and the report travels in the session, so
reloading the page never imports twice. A checked file waits in storage for one confirmation.
"""

import datetime as dt
import io
import secrets
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zoufang.accounts import scope
from zoufang.core.downloads import attachment
from zoufang.core.tabular import count_rows
from zoufang.registry import imports as import_service
from zoufang.web.forms import ImportForm
from zoufang.web.import_steps import import_steps

REPORT_KEY = "zoufang_import_report"
PENDING_KEY = "zoufang_import_pending"
PENDING_DIR = "imports/pending"
MAX_LISTED_ERRORS = 500
MAX_LISTED_CHANGES = 500
# A checked file not confirmed within a day is forgotten: its session has usually ended by then.
PENDING_TTL = dt.timedelta(days=1)
# An uploaded file of more rows than this is checked (and imported, once confirmed on the job's page) by background
# jobs (docs/jobs.md) whose pages show the report; a smaller one is checked and imported in the request.
QUEUE_ROWS = 5000
QUEUED_DIR = "imports/queued"


def _require_manager(request: HttpRequest) -> None:
    if not scope.may_import(request.user):
        raise Http404


def _kind_choices() -> list[tuple[str, str]]:
    return [(key, str(spec.label)) for key, spec in import_service.KINDS.items()]


def report_for_page(report: Any, *, label: str, filename: str, campaign: Any) -> dict[str, Any]:
    errors = [str(error) for error in report.errors]
    return {
        "kind": report.kind,
        "label": label,
        "filename": filename,
        "campaign": str(campaign) if campaign else "",
        "campaign_id": str(campaign.public_id) if campaign else "",
        "dry_run": bool(report.dry_run),
        "ok": bool(report.ok),
        "total_rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "deleted": getattr(report, "deleted", 0),
        "errors": errors[:MAX_LISTED_ERRORS],
        "error_count": len(errors),
        "update": bool(report.update),
        "notes": [str(note) for note in report.notes],
        # Every rename, move or re-kind of an update is listed: the clerk confirms them all, not a sample; of the
        # other changes (a phone, an address) the first few hundred, all of them audited one by one.
        "changes": [str(change) for at, change in enumerate(report.changes) if change.renamed or at < MAX_LISTED_CHANGES],
        "change_count": len(report.changes),
        "changes_left_out": sum(1 for at, change in enumerate(report.changes)
                                if not change.renamed and at >= MAX_LISTED_CHANGES),
    }


def _run(request: HttpRequest, kind: str, source: Any, *, filename: str, campaign: Any, dry_run: bool,
         update: bool = False) -> Any:
    return import_service.run_import(
        kind, source, filename=filename, campaign=campaign, dry_run=dry_run, by=request.user, update=update
    )


def _discard_pending(request: HttpRequest) -> None:
    pending = request.session.pop(PENDING_KEY, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


def purge_stale_pending(now: dt.datetime | None = None) -> int:
    """Delete checked files older than PENDING_TTL that were never confirmed; returns how many."""
    cutoff = (now or timezone.now()) - PENDING_TTL  # upload staging: machine clock, like the files' mtime
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    purged = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            purged += 1
    return purged


def _keep_for_confirmation(request: HttpRequest, upload: Any, kind: str, campaign: Any, *, update: bool,
                           rows: int) -> None:
    _discard_pending(request)
    purge_stale_pending()
    upload.seek(0)
    suffix = PurePath(upload.name).suffix.lower()
    path = default_storage.save(f"{PENDING_DIR}/{secrets.token_hex(16)}{suffix}", upload)
    request.session[PENDING_KEY] = {
        "token": secrets.token_urlsafe(16),
        "path": path,
        "kind": kind,
        "filename": upload.name,
        "campaign": str(campaign.public_id) if campaign else "",
        "update": update,
        "rows": rows,
    }


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    campaigns = scope.managed_campaigns(request.user)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, campaigns)
    kinds = _kind_choices()
    report = request.session.pop(REPORT_KEY, None) if request.method == "GET" else None
    # After a report the form keeps its kind and campaign: the clerk fixes the sheet and uploads again.
    last = report or {}
    form = ImportForm(
        request.POST or None, request.FILES or None, kinds=kinds, campaigns=campaigns,
        initial={
            "campaign": last.get("campaign_id") or campaigns.first(),
            "kind": last.get("kind") or request.GET.get("kind"),
        },
    )
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        campaign = form.cleaned_data["campaign"]
        spec = import_service.KINDS[kind]
        if getattr(spec, "needs_campaign", False) and campaign is None:
            form.add_error("campaign", _("导入“%(label)s”需要选择走访活动") % {"label": spec.label})
        else:
            upload = form.cleaned_data["file"]
            update = form.cleaned_data["update"]
            # An update is always checked first: its changes are listed and confirmed before anything is written.
            dry_run = form.cleaned_data["dry_run"] or update
            if count_rows(upload) > QUEUE_ROWS:
                return _queue_upload(request, upload, kind, campaign, update=update, dry_run=dry_run)
            report = _run(request, kind, upload, filename=upload.name, campaign=campaign, dry_run=dry_run,
                          update=update)
            if dry_run and report.ok:
                _keep_for_confirmation(request, upload, kind, campaign, update=update, rows=report.total_rows)
            else:
                _discard_pending(request)
            request.session[REPORT_KEY] = report_for_page(
                report, label=str(spec.label), filename=upload.name, campaign=campaign
            )
            return redirect("web:imports")
    pending = request.session.get(PENDING_KEY) if report and report["dry_run"] and report["ok"] else None
    # The order of the imports, for the campaign the form is set to: the last report's, else the first.
    shown = (campaigns.filter(public_id=last["campaign_id"]).first() if last.get("campaign_id") else None
             ) or campaigns.first()
    return render(request, "web/imports.html", {
        "form": form,
        "kinds": kinds,
        "report": report,
        "pending": pending,
        "steps_campaign": shown,
        "steps": import_steps(shown) if shown is not None else [],
    })


def _queue_upload(request: HttpRequest, upload: Any, kind: str, campaign: Any, *, update: bool,
                  dry_run: bool) -> HttpResponse:
    """A file of many rows is checked (or checked and imported, all or nothing) by a background job whose page
    shows the report; a checked file waits, as on this page, for the office to confirm it there."""
    from zoufang.jobs.views import start

    _discard_pending(request)
    purge_stale_pending()
    upload.seek(0)
    folder = PENDING_DIR if dry_run else QUEUED_DIR
    path = default_storage.save(f"{folder}/{secrets.token_hex(16)}{PurePath(upload.name).suffix.lower()}", upload)
    return start(request, "registry_check" if dry_run else "registry_import", {
        "path": path, "kind": kind, "filename": upload.name, "campaign": str(campaign.public_id) if campaign else "",
        "update": update})


@login_required
@require_POST
def confirm_checked(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Import a file a background check passed, from that job's page: once (the stored file moves to the import's
    job; a second confirmation finds it gone)."""
    from django.db import transaction

    from zoufang.jobs import services
    from zoufang.jobs.models import Download
    from zoufang.jobs.views import start

    _require_manager(request)
    with transaction.atomic():
        checked = get_object_or_404(Download.objects.select_for_update(), public_id=public_id,
                                    user_id=request.user.pk, kind="registry_check")
        report = services.report(checked)
        path = str(checked.params.get("path", ""))
        if not report or not report.get("ok") or not default_storage.exists(path):
            imported = Download.objects.filter(user_id=checked.user_id, kind="registry_import",
                                               params__checked=str(checked.public_id)).order_by("-created_at").first()
            if imported is not None:  # the confirmation sent again (a double click, the browser's resend)
                messages.info(request, _("该文件刚才已确认导入，未重复导入；下面是那次导入的任务。"))
                return redirect("jobs:detail", public_id=imported.public_id)
            messages.warning(request, _("该文件已导入或已失效，请重新上传。"))
            return redirect("web:imports")
        services.kinds.get("registry_check").resolve(request.user, checked.params)  # still the office's campaign
        with default_storage.open(path, "rb") as stored:
            queued = default_storage.save(f"{QUEUED_DIR}/{secrets.token_hex(16)}{PurePath(path).suffix}", stored)
        default_storage.delete(path)
    return start(request, "registry_import", {**checked.params, "path": queued, "checked": str(checked.public_id)})


def _confirm(request: HttpRequest, campaigns: Any) -> HttpResponse:
    """Import the file that passed its check, once: the token is spent whatever the outcome."""
    pending = request.session.get(PENDING_KEY)
    if not pending or not secrets.compare_digest(pending["token"], request.POST.get("confirm", "")):
        messages.warning(request, _("该文件已导入或已失效，请重新上传。"))
        return redirect("web:imports")
    campaign = campaigns.filter(public_id=pending["campaign"]).first() if pending["campaign"] else None
    spec = import_service.KINDS[pending["kind"]]
    try:
        with default_storage.open(pending["path"], "rb") as stored:
            source = io.BytesIO(stored.read())
    except FileNotFoundError:
        request.session.pop(PENDING_KEY, None)
        messages.warning(request, _("该文件已导入或已失效，请重新上传。"))
        return redirect("web:imports")
    _discard_pending(request)
    report = _run(request, pending["kind"], source, filename=pending["filename"], campaign=campaign, dry_run=False,
                  update=bool(pending.get("update")))
    request.session[REPORT_KEY] = report_for_page(
        report, label=str(spec.label), filename=pending["filename"], campaign=campaign
    )
    return redirect("web:imports")


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponseBase:
    _require_manager(request)
    spec = import_service.KINDS.get(kind)
    if spec is None:
        raise Http404
    out = io.BytesIO()
    import_service.write_template(kind, out)
    out.seek(0)
    response = FileResponse(out, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = attachment(_("%(label)s导入模板.xlsx") % {"label": spec.label},
                                                 fallback=f"{kind}-template")
    return response
