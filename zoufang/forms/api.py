"""Questionnaire definitions (the current version's tree) and answers for the phone and the office."""

import tempfile
import uuid
from typing import Any

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from zoufang.accounts import audit, scope
from zoufang.accounts.masking import Masker
from zoufang.accounts.models import AuditEvent
from zoufang.core.downloads import attachment
from zoufang.forms.export import write_answers
from zoufang.forms.models import Form, FormAnswer
from zoufang.registry.api import Page

router = Router(tags=["调查表"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FormOut(Schema):
    key: str
    title: str
    version: int
    version_label: str


class FormDefinitionOut(FormOut):
    spec: dict[str, Any]


class AnswerOut(Schema):
    visit_id: uuid.UUID
    version: int
    data: dict[str, Any]


def _form_out(form: Form) -> dict[str, Any]:
    version = form.current_version()
    return {"key": form.key, "title": form.title, "version": version.number if version else 0,
            "version_label": version.label if version else "", "spec": version.spec if version else {}}


@router.get("/forms", response=list[FormOut], summary="调查表列表")
def list_forms(request: HttpRequest) -> list[dict[str, Any]]:
    return [_form_out(form) for form in Form.objects.all()]


@router.get("/forms/{key}", response=FormDefinitionOut, summary="调查表定义（当前版本）")
def get_form(request: HttpRequest, key: str) -> dict[str, Any]:
    return _form_out(get_object_or_404(Form, key=key))


def visible_answers(user: Any, form: Form) -> Any:
    return (FormAnswer.objects.filter(form=form, visit__in=scope.visible_visits(user))
            .select_related("form_version", "visit__target", "visit__cadre").order_by("visit__visited_at"))


class _Answers:
    """The visible answers in the order they were recorded, paged by registry.api.Page (along the form's index);
    only the page's answers are masked."""

    def __init__(self, user: Any, form: Form) -> None:
        self.queryset = visible_answers(user, form).select_related("visit__target__region").order_by("id")
        self.masker = Masker(user)

    def present(self, page: list[FormAnswer]) -> list[dict[str, Any]]:
        return [{"visit_id": a.visit.public_id, "version": a.form_version.number,
                 "data": self.masker.data(a.data, a.visit)} for a in page]


@router.get("/forms/{key}/answers", response=list[AnswerOut],
            summary="调查表答案（本人可见的走访），按登记先后分页：每页 page_size 条（最多 200），after=上一页的 next 读下一页；"
                    "全部答案请用 answers.xlsx")
@paginate(Page)
def list_answers(request: HttpRequest, key: str) -> Any:
    return _Answers(request.user, get_object_or_404(Form, key=key))


@router.get("/forms/{key}/answers.xlsx", summary="调查表答案导出（xlsx）")
def export_answers(request: HttpRequest, key: str) -> FileResponse:
    # Streamed from a server-side cursor into a temporary file (constant memory, not the whole workbook in
    # memory); the office's page asks for the same workbook in the background (我的下载).
    form = get_object_or_404(Form, key=key)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    count = write_answers(spool, form, visible_answers(request.user, form), request.user)
    spool.seek(0)
    audit.record(request.user, AuditEvent.Action.EXPORT, form, summary=_("导出%(title)s答案 %(n)s 份") % {"title": form.title, "n": count})
    response = FileResponse(spool, content_type=XLSX)
    # Named as the page's download of the same workbook is (jobs.kinds).
    response["Content-Disposition"] = attachment(_("%(form_title)s答案.xlsx") % {"form_title": form.title})
    return response
