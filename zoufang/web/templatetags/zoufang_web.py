"""Small presentation filters for zoufang's pages."""

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes, rounded up: 14 min 10 s reads as 15."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
