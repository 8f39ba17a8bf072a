"""The two campaigns shipped with zoufang validate and read like their seeds."""

from fractions import Fraction

import pytest

from zoufang.campaigns.config import (
    SHIPPED_CAMPAIGNS,
    read_campaign_file,
    shipped_campaign_path,
    validate_campaign_file,
)
from zoufang.campaigns.values import count_bounds, parse_share


@pytest.mark.parametrize("slug", SHIPPED_CAMPAIGNS)
def test_it_accepts_the_shipped_campaign(slug: str) -> None:
    assert validate_campaign_file(shipped_campaign_path(slug)) == []


def test_it_refuses_an_unknown_shipped_slug() -> None:
    with pytest.raises(ValueError, match="no shipped campaign"):
        shipped_campaign_path("nowhere-2017")


def test_it_ships_every_sub_item_of_seed_000_section_one() -> None:
    config = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
    categories = config["case_categories"]

    assert [category["title"] for category in categories] == [
        "在收集社情民意方面", "在促进企业创新方面", "在推动项目建设方面",
        "在化解矛盾问题方面", "在总结基层典型方面", "在完善政策措施方面",
    ]
    assert [len(category["items"]) for category in categories] == [7, 6, 4, 4, 4, 4]
    assert categories[0]["items"][0] == "收集群众对社会热点、改革难点、民生重点等方面问题的意见建议；"
    assert categories[0]["items"][6] == "收集群众对上述情况以外的其他方面的意见建议及情况反映。"
    assert categories[1]["items"][0] == (
        "了解企业对党委政府在推进“两聚一高”“创新四问”“一基地一高地”等战略任务中优先培育重点产业方面的意见建议；"
    )
    assert categories[3]["items"][0] == "结合镇领导包案工作，坚持“带案走访”“专题走访”，到基层一线实地解决问题、化解矛盾；"
    assert categories[5]["items"][3] == "及时梳理汇总群众反映集中的普遍性困难和问题，在政策措施方面迅速跟进，及时解决。"


def test_it_states_seed_000_rules() -> None:
    config = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
    party_member = config["quotas"]["party_member"]["per_person"]

    assert count_bounds(config["quotas"]["town_leader"]["per_person"]["registered_household"]) == (50, 50)
    assert count_bounds(config["quotas"]["town_leader"]["per_person"]["enterprise"]) == (20, 20)
    assert count_bounds(party_member["registered_household"]) == (5, 5)
    assert count_bounds(party_member["resident_household"]) == (8, 9)
    assert count_bounds(party_member["enterprise"]) == (2, 3)
    assert config["quotas"]["village_cadre"]["remainder"] is True
    assert parse_share(config["pace"]["monthly_min_share"]) == Fraction(1, 5)
    assert config["pace"]["complete_by"] == "2017-09-30"
    assert config["registration_deadline_working_days"] == 2
    assert [m["name"] for m in config["mechanisms"][:4]] == ["每月一会商", "每季一通报", "半年一交流", "全年一考核"]
    leading_group = config["organisation"]["bodies"][0]
    assert leading_group["posts"][0] == {"title": "组长", "people": ["王文"]}
    assert [body["name"] for body in config["organisation"]["bodies"][2:]] == [
        "工作协调组", "情况统计组", "宣传报道组", "考核管理组"]


def test_it_states_seed_002_rules() -> None:
    config = read_campaign_file(shipped_campaign_path("menghe-dazoufang")).data
    leader = config["quotas"]["town_leader"]

    assert [(q["count"], q.get("is_key"), q.get("scale")) for q in leader["per_person"]["enterprise"]] == [
        (3, True, None), (3, None, "small_medium")]
    assert leader["linked_regions"]["level"] == "group"
    assert count_bounds(config["quotas"]["party_member"]["per_person"]["household"]) == (30, None)
    assert count_bounds(config["quotas"]["party_member"]["linked_regions"]["count"]) == (1, 2)
    assert [phase["name"] for phase in config["phases"]] == [
        "集中走访，摸清情况", "建立清单，推动解决", "总结提升，巩固成果", "定期走访，常态长效"]
    assert "ends_on" not in config["phases"][3]  # 长期坚持
    assert {q["attachment"]: q["name"] for q in config["questionnaires"]} == {
        "附件2-2": "企业走访调查表", "附件2-4": "村（社区）调查表", "附件2-5": "群众入户调查表",
        "附件2-6": "干部调查问卷", "附件2-7": "名士意见建议采集表",
    }
    assert config["questionnaires"][0]["ratings"] == ["服务意识", "服务效率", "廉洁履职"]
    assert config["contact_card"]["attachment"] == "附件2-8"
    assert [c["title"] for c in config["case_categories"]] == [
        "走访企业求创新良方", "走访群众求富民良法", "走访干部求工作良计", "走访名士求发展良策"]
    assert all(category["derived"] for category in config["case_categories"])
