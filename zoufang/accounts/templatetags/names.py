"""`{{ user|shown_name }}`: who did it, as accounts.names.shown_name says ("" for no user, to `|default:` on)."""

from typing import Any

from django import template

from zoufang.accounts.names import shown_name as name_of

register = template.Library()


@register.filter
def shown_name(user: Any) -> str:
    return name_of(user, nobody="")
