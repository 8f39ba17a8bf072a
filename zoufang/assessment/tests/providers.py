"""A findings provider as the callbacks and integrity apps will offer one (docs/assessment.md), for the tests."""

import datetime as dt
from typing import Any

UPHELD: dict[str, dict[Any, int]] = {}  # by ("cadre", "unit", "village") → {subject pk: findings upheld}
CALLS: list[tuple[Any, str, dt.date, dt.date]] = []


def upheld_against(campaign: Any, by: str, starts_on: dt.date, ends_on: dt.date) -> dict[Any, int]:
    CALLS.append((campaign, by, starts_on, ends_on))
    return UPHELD.get(by, {})
