"""A name corrected on a resident's request is written with the standard's separator dot (decision 0069)."""

import pytest

from zoufang.privacy.tests.conftest import _client
from zoufang.privacy.tests.test_contact import _correct, firm  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_a_contacts_name_corrected_with_another_dot_takes_the_standard_one(resident, firm):  # noqa: F811
    office = _client(resident.users["office"])
    assert _correct(office, firm, contact_name="热依拉•买买提").status_code == 200
    firm.refresh_from_db()
    assert firm.contact_name == "热依拉·买买提"
