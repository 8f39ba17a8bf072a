"""The small 典型 links other pages carry: 推荐为典型 on a visit and a case, 典型 in the main navigation."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.exemplars import access

Role = RoleGrant.Role
NAV_ROLES = {Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE, Role.PUBLICITY, Role.VILLAGE,
             Role.UNIT_HANDLER}

register = template.Library()


@register.simple_tag(takes_context=True)
def nominate_link(context: dict[str, Any], source: Any) -> str:
    """A 推荐为典型 button for a visit or a case, when the viewer may nominate it; nothing otherwise."""
    request = context.get("request")
    if request is None or source is None or access.nominating_as(request.user, source) is None:
        return ""
    name = "exemplars:nominate_visit" if hasattr(source, "visited_at") else "exemplars:nominate_case"
    return format_html('<a class="btn btn-plain btn-small" href="{}">{}</a>', reverse(name, args=[source.public_id]),
                       _("推荐为典型"))


@register.simple_tag
def exemplars_home(user: Any) -> str:
    """Where 典型 in the main navigation leads; "" for a user who reads no campaign's 典型. From the cached grants
    and the cadre link the page has already read: no query on every page."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if scope.roles(user) & NAV_ROLES or scope.cadre_of(user) is not None or user.is_superuser:
        return reverse("exemplars:index")
    return ""
