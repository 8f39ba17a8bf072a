"""The thresholds of the integrity flags: the campaign's `integrity:` block over these defaults.

Every number a flag compares against is here and in docs/integrity.md; the shipped campaigns spell them out.
"""

from dataclasses import dataclass
from typing import Any

DEFAULTS: dict[str, dict[str, Any]] = {
    "pace": {"max_home_visits_per_hour": 6, "min_minutes_between_home_visits": 4, "max_travel_speed_kmh": 30,
             "min_distance_m": 800},
    "distance": {"near_m": 100, "far_m": 300, "village_position_far_m": 2500, "max_lag_minutes": 30},
    "late_bulk": {"late_hours": 48, "batch_size": 5, "batch_window_minutes": 30, "min_days": 3},
    "night": {"from_hour": 22, "to_hour": 6},
    "copied_text": {"shingle_chars": 2, "similarity": 0.75, "min_chars": 12, "min_visits": 3, "min_share": 0.2},
    "straight_lining": {"min_visits": 8, "min_questions": 2, "share": 1.0},
}


@dataclass(frozen=True)
class Thresholds:
    values: dict[str, dict[str, Any]]

    def __call__(self, section: str, name: str) -> Any:
        return self.values[section][name]


def thresholds(campaign: Any) -> Thresholds:
    given = (campaign.config or {}).get("integrity") or {}
    return Thresholds({section: {**defaults, **(given.get(section) or {})} for section, defaults in DEFAULTS.items()})
