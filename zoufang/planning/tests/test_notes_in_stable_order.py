"""A plan reads the same whatever order the campaign's configuration keeps its keys in: the campaign as loaded from
its file and the same campaign read back from the database (PostgreSQL's jsonb keeps an object's keys in an order of
its own: shorter keys first) list the same notes, in the same order, and plan the same classes in the same order."""

from pathlib import Path
from typing import Any

import pytest

from zoufang.campaigns.models import Campaign
from zoufang.planning.quotas import campaign_roles, unapplied_rules
from zoufang.planning.services import run_plan
from zoufang.planning.snapshot import target_classes
from zoufang.planning.tests.qiandeng import CONFIG, FIGURES, FILES, SLUG, TOWN
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town

# 千灯镇's rules the planner does not apply, in the order of the roles' cadre roles (镇领导, 部门党员干部, 村干部,
# 其他): the departments' village count (party_member), then the grid workers' role (other).
UNAPPLIED = [
    "quotas.party_member.linked_regions.count：各部门集中的村数按1～2个安排，未按1～1个",
    "quotas.grid_worker：角色“专职网格员”的走访数量未参与自动分配（自动分配只有镇党政领导、部门党员干部、兜底和牵头四种角色，"
    "同类角色只取代号按字母排在最后的一个）；其对象由兜底角色走访，或由走访办人工调整",
]


@pytest.fixture
def qiandeng(db, tmp_path: Path) -> Campaign:
    return build_town(tmp_path, TOWN, SLUG, FIGURES, FILES, REGISTRY_STEPS, config=CONFIG)


def _reversed_keys(value: Any) -> Any:
    """The same configuration with every mapping's keys in the opposite order."""
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_a_preview_and_a_run_of_the_campaign_read_back_list_the_same_notes(qiandeng):
    preview = run_plan(qiandeng, dry_run=True)

    stored = Campaign.objects.get(pk=qiandeng.pk)
    run = run_plan(stored)

    assert preview.notes[:2] == UNAPPLIED
    assert run.applied, run.failures
    assert run.notes == preview.notes


def test_the_notes_roles_and_classes_do_not_follow_the_order_of_the_keys(qiandeng):
    config = qiandeng.config
    shuffled = _reversed_keys(config)
    assert list(shuffled["roles"]) != list(config["roles"])

    assert unapplied_rules(shuffled) == unapplied_rules(config) == UNAPPLIED
    assert campaign_roles(shuffled) == campaign_roles(config)
    assert [c.key for c in target_classes(shuffled)] == [c.key for c in target_classes(config)]
