"""The top bar names the signed-in user as every page names a user (accounts.names.shown_name), never by login."""

import re


def _top_bar_name(page: bytes) -> str:
    return re.search(r'<div class="who-name">([^<]*)</div>', page.decode()).group(1)


def test_it_names_the_office_account_after_what_it_stands_for(client, town):
    client.force_login(town.users["office"])
    assert _top_bar_name(client.get("/").content) == "锦溪镇走访办"


def test_it_names_a_cadre_s_account_by_the_person(client, town):
    client.force_login(town.users["leader"])
    assert _top_bar_name(client.get("/").content) == town.users["leader"].cadre.name
