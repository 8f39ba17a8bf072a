"""The town of zoufang/conftest.py with a campaign that has questionnaires, categories and the pace rule,
and the 派出所 party member (`dept`) assigned two households of 上下塘社区 and the enterprise."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from zoufang.campaigns.models import CaseCategory
from zoufang.forms.services import load_shipped_forms
from zoufang.planning.models import Assignment
from zoufang.visits.models import Visit

CONFIG = {
    "roles": {"party_member": {"name": "镇各部门党员干部", "cadre_role": "party_member"},
              "village_cadre": {"name": "村、社区干部", "cadre_role": "village_cadre"}},
    "pace": {"monthly_min_share": "1/5", "starts_on": "2017-05-01", "complete_by": "2017-09-30",
             "target_kinds": ["registered_household", "resident_household", "enterprise"]},
    "registration_deadline_working_days": 2,
    "questionnaires": [
        {"key": "enterprise_survey", "name": "企业走访调查表", "target_kinds": ["enterprise"]},
        {"key": "household_survey", "name": "群众入户调查表", "target_kinds": ["registered_household"]},
        {"key": "six_ones_form", "name": "采集表", "target_kinds": ["registered_household", "enterprise"]},
    ],
    "visit_modes": {"default": ["in_person"], "rules": [
        {"target_kinds": ["enterprise"], "modes": ["in_person", "forum"]},
        {"roles": ["village_cadre"], "target_kinds": ["registered_household"],
         "modes": ["in_person", "phone", "letter", "online"]},
    ]},
    "contact_card": {"name": "走访联系卡", "hotline": "0512-12345"},
}

ENTERPRISE_ANSWERS = {"operation_state": "good", "service_awareness": "good",
                      "service_efficiency": "fairly_good", "integrity": "good", "difficulties": ["land", "talent"]}
HOUSEHOLD_ANSWERS = {"income_change": "same", "satisfaction": "satisfied"}
SIX_ONES_ANSWERS = {"aspects": ["innovation"], "innovation": "计划建设研发中心", "satisfaction": "satisfied"}


@pytest.fixture
def visiting(town: Any) -> Any:
    return make_visiting(town)


def make_visiting(town: Any) -> Any:
    town.campaign.config = CONFIG
    town.campaign.save()
    first = CaseCategory.objects.create(campaign=town.campaign, code="2", title="在促进企业创新方面")
    CaseCategory.objects.create(campaign=town.campaign, parent=first, code="2.5",
                                title="了解企业的需求和期盼，帮助企业解决创新发展中遇到的困难和问题；")
    load_shipped_forms()
    cadre = town.users["dept"].cadre
    targets = [*town.households["shangxiatang"][:2], town.enterprise]
    for target in targets:
        Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police, cadre=cadre)
    return town


def payload(target: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "client_uuid": str(uuid.uuid4()),
        "target_id": str(target.public_id),
        "visited_at": "2017-06-14T10:30:00+08:00",
        "mode": "home",
        "summary": "了解企业生产经营情况",
        "answers": {"enterprise_survey": dict(ENTERPRISE_ANSWERS), "six_ones_form": dict(SIX_ONES_ANSWERS)},
        "opinions": [{"kind": "problem", "category": "2.5", "description": "厂房扩建用地指标不足"}],
    }
    data.update(changes)
    return data


DAY = dt.date(2017, 6, 15)


def household_answers() -> dict[str, Any]:
    return {"household_survey": dict(HOUSEHOLD_ANSWERS), "six_ones_form": dict(SIX_ONES_ANSWERS)}


def add_visits(visiting: Any, n: int, summary: Callable[[int], str] = lambda i: f"走访{i}", **fields: Any) -> None:
    """Visits by the 派出所 party member, an hour apart from 2017-06-01 10:00, up to `n` in all; the i-th's 走访情况
    `summary(i)`, `fields(i)` for the other fields given (a function of i each)."""
    cadre = visiting.users["dept"].cadre
    targets = [*visiting.households["shangxiatang"][:2], visiting.enterprise]
    start = dt.datetime(2017, 6, 1, 2, 0, tzinfo=dt.UTC)
    Visit.objects.bulk_create([
        Visit(campaign=visiting.campaign, target=targets[i % len(targets)], cadre=cadre, client_uuid=uuid.uuid4(),
              content_hash=f"{i:064x}", visited_at=start + dt.timedelta(hours=i), mode=Visit.Mode.HOME,
              summary=summary(i), **{name: value(i) for name, value in fields.items()})
        for i in range(Visit.objects.count(), n)])
