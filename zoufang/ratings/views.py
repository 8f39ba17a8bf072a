"""企业评价 pages: the departments side by side, one department's grades and comments, a 督查 item; xlsx."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.masking import scrub
from zoufang.accounts.models import AuditEvent
from zoufang.core import paging
from zoufang.core.queryparams import Asked
from zoufang.oversight.views import xlsx_response
from zoufang.ratings import export, figures, grades, services
from zoufang.ratings.models import SupervisionItem
from zoufang.registry.models import Unit


def _items(request: HttpRequest, reach: services.Reach, unit: Unit | None = None) -> dict[str, Any]:
    """One page of the 督查 items (open first, by due date) along the (campaign, status, due_on, id) index, and
    how many are open and overdue, counted no further than paging.COUNT_CAP."""
    items = services.supervision_items(reach, unit)
    page = paging.shown_page(items, Asked.page(request), settings.ZOUFANG_PAGE_SIZE)
    still_open = items.filter(status=SupervisionItem.Status.OPEN)
    return {"items": page.rows, "page": page, "open_items": paging.bounded_count(still_open),
            "overdue_items": paging.bounded_count(still_open.filter(due_on__lt=clock.today()))}


UNITS_PER_PAGE = 20
COMMENTS_PER_PAGE = 30


def _comments(request: HttpRequest, reach: services.Reach, unit: Unit | None = None) -> dict[str, Any]:
    """One page of the enterprises' comments (差 first, then 一般, latest first) after `comments_after`, and how
    many there are, counted no further than paging.COUNT_CAP."""
    listed = figures.comments(reach.campaign, reach.unit_ids, unit)
    page = paging.shown_page(listed, Asked.page(request), COMMENTS_PER_PAGE, name="comments_after")
    return {"comments": figures.comment_rows(page.rows), "comments_page": page,
            "comment_count": paging.bounded_count(listed)}


def _units_page(request: HttpRequest, reach: services.Reach) -> dict[str, Any]:
    """The overview's page of departments (`?p=N`, 20 a page, worst score first) and the links to the others."""
    count = figures.unit_count(reach.campaign, reach.unit_ids)
    pages = max(1, -(-count // UNITS_PER_PAGE))
    try:
        number = min(max(1, int(request.GET.get("p", "1"))), pages)
    except ValueError:
        number = 1
    ratings = figures.campaign_ratings(reach.campaign, reach.unit_ids, offset=(number - 1) * UNITS_PER_PAGE,
                                       size=UNITS_PER_PAGE)
    return {"ratings": ratings, "unit_count": count, "units_page": number,
            "unit_pages": range(1, pages + 1) if pages > 1 else range(0)}


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    reach = services.reach_for(request.user, slug)
    return render(request, "ratings/overview.html", {
        "campaign": reach.campaign, "reach": reach, **_units_page(request, reach), "grades": grades.LABELS.items(),
        **_items(request, reach), "has_forms": bool(grades.rating_forms(reach.campaign)),
        **_comments(request, reach), "show_enterprise": reach.unit_ids is None,
    })


@login_required
def unit_page(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    reach = services.reach_for(request.user, slug)
    unit = services.unit_for(reach, unit_id)
    aspects, entry = figures.unit_ratings(reach.campaign, unit)
    return render(request, "ratings/unit.html", {
        "campaign": reach.campaign, "reach": reach, "unit": unit, "entry": entry, "aspects": aspects,
        "grades": grades.LABELS.items(), **_items(request, reach, unit), **_comments(request, reach, unit),
        "show_enterprise": reach.unit_ids is None,
    })


@login_required
def item_page(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    reach = services.reach_for(request.user, slug)
    item = services.item_for(reach, public_id)
    if request.method == "POST":
        if not reach.manages:  # a reader of the item: refused before the form is read (decision 0044)
            raise PermissionDenied(services.office_only())
        return _act(request, reach, item)
    return render(request, "ratings/item.html", {
        "campaign": reach.campaign, "reach": reach, "item": item, "assignees": services.assignees(reach.campaign)
        if reach.manages else [], "show_enterprise": reach.unit_ids is None,
        "description": scrub(item.description), "result": scrub(item.result),
    })


def _act(request: HttpRequest, reach: services.Reach, item: SupervisionItem) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        if action == "assign":
            due = _date(request.POST.get("due_on", ""))
            services.assign_item(reach, item, by=request.user, version=version, due_on=due, resend=True,
                                 assignee=services.user_by_username(request.POST.get("assignee", "")))
            messages.success(request, _("已指定督查责任人"))
        elif action == "close":
            services.close_item(reach, item, by=request.user, version=version, result=request.POST.get("result", ""),
                                resend=True)
            messages.success(request, _("督查事项已办结，落实情况已记入审计"))
        else:
            raise services.ItemRefused(_("操作：应为指定责任人或办结"))
    except services.ItemResent as done:  # a double click: the first send saved it
        messages.info(request, str(done))
    except services.ItemRefused as exc:
        messages.error(request, _("未能保存：%(why)s") % {"why": exc})
    return redirect("ratings:item", slug=reach.campaign.slug, public_id=item.public_id)


def _date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise services.ItemRefused(_("办结期限：应为日期（如 2017-06-15）")) from None


@login_required
def ratings_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    reach = services.reach_for(request.user, slug)
    audit.record(request.user, AuditEvent.Action.EXPORT, reach.campaign, summary="导出企业评价和督查事项")
    return xlsx_response(export.xlsx(reach, show_enterprise=reach.unit_ids is None),
                         _("%(campaign)s企业评价和督查事项-%(day)s") % {"campaign": reach.campaign.name,
                                                                       "day": f"{clock.today():%Y%m%d}"})
