"""The oversight tests' hand-counted campaign (六 targets, five visits, six cases), with an assessor added."""

from typing import Any

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.oversight.tests.conftest import counted  # noqa: F401 — the fixture, shared


@pytest.fixture
def office_town(counted: Any) -> Any:  # noqa: F811
    counted.users["assessor"] = ensure_user("assessor", PASSWORD, role=RoleGrant.Role.ASSESSOR,
                                            region=counted.town)
    return counted
