"""A campaign names its questionnaires (`questionnaires:`); loading it publishes the shipped definition of each one
not yet published, so a town following the README has a visit form that asks them. A form already published keeps
its wording; one with neither a published version nor a shipped definition is named in the load's report."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.conftest import verify_session
from zoufang.forms.models import Form, FormVersion
from zoufang.forms.services import (
    load_form_file,
    questionnaires_for,
    shipped_form_paths,
    unpublished_questionnaires,
)
from zoufang.web.tests import qiandeng

pytestmark = pytest.mark.django_db


def _load(path: Path) -> str:
    out = StringIO()
    call_command("campaign", "load", str(path), stdout=out)
    return out.getvalue()


def test_it_publishes_the_shipped_questionnaire_a_new_town_names(tmp_path: Path) -> None:
    said = _load(qiandeng.campaign_yaml(tmp_path))

    form = Form.objects.get(key="six_ones_form")
    assert form.versions.count() == 1
    assert "调查表：发布随平台提供的“六个一”基层走访调研问题、意见采集表（six_ones_form）第 1 版" in said
    from zoufang.campaigns.models import Campaign

    campaign = Campaign.objects.get(slug=qiandeng.SLUG)
    assert [entry["key"] for entry, _version in questionnaires_for(campaign, "registered_household")] == ["six_ones_form"]
    assert unpublished_questionnaires(campaign) == []
    assert "调查表" not in _load(qiandeng.campaign_yaml(tmp_path))  # a second load publishes nothing new
    assert form.versions.count() == 1


def test_it_keeps_the_wording_a_town_already_published(tmp_path: Path) -> None:
    own = next(p for p in shipped_form_paths() if p.stem == "six_ones_form").read_text(encoding="utf-8")
    reworded = tmp_path / "six_ones_form.yaml"
    reworded.write_text(own.replace('version: "2017-1"', 'version: "2025-1"').replace("走访调研", "走访调研（千灯）", 1),
                        encoding="utf-8")
    load_form_file(reworded)
    before = list(FormVersion.objects.values_list("pk", "content_hash"))

    _load(qiandeng.campaign_yaml(tmp_path))

    assert list(FormVersion.objects.values_list("pk", "content_hash")) == before


def test_it_names_a_questionnaire_it_cannot_publish(tmp_path: Path) -> None:
    text = shipped_campaign_path("jinxi-2017").read_text(encoding="utf-8").replace("key: six_ones_form",
                                                                                  "key: qiandeng_form")
    path = tmp_path / "活动.yaml"
    path.write_text(text, encoding="utf-8")

    said = _load(path)

    assert not Form.objects.filter(key="qiandeng_form").exists()
    assert ("调查表 qiandeng_form（“六个一”基层走访调研问题、意见采集表）尚未发布，走访时不会填写："
            "请用 zoufang forms load 文件 发布（YAML 或 XLSForm xlsx）") in said
    from zoufang.campaigns.models import Campaign

    missing = unpublished_questionnaires(Campaign.objects.get(slug="jinxi-2017"))
    assert [entry["key"] for entry in missing] == ["qiandeng_form"]


def test_the_office_home_page_says_the_campaign_has_no_questionnaire_yet(client: Any, town: Any) -> None:
    campaign = town.campaign
    campaign.config = {**campaign.config, "questionnaires": [
        {"key": "qiandeng_form", "name": "千灯镇走访采集表", "target_kinds": ["registered_household"]}]}
    campaign.save()
    client.force_login(town.users["office"])
    verify_session(client, town.users["office"])

    text = client.get("/", {"campaign": campaign.slug}).content.decode()
    assert "本活动的调查表尚未发布，走访时不会填写：" in text
    assert "千灯镇走访采集表（qiandeng_form）" in text
    # Told what to do on the pages, not a command for the server's shell.
    assert "在<a href=\"/visits/\">走访记录</a>页的“调查表”一栏上传调查表定义文件" in text
    assert "zoufang forms" not in text

    client.force_login(town.users["leader"])  # a leader reads the dashboard but cannot publish it: not told
    assert "尚未发布" not in client.get("/", {"campaign": campaign.slug}).content.decode()
