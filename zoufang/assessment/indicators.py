"""The assessment's indicators: what each measures, how it is scored, where its figures come from.

Rates come from `zoufang.oversight.figures` (one definition each); the findings upheld against someone come
from a provider looked up by name in the app that keeps them (callbacks, integrity flags). A provider whose
app is not installed yet is "数据未接入": the indicator gets no value and its weight goes to the others.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zoufang.campaigns.models import Campaign
from zoufang.campaigns.schema import ASSESSMENT_DEDUCTIONS, ASSESSMENT_WEIGHTS
from zoufang.oversight.pace import checked_when, pace_rule

RATE, MONTHS, DEDUCTION = "rate", "months", "deduction"

# provider(campaign, by, starts_on, ends_on) -> {subject pk: findings upheld}; by is "cadre", "unit" or "village".
# A rate's second source (PART_LABELS) answers {subject pk: (numerator, denominator)} instead.
PROVIDERS = {
    "callback": "zoufang.callbacks.findings.upheld_by",
    "integrity": "zoufang.integrity.flags.upheld_against",
    "satisfaction": "zoufang.callbacks.findings.satisfaction_by",
}
# Rates counted over two sources: the figures' own (cases) and a provider's; each part named in the detail.
PART_LABELS = {"satisfaction": (gettext_noop("问题回访"), gettext_noop("第三方回访抽查"))}
Provider = Callable[..., Mapping[int | None, int]]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    weight: int
    scoring: str  # RATE (a share out of 100), MONTHS (months kept ÷ months ended), DEDUCTION (100 − points × n)
    deduction: int = 0  # points off per finding upheld
    available: bool = True  # False: its data is not connected (数据未接入)
    monthly: bool = True  # MONTHS: the pace rule's checkpoints are month ends (else its periods' ends, milestones)
    part_absent: bool = False  # a rate over two sources whose provider's part is not connected (counted without it)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "weight": self.weight, "scoring": self.scoring,
                "deduction": self.deduction, "available": self.available, "monthly": self.monthly,
                "part_absent": self.part_absent}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Indicator":
        return cls(**data)


def provider(key: str) -> Provider | None:
    """The named provider of a findings indicator, or None when its app is not there (数据未接入)."""
    try:
        return import_string(PROVIDERS[key])
    except ImportError:
        return None


def label(key: str, campaign: Campaign) -> str:
    if key == "registration_timeliness":
        days = campaign.config.get("registration_deadline_working_days") or 2
        return _("问题意见%(days)s个工作日内登记") % {"days": days}
    if key == "pace" and not pace_rule(campaign).monthly:
        return _("走访进度达标（%(when)s）") % {"when": checked_when(pace_rule(campaign))}
    return _(ASSESSMENT_WEIGHTS[key])


def indicators(campaign: Campaign) -> list[Indicator]:
    """The campaign's weighted indicators, in the schema's order, with whether their data is connected."""
    config = campaign.config.get("assessment") or {}
    weights = config.get("weights") or {}
    deductions = config.get("deductions") or {}
    found = []
    for key in ASSESSMENT_WEIGHTS:
        if key not in weights:
            continue
        scoring = DEDUCTION if key in ASSESSMENT_DEDUCTIONS else MONTHS if key == "pace" else RATE
        found.append(Indicator(
            key=key, label=label(key, campaign), weight=int(weights[key]), scoring=scoring,
            deduction=int(deductions.get(key, 0)),
            available=scoring != DEDUCTION or provider(key) is not None,
            monthly=scoring != MONTHS or pace_rule(campaign).monthly,
            part_absent=key in PART_LABELS and provider(key) is None,
        ))
    return found
