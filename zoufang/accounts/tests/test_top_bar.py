"""The top bar names the user (accounts.names.shown_name: "锦溪镇走访办", not "office") and their roles from what the
request reads for scope anyway: the grants and the account's cadre, in one statement, no query of their own."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.registry.models import Cadre

pytestmark = pytest.mark.django_db


def _reads_the_cadre_alone(sql: str) -> bool:
    return sql.startswith(f'SELECT "{Cadre._meta.db_table}"."id", ') and "INNER JOIN" not in sql


@pytest.mark.parametrize(("who", "queries"), [
    ("office", 7),  # session, user, second-factor device, grants and cadre, the page's three
    ("dept", 7),  # a cadre: session, user, grants and cadre, the page's four (its targets' regions)
    ("outsider", 4),
])
def test_it_names_the_user_with_no_query_of_its_own_on_a_page(client: Any, town: Any, who: str, queries: int) -> None:
    user = town.users[who]
    client.force_login(user)
    client.get("/regions/")  # the session's first page also checks the password's age and saves the session
    with CaptureQueriesContext(connection) as read:
        page = client.get("/regions/").content.decode()
    shown = Cadre.objects.get(user=user).name if who == "dept" else {"office": "锦溪镇走访办"}.get(who, who)
    assert f'<div class="who-name">{shown}</div>' in page
    assert not [q["sql"] for q in read.captured_queries if _reads_the_cadre_alone(q["sql"])]
    assert len(read.captured_queries) == queries, "\n".join(q["sql"][:160] for q in read.captured_queries)
