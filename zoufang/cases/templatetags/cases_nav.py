"""The 问题办理 tabs and nav link: which case pages this user has."""

from typing import Any

from django import template
from django.urls import reverse

from zoufang.accounts import scope
from zoufang.cases import access
from zoufang.cases.report_views import LIST_ROLES

register = template.Library()


def case_pages(user: Any) -> dict[str, bool]:
    return {
        "case_office": access.is_case_office(user) or bool(user.is_superuser),
        "case_unit": access.is_unit_handler(user) or bool(user.is_superuser),
        "case_signer": access.is_signing_leader(user),
        "case_overview": scope.has_role(user, *LIST_ROLES),
        "case_city": access.is_city_office(user),
    }


@register.inclusion_tag("cases/_tabs.html", takes_context=True)
def case_tabs(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {"request": request, **case_pages(request.user)}


@register.simple_tag
def case_home(user: Any) -> str:
    """Where 问题办理 in the main navigation leads: the desk a user works from."""
    pages = case_pages(user)
    if pages["case_office"]:
        return reverse("cases:board")
    if pages["case_unit"]:
        return reverse("cases:desk")
    if pages["case_signer"]:
        return reverse("cases:signoff")
    if pages["case_city"]:
        return reverse("cases:upper")
    return reverse("cases:list")


@register.filter
def village(case: Any) -> str:
    from zoufang.cases.presenters import village_name

    return village_name(case)


@register.simple_tag(takes_context=True)
def deadline(context: Any, case: Any) -> Any:
    """A case's 办理期限 as it reads everywhere (`presenters.deadline_reads`: its day, or words while paused), for
    `|day` to write; one working-day calendar a page."""
    from zoufang.cases.deadlines import CalendarCache
    from zoufang.cases.presenters import deadline_reads

    if "case_calendars" not in context.render_context:
        context.render_context["case_calendars"] = CalendarCache()
    return deadline_reads(case, context.render_context["case_calendars"])
