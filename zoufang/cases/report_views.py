"""The office's lists: weekly 问题清单 / 建议清单 (with xlsx), the monthly 会商 agenda, shared problems."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.cases import access, lists, similarity
from zoufang.cases.models import Case

LIST_ROLES = (RoleGrant.Role.OFFICE, RoleGrant.Role.LEADER, RoleGrant.Role.ASSESSOR, RoleGrant.Role.CITY_OFFICE)
TITLES = {Case.Kind.PROBLEM: gettext_lazy("问题清单"), Case.Kind.SUGGESTION: gettext_lazy("建议清单")}


def _require_overview(request: HttpRequest) -> None:
    if not scope.has_role(request.user, *LIST_ROLES):
        raise Http404


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    # Weeks and months are counted from the day: 0001-01-01 or 9999-12-31 would overflow the calendar.
    return day if 1900 <= day.year <= 2999 else default


@login_required
def weekly(request: HttpRequest, export: bool = False) -> HttpResponse:
    _require_overview(request)
    monday, sunday = lists.week_of(_date(request.GET.get("week"), clock.today()))
    kind = str(request.GET.get("kind")) if request.GET.get("kind") in Case.Kind.values else str(Case.Kind.PROBLEM)
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    cases = lists.weekly(access.visible_cases(request.user), kind, monday, category, status)
    title = _("%(list)s（%(start)s—%(end)s）") % {
        "list": TITLES[Case.Kind(kind)], "start": f"{monday:%Y年%m月%d日}", "end": f"{sunday:%m月%d日}",
    }
    table = lists.rows(cases, request.user)
    if export:
        audit.record(request.user, AuditEvent.Action.EXPORT, None, object_type="cases.Case",
                     summary=f"导出{title}，{len(table)} 条")
        response = HttpResponse(
            lists.xlsx(title, table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{TITLES[Case.Kind(kind)]}-{monday:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return response
    return render(request, "cases/weekly.html", {
        "title": title, "table": table, "columns": lists.COLUMNS, "monday": monday,
        "week": monday.isoformat(), "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
        "next_week": (monday + dt.timedelta(days=7)).isoformat(),
        "kind": kind, "kinds": Case.Kind.choices, "category": category, "status": status,
        "statuses": Case.Status.choices,
    })


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def weekly_xlsx(request: HttpRequest) -> HttpResponse:
    return weekly(request, export=True)


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    _require_overview(request)
    month = _date((request.GET.get("month") or "") + "-01" if request.GET.get("month") else None, clock.today())
    data = lists.monthly_agenda(access.visible_cases(request.user), month)
    previous = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return render(request, "cases/agenda.html", {"agenda": data, "previous": previous, "next": following})


@login_required
def shared_problems(request: HttpRequest) -> HttpResponse:
    _require_overview(request)
    end = _date(request.GET.get("end"), clock.today())
    start = _date(request.GET.get("start"), end - dt.timedelta(days=30))
    window = access.visible_cases(request.user).filter(
        raised_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time())),
        raised_at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())),
    )
    found = similarity.period_clusters(window)
    return render(request, "cases/clusters.html", {"clusters": found, "start": start, "end": end,
                                                   "total": window.count()})
