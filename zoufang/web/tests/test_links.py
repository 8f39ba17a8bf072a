"""Every link a page shows, as every role of the demo, is well formed and leads somewhere: a query string is
appended once (no `??`, no second `?`), and a link with one opens (200) rather than falling back to defaults."""

import html
import re
from collections import deque
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

# The templates answer this alike on both engines; the PostgreSQL half leaves it (decision 0046).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database("sqlite")]

HREF = re.compile(r'\bhref="([^"]*)"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Not pages: the admin (its own links), sign-out, static files, the API, and the town's printable plan
# (hundreds of docx pages, built in the request: too slow to fetch here; its link is checked for form).
NOT_FOLLOWED = ("/admin/", "/logout/", "/static/", "/api/", "/open311/")
PAGES_PER_ROLE = 45
SAME_SHAPE = 2  # pages of one shape (path with ids blanked, query keys) to open per role


def _shape(url: str) -> str:
    parts = urlsplit(url)
    return UUID.sub("{id}", parts.path) + "?" + ",".join(sorted(parse_qs(parts.query)))


def _walk(client: Client) -> tuple[list[str], list[str]]:
    """(malformed hrefs, links that did not open) on the pages reachable from the home page."""
    malformed, broken = [], []
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(["/"])
    opened = 0
    while queue and opened < PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        opened += 1
        if response.status_code != 200:
            broken.append(f"{url} → {response.status_code}")
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        for raw in HREF.findall(response.content.decode()):
            href = html.unescape(raw)
            if href.count("?") > 1 or "&?" in href or href.endswith("?"):
                malformed.append(f"{url}: {href}")
                continue
            if href.startswith("?"):
                href = urlsplit(url).path + href
            if not href.startswith("/") or href.startswith(NOT_FOLLOWED) or href in seen:
                continue
            seen.add(href)
            shape = _shape(href)
            if href.split("?")[0].endswith(".docx") or shapes.get(shape, 0) >= SAME_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(href)
    return malformed, broken


@pytest.mark.parametrize("username", ["office", "leader", "dept", "village", "auditor", "paichusuo"])
def test_every_link_on_every_page_is_well_formed_and_opens(demo: Any, settings: Any, username: str) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    malformed, broken = _walk(client)
    assert malformed == []
    assert broken == []


def test_no_template_puts_a_question_mark_before_querystring() -> None:
    """{% querystring %} writes its own “?”: a template that adds one more links to “??kind=…”."""
    from pathlib import Path

    import zoufang

    doubled = re.compile(r"\?\{%\s*querystring")
    found = [str(path) for path in Path(zoufang.__file__).parent.rglob("*.html") if doubled.search(path.read_text())]
    assert found == []
