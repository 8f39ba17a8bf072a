"""The city office's queue page and its xlsx (上一级活动办受理台): thin, `upper` reads the rows."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.cases import access, upper


def upper_asked(user: Any, state: str | None) -> tuple[bool, str]:
    """Which queue (pending, or done with state=done) and its title: Http404 for all but the city office."""
    if not access.is_city_office(user) and not user.is_superuser:
        raise Http404
    done = state == "done"
    return done, _("上一级活动办已办理的上报件") if done else _("上报上一级活动办待办件")


def upper_rows(user: Any, state: str | None) -> tuple[bool, str, list[upper.QueueRow]]:
    done, title = upper_asked(user, state)
    return done, title, upper.rows(upper.queue(user, done=done), user)


def upper_table(rows: list[upper.QueueRow]) -> list[list[Any]]:
    return [row.cells(n) for n, row in enumerate(rows, start=1)]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    done, title, rows = upper_rows(request.user, request.GET.get("state"))
    return render(request, "cases/upper.html", {"title": title, "rows": rows, "done": done})


@login_required
@require_POST
def queue_xlsx(request: HttpRequest) -> HttpResponse:
    """Every case the city's towns sent up: built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "cases_upper", {"state": request.POST.get("state", "")})
