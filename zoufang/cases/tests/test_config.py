"""The optional case_handling.handling_deadlines of a campaign file: validated, and both seeds ship one."""

import copy

import pytest
import yaml

from zoufang.campaigns.config import shipped_campaign_path, validate_config


@pytest.fixture(scope="module")
def shipped():
    with open(shipped_campaign_path("jinxi-2017"), encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.mark.parametrize("slug", ["jinxi-2017", "menghe-dazoufang"])
def test_it_ships_handling_deadlines_in_both_seeds(slug):
    with open(shipped_campaign_path(slug), encoding="utf-8") as f:
        config = yaml.safe_load(f)
    assert validate_config(config) == []
    assert config["case_handling"]["handling_deadlines"]["default"] == 10


@pytest.mark.parametrize(("deadlines", "valid"), [
    ({"default": 10, "priorities": {"urgent": 2}, "categories": {"1": 7, "1.3": 5}}, True),
    ({}, True),
    ({"default": 0}, False),
    ({"default": "十"}, False),
    ({"priorities": {"someday": 3}}, False),
    ({"categories": {"一": 3}}, False),
])
def test_it_validates_handling_deadlines(shipped, deadlines, valid):
    config = copy.deepcopy(shipped)
    config["case_handling"]["handling_deadlines"] = deadlines
    errors = validate_config(config)
    assert (errors == []) is valid, errors
    if not valid:
        assert any(e.startswith("case_handling.handling_deadlines") for e in errors), errors
