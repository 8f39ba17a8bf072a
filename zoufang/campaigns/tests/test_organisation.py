"""组织机构与工作机制 (decision 0076): the campaign's bodies, posts and duties as its file states them, the product role
serving each, and each mechanism's status read from what the product already holds; read by every account that
sees the campaign, 404 for any other."""

import copy
import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.assessment.models import Assessment
from zoufang.campaigns import organisation
from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.conftest import PASSWORD
from zoufang.documents.models import Document
from zoufang.documents.services import issuer_for
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre

pytestmark = pytest.mark.django_db
JINXI = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
MENGHE = read_campaign_file(shipped_campaign_path("menghe-dazoufang")).data


def jinxi_parts() -> dict[str, Any]:
    return copy.deepcopy({key: JINXI[key] for key in ("organisation", "mechanisms", "summaries")})


@pytest.fixture
def jinxi_town(town: Any, settings: Any) -> Any:
    """The small town's campaign with 锦溪镇's organisation, mechanisms and 工作总结; today 2017-08-10 (the third
    quarter); 派出所党员甲 (dept) visits one household of it."""
    settings.ZOUFANG_TODAY = "2017-08-10"
    town.campaign.config = jinxi_parts()
    town.campaign.save()
    Assignment.objects.create(campaign=town.campaign, target=town.households["shangxiatang"][0], unit=town.police,
                              cadre=Cadre.objects.get(name="派出所党员甲"))
    town.users["assessor"] = ensure_user("assessor", PASSWORD, role=RoleGrant.Role.ASSESSOR, region=town.town)
    return town


def issued(campaign: Campaign, kind: str, day: str, serial: int) -> Document:
    """An issued document of `kind`, issued at 10:00 Beijing on `day`."""
    at = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10)))
    reference = f"锦走访办〔2017〕{serial}号" if kind == "circular" else f"第{serial}期"
    return Document.objects.create(
        campaign=campaign, issuer=issuer_for(campaign), kind=kind, status=Document.Status.ISSUED,
        title=f"关于走访调研工作情况的通报{serial}", period_starts_on=dt.date(2017, 1, 1),
        period_ends_on=dt.date.fromisoformat(day), year=2017, serial=serial, reference=reference,
        signed_on=dt.date.fromisoformat(day), issued_at=at)


def page(client: Client, user: Any, slug: str) -> Any:
    client.force_login(user)
    return client.get(reverse("campaigns:organisation", args=[slug]))


def text(response: Any) -> str:
    """The page's words, tags dropped and white space folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def mechanism(found: organisation.Organisation, key: str) -> organisation.Mechanism:
    return next(m for m in found.mechanisms if m.key == key)


# ---------------------------------------------------------------- the bodies


def test_it_shows_the_leading_group_the_office_and_the_working_groups_as_the_seed_names_them(
        client: Client, jinxi_town: Any) -> None:
    response = page(client, jinxi_town.users["office"], jinxi_town.campaign.slug)
    assert response.status_code == 200
    shown = text(response)
    assert "组织机构与工作机制" in shown
    assert "全镇“六个一”基层走访调研工作由镇党委主要领导亲自负责，直接进行组织和指导。" in shown
    assert "“六个一”基层走访调研工作领导小组" in shown
    assert "组长 王文" in shown
    assert "副组长 吴恽、陈勇、张月根、李凡" in shown
    assert "主任 田野" in shown
    assert "副主任 平峥臻、王忠华" in shown
    for body in JINXI["organisation"]["bodies"]:
        assert body["name"] in shown
        if "duties" in body:
            assert body["duties"] in shown


def test_each_body_names_the_role_that_does_its_work_here_with_links_the_viewer_may_open(jinxi_town: Any) -> None:
    found = organisation.organisation_of(jinxi_town.users["office"], jinxi_town.campaign)
    bodies = {body.key: body for body in found.bodies}
    slug = jinxi_town.campaign.slug
    assert bodies["leading_group"].role == "分管领导 / 领导小组"
    assert bodies["statistics"].role == "走访办（情况统计组）"
    assert {link.url for link in bodies["statistics"].links} == {
        reverse("documents:index", args=[slug]), reverse("cases:list")}
    assert bodies["publicity"].role == "宣传报道组"
    assert [link.url for link in bodies["publicity"].links] == [reverse("exemplars:list", args=[slug])]
    assert bodies["assessment"].role == "考核管理组"
    assert [link.url for link in bodies["assessment"].links] == [reverse("assessment:campaign", args=[slug])]
    assert [link.url for link in bodies["coordination"].links] == [f"{reverse('cases:agenda')}?month=2017-08"]


def test_a_cadre_reads_the_same_bodies_without_links_to_pages_it_may_not_open(client: Client,
                                                                                jinxi_town: Any) -> None:
    response = page(client, jinxi_town.users["dept"], jinxi_town.campaign.slug)
    assert response.status_code == 200
    html = response.content.decode()
    assert "组长 王文" in text(response)
    slug = jinxi_town.campaign.slug
    for hidden in (reverse("documents:index", args=[slug]), reverse("assessment:campaign", args=[slug]),
                   reverse("cases:agenda"), reverse("documents:summaries", args=[slug])):
        assert f'href="{hidden}' not in html, hidden
    # 典型: a cadre of the campaign reads the published ones.
    assert f'href="{reverse("exemplars:list", args=[slug])}"' in html


def test_a_town_whose_bodies_have_no_posts_shows_their_names_and_duties(client: Client, jinxi_town: Any) -> None:
    config = jinxi_parts()
    config["organisation"]["bodies"] = [{k: v for k, v in body.items() if k != "posts"}
                                        for body in config["organisation"]["bodies"]]
    del config["organisation"]["note"]
    jinxi_town.campaign.config = config
    jinxi_town.campaign.save()
    response = page(client, jinxi_town.users["office"], jinxi_town.campaign.slug)
    shown = text(response)
    assert response.status_code == 200
    assert "“六个一”基层走访调研工作领导小组" in shown
    assert "组长" not in shown
    assert "王文" not in shown
    assert JINXI["organisation"]["bodies"][3]["duties"] in shown


def test_a_campaign_without_organisation_or_mechanisms_says_its_file_names_none(client: Client,
                                                                                  jinxi_town: Any) -> None:
    jinxi_town.campaign.config = {}
    jinxi_town.campaign.save()
    shown = text(page(client, jinxi_town.users["office"], jinxi_town.campaign.slug))
    assert "本活动的配置文件未写明组织机构" in shown
    assert "本活动的配置文件未写明工作机制" in shown


def test_menghe_shows_its_lead_units_with_the_target_kinds_they_coordinate(jinxi_town: Any) -> None:
    jinxi_town.campaign.config = copy.deepcopy({key: MENGHE[key] for key in ("organisation", "mechanisms")})
    jinxi_town.campaign.save()
    found = organisation.organisation_of(jinxi_town.users["office"], jinxi_town.campaign)
    bodies = {body.key: body for body in found.bodies}
    assert bodies["economic_bureau"].kind == "牵头单位"
    assert bodies["economic_bureau"].target_kinds == ["企业", "项目"]
    assert bodies["office"].role == "走访办（情况统计组）"
    # A mechanism the product has no figure for: its name and description only.
    record = mechanism(found, "work_record")
    assert (record.name, record.description, record.lines) == ("大走访工作纪实制度", "健全活动基础资料，对活动的全过程进行纪实。", [])
    assert mechanism(found, "annual_assessment").lines  # a key the product knows, whichever town names it


# ---------------------------------------------------------------- the mechanisms' status


def test_each_quarter_shows_its_circular_an_ended_one_without_is_not_issued_the_later_ones_are_not_flagged(
        jinxi_town: Any) -> None:
    campaign = jinxi_town.campaign
    issued(campaign, "circular", "2017-06-20", 3)
    issued(campaign, "briefing", "2017-07-05", 4)  # a 简报 is no 通报
    found = mechanism(organisation.organisation_of(jinxi_town.users["office"], campaign), "quarterly_circular")
    quarters = {line.label: (line.state, line.text) for line in found.lines if line.label.startswith("2017年")}
    assert quarters == {
        "2017年第一季度": ("missing", "未印发"),
        "2017年第二季度": ("done", "已印发 锦走访办〔2017〕3号（2017年6月20日）"),
        "2017年第三季度": ("now", "本季度尚未印发"),
        "2017年第四季度": ("later", "未到"),
    }
    last = found.lines[0]
    assert last.label == "最近一期通报"
    assert last.text == "锦走访办〔2017〕3号 关于走访调研工作情况的通报3（2017年6月20日印发）"


def test_the_monthly_consultation_shows_the_last_material_issued_and_this_months_agenda(jinxi_town: Any) -> None:
    campaign = jinxi_town.campaign
    found = mechanism(organisation.organisation_of(jinxi_town.users["leader"], campaign), "monthly_consultation")
    assert [(line.label, line.text) for line in found.lines if line.label == "最近一期会商材料"] == [
        ("最近一期会商材料", "尚未印发")]
    assert found.links[0].url == f"{reverse('cases:agenda')}?month=2017-08"
    issued(campaign, "consultation", "2017-07-28", 2)
    found = mechanism(organisation.organisation_of(jinxi_town.users["leader"], campaign), "monthly_consultation")
    assert "第2期" in next(line.text for line in found.lines if line.label == "最近一期会商材料")
    assert "2017年7月28日" in next(line.text for line in found.lines if line.label == "最近一期会商材料")


def test_the_half_yearly_exchange_lists_the_periods_half_years_without_a_document_kind(jinxi_town: Any) -> None:
    found = mechanism(organisation.organisation_of(jinxi_town.users["office"], jinxi_town.campaign),
                      "half_year_exchange")
    assert [(line.label, line.state) for line in found.lines] == [
        ("2017年上半年", "ended"), ("2017年下半年", "now")]
    assert found.note == "按工作安排组织交流，平台不单独记录交流材料。"


def test_the_annual_assessment_shows_whether_it_was_run_or_frozen(jinxi_town: Any) -> None:
    campaign = jinxi_town.campaign
    office = jinxi_town.users["office"]
    found = mechanism(organisation.organisation_of(office, campaign), "annual_assessment")
    assert found.lines[0].text == "尚未开展（考核期 2017年1月1日至12月31日）"
    Assessment.objects.create(campaign=campaign, title="2017年度考核", starts_on=campaign.starts_on,
                              ends_on=campaign.ends_on, as_of=dt.date(2017, 8, 10), number=1, indicators=[])
    found = mechanism(organisation.organisation_of(office, campaign), "annual_assessment")
    assert found.lines[0].text == "2017年度考核：已试算，待审定"
    assert found.links[0].url == reverse("assessment:campaign", args=[campaign.slug])
    Assessment.objects.filter(campaign=campaign).update(status=Assessment.Status.FROZEN)
    found = mechanism(organisation.organisation_of(jinxi_town.users["dept"], campaign), "annual_assessment")
    assert found.lines[0].text == "2017年度考核：已定稿"
    assert found.links == []  # a cadre does not open the assessment's page


def test_the_reports_show_the_summaries_due_date_and_how_many_units_handed_theirs_in(jinxi_town: Any) -> None:
    found = mechanism(organisation.organisation_of(jinxi_town.users["office"], jinxi_town.campaign), "reporting")
    assert found.lines[0].text == "工作总结截止 2017年10月31日，已提交 0 / 1 个单位"
    assert found.links[0].url == reverse("documents:summaries", args=[jinxi_town.campaign.slug])


# ---------------------------------------------------------------- who reads it


def test_every_account_that_sees_the_campaign_reads_it_and_no_other(client: Client, jinxi_town: Any) -> None:
    slug = jinxi_town.campaign.slug
    for name in ("office", "leader", "assessor", "village", "auditor", "dept"):
        assert page(client, jinxi_town.users[name], slug).status_code == 200, name
    assert page(client, jinxi_town.users["outsider"], slug).status_code == 404
    client.logout()
    assert client.get(reverse("campaigns:organisation", args=[slug])).status_code == 302  # to the login page


def test_another_towns_office_gets_404(client: Client, jinxi_town: Any) -> None:
    other_town = Region.objects.create(name="周庄镇", level=Region.Level.TOWN, parent=jinxi_town.town.parent)
    other = ensure_user("zhouzhuang", PASSWORD, role=RoleGrant.Role.OFFICE, region=other_town)
    Campaign.objects.create(slug="zhouzhuang", name="周庄镇走访", scope=other_town,
                            starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31), config=jinxi_parts())
    assert page(client, other, jinxi_town.campaign.slug).status_code == 404
    assert page(client, other, "zhouzhuang").status_code == 200
    assert page(client, jinxi_town.users["office"], "zhouzhuang").status_code == 404


def test_the_menu_leads_to_the_page_for_those_who_may_read_it(client: Client, jinxi_town: Any) -> None:
    index = reverse("campaigns:organisation_index")
    client.force_login(jinxi_town.users["dept"])
    assert f'href="{index}"' in client.get("/").content.decode()
    response = client.get(index)
    assert response.status_code == 200
    assert "组长 王文" in text(response)  # the one campaign it sees, opened
    client.force_login(jinxi_town.users["outsider"])
    assert f'href="{index}"' not in client.get("/").content.decode()
    assert client.get(index).status_code == 404


# ---------------------------------------------------------------- the API


def test_the_api_gives_the_pages_content_to_the_same_accounts(client: Client, jinxi_town: Any,
                                                               api_token: Any) -> None:
    issued(jinxi_town.campaign, "circular", "2017-06-20", 3)
    url = f"/api/v1/campaigns/{jinxi_town.campaign.slug}/organisation"
    answer = client.get(url, **api_token("dept"))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["campaign"], body["as_of"]) == (jinxi_town.campaign.slug, "2017-08-10")
    leading = body["bodies"][0]
    assert leading["posts"][0] == {"title": "组长", "people": ["王文"]}
    assert leading["role"] == "分管领导 / 领导小组"
    circular = next(m for m in body["mechanisms"] if m["key"] == "quarterly_circular")
    assert {"label": "2017年第一季度", "text": "未印发", "state": "missing"} in circular["lines"]
    assert circular["links"] == []  # a cadre does not open 通报简报
    assert client.get(url, **api_token("outsider")).status_code == 404


def test_menghe_s_reports_show_the_last_special_report_beside_the_briefing_and_circular(jinxi_town: Any) -> None:
    """Seed 002 六2: 活动办要以专报、简报、通报等形式…: the 专报 is a kind of its own since decision 0074."""
    jinxi_town.campaign.config = copy.deepcopy({key: MENGHE[key] for key in ("organisation", "mechanisms")})
    jinxi_town.campaign.save()
    issued(jinxi_town.campaign, "special", "2017-07-03", 1)
    found = mechanism(organisation.organisation_of(jinxi_town.users["office"], jinxi_town.campaign), "bulletins")
    assert [line.label for line in found.lines] == ["最近一期专报", "最近一期简报", "最近一期通报"]
    assert found.lines[0].text == "第1期 关于走访调研工作情况的通报1（2017年7月3日印发）"
    assert found.lines[1].text == "尚未印发"


def test_a_campaign_asking_for_summaries_shows_them_though_no_mechanism_names_them(jinxi_town: Any) -> None:
    """孟河镇's file asks its units for 总结材料 (`summaries`) but names no `reporting` mechanism: the page still shows
    the due date and the count, as a mechanism of its own, after the file's."""
    jinxi_town.campaign.config = {**copy.deepcopy({key: MENGHE[key] for key in ("organisation", "mechanisms")}),
                                  "summaries": copy.deepcopy(MENGHE["summaries"])}
    jinxi_town.campaign.save()
    found = organisation.organisation_of(jinxi_town.users["office"], jinxi_town.campaign)
    assert found.mechanisms[-1].key == "reporting"
    assert found.mechanisms[-1].name == "走访活动总结材料"
    assert found.mechanisms[-1].description == MENGHE["summaries"]["note"]
    assert found.mechanisms[-1].lines[0].text == "走访活动总结材料截止 2018年6月1日，已提交 0 / 1 个单位"
    assert found.mechanisms[-1].links[0].url == reverse("documents:summaries", args=[jinxi_town.campaign.slug])
    assert len([m for m in found.mechanisms if m.key == "reporting"]) == 1
