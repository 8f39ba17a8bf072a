"""The top bar names the user (accounts.names.shown_name: "锦溪镇走访办", not "office") and their roles from what the
request reads for scope anyway: the grants and the account's cadre, in one statement, no query of their own."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.registry.models import Cadre

pytestmark = pytest.mark.django_db


def _reads_the_cadre_alone(sql: str) -> bool:
    """A statement of its own for the account's cadre (the menu's own-scores check read one, ordered by unit)."""
    return f'FROM "{Cadre._meta.db_table}"' in sql


@pytest.mark.parametrize(("who", "url", "queries"), [
    ("office", "/regions/", 7),  # session, user, second-factor device, grants and cadre, the page's three
    ("dept", "/regions/", 6),  # a cadre: session, user, grants and cadre, the page's three (its targets' regions)
    ("outsider", "/", 3),  # session, user, grants and (no) cadre: nothing else, it holds no campaign
])
def test_it_names_the_user_with_no_query_of_its_own_on_a_page(client: Any, town: Any, who: str, url: str,
                                                              queries: int) -> None:
    user = town.users[who]
    client.force_login(user)
    client.get(url)  # the session's first page also checks the password's age and saves the session
    with CaptureQueriesContext(connection) as read:
        page = client.get(url).content.decode()
    shown = Cadre.objects.get(user=user).name if who == "dept" else {"office": "锦溪镇走访办"}.get(who, who)
    assert f'<div class="who-name">{shown}</div>' in page
    assert not [q["sql"] for q in read.captured_queries if _reads_the_cadre_alone(q["sql"])]
    assert len(read.captured_queries) == queries, "\n".join(q["sql"][:160] for q in read.captured_queries)


def test_it_names_an_upper_level_units_handler_as_such_not_as_a_towns_department(client: Any, town: Any) -> None:
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.registry.models import Unit

    fuban = Unit.objects.create(name="市府办", kind=Unit.Kind.CITY_DEPARTMENT)
    handlers = {"upper": ensure_user("upper", "x", role=RoleGrant.Role.UNIT_HANDLER, unit=fuban),
                "police": ensure_user("police", "x", role=RoleGrant.Role.UNIT_HANDLER, unit=town.police)}
    roles = {}
    for name, user in handlers.items():
        client.force_login(user)
        roles[name] = _roles_shown(client, "/")
    assert "上级走访单位" in roles["upper"]
    assert "承办部门" not in roles["upper"]
    assert "承办部门" in roles["police"]
    client.force_login(town.users["village"])  # a village cadre holds the village grant and is one: named once
    assert _roles_shown(client, "/regions/") == "村（社区）干部"


def _roles_shown(client: Any, url: str) -> str:
    """The top bar's roles as the page shows them (not its title attribute)."""
    page = client.get(url, follow=True).content.decode()
    return page.split('<div class="who-roles"', 1)[1].split(">", 1)[1].split("</div>")[0]
