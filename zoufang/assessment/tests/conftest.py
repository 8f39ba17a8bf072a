"""The oversight's hand-counted campaign (`counted`), assessed: its cases given their targets, an assessor.

Hand-computed on 2017-07-15 over the campaign period (every figure in test_scoring.py's comments)."""

from typing import Any

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD
from zoufang.oversight.tests.conftest import counted  # noqa: F401 — the fixture assessed here

WEIGHTS = {"quota_completion": 30, "pace": 10, "registration_timeliness": 10, "handled_on_time": 10,
           "resolution": 10, "response": 5, "satisfaction": 5, "callback": 10, "integrity": 10}


@pytest.fixture(autouse=True)
def _findings_disconnected(monkeypatch: Any) -> None:
    """The hand-computed figures (e.g. 派出所 3498.5 ÷ 80 = 43.73) count the seven figure indicators: both findings
    providers are disconnected here (数据未接入). Tests connect one on purpose; the live callbacks provider is
    checked in test_scoring and in zoufang/callbacks/tests/test_calls.py."""
    from zoufang.assessment import indicators

    for key in indicators.PROVIDERS:
        monkeypatch.setitem(indicators.PROVIDERS, key, "zoufang.assessment.tests.providers.not_connected")


@pytest.fixture
def assessed(counted: Any, settings: Any) -> Any:  # noqa: F811
    settings.ZOUFANG_TODAY = "2017-07-15"  # May and June have ended: two months of pace
    town = counted
    campaign = town.campaign
    campaign.config = {**campaign.config, "registration_deadline_working_days": 2,
                       "assessment": {"weights": WEIGHTS, "deductions": {"callback": 20, "integrity": 50}}}
    campaign.save()
    sxt, jjd = town.households["shangxiatang"], town.households["jijiadun"]
    for name, target in (("c1", sxt[0]), ("c2", sxt[1]), ("c3", jjd[0])):
        Case.objects.filter(pk=town.cases[name].pk).update(target=target)
    town.users["assessor"] = ensure_user("assessor", PASSWORD, full_name="考核管理组",
                                         role=RoleGrant.Role.ASSESSOR, region=town.town)
    return town
