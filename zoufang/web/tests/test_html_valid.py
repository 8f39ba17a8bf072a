"""Every page each role reaches on the 锦溪镇 demo is valid HTML by the W3C's own checker (the Nu Html Checker,
vnu.jar: a devDependency in package.json that `npm ci` installs, run by the machine's Java).

The pages are found as a user finds them: from the home page and 我的走访, every link followed, one page of each
kind (its path with ids and numbers blanked). Downloads, the Django admin and the API are left out: no page of ours.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from zoufang.conftest import verify_session
from zoufang.core.testaxe import npm_file

# The templates answer this alike on both engines; the PostgreSQL half leaves it (decision 0046).
pytestmark = pytest.mark.one_database("sqlite")

ROLES = ("office", "leader", "city", "dept", "village", "assessor", "auditor", "fuban", "xuanchuan")
KINDS_PER_ROLE = 30
LEFT_OUT = re.compile(r"logout|download|xlsx|docx|export|^/admin/|^/api/|^/static/|^/media/|\.[a-z]{2,11}$")


def _kind(path: str) -> str:
    """A page's kind: its path with ids and numbers blanked, and whether it has a query."""
    bare, _, query = path.partition("?")
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", bare) + ("?" if query else "")


def _pages(client: Client) -> dict[str, str]:
    """path → HTML of one page of each kind the client's user reaches by following links."""
    pages: dict[str, str] = {}
    seen: set[str] = set()
    queue = ["/", "/me/"]
    while queue and len(pages) < KINDS_PER_ROLE:
        path = queue.pop(0)
        if _kind(path) in seen:
            continue
        seen.add(_kind(path))
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        for href in re.findall(r'href="(/[^"#]*)', html):
            href = href.replace("&amp;", "&")
            if not LEFT_OUT.search(href) and _kind(href) not in seen:
                queue.append(href)
    return pages


def _checked(files: dict[Path, str]) -> list[dict[str, Any]]:
    vnu = npm_file("vnu-jar", "build/dist/vnu.jar")
    java = shutil.which("java")
    if java is None:
        raise AssertionError("Java is missing: `make browser` installs default-jre-headless")
    run = subprocess.run([java, "-jar", str(vnu), "--errors-only", "--format", "json", "--stdout",  # noqa: S603
                          "--exit-zero-always", *map(str, files)], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)["messages"]


def test_every_page_each_role_reaches_is_valid_html(demo, db, client, tmp_path):
    files: dict[Path, str] = {}
    for username in ROLES:
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        verify_session(client, user)
        for n, (path, html) in enumerate(_pages(client).items()):
            file = tmp_path / f"{username}-{n:02d}.html"
            file.write_text(html, encoding="utf-8")
            files[file] = f"{username} {path}"
        client.logout()
    assert len(files) > 5 * len(ROLES)  # the crawl reached the pages, not only the login wall
    errors = [f"{files[Path(m['url'].removeprefix('file:'))]} line {m.get('lastLine')}: {m['message']}\n"
              f"    {m.get('extract', '').strip()}" for m in _checked(files)]
    assert errors == [], "\n".join(errors)
