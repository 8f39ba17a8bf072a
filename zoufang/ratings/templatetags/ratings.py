"""Reading the ratings' tallies in templates."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def count(tally: Any, grade: str) -> int:
    return int(tally.count(grade))


@register.filter
def aspect_score(entry: Any, label: str) -> float | None:
    return entry.aspect(label).score


@register.filter
def aspect_tally(entry: Any, label: str) -> Any:
    return entry.aspect(label)


@register.filter
def rates(campaign: Any) -> bool:
    """Whether a campaign's questionnaires carry ratings (it then has an 企业评价 page)."""
    from zoufang.ratings.grades import rating_forms

    return bool(rating_forms(campaign))
