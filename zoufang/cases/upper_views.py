"""The city office's queue page and its xlsx (上一级活动办受理台): thin, `upper` reads the rows."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.cases import access, lists, upper

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(request: HttpRequest) -> tuple[bool, str, list[upper.QueueRow]]:
    if not access.is_city_office(request.user) and not request.user.is_superuser:
        raise Http404
    done = request.GET.get("state") == "done"
    title = _("上一级活动办已办理的上报件") if done else _("上报上一级活动办待办件")
    return done, title, upper.rows(upper.queue(request.user, done=done), request.user)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    done, title, rows = _rows(request)
    return render(request, "cases/upper.html", {"title": title, "rows": rows, "done": done})


@login_required
def queue_xlsx(request: HttpRequest) -> HttpResponse:
    done, title, rows = _rows(request)
    audit.record(request.user, AuditEvent.Action.EXPORT, None, object_type="cases.Case",
                 summary=f"导出{title}，{len(rows)} 条")
    table = [row.cells(n) for n, row in enumerate(rows, start=1)]
    response = HttpResponse(lists.xlsx(title, table, upper.COLUMNS, upper.WIDTHS), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{title}-{clock.today():%Y%m%d}.xlsx')}"
    return response
