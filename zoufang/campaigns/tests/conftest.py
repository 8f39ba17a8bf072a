import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path

_JINXI = read_campaign_file(shipped_campaign_path("jinxi-2017")).data


@pytest.fixture
def jinxi() -> dict[str, Any]:
    """A fresh copy of the shipped 锦溪镇 2017 configuration, to break or change."""
    return copy.deepcopy(_JINXI)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[Any], Path]:
    def write(data: Any, name: str = "campaign.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def jinxi_text() -> str:
    return shipped_campaign_path("jinxi-2017").read_text(encoding="utf-8")


@pytest.fixture
def office(django_user_model: Any) -> Any:
    """The town's 走访办 (情况统计组), who loads campaigns."""
    return django_user_model.objects.create_user(username="zoufangban", password="x-not-used-x")
