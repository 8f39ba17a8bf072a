"""How a visit may be made, as the two shipped campaigns read their seeds (visits/rules.allowed_modes).

Seed 000 二(一)3(1): village cadres reach households they cannot visit 以其他方式; everyone else visits in person.
Seed 002 四1–4: 重点企业和项目必须深入一线走访, 中小企业可以召开座谈会, 各办局中心集中走访 households, cadres by
谈话、座谈、函询, notable persons by 面谈、座谈、函访、网络.
"""

import pytest

from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.registry.models import Cadre, Target
from zoufang.visits.rules import allowed_modes

Kind = Target.Kind
Role = Cadre.Role


def _campaign(slug: str) -> Campaign:
    return Campaign(slug=slug, config=read_campaign_file(shipped_campaign_path(slug)).data)


def _modes(slug: str, role: str, kind: str, *, is_key: bool = False, scale: str = "") -> set[str]:
    target = Target(kind=kind, is_key=is_key, scale=scale)
    return set(allowed_modes(_campaign(slug), target, Cadre(role=role)))


@pytest.mark.parametrize(("role", "kind", "modes"), [
    (Role.VILLAGE_CADRE, Kind.REGISTERED_HOUSEHOLD, {"home", "phone", "letter", "online"}),
    (Role.VILLAGE_CADRE, Kind.RESIDENT_HOUSEHOLD, {"home", "phone", "letter", "online"}),
    (Role.VILLAGE_CADRE, Kind.ENTERPRISE, {"home"}),
    (Role.TOWN_LEADER, Kind.REGISTERED_HOUSEHOLD, {"home"}),
    (Role.PARTY_MEMBER, Kind.RESIDENT_HOUSEHOLD, {"home"}),
    (Role.PARTY_MEMBER, Kind.ENTERPRISE, {"home"}),
])
def test_seed_000_lets_only_village_cadres_reach_households_otherwise(role: str, kind: str, modes: set[str]) -> None:
    assert _modes("jinxi-2017", role, kind) == modes


@pytest.mark.parametrize(("role", "kind", "is_key", "scale", "modes"), [
    (Role.TOWN_LEADER, Kind.ENTERPRISE, True, "above_scale", {"home"}),  # 重点企业必须深入一线走访
    (Role.TOWN_LEADER, Kind.PROJECT, True, "", {"home"}),  # 重点项目必须深入一线走访
    (Role.TOWN_LEADER, Kind.ENTERPRISE, False, "small_medium", {"home", "forum"}),  # 中小企业可以召开座谈会
    (Role.TOWN_LEADER, Kind.ENTERPRISE, True, "small_medium", {"home"}),  # a key one of SME size: still in person
    (Role.PARTY_MEMBER, Kind.REGISTERED_HOUSEHOLD, False, "", {"home", "group"}),  # 各办局中心集中走访
    (Role.TOWN_LEADER, Kind.REGISTERED_HOUSEHOLD, False, "", {"home"}),
    (Role.PARTY_MEMBER, Kind.CADRE, False, "", {"home", "forum", "letter"}),  # 谈话、座谈、函询
    (Role.PARTY_MEMBER, Kind.NOTABLE_PERSON, False, "", {"home", "forum", "letter", "online"}),  # 面谈、座谈、函访、网络
])
def test_seed_002_sets_the_way_of_each_kind_of_visit(role: str, kind: str, is_key: bool, scale: str,
                                                      modes: set[str]) -> None:
    assert _modes("menghe-dazoufang", role, kind, is_key=is_key, scale=scale) == modes
