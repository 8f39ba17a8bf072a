"""走访记录 for the office: the visits that came in, the questionnaires (preview, template, answers, a new
version from an XLSForm workbook) and each unit's ledger."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.cases.models import Case
from zoufang.core import paging
from zoufang.core.downloads import attachment
from zoufang.core.queryparams import Asked
from zoufang.core.tabular import too_large_message
from zoufang.core.workbook_scan import WorkbookTooLarge
from zoufang.forms import xlsform
from zoufang.forms.models import Form
from zoufang.forms.services import FormDefinitionError, current_versions, load_form_file, published_form
from zoufang.visits.models import Visit
from zoufang.web.forms import MAX_UPLOAD_MB

LEDGER_ROLES = (RoleGrant.Role.OFFICE, RoleGrant.Role.LEADER, RoleGrant.Role.ASSESSOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


PAGE_SIZE = 20


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """The visits that came in, newest first, 20 a page after a cursor: the page reads its 20 rows along the
    (visited_at, id) index and counts the opinions of those 20 only, never anything over every visible visit."""
    if not scope.may_list_visits(request.user):
        raise Http404
    visits = (scope.visible_visits(request.user).select_related("target", "cadre__unit")
              .order_by("-visited_at", "-id"))
    page = paging.shown_page(visits, Asked.page(request), PAGE_SIZE)  # a bad cursor: the first page, said
    counts = dict(Case.objects.filter(source_visit__in=[v.pk for v in page.rows]).order_by().values("source_visit")
                  .annotate(n=Count("id")).values_list("source_visit", "n"))
    for visit in page.rows:
        visit.case_count = counts.get(visit.pk, 0)
    # The units whose cadres have recorded a visit, each with a link to its ledger: an EXISTS per unit of the
    # area (the visits' cadre index), not a count of every visit.
    units = (scope.visible_units(request.user).filter(Exists(Visit.objects.filter(cadre__unit=OuterRef("pk"))))
             if scope.has_role(request.user, *LEDGER_ROLES) else [])
    forms = list(Form.objects.all())
    versions = current_versions([form.key for form in forms])
    return render(request, "visits/office.html", {
        "visits": page.rows, "page": page, "units": units,
        "forms": [(form, versions.get(form.key)) for form in forms], "may_manage": scope.may_manage(request.user),
    })


@login_required
def form_template(request: HttpRequest, key: str) -> HttpResponse:
    form, version = published_form(key)
    response = HttpResponse(xlsform.write_xlsx(version.rows), content_type=XLSX)
    response["Content-Disposition"] = attachment(_("%(form_title)s-定义文件（XLSForm）.xlsx") % {
        "form_title": form.title})
    return response


@login_required
@require_POST
def form_answers(request: HttpRequest, key: str) -> HttpResponse:
    """The answers of the visits the user may see (the workbook of GET /api/v1/forms/{key}/answers.xlsx), built
    in the background (docs/jobs.md). Asked from 走访记录: 404 for whom that page is."""
    from zoufang.jobs.views import start

    if not scope.may_list_visits(request.user):
        raise Http404
    return start(request, "form_answers", {"key": key})


@login_required
@require_POST
def form_upload(request: HttpRequest) -> HttpResponse:
    """A new version from the office's XLSForm workbook; each problem in Chinese, naming the row. Sent from 走访记录:
    404 for whom that page is (系统管理员 keeps questionnaires in the admin), 403 for a reader of it."""
    if not scope.may_list_visits(request.user):
        raise Http404
    if not scope.may_manage(request.user):
        raise PermissionDenied
    upload = request.FILES.get("definition")
    if upload is None or not (upload.name or "").lower().endswith(".xlsx"):
        messages.error(request, _("调查表：请选择 XLSForm 格式的 xlsx 文件"))
        return redirect("visits:office")
    if (upload.size or 0) > MAX_UPLOAD_MB * 1024 * 1024:  # refused before it is read into memory
        messages.error(request, _("%(file)s：文件超过 %(mb)s MB，调查表的 XLSForm 文件不会这么大，请确认选对了文件") % {
            "file": upload.name, "mb": MAX_UPLOAD_MB})
        return redirect("visits:office")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "definition.xlsx"
        path.write_bytes(upload.read())
        try:
            version, created = load_form_file(path, by=request.user)
        except FormDefinitionError as error:
            for line in error.errors[:20]:
                messages.error(request, f"{upload.name}：{line}")
            return redirect("visits:office")
        except WorkbookTooLarge as error:
            messages.error(request, f"{upload.name}：{too_large_message(error)}")
            return redirect("visits:office")
        except Exception:  # noqa: BLE001 - an unreadable workbook is the user's problem to fix, not a 500
            messages.error(request, _("%(file)s：无法读取，请确认是 xlsx 文件") % {"file": upload.name})
            return redirect("visits:office")
    if created:
        audit.record(request.user, AuditEvent.Action.IMPORT, version, summary=_("上传调查表 %(upload)s") % {"upload": upload.name})
        messages.success(request, _("%(title)s：已发布第 %(n)s 版") % {"title": version.form.title, "n": version.number})
    else:
        messages.info(request, _("%(title)s：内容未变，仍为第 %(n)s 版") % {"title": version.form.title, "n": version.number})
    return redirect("visits:office")
