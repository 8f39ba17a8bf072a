"""A person's name saved in the admin takes the standard's separator dot, as an import writes it (decision 0069)."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.web.tests.test_admin import _form_data, root  # noqa: F401 - the fixture

pytestmark = pytest.mark.recorded_templates  # reads response.context


def test_a_households_name_saved_in_the_admin_takes_the_standard_dot(town, client, root):  # noqa: F811
    target = town.households["shangxiatang"][0]
    client.force_login(root)
    url = f"/admin/registry/target/{target.pk}/change/"
    data = _form_data(client.get(url))
    data["name"] = "阿卜杜•热合曼"
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.name == "阿卜杜·热合曼"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(target.public_id))
    assert event.changes["name"][1] == "阿卜杜·热合曼"
