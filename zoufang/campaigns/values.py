"""Reading the values of a configuration the way every app should: counts, ranges, shares, dates."""

import datetime as dt
import re
from fractions import Fraction
from typing import Any

_RANGE = re.compile(r"^\s*([0-9]+)\s*[-–～~]\s*([0-9]+)\s*$")


def parse_date(value: Any) -> dt.date | None:
    """An ISO date (2017-09-30) or None when the text is not a real date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def count_bounds(value: Any) -> tuple[int, int | None]:
    """(min, max) of a count: 5 → (5, 5); "8-9" / "8～9" → (8, 9); {min: 30} → (30, None).

    The value must have passed the schema; a quota object with filters works too ({count: 3, is_key: true}).
    """
    if isinstance(value, int):
        return value, value
    if isinstance(value, str):
        match = _RANGE.match(value)
        if match is None:
            raise ValueError(f"not a count or range: {value!r}")
        return int(match.group(1)), int(match.group(2))
    if "count" in value:
        return value["count"], value["count"]
    return value.get("min", 0), value.get("max")


def parse_share(value: Any) -> Fraction | None:
    """The pace rule's monthly share: "1/5" or 0.2 → Fraction(1, 5); None for a zero denominator."""
    if isinstance(value, str):
        numerator, _, denominator = value.partition("/")
        if int(denominator) == 0:
            return None
        return Fraction(int(numerator), int(denominator))
    return Fraction(str(value))
