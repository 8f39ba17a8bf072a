"""The office's lists: weekly 问题清单 / 建议清单 (with xlsx), the monthly 会商 agenda, shared problems."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.cases import access, lists, similarity
from zoufang.cases.models import Case
from zoufang.core import paging
from zoufang.core.queryparams import Asked

LIST_ROLES = (RoleGrant.Role.OFFICE, RoleGrant.Role.LEADER, RoleGrant.Role.ASSESSOR, RoleGrant.Role.CITY_OFFICE)
WEEKLY_FIELDS = ("week", "kind", "category", "status")
# The weekly list's status filter: 未办结 (every case not yet answered or closed), or one status.
WEEKLY_STATUSES = {"open": gettext_lazy("未办结"), **dict(Case.Status.choices)}
CATEGORY_CODE = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){0,3}")  # 1, 1.3: a category's code or its head's
TITLES = {Case.Kind.PROBLEM: gettext_lazy("问题清单"), Case.Kind.SUGGESTION: gettext_lazy("建议清单")}


def _require_overview(user: Any) -> None:
    if not scope.has_role(user, *LIST_ROLES):
        raise Http404


@dataclass
class Weekly:
    """A weekly list as asked (the week's Monday, the kind, the filters), for the page and its xlsx."""

    monday: dt.date
    kind: str
    category: str
    status: str
    title: str
    cases: Any

    @property
    def params(self) -> dict[str, str]:
        return {"week": self.monday.isoformat(), "kind": self.kind, "category": self.category, "status": self.status}

    @property
    def filename(self) -> str:
        return f"{TITLES[Case.Kind(self.kind)]}-{self.monday:%Y%m%d}.xlsx"


def weekly_list(user: Any, query: Any) -> Weekly:
    """The list of the week asked for (default: this week): Http404 for those who see no lists. A bad value: the
    default with a notice (`Asked.page`), or BadParameter (a plain mapping, a download's job)."""
    _require_overview(user)
    asked = Asked.of(query)
    monday, sunday = lists.week_of(asked.day("week", clock.today()))
    kind = asked.choice("kind", Case.Kind.values, str(Case.Kind.PROBLEM), lambda key: str(TITLES[Case.Kind(key)]))
    category = asked.text("category").strip()
    if category and not CATEGORY_CODE.fullmatch(category):
        asked.bad("category", _("须是类别编号，如 1 或 1.3"), _("全部"))
        category = ""
    status = asked.choice("status", WEEKLY_STATUSES, "", lambda key: str(WEEKLY_STATUSES[key]))
    # 问题清单（2017年6月5日—6月11日）: the days as clock.day says them, the end's year only where it differs.
    title = _("%(list)s（%(start)s—%(end)s）") % {"list": TITLES[Case.Kind(kind)], "start": clock.day(monday),
                                                 "end": clock.period_end(monday, sunday)}
    return Weekly(monday, kind, category, status, title,
                  lists.weekly(access.visible_cases(user), kind, monday, category, status))


@login_required
def weekly(request: HttpRequest) -> HttpResponse:
    """A page of the weekly list after a cursor (keyset) and its total, counted up to paging.COUNT_CAP; the whole
    list is the xlsx built in the background (`weekly_xlsx`)."""
    asked = Asked.page(request)
    chosen = weekly_list(request.user, asked)
    monday = chosen.monday
    page = paging.shown_page(chosen.cases, asked, settings.ZOUFANG_PAGE_SIZE)
    start = 1 if page.first else asked.number("start")  # a later page's first 序号, as the link gave it
    total = paging.bounded_count(chosen.cases.order_by(), paging.COUNT_CAP + 1)
    return render(request, "cases/weekly.html", {
        "title": chosen.title, "table": lists.rows(page.rows, request.user, start), "columns": lists.COLUMNS,
        "page": page, "next_start": start + len(page.rows),
        "total": min(total, paging.COUNT_CAP), "capped": total > paging.COUNT_CAP,
        "monday": monday, "week": monday.isoformat(), "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
        "next_week": (monday + dt.timedelta(days=7)).isoformat(),
        "kind": chosen.kind, "kinds": Case.Kind.choices, "category": chosen.category, "status": chosen.status,
        "statuses": Case.Status.choices,
    })


@login_required
@require_POST
def weekly_xlsx(request: HttpRequest) -> HttpResponse:
    """The weekly list of a whole campaign's area: built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "cases_weekly", {name: request.POST.get(name, "") for name in WEEKLY_FIELDS})


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    _require_overview(request.user)
    asked = Asked.page(request)
    month = asked.month("month", clock.today())
    # The oldest cases of each list and a page of units, worst first; each list's whole is a filtered /cases/.
    data = lists.monthly_agenda(access.visible_cases(request.user), month, listed=lists.AGENDA_LISTED,
                                overdue_listed=lists.OVERDUE_LISTED, per_page=settings.ZOUFANG_PAGE_SIZE,
                                page=asked.number("units"))
    previous = (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return render(request, "cases/agenda.html", {"agenda": data, "previous": previous, "next": following})


@login_required
def shared_problems(request: HttpRequest) -> HttpResponse:
    _require_overview(request.user)
    asked = Asked.page(request)
    end = asked.day("end", clock.today())
    start = asked.day("start", end - dt.timedelta(days=30))
    window = access.visible_cases(request.user).filter(
        raised_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time())),
        raised_at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())),
    )
    period = similarity.period_clusters(window)
    return render(request, "cases/clusters.html", {"period": period, "clusters": period.clusters, "start": start,
                                                   "end": end, "total": window.count()})
