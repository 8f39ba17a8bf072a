"""`{% masked record "field" as text %}`: a record's free text as the page's viewer may read it (accounts.masking)."""

from typing import Any

from django import template

from zoufang.accounts.masking import Kind, Masker

register = template.Library()


def masker_for(context: Any) -> Masker:
    """One masker per request: it caches the viewer's scope."""
    request = context["request"]
    masker = getattr(request, "_zoufang_masker", None)
    if masker is None or masker.user is not request.user:
        masker = request._zoufang_masker = Masker(request.user)
    return masker


@register.simple_tag(takes_context=True)
def masked(context: Any, record: Any, field: str) -> Any:
    return masker_for(context).show(Kind.FREE_TEXT, getattr(record, field), record)
