"""`{% phone_storage user as names %}`: the names 我的走访 keeps things under on the phone (visits/on_phone.py)."""

from typing import Any

from django import template

from zoufang.visits.on_phone import storage_names

register = template.Library()


@register.simple_tag
def phone_storage(user: Any) -> dict[str, str]:
    return storage_names(user)
