"""What a page refuses to show, its POST refuses too: for every page of the authorization matrix and every demo
account, where the page's GET is refused (401/403/404, or the login wall), a POST to it, or to a form that page
holds, with a valid CSRF token and a plausible body, is refused as well and writes nothing.

A form's POST URL answers for the page it sits on (HOSTS): 系统管理员, to whom 走访记录 is 404, could still send that
page's questionnaire upload. The API is left to the matrix: its operations are not forms on a page, and each one
is called there with its own method. A POST-only page URL nobody placed on a page fails the test.
"""

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from zoufang.accounts.tests.test_authorization_matrix import (  # noqa: F401 — matrix_town: the matrix's town
    LOGIN_WALL,
    ROLES,
    Oracle,
    Spec,
    Who,
    _variants,
    classify,
    matrix_town,
)
from zoufang.conftest import verify_session

# The matrix's roles and the demo's other accounts: the three administrators, a plain cadre, the 考核管理组 and
# the third party's caller.
DEMO_ROLES = [*ROLES, "sysadmin", "security", "auditadmin", "ganbu1", "assessor", "minyi"]

# The page(s) holding each POST-only form; the POST is refused where every one of them is.
HOSTS: dict[str, tuple[str, ...]] = {
    "cases:act": ("cases:detail",), "cases:publish": ("cases:detail",), "cases:upper_xlsx": ("cases:upper",),
    "cases:weekly_xlsx": ("cases:weekly",),
    **{f"planning:{name}": ("planning:overview",) for name in ("apply", "check", "export")},
    "planning:pin": ("planning:unit",), "planning:unit_walk_lists": ("planning:unit", "cases:desk", "oversight:unit"),
    "visits:submit": ("visits:my_list",), "visits:upload_photo": ("visits:visit",),
    **{f"visits:{name}": ("visits:office",) for name in ("form_upload", "form_answers", "unit_ledger")},
    "web:import_checked": ("web:imports",), "cadre_accounts:cadre": ("cadre_accounts:list",), "jobs:retry": ("jobs:detail",), "accounts:revoke_token": ("accounts:tokens",),
    "oversight:xlsx_all": ("oversight:dashboard", "oversight:rows"), "oversight:city_xlsx_all": ("oversight:city",),
    **{f"documents:{name}": ("documents:index",) for name in ("generate", "issuer")},
    **{f"documents:{name}": ("documents:detail",) for name in ("issue", "delete", "preview")},
    "callbacks:xlsx": ("callbacks:batch",), "callbacks:close": ("callbacks:batch",),
    "callbacks:reveal": ("callbacks:sample",), "assessment:run": ("assessment:campaign",),
    "assessment:freeze": ("assessment:detail",), "assessment:xlsx": ("assessment:detail",),
    "assessment:adjust": ("assessment:score",),
    **{f"integrity:{name}": ("integrity:flags",) for name in ("clear", "xlsx", "scan")},
    **{f"exemplars:{name}": ("exemplars:detail",) for name in ("edit", "publish", "decline", "consent")},
    **{f"privacy:{name}": ("privacy:index",) for name in ("copy", "erase", "lift", "correct")},
}
# Not pages: signing in and out, the API, the admin (its own permission system), Open311 (its own keys).
NOT_PAGES = ("api:", "admin:", "<unnamed", "open311")
SIGN_IN_OUT = {"login", "logout"}
REFUSED = {401, 403, 404, 405}
CSRF = "h2refusedwritescsrfsecret0000000"  # a cookie's secret (32 characters), sent back with each form
WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


def refused(response: Any) -> bool:
    return response.status_code in REFUSED or (
        300 <= response.status_code < 400 and bool(LOGIN_WALL.search(response.get("Location", ""))))


def _body(name: str, kwargs: dict[str, str]) -> dict[str, Any]:
    """What the page's form would send, where the view needs more than the token to act."""
    if name == "visits:form_upload":
        from zoufang.forms import xlsform
        from zoufang.forms.services import published_form

        _form, version = published_form("cadre_survey")
        return {"definition": SimpleUploadedFile("cadre_survey.xlsx", xlsform.write_xlsx(version.rows))}
    if name == "visits:diary":
        return {"entry_date": "2017-06-15", "text": "走访计家墩村，群众关心道路", "key": str(uuid.uuid4())}
    if name == "cases:hotline":
        return {"raiser_name": "周梅", "raiser_phone": "13868841290", "description": "来电反映路灯坏了"}
    if name == "documents:generate":
        return {"kind": "circular", "starts_on": "2017-05-01", "ends_on": "2017-06-15"}
    if name in ("privacy:copy", "privacy:erase", "privacy:lift", "privacy:correct"):
        return {"id_number": "320583197501010011", "reason": "居民书面申请"}
    if name == "cases:act":
        return {f"{kwargs.get('action', '')}-version": "1", f"{kwargs.get('action', '')}-note": "签收"}
    return {}


def _writes(run: Any) -> tuple[Any, list[str]]:
    """The response of `run()` and the tables it wrote (the session's row aside), rolled back after."""
    tables: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        written = WRITE.match(sql)
        if written and written.group(1) != "django_session":
            tables.append(written.group(1))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(spy):
            response = run()
        getattr(getattr(response.wsgi_request, "user", None), "pk", None)  # settle the lazy user while the db is open
        transaction.set_rollback(True)
    return response, tables


def _post(client: Client, name: str, url: str, kwargs: dict[str, str]) -> tuple[Any, list[str]]:
    if name == "visits:submit":  # the page's outbox sends JSON with the token in a header
        visit = {"visit_id": str(uuid.uuid4()), "target_id": str(uuid.uuid4()), "mode": "home",
                 "visited_at": "2017-06-15T10:00:00+08:00", "summary": "入户走访"}
        return _writes(lambda: client.post(url, json.dumps(visit), content_type="application/json",
                                           HTTP_X_CSRFTOKEN=CSRF))
    return _writes(lambda: client.post(url, {"csrfmiddlewaretoken": CSRF, **_body(name, kwargs)}))


def _route_params(route: str) -> set[str]:
    return {a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)}


def _host_urls(name: str, kwargs: dict[str, str], specs: dict[str, tuple[str, Spec]], oracle: Oracle,
               who: Who) -> Iterator[str]:
    """The URL of each page holding `name`'s form, for the same objects (or the role's own where it asks others)."""
    for host in HOSTS[name]:
        route, spec = specs[host]
        wanted = _route_params(route)
        # The same object where the page names it alike (a case for a case): pin's public_id is an assignment's.
        given = {k: v for k, v in kwargs.items() if k in wanted and spec.params.get(k) == specs[name][1].params.get(k)}
        if wanted <= set(given):
            yield reverse(host, kwargs=given)
            continue
        inside = next((filled for side, filled in _variants(spec, oracle, who) if side == "in"), None)
        yield reverse(host, kwargs=inside) if inside is not None else ""  # no object to show: nothing to refuse


def test_every_post_only_page_url_sits_on_a_page():
    """A new form's URL is placed on its page here, or this test fails (as the matrix's unclassified URLs do)."""
    classified, _unknown = classify()
    unplaced = [name for name, _route, spec in classified if not name.startswith(NOT_PAGES)
                and name not in SIGN_IN_OUT and "GET" not in spec.methods and name not in HOSTS]
    assert unplaced == [], "POST-only URLs with no page in test_refused_writes.HOSTS: " + ", ".join(unplaced)


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF
    if user is not None:
        client.force_login(user)
        verify_session(client, user)
        client.get("/matrix-first-request/")  # the session's first request, outside the rolled-back ones
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_town")
@pytest.mark.parametrize("role", DEMO_ROLES)
def test_it_refuses_the_post_of_every_page_it_refuses_to_show(settings, role):
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    classified, _unknown = classify()
    specs = {name: (route, spec) for name, route, spec in classified}
    oracle = Oracle()
    user = get_user_model().objects.filter(username=role).first()
    client, who = _client(user), oracle.who(role, user)
    shown: dict[str, bool] = {}  # a page URL → whether its GET was answered

    def page_shown(url: str) -> bool:
        if url not in shown:
            shown[url] = not refused(_writes(lambda: client.get(url))[0])
        return shown[url]

    holes, tried = [], 0
    for name, _route, spec in classified:
        if name.startswith(NOT_PAGES) or name in SIGN_IN_OUT or role in spec.skip_for or "POST" not in spec.methods:
            continue
        if role in spec.skip_post_for:
            continue
        for side, kwargs in _variants(spec, oracle, who):
            if side != "in":
                continue  # an object out of scope: the matrix's
            url = reverse(name, kwargs=kwargs)
            pages = [url] if "GET" in spec.methods else list(_host_urls(name, kwargs, specs, oracle, who))
            if any(page and page_shown(page) for page in pages):
                continue
            tried += 1
            response, tables = _post(client, name, url, kwargs)
            if not refused(response):
                holes.append(f"{role} POST {url}: {response.status_code} {response.get('Location', '')} "
                             f"where {', '.join(pages)} is refused")
            if tables:
                holes.append(f"{role} POST {url} wrote {sorted(set(tables))} where {', '.join(pages)} is refused")
    assert not holes, f"{len(holes)} of {tried} refused pages' POSTs:\n" + "\n".join(holes)
