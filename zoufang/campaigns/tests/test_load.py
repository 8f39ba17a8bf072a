"""Loading a campaign file creates it, reloading changes nothing, a changed file updates in place."""

import datetime as dt
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.config import shipped_campaign_path
from zoufang.campaigns.models import Campaign, CaseCategory, Phase
from zoufang.campaigns.services import CampaignConfigError, load_campaign_config, load_campaign_file
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_it_creates_the_campaign_with_its_scope_phases_and_categories(office: Any) -> None:
    campaign = load_campaign_file(shipped_campaign_path("jinxi-2017"), by=office)

    campaign = Campaign.objects.get(slug="jinxi-2017")
    assert campaign.name == "锦溪镇2017年度常态化推进“六个一”基层走访调研"
    assert (campaign.starts_on, campaign.ends_on) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert campaign.source_name == "jinxi-2017.yaml"
    assert campaign.created_by == office
    assert [(r.name, r.level) for r in campaign.scope.ancestors()] == [
        ("苏州市", "city"), ("昆山市", "county"), ("锦溪镇", "town")]
    assert campaign.config["pace"]["complete_by"] == "2017-09-30"
    assert list(campaign.phases.values_list("key", "starts_on", "ends_on")) == [
        ("visiting", dt.date(2017, 5, 1), dt.date(2017, 9, 30)),
        ("summary_assessment", dt.date(2017, 10, 1), dt.date(2017, 12, 31)),
    ]
    categories = campaign.case_categories.filter(parent__isnull=True)
    assert [(c.code, c.items.count()) for c in categories] == [
        ("1", 7), ("2", 6), ("3", 4), ("4", 4), ("5", 4), ("6", 4)]
    assert campaign.case_categories.get(code="1.3").title == "收集群众在创业发展过程中对党委政府的意见建议；"
    assert campaign.case_categories.get(code="1.3").parent == campaign.case_categories.get(code="1")
    assert AuditEvent.objects.filter(object_type="campaigns.Campaign", actor=office, action="create").count() == 1


def test_it_changes_nothing_when_loaded_twice() -> None:
    first = load_campaign_file(shipped_campaign_path("jinxi-2017"))
    rows = {model: list(model.objects.values()) for model in (Campaign, Phase, CaseCategory, Region)}
    audit_count = AuditEvent.objects.count()

    second = load_campaign_file(shipped_campaign_path("jinxi-2017"))

    assert second.pk == first.pk
    assert {model: list(model.objects.values()) for model in rows} == rows
    assert AuditEvent.objects.count() == audit_count


def test_it_updates_in_place_when_the_file_changes(jinxi_text: str, tmp_path: Path) -> None:
    path = tmp_path / "jinxi-2017.yaml"
    path.write_text(jinxi_text, encoding="utf-8")
    campaign = load_campaign_file(path)
    phase_ids = dict(campaign.phases.values_list("key", "pk"))
    item_1_1 = campaign.case_categories.get(code="1.1")
    changed = (
        jinxi_text
        .replace("    name: 总结并考核\n", "    name: 总结考核\n")
        .replace("      - 宣传基层走访调研的好做法、好品牌。\n", "")
        .replace("收集群众对社会热点、改革难点", "收集群众对社会热点、重大改革难点")
        .replace("  complete_by: 2017-09-30", "  complete_by: 2017-09-29")
    )
    path.write_text(changed, encoding="utf-8")

    load_campaign_file(path)

    campaign.refresh_from_db()
    assert campaign.version == 2
    assert campaign.config["pace"]["complete_by"] == "2017-09-29"
    assert dict(campaign.phases.values_list("key", "pk")) == phase_ids
    assert campaign.phases.get(key="summary_assessment").name == "总结考核"
    item_1_1.refresh_from_db()
    assert item_1_1.title.startswith("收集群众对社会热点、重大改革难点")
    archived = campaign.case_categories.get(code="5.4")
    assert archived.disabled_on == dt.date(2017, 6, 15)
    assert campaign.case_categories.filter(disabled_on__isnull=True).count() == 34
    update = AuditEvent.objects.get(object_type="campaigns.Campaign", action="update")
    assert update.changes["config"] == ["case_categories", "pace", "phases"]

    path.write_text(jinxi_text, encoding="utf-8")
    load_campaign_file(path)

    archived.refresh_from_db()
    assert archived.disabled_on is None


def test_it_deletes_a_phase_that_left_the_file(jinxi: dict[str, Any]) -> None:
    load_campaign_config(jinxi)
    del jinxi["phases"][1]

    report = load_campaign_config(jinxi)

    assert report.phases.removed == 1
    assert list(Phase.objects.values_list("key", flat=True)) == ["visiting"]


def test_it_reuses_the_regions_that_exist() -> None:
    suzhou = Region.objects.create(name="苏州市", level=Region.Level.CITY)
    kunshan = Region.objects.create(name="昆山市", level=Region.Level.COUNTY, parent=suzhou)

    campaign = load_campaign_file(shipped_campaign_path("jinxi-2017"))

    assert campaign.scope.parent == kunshan
    assert Region.objects.count() == 3


def test_it_refuses_a_scope_region_of_another_level() -> None:
    Region.objects.create(name="苏州市", level=Region.Level.COUNTY)

    with pytest.raises(CampaignConfigError, match="区划“苏州市”已存在，层级是 county，不是 city"):
        load_campaign_file(shipped_campaign_path("jinxi-2017"))

    assert not Campaign.objects.exists()


def test_it_loads_nothing_from_a_broken_file(jinxi: dict[str, Any], write_yaml: Callable[[Any], Path]) -> None:
    jinxi["assessment"]["weights"]["pace"] = 5

    with pytest.raises(CampaignConfigError) as raised:
        load_campaign_file(write_yaml(jinxi))

    [error] = raised.value.errors
    assert error.endswith(" assessment.weights：各项权重之和应为 100，现为 95")
    assert not Campaign.objects.exists()
    assert not Region.objects.exists()


def test_it_loads_the_menghe_campaign_with_a_phase_without_end() -> None:
    campaign = load_campaign_file(shipped_campaign_path("menghe-dazoufang"))

    assert campaign.scope.name == "孟河镇"
    assert campaign.phases.get(key="regular_visits").ends_on is None
    assert campaign.case_categories.filter(parent__isnull=True).count() == 4


def test_it_prints_a_summary_when_loading_from_the_command_line() -> None:
    stdout = StringIO()

    call_command("campaign", "load", str(shipped_campaign_path("jinxi-2017")), stdout=stdout)
    call_command("campaign", "load", str(shipped_campaign_path("jinxi-2017")), stdout=stdout)

    output = stdout.getvalue()
    assert "已新建走访活动 jinxi-2017" in output
    assert "新增区划：苏州市 → 昆山市 → 锦溪镇" in output
    assert "现有阶段 2 个，问题类别 6 类 29 项" in output
    assert "走访活动 jinxi-2017 与配置文件一致，未作修改" in output


def test_it_fails_the_load_command_on_a_broken_file(jinxi: dict[str, Any], write_yaml: Callable[[Any], Path]) -> None:
    jinxi["quotas"]["mayor"] = {"per_person": {"enterprise": 1}}
    stderr = StringIO()

    with pytest.raises(CommandError, match="配置文件无效"):
        call_command("campaign", "load", str(write_yaml(jinxi)), stderr=stderr)

    assert "quotas.mayor：角色 mayor 未在 roles 中定义" in stderr.getvalue()
    assert not Campaign.objects.exists()
