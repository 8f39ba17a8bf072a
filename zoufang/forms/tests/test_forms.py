"""Questionnaires as data: the six shipped forms load, validate required answers and choices, export to xlsx."""

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from zoufang.core.testdownloads import saved_name
from zoufang.forms import xlsform
from zoufang.forms.export import answers_workbook
from zoufang.forms.models import Form, FormAnswer
from zoufang.forms.services import FormDefinitionError, check_answers, load_form_file, load_shipped_forms
from zoufang.visits.demo import demo_answers

pytestmark = pytest.mark.django_db
SHIPPED = ["cadre_survey", "enterprise_survey", "household_survey", "notable_person_form", "six_ones_form",
           "village_survey"]


def test_it_loads_the_six_questionnaires_of_the_seeds():
    versions = load_shipped_forms()
    assert sorted(v.form.key for v in versions) == SHIPPED
    assert Form.objects.get(key="six_ones_form").title == "“六个一”基层走访调研问题、意见采集表"
    # Loading the same wording again publishes nothing.
    again = load_shipped_forms()
    assert [v.number for v in again] == [1] * 6


def test_it_rates_service_awareness_efficiency_and_integrity_on_the_enterprise_form():
    version = next(v for v in load_shipped_forms() if v.form.key == "enterprise_survey")
    labels = {node["label"] for node in xlsform.walk(version.spec["items"])}
    assert {"服务意识", "服务效率", "廉洁履职"} <= labels


@pytest.mark.parametrize("key", SHIPPED)
def test_it_accepts_the_required_answers_and_refuses_missing_ones_and_foreign_choices(key):
    version = next(v for v in load_shipped_forms() if v.form.key == key)
    answers = demo_answers(version.spec)
    clean, errors = check_answers(version, answers)
    assert errors == {}
    required = [n for n in xlsform.outside_repeats(version.spec["items"]) if n.get("required") and not n.get("relevant")
                and n["kind"] == "question"]
    assert required, "every shipped form asks something required"
    _, errors = check_answers(version, {k: v for k, v in answers.items() if k != required[0]["name"]})
    assert errors[required[0]["name"]].endswith("：必填")
    select = next(n for n in required if n["type"].startswith("select"))
    _, errors = check_answers(version, {**answers, select["name"]: "nonsense"})
    assert "“nonsense”不在选项中" in errors[select["name"]]


def test_it_requires_a_relevant_question_only_when_it_is_relevant():
    version = next(v for v in load_shipped_forms() if v.form.key == "enterprise_survey")
    base = {k: v for k, v in demo_answers(version.spec).items() if k != "difficulty_other"}
    assert check_answers(version, {**base, "difficulties": ["land"]})[1] == {}
    errors = check_answers(version, {**base, "difficulties": ["other"]})[1]
    assert errors["difficulty_other"] == "企业走访调查表·二、转型升级中遇到的困难问题·其他困难：必填"
    clean, _ = check_answers(version, {**base, "difficulty_other": "（不相关时丢弃）"})
    assert "difficulty_other" not in clean


def test_it_checks_each_row_of_a_repeat_group():
    version = next(v for v in load_shipped_forms() if v.form.key == "village_survey")
    rows = [{"facility": "road", "need": "村道拓宽"}, {"facility": "bridge"}]
    errors = check_answers(version, {**demo_answers(version.spec), "infrastructure": rows})[1]
    assert errors == {
        "facility": "村（社区）调查表·二、基础设施建设需求（每项一行）第 2 行·类别：“bridge”不在选项中"
        "（可选：road（道路桥梁）、water（供水排水）、river（河道整治）、public_service（公共服务设施）、other（其他））",
        "need": "村（社区）调查表·二、基础设施建设需求（每项一行）第 2 行·具体需求：必填",
    }


def test_it_checks_constraints_with_the_forms_message():
    version = next(v for v in load_shipped_forms() if v.form.key == "household_survey")
    errors = check_answers(version, {**demo_answers(version.spec), "members": 0})[1]
    assert errors["members"] == "群众入户调查表·家庭人口：人口应在 1 到 30 之间"
    errors = check_answers(version, {**demo_answers(version.spec), "members": "2.5"})[1]
    assert errors["members"] == "群众入户调查表·家庭人口：应为整数"


def test_it_names_the_row_of_a_broken_definition(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        "settings: {form_id: broken}\n"
        "survey:\n"
        "  - {type: select_one nowhere, name: q1, label: 题一}\n"
        "  - {type: geopoint, name: q2, label: 题二}\n"
        "  - {type: text, name: q3, label: 题三, relevant: \"${missing} = 'x'\"}\n"
        "  - {type: begin_group, name: g1, label: 组}\n",
        encoding="utf-8",
    )
    with pytest.raises(FormDefinitionError) as raised:
        load_form_file(path)
    assert raised.value.errors == [
        "survey 第 2 行：选项列表 “nowhere”未在 choices 中定义",
        "survey 第 3 行：不支持的题型 “geopoint”（支持：text、integer、decimal、date、select_one、select_multiple、note、"
        "begin_group、begin_repeat）",
        "survey：group “g1”缺少 end_group",
        "题目 q3 的 relevant：引用了不存在的题目 missing",
    ]


def test_it_round_trips_a_definition_through_the_xlsform_workbook_and_versions_a_change(tmp_path: Path):
    load_shipped_forms()
    out = tmp_path / "household_survey.xlsx"
    call_command("forms", "template", "household_survey", str(out))
    assert load_form_file(out)[1] is False  # same wording: no new version
    book = openpyxl.load_workbook(out)
    survey = book["survey"]
    survey.append(["text", "new_question", "新增问题"])
    book.save(out)
    version, created = load_form_file(out)
    assert created
    assert version.number == 2
    assert "new_question" in {n["name"] for n in xlsform.walk(version.spec["items"])}


def _read(workbook: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_it_exports_answers_one_column_per_question_and_one_sheet_per_repeat(client, visiting, api_token, settings):
    from zoufang.visits.tests.conftest import payload

    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][0]
    answers = {"household_survey": {"income_change": "up", "satisfaction": "fair", "members": 3,
                                    "household_type": ["hardship", "party_member"], "hardship_need": "医疗费用负担重",
                                    "family": [{"member_name": "户主", "employment": "farming"},
                                               {"member_name": "儿子", "employment": "employed"}]},
               "six_ones_form": {"aspects": ["public_opinion"], "public_opinion": "关心医保", "satisfaction": "fair"}}
    response = client.post("/api/v1/visits", payload(household, answers=answers, opinions=[]),
                           content_type="application/json", **api_token("dept"))
    assert response.status_code == 201, response.content
    export = client.get("/api/v1/forms/household_survey/answers.xlsx", **api_token("office"))
    assert export.status_code == 200
    assert saved_name(export) == "群众入户调查表答案.xlsx"
    sheets = _read(b"".join(export.streaming_content))  # streamed from a temporary file
    main = sheets["群众入户调查表"]
    header, row = main[0], main[1]
    record = dict(zip(header, row, strict=True))
    assert record["家庭人口"] == 3
    assert record["家庭类型（可多选）"] == "党员代表、困难群众"
    assert record["生活困难及帮扶需求"] == "医疗费用负担重"
    assert record["与上年相比家庭收入"] == "增加"
    family = sheets["家庭成员就业情况（每人一行）"]
    assert family[0] == ["走访编号", "行号", "称谓（如户主、配偶）", "就业状况"]
    assert family[1][1:] == [1, "户主", "务农"]
    assert family[2][1:] == [2, "儿子", "在职"]
    assert family[1][0] == record["走访编号"]
    assert FormAnswer.objects.get(form__key="household_survey").form_version.number == 1


def test_it_keeps_the_version_an_answer_was_given_in():
    versions = {v.form.key: v for v in load_shipped_forms()}
    form = versions["cadre_survey"].form
    assert answers_workbook(form, [])  # an empty export still has the header
