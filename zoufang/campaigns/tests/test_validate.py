"""Broken configurations are refused with a Chinese message naming the key and the rule."""

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from zoufang.campaigns.config import shipped_campaign_path, validate_campaign_file, validate_config
from zoufang.campaigns.schema import CAMPAIGN_SCHEMA

Config = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Config], None]:
    """A change to the configuration: set the value at a dotted path (list positions as numbers)."""
    def change(config: Config) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        node: Any = config
        for part in parents:
            node = node[part]
        node[last] = value
    return change


def _delete(path: str) -> Callable[[Config], None]:
    def change(config: Config) -> None:
        *parents, last = path.split(".")
        node: Any = config
        for part in parents:
            node = node[int(part) if part.isdigit() else part]
        del node[last]
    return change


def _add_remainder_to_leader(config: Config) -> None:
    config["quotas"]["town_leader"]["remainder"] = ["enterprise"]


def _duplicate_phase(config: Config) -> None:
    config["phases"].append(dict(config["phases"][0]))


BROKEN = [
    ("unknown_key", _set("phases.0.finish", "2017-09-30"), "phases[1].finish：未知的键"),
    ("unknown_top_level_key", _set("budget", 100), "budget：未知的键"),
    ("missing_key", _delete("slug"), "slug：缺少必填键"),
    ("range_min_over_max", _set("quotas.party_member.per_person.resident_household", "9-8"),
     "quotas.party_member.per_person.resident_household：最小值 9 大于最大值 8"),
    ("object_min_over_max", _set("quotas.party_member.per_person.enterprise", {"min": 3, "max": 2}),
     "quotas.party_member.per_person.enterprise：最小值 3 大于最大值 2"),
    ("count_with_range", _set("quotas.party_member.per_person.enterprise", {"count": 3, "min": 2}),
     "quotas.party_member.per_person.enterprise：count 不能与 min、max 同时使用"),
    ("bad_range_text", _set("quotas.party_member.per_person.enterprise", "two to three"),
     "quotas.party_member.per_person.enterprise：“two to three”格式不正确"),
    ("phase_ends_before_start", _set("phases.1.ends_on", "2017-09-01"),
     "phases[2].ends_on：阶段“总结并考核”的结束日期 2017-09-01 早于开始日期 2017-10-01"),
    ("phase_outside_period", _set("phases.0.starts_on", "2016-12-01"),
     "phases[1].starts_on：阶段“走访调研”的日期 2016-12-01 不在活动期间"),
    ("period_ends_before_start", _set("period.ends_on", "2016-12-31"), "period.ends_on：结束日期 2016-12-31 早于开始日期"),
    ("quota_for_undefined_role", _set("quotas.city_department", {"per_person": {"enterprise": 5}}),
     "quotas.city_department：角色 city_department 未在 roles 中定义"),
    ("quota_for_kind_outside_campaign", _set("quotas.town_leader.per_person.notable_person", 2),
     "quotas.town_leader.per_person.notable_person：对象类型 notable_person 不在本活动的 target_kinds 中"),
    ("unknown_quota_kind", _set("quotas.town_leader.per_person.shops", 2), "quotas.town_leader.per_person.shops：未知的键"),
    ("scale_on_households", _set("quotas.party_member.per_person.registered_household", {"count": 5, "scale": "small_medium"}),
     "quotas.party_member.per_person.registered_household.scale：scale（企业规模）只适用于 enterprise"),
    ("leads_without_units", _set("quotas.party_member.leads", ["enterprise"]),
     "quotas.party_member.leads：牵头走访的角色 party_member 应在 roles 中用 units 写明牵头单位"),
    ("two_remainder_roles", _add_remainder_to_leader, "quotas.village_cadre.remainder：对象类型 enterprise 已由角色 town_leader 兜底"),
    ("impossible_date", _set("period.ends_on", "2017-02-30"), "period.ends_on：“2017-02-30”不是有效的日期"),
    ("date_in_wrong_format", _set("pace.complete_by", "2017/09/30"), "pace.complete_by：“2017/09/30”格式不正确"),
    ("due_date_outside_period", _set("pace.complete_by", "2018-01-31"), "pace.complete_by：日期 2018-01-31 不在活动期间"),
    ("share_above_one", _set("pace.monthly_min_share", "6/5"), "pace.monthly_min_share：每月最低比例 6/5 应大于 0 且不超过 1"),
    ("share_of_zero", _set("pace.monthly_min_share", 0), "pace.monthly_min_share：必须大于 0"),
    ("deadline_as_text", _set("registration_deadline_working_days", "两天"),
     "registration_deadline_working_days：类型错误：应为整数，实际是文本"),
    ("weights_not_100", _set("assessment.weights.pace", 5), "assessment.weights：各项权重之和应为 100，现为 95"),
    ("deduction_missing", _set("assessment.deductions", {"callback": 20}),
     "assessment.deductions.integrity：指标 integrity 计入权重，应写明每查实一件扣几分"),
    ("deduction_without_weight", _set("assessment.weights", {"quota_completion": 100}),
     "assessment.deductions.callback：指标 callback 未在 weights 中设定权重"),
    ("deduction_of_a_rate", _set("assessment.deductions.pace", 5), "assessment.deductions.pace：未知的键"),
    ("deduction_of_zero", _set("assessment.deductions.callback", 0), "assessment.deductions.callback：不能小于 1"),
    ("unknown_weight", _set("assessment.weights.attendance", 0), "assessment.weights.attendance：未知的键"),
    ("unknown_cadre_role", _set("roles.town_leader.cadre_role", "mayor"),
     "roles.town_leader.cadre_role：取值“mayor”无效"),
    ("bad_role_key", _set("roles.Town-Leader", {"name": "镇领导", "cadre_role": "town_leader"}),
     "roles.Town-Leader：键名不符合规则"),
    ("questionnaire_for_kind_outside_campaign", _set("questionnaires.0.target_kinds", ["cadre"]),
     "questionnaires[1].target_kinds：对象类型 cadre 不在本活动的 target_kinds 中"),
    ("duplicate_category_code", _set("case_categories.1.code", "1"), "case_categories[2].code：类别编号“1”重复"),
    ("category_code_not_text", _set("case_categories.0.code", 1), "case_categories[1].code：类型错误：应为文本"),
    ("item_code_of_another_category", _set("case_categories.0.items.0", {"code": "2.1", "title": "其他"}),
     "case_categories[1].items[1].code：子项编号“2.1”应以所属类别编号“1.”开头"),
    ("duplicate_phase_key", _duplicate_phase, "phases[3].key：代号“visiting”重复"),
    ("mode_rule_for_undefined_role", _set("visit_modes.rules.0.roles", ["grid_worker"]),
     "visit_modes.rules[1].roles：角色 grid_worker 未在 roles 中定义"),
    ("unknown_visit_mode", _set("visit_modes.default", ["pigeon"]), "visit_modes.default[1]：取值“pigeon”无效"),
    ("name_with_spaces", _set("organisation.bodies.0.posts.0.people", ["王  文"]),
     "organisation.bodies[1].posts[1].people[1]：姓名“王  文”含空格，请写作“王文”"),
    ("scope_upside_down", _set("scope.2.level", "city"), "scope[3].level：层级 city 不能在 county 之下"),
    ("bad_slug", _set("slug", "锦溪"), "slug：“锦溪”格式不正确"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_it_rejects_a_broken_config_naming_the_key(jinxi: Config, change: Callable[[Config], None], message: str) -> None:
    change(jinxi)

    errors = validate_config(jinxi)

    assert any(error.startswith(message) for error in errors), errors


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_it_fails_the_validate_command_on_a_broken_file(
    jinxi: Config, write_yaml: Callable[[Any], Path], change: Callable[[Config], None], message: str,
) -> None:
    change(jinxi)
    path = write_yaml(jinxi)
    stderr = StringIO()

    with pytest.raises(CommandError, match="配置文件无效"):
        call_command("campaign", "validate", str(path), stderr=stderr)

    assert message in stderr.getvalue()


def test_it_accepts_a_config_with_python_dates(jinxi: Config) -> None:
    jinxi["pace"]["complete_by"] = dt.date(2017, 9, 30)

    assert validate_config(jinxi) == []


def test_it_reports_each_error_once(jinxi: Config) -> None:
    jinxi["phases"][0]["finish"] = 1
    jinxi["phases"][0]["end"] = 2
    del jinxi["phases"][1]["name"]

    assert validate_config(jinxi) == [
        "phases[1].finish：未知的键（允许的键：key、name、starts_on、ends_on、description）",
        "phases[1].end：未知的键（允许的键：key、name、starts_on、ends_on、description）",
        "phases[2].name：缺少必填键",
    ]


def test_it_prints_that_a_valid_file_is_valid() -> None:
    stdout = StringIO()

    call_command("campaign", "validate", str(shipped_campaign_path("menghe-dazoufang")), stdout=stdout)

    assert stdout.getvalue().startswith("配置文件有效：")
    assert "menghe-dazoufang" in stdout.getvalue()


def test_it_names_the_line_of_the_broken_key(jinxi_text: str, tmp_path: Path) -> None:
    path = tmp_path / "jinxi.yaml"
    path.write_text(jinxi_text.replace("resident_household: 8-9", "resident_household: 9-8"), encoding="utf-8")
    line = jinxi_text.splitlines().index("      resident_household: 8-9") + 1

    assert validate_campaign_file(path) == [
        f"第 {line} 行 quotas.party_member.per_person.resident_household：最小值 9 大于最大值 8"]


def test_it_reports_yaml_syntax_errors_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("slug: jinxi-2017\nname: 锦溪\n  period: x\n", encoding="utf-8")

    [error] = validate_campaign_file(path)

    assert error.startswith("第 3 行第 9 列：YAML 语法错误：此处不能出现“键: 值”")


def test_it_refuses_duplicate_keys(jinxi_text: str, tmp_path: Path) -> None:
    path = tmp_path / "jinxi.yaml"
    path.write_text(jinxi_text.replace("slug: jinxi-2017\n", "slug: jinxi-2017\nslug: jinxi-2018\n"), encoding="utf-8")
    line = jinxi_text.splitlines().index("slug: jinxi-2017") + 1

    assert validate_campaign_file(path) == [f"第 {line + 1} 行：重复的键“slug”（第 {line} 行已出现）"]


@pytest.mark.parametrize(("content", "message"), [
    ("", "（文件顶层）：配置文件应为“键: 值”的映射，而不是空文件"),
    ("- a\n- b\n", "第 1 行 （文件顶层）：配置文件应为“键: 值”的映射，而不是列表"),
])
def test_it_refuses_a_file_that_is_not_a_mapping(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text(content, encoding="utf-8")

    assert validate_campaign_file(path) == [message]


def test_it_reports_a_missing_file(tmp_path: Path) -> None:
    stderr = StringIO()

    with pytest.raises(CommandError):
        call_command("campaign", "validate", str(tmp_path / "nowhere.yaml"), stderr=stderr)

    assert "找不到配置文件" in stderr.getvalue()


def test_it_has_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(CAMPAIGN_SCHEMA)


def test_it_prints_the_schema_for_editors() -> None:
    stdout = StringIO()

    call_command("campaign", "schema", stdout=stdout)

    assert json.loads(stdout.getvalue())["properties"]["slug"]["pattern"] == CAMPAIGN_SCHEMA["properties"]["slug"]["pattern"]


def test_it_reports_rules_of_sound_sections_beside_schema_errors(jinxi: Config) -> None:
    jinxi["assessment"]["weights"]["attendance"] = 5
    jinxi["quotas"]["party_member"]["per_person"]["enterprise"] = "3-2"

    assert validate_config(jinxi) == [
        "assessment.weights.attendance：未知的键（允许的键：quota_completion、pace、registration_timeliness、"
        "handled_on_time、resolution、response、satisfaction、callback、integrity）",
        "quotas.party_member.per_person.enterprise：最小值 3 大于最大值 2",
    ]


def test_it_accepts_the_visits_section_and_refuses_a_non_boolean_switch():
    from zoufang.campaigns.validation import read_campaign_file

    config = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
    config["visits"] = {"allow_unassigned": True}
    assert validate_config(config) == []
    config["visits"] = {"allow_unassigned": "yes"}
    assert any("visits.allow_unassigned" in message for message in validate_config(config))
