"""A cadre looking for a name in “my list” finds it whichever dot they type (decision 0069)."""

import pytest

from zoufang.registry.models import Target
from zoufang.visits import page

pytestmark = pytest.mark.django_db


def test_my_list_finds_a_name_typed_with_another_dot(visiting, login, town, monkeypatch):
    monkeypatch.setattr(page, "LARGE_LIST", 1)  # searched on the server, as a list of over 250 is (a shorter one in
    # the browser, visits.js, with the same reading of the dot)
    household = town.households["shangxiatang"][0]
    Target.objects.filter(pk=household.pk).update(name="阿卜杜·热合曼")
    client = login(town.users["dept"])
    for written in ("阿卜杜·热合曼", "阿卜杜•热合曼", "阿卜杜 ・ 热合曼"):
        found = client.get("/me/", {"q": written}).content.decode()
        assert found.count('class="my-target"') == 1, written
