"""Reading the values of a configuration the way every app should: counts, ranges, shares, dates."""

import datetime as dt
import re
from collections.abc import Mapping
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
    """A share: "1/5" or 0.2 → Fraction(1, 5); "30%" → Fraction(3, 10); None for a zero denominator."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return Fraction(int(text[:-1].strip()), 100)
        numerator, _, denominator = text.partition("/")
        if int(denominator) == 0:
            return None
        return Fraction(int(numerator), int(denominator))
    return Fraction(str(value))


def share_text(value: Any) -> str:
    """A share as the campaign wrote it: "1/5", "30%"; a decimal as its fraction (0.2 → 1/5)."""
    if isinstance(value, str):
        return "".join(value.split())
    share = parse_share(value)
    return "" if share is None else f"{share.numerator}/{share.denominator}"


def period_share(rule: Mapping[str, Any]) -> tuple[str, Any]:
    """A pace rule's share per period as (period, the share as written): `monthly_min_share: 1/5` is
    `{every: month, min_share: 1/5}`; ("month", None) when the rule states no share per period."""
    if "monthly_min_share" in rule:
        return "month", rule["monthly_min_share"]
    return str(rule.get("every") or "month"), rule.get("min_share")
