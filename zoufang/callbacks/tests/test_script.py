"""The campaign's `callbacks` block: both shipped campaigns carry a usable script; a script that cannot decide an
outcome, a bad share or an unknown key is refused with the rule."""

import copy

import pytest

from zoufang.callbacks.script import script_problems
from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path, validate_config


@pytest.fixture(scope="module")
def jinxi() -> dict:
    return read_campaign_file(shipped_campaign_path("jinxi-2017")).data


@pytest.mark.parametrize("slug", ["jinxi-2017", "menghe-dazoufang"])
def test_the_shipped_campaigns_have_a_usable_script(slug):
    config = read_campaign_file(shipped_campaign_path(slug)).data
    assert validate_config(config) == []
    assert script_problems(config["callbacks"]["script"]) == []
    assert "callbacks" in config


def test_a_script_without_the_outcome_questions_is_refused(jinxi):
    config = copy.deepcopy(jinxi)
    survey = config["callbacks"]["script"]["survey"]
    config["callbacks"]["script"]["survey"] = [row for row in survey if row["name"] not in ("visited",)]
    for row in config["callbacks"]["script"]["survey"]:
        row.pop("relevant", None)
    errors = validate_config(config)
    assert any("visited" in e for e in errors)


def test_a_mode_that_is_not_a_visit_mode_is_refused(jinxi):
    config = copy.deepcopy(jinxi)
    config["callbacks"]["script"]["choices"].append({"list_name": "contact_mode", "name": "pigeon", "label": "信鸽"})
    assert any("mode" in e for e in validate_config(config))


@pytest.mark.parametrize(("key", "value"), [("rate", "3/2"), ("flagged_share", 1.5), ("attempts", {"days": 3})])
def test_bad_values_are_refused(jinxi, key, value):
    config = copy.deepcopy(jinxi)
    config["callbacks"][key] = value
    assert validate_config(config)
