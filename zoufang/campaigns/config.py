"""Campaigns as configuration: the public functions the CLI, the tests and the demo call.

The format is described in docs/campaign-format.md; the schema is in `schema.py`, the rules
between values in `checks.py`, loading into the database in `services.py`.
"""

from pathlib import Path

from zoufang.campaigns.services import (
    CampaignConfigError,
    LoadReport,
    load_campaign_config,
    load_campaign_file,
    load_campaign_file_with_report,
)
from zoufang.campaigns.validation import read_campaign_file, validate_campaign_file, validate_config
from zoufang.campaigns.values import count_bounds, parse_date, parse_share

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_CAMPAIGNS = ("jinxi-2017", "menghe-dazoufang")

__all__ = [
    "SHIPPED_CAMPAIGNS",
    "CampaignConfigError",
    "LoadReport",
    "count_bounds",
    "load_campaign_config",
    "load_campaign_file",
    "load_campaign_file_with_report",
    "parse_date",
    "parse_share",
    "read_campaign_file",
    "shipped_campaign_path",
    "validate_campaign_file",
    "validate_config",
]


def shipped_campaign_path(slug: str) -> Path:
    """The YAML file of a campaign shipped with zoufang: jinxi-2017 (seed 000) or menghe-dazoufang (seed 002)."""
    if slug not in SHIPPED_CAMPAIGNS:
        raise ValueError(f"no shipped campaign {slug!r}; shipped: {', '.join(SHIPPED_CAMPAIGNS)}")
    return DATA_DIR / f"{slug}.yaml"
