"""Every write a demo account may not make is refused before its form or body is read, and leaves nothing; every
write it may make is not refused.

The pages' forms: every page URL that takes a POST (signing in and out aside), each of its forms (a `do` or a case
action where it takes several), by every demo account, on the account's own objects as the matrix samples them.
PAGE_FORMS, written here from the README's table, names who may use each form: anyone else is refused (401, 403,
404 or the login wall) whether or not the page is shown to them (回访's 核实 to the third party, 公开 to a unit's
handler), and the same form sent empty is refused the same way (decision 0044: the refusal comes before the form is
read, so its errors tell nothing), writing nothing either time. Those it names are not refused (a refusal there is a
right lost); that their use, as the page draws the form in the state that offers it, writes what it should is
test_sent_twice's, by one account of each kind named (decision 0064). A page form PAGE_FORMS does not name fails
the test.

The API's writes: every POST, PUT, PATCH and DELETE of docs/openapi.json, with a plausible body, by every demo
account's token (and none), on the account's own objects and on another town's or person's. Where the account may
not make it (MAY_WRITE), it is refused with 401, 403 or 404, and so is the same operation sent with an empty body: the
refusal comes before the body is validated (decision 0044). Whatever is refused leaves nothing: no row in any table
(a failed sign-in's own record aside), no job queued, no work waiting for the commit, no mail or SMS. A write
operation MAY_WRITE does not name fails the test.
"""

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zoufang.accounts.models import ApiToken, AuditEvent
from zoufang.accounts.tests.test_authorization_matrix import (  # noqa: F401 — matrix_town: the matrix's town
    LOGIN_WALL,
    OPENAPI,
    ROLES,
    Oracle,
    Spec,
    Who,
    _as_openapi,
    _variants,
    classify,
    matrix_town,
)
from zoufang.cases.models import Case
from zoufang.conftest import verify_session
from zoufang.registry.models import Cadre, Unit

# Production's engine answers what each role may read and write; the SQLite half leaves it (decision 0046).
pytestmark = pytest.mark.one_database("postgresql")

# The matrix's roles and the demo's other accounts: the three administrators, a plain cadre, the 考核管理组 and
# the third party's caller.
DEMO_ROLES = [*ROLES, "sysadmin", "security", "auditadmin", "ganbu1", "assessor", "minyi"]

# Who each demo account is (README: 演示账号).
OFFICES = frozenset({"office", "menghe"})  # a town's 走访办
HANDLERS = frozenset({"paichusuo", "jianguansuo", "fuban", "menghe_unit"})  # a unit's handlers
CITY_OFFICES = frozenset({"city", "xinbei"})  # 上一级活动办, on what a town signed up to it
CADRES = frozenset({"leader", "dept", "village", "ganbu1"})  # accounts that are cadres who visit
ACCOUNTS = frozenset(DEMO_ROLES) - {"anonymous", "partner"}  # "partner" is an Open311 key: no account, no token
TOWN_READERS = OFFICES | {"leader", "assessor"}  # 全镇统计: the office, its leaders, the 考核管理组
FIGURES = TOWN_READERS | CITY_OFFICES  # and the upper office, over its towns
CALLERS = frozenset({"auditor", "minyi"})  # the third party that calls the sample back
# Who may use each page form on the objects this test sends (the role's own, as the matrix samples them: README's
# 能看到什么 and DESIGN.md's roles; decision 0055). A form is its URL name, with the form's `do` (or the case's
# action) where a URL takes several. Everyone else is refused (401/403/404 or the login wall) and the refusal writes
# nothing; those named here are not refused. A page form missing here fails test_every_page_form_has_its_users.
PAGE_FORMS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("accounts:two_factor", "accounts:password", "accounts:revoke_token", "jobs:retry"), ACCOUNTS),
    # Importing the registry; a checked file is confirmed by the office that checked it: the test sends every account
    # 锦溪镇's office's (checked_import), which another town's office may not confirm either.
    "web:imports": OFFICES, "web:import_checked": frozenset({"office"}),
    "cases:hotline": OFFICES, "cases:publish": OFFICES, "cases:upper_xlsx": CITY_OFFICES,
    "cases:weekly_xlsx": FIGURES,
    "cases:act accept": HANDLERS,  # a case dispatched to their unit (whether it is waiting now is the action's)
    **dict.fromkeys(("planning:apply", "planning:check", "planning:export", "planning:pin"), OFFICES),
    # A unit's walk lists and ledger: the office and leaders of its area, the 考核管理组, the unit's own handlers.
    **dict.fromkeys(("planning:unit_walk_lists", "visits:unit_ledger"), TOWN_READERS | HANDLERS),
    **dict.fromkeys(("visits:submit", "visits:diary"), CADRES),
    "visits:upload_photo": frozenset(),  # the visit's own visitor only (_may_use)
    "visits:form_upload": OFFICES,  # a questionnaire's definition: the office's
    # The answers of the visits a role reads: every role of an area and the upper office, a unit's handlers.
    "visits:form_answers": FIGURES | HANDLERS | {"village"},
    # Oversight downloads: every row of the figures the role reads (a cadre's and a unit's own part on the page).
    **dict.fromkeys(("oversight:rows", "oversight:full_coverage_rows"), FIGURES | HANDLERS | CADRES),
    "oversight:xlsx_all": FIGURES, "oversight:city_xlsx_all": CITY_OFFICES, "oversight:units": HANDLERS,
    **dict.fromkeys((f"documents:{name}" for name in ("generate", "issuer", "detail", "issue", "delete", "preview")),
                    OFFICES),
    # A unit's 工作总结 (decision 0071): its own handlers hand it in; the office and every reader only read it.
    "documents:summary_hand_in": HANDLERS,
    "documents:summary_return": OFFICES,  # the office returns one for revision (decision 0075)
    "documents:summary_withdraw_return": OFFICES,  # and withdraws a return made in error (decision 0080)
    # 回访抽查: run by the town's office and its city office (decision 0052); the third party calls.
    **dict.fromkeys(("callbacks:index", "callbacks:xlsx", "callbacks:close", "callbacks:sample verify",
                     "callbacks:sample reopen", "callbacks:sample follow_up"), OFFICES | CITY_OFFICES),
    **dict.fromkeys(("callbacks:sample call", "callbacks:reveal"), CALLERS),
    **dict.fromkeys(("assessment:run", "assessment:freeze", "assessment:adjust"), frozenset({"assessor"})),
    "assessment:xlsx": FIGURES - {"menghe", "xinbei"},  # the test's assessment is 锦溪镇's
    "integrity:clear": OFFICES, **dict.fromkeys(("integrity:scan", "integrity:xlsx"), FIGURES),
    # 典型 (README: 宣传报道组): nominated by cadres from their visits, by units from their cases, by the village,
    # the office and the leaders from either; reviewed by the 宣传报道组; consent recorded by it, the office and
    # the nominator (_may_use).
    "exemplars:nominate_visit": OFFICES | CADRES, "exemplars:nominate_case": OFFICES | HANDLERS | {"leader", "village"},
    **dict.fromkeys(("exemplars:edit", "exemplars:publish", "exemplars:decline"), frozenset({"xuanchuan"})),
    "exemplars:consent": frozenset({"office", "xuanchuan"}),  # the test's published 典型 is 锦溪镇's
    **dict.fromkeys(("ratings:item close", "ratings:item assign"), frozenset({"menghe"})),
    **dict.fromkeys((f"privacy:{name}" for name in ("index", "copy", "erase", "lift", "correct")), OFFICES),
    **dict.fromkeys(("cadre_accounts:list", "cadre_accounts:cadre"), OFFICES),
}
# Path parameters as the matrix fills them, but a draft where a document is edited, issued, deleted or previewed
# (the matrix's first document is the issued 通报, which nobody changes).
PAGE_PARAMS = {**{f"documents:{name}": {"public_id": "draft"} for name in ("detail", "issue", "delete", "preview")},
               "web:import_checked": {"public_id": "checked_import"}}
# Not pages: signing in and out, the API, the admin (its own permission system), Open311 (its own keys).
NOT_PAGES = ("api:", "admin:", "<unnamed", "open311")
SIGN_IN_OUT = {"login", "logout"}
REFUSED = {401, 403, 404, 405}
API_WRITES = ("POST", "PUT", "PATCH", "DELETE")
CSRF = "h2refusedwritescsrfsecret0000000"  # a cookie's secret (32 characters), sent back with each form
WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
# What a refused request may leave: the refusal itself (a failed sign-in's audit row and its lockout count).
REFUSAL_ACTIONS = {AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOCKOUT}
REFUSAL_TABLES = {"accounts_auditevent", "accounts_auditchain", "axes_accessattempt", "axes_accessfailurelog"}


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
        return {"number": "13868841290", "note": "居民书面申请"}
    if name == "cases:act":
        return {f"{kwargs.get('action', '')}-version": "1", f"{kwargs.get('action', '')}-note": "签收"}
    if name == "oversight:full_coverage_rows":
        return {"requirement": "households", "gap": "unvisited"}
    return {}


def _scanned_flag_key(slug: str) -> str:
    """A flag the campaign's stored scan holds, as the flags page offers it to decide."""
    from zoufang.integrity.models import ScannedFlag

    flag = ScannedFlag.objects.filter(scan__campaign__slug=slug).order_by("pk").first()
    return flag.key if flag is not None else "no-such-flag"


def _exemplar_version(public_id: str) -> int:
    from zoufang.exemplars.models import Exemplar

    found = Exemplar.objects.filter(public_id=public_id).first()
    return found.version if found is not None else 1


# What each form of the 回访 sample page sends, its `do` naming the form.
# The page's 核实, 重新交办 and 不满意跟进 forms carry their prefix (callbacks/forms.py): a body without it is never valid.
SAMPLE_FORMS = {
    "call": {"kind": "no_answer", "note": "无人接听"},
    "verify": {"verify-upheld": "no", "verify-explanation": "走访干部称已入户", "verify-note": "核实属实"},
    "reopen": {"reopen-note": "已重新交办"},
    "follow_up": {"follow_up-note": "已电话跟进，群众表示理解"},
}
RATING_FORMS = ("close", "assign")  # the 督查 item page's forms, its `action` naming the form


def _choices(name: str, spec: Spec) -> list[str]:
    """What names each form among those `name` takes (a form's `do`, the case's action): "" where it takes one."""
    if name == "callbacks:sample":
        return list(SAMPLE_FORMS)
    if name == "ratings:item":
        return list(RATING_FORMS)
    if name == "cases:act":
        return list(spec.params["action"])
    return [""]


# A page form as sent: its choice among the URL's forms, the filled body, the empty one.
PageForm = tuple[str, dict[str, Any], dict[str, Any]]


def _form_name(name: str, choice: str) -> str:
    return f"{name} {choice}" if choice else name


def _forms(name: str, kwargs: dict[str, str], own: Callable[[str], Any]) -> list[PageForm]:
    """Each form the URL takes: its choice (_choices), what the page's form would send, and the same form sent empty
    (only what chooses the form among the page's). `own(kind)`: the account's own object of that kind."""
    if name == "callbacks:sample":
        return [(do, {"do": do, **fields}, {"do": do}) for do, fields in SAMPLE_FORMS.items()]
    if name.startswith("exemplars:") and name not in ("exemplars:nominate_visit", "exemplars:nominate_case"):
        version = {"version": str(_exemplar_version(kwargs["public_id"]))}
        fields = {"edit": {"title": "入户走访听民声", "text": "走访干部逐户上门", "note": ""}, "publish": {},
                  "decline": {"reason": "事迹不够典型"},
                  "consent": {"consent_person": "周梅", "consent_method": "written", "consent_on": "2017-06-15"},
                  }.get(name.split(":", 1)[1], {})
        return [("", {**version, **fields}, {})]
    if name == "integrity:clear":
        return [("", {"key": _scanned_flag_key(kwargs["slug"]), "outcome": "upheld",
                      "reason": "电话核实，对象称未接受走访"}, {})]
    if name == "ratings:item":
        from zoufang.ratings.models import SupervisionItem

        found = SupervisionItem.objects.filter(public_id=kwargs["public_id"]).first()
        version = str(found.version if found is not None else 1)
        fields = {"close": {"result": "已落实整改"}, "assign": {"assignee": "menghe"}}
        return [(action, {"action": action, "version": version, **fields[action]}, {"action": action})
                for action in RATING_FORMS]
    if name == "privacy:correct":  # the record found by the number, as the results page names it
        return [("", {**_body(name, kwargs), "target": str(own("target") or uuid.uuid4())}, {})]
    if name == "visits:submit":
        return [("", {"visit_id": str(uuid.uuid4()), "target_id": str(uuid.uuid4()), "mode": "home",
                      "visited_at": "2017-06-14T10:00:00+08:00", "summary": "入户走访"}, {})]
    if name == "cases:act":
        return [(kwargs["action"], _body(name, kwargs), {})]
    return [("", _body(name, kwargs), {})]


def _may_use(form: str, who: Who, kwargs: dict[str, str]) -> bool:
    """Whether the account may use the page form on these objects (PAGE_FORMS; whether the state allows it, and
    whether the body is valid, is the view's)."""
    if form == "visits:upload_photo":  # the visit's own visitor
        from zoufang.visits.models import Visit

        return who.cadre_id is not None and Visit.objects.filter(public_id=kwargs["public_id"],
                                                                  cadre_id=who.cadre_id).exists()
    if form == "exemplars:consent" and who.user is not None:  # who heard the resident agree: the nominator too
        from zoufang.exemplars.models import Exemplar

        if Exemplar.objects.filter(public_id=kwargs["public_id"], created_by=who.user).exists():
            return True
    return who.name in PAGE_FORMS[form]


def _writes(run: Any, *, keep: bool = False, audited: set[str] | None = None) -> tuple[Any, list[str]]:
    """The response of `run()` and every trace it left, rolled back after (unless `keep`): the tables it wrote (the
    session's row aside; a refused sign-in's own record, its audit row and lockout count, too), jobs queued, work
    left for the commit, mail and SMS sent; the actions it audited added to `audited`."""
    from django.core import mail
    from django_tasks.signals import task_enqueued

    from zoufang.cases.sms import MemorySmsBackend

    tables: list[str] = []
    queued: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        written = WRITE.match(sql)
        if written and written.group(1) != "django_session":
            tables.append(written.group(1))
        return execute(sql, params, many, context)

    def enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
        queued.append(f"job {task_result.task.name} queued")

    sent = (len(getattr(mail, "outbox", [])), len(MemorySmsBackend.outbox))
    task_enqueued.connect(enqueued)
    try:
        with transaction.atomic():
            audited_up_to = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            on_commit = len(connection.run_on_commit)
            with connection.execute_wrapper(spy):
                response = run()
            getattr(getattr(response.wsgi_request, "user", None), "pk", None)  # settle the lazy user while open
            actions = set(AuditEvent.objects.filter(seq__gt=audited_up_to).values_list("action", flat=True))
            left = len(connection.run_on_commit) - on_commit
            transaction.set_rollback(not keep)
    finally:
        task_enqueued.disconnect(enqueued)
    if audited is not None:
        audited.update(actions)
    if actions <= REFUSAL_ACTIONS:
        tables = [table for table in tables if table not in REFUSAL_TABLES]
    traces = sorted(set(tables)) + queued
    traces += [f"{left} on-commit callbacks"] if left else []
    traces += ["mail sent"] if len(getattr(mail, "outbox", [])) > sent[0] else []
    traces += ["SMS sent"] if len(MemorySmsBackend.outbox) > sent[1] else []
    return response, traces


def _send(client: Client, name: str, url: str, body: dict[str, Any]) -> Any:
    """The form posted as the page posts it; its files from their start (a form sent again sends them again)."""
    if name == "visits:submit":  # the page's outbox sends JSON with the token in a header
        return client.post(url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=CSRF)
    for value in body.values():
        if hasattr(value, "seek"):
            value.seek(0)
    return client.post(url, {"csrfmiddlewaretoken": CSRF, **body})


def _post(client: Client, name: str, url: str, body: dict[str, Any]) -> tuple[Any, list[str]]:
    return _writes(lambda: _send(client, name, url, body))


def _page_forms() -> Iterator[tuple[str, Spec]]:
    """Every page URL that takes a POST (signing in and out aside), with its spec."""
    classified, _unknown = classify()
    for name, _route, spec in classified:
        if not name.startswith(NOT_PAGES) and name not in SIGN_IN_OUT and "POST" in spec.methods:
            yield name, spec


# No database: the PostgreSQL half leaves such a test to the SQLite half (conftest.once_is_enough), so it is
# marked for that half, or the module's mark left it out of both.
@pytest.mark.one_database("sqlite")
def test_every_page_form_has_its_users():
    """A new page form is given the accounts that may use it in PAGE_FORMS, or this test fails (as MAY_WRITE's)."""
    forms = {_form_name(name, choice) for name, spec in _page_forms() for choice in _choices(name, spec)}
    assert sorted(forms - set(PAGE_FORMS)) == [], "page forms with no users in test_refused_writes.PAGE_FORMS"
    assert sorted(set(PAGE_FORMS) - forms) == [], "page forms no longer in the URLconf"


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF
    if user is not None:
        client.force_login(user)
        verify_session(client, user)
        client.get("/matrix-first-request/")  # the session's first request, outside the rolled-back ones
    return client


@dataclass
class CheckedFile:
    """A registry file 锦溪镇's office checked (仅检查) by a background job: its stored path and its bytes."""

    path: str
    content: bytes


# Two households of the demo's villages, born on a day no other row of the demo is (as web/tests/test_imports.py).
CHECKED_CSV = ("户别,村（社区）,村民小组,网格,户主姓名,家庭人口,联系电话,身份证号码,地址,困难家庭\n"
               "户籍户,上下塘社区,第1居民小组,,张 三,4,13812345678,{0},上下塘街12号,否\n"
               "非户籍常住户,计家墩村,第1村民小组,,李四,2,,{1},计家墩路3号,是\n")


@pytest.fixture(scope="module")
def checked_import(request: Any, django_db_blocker: Any, tmp_path_factory: Any) -> CheckedFile:
    """The office's checked file pending its confirmation, built once for every account's run (the job's row here;
    its file, which the confirmation moves, stored again in each run's own MEDIA_ROOT)."""
    request.getfixturevalue("matrix_town")  # the demo's office and campaign
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.test import override_settings

    from zoufang.campaigns.models import Campaign
    from zoufang.jobs import services
    from zoufang.registry.tests.factories import id_number
    from zoufang.web.import_views import PENDING_DIR

    born = dt.date(1981, 3, 4)
    content = CHECKED_CSV.format(id_number(911, born=born), id_number(912, born=born)).encode()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("checked"), TASKS={
            "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}):
        office = get_user_model().objects.get(username="office")
        campaign = Campaign.objects.get(scope__name="锦溪镇")
        path = default_storage.save(f"{PENDING_DIR}/refused-writes.csv", ContentFile(content))
        check = services.request(office, "registry_check", {"path": path, "kind": "households",
                                                            "filename": "households.csv",
                                                            "campaign": str(campaign.public_id)})
        services.run(check.pk)
        check.refresh_from_db()
        assert (services.report(check) or {}).get("ok"), (check.status, check.error, services.report(check))
    return CheckedFile(path, content)


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_town")
@pytest.mark.parametrize("role", DEMO_ROLES)
def test_it_refuses_every_page_form_the_account_may_not_use_and_the_refusal_reads_no_form(settings, tmp_path, role,
                                                                                          checked_import):
    """Every page form, filled, on the account's own objects: refused where PAGE_FORMS does not name the account
    (whether or not it is shown the page), and then refused the same way empty, writing nothing either time; not
    refused where it names it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.MEDIA_ROOT = tmp_path  # a form the role may send (a photo) writes its file here, not in var/
    # The checked file waits in storage for its confirmation, which moves it: each run keeps its own.
    assert default_storage.save(checked_import.path, ContentFile(checked_import.content)) == checked_import.path
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    oracle = WriteOracle()
    user = get_user_model().objects.filter(username=role).first()
    client, who = _client(user), oracle.who(role, user)
    holes, tried = [], 0
    for name, spec in _page_forms():
        if role in spec.skip_for or role in spec.skip_post_for:
            continue
        spec = replace(spec, params={**spec.params, **PAGE_PARAMS.get(name, {})})
        for side, kwargs in _variants(spec, oracle, who):
            if side != "in":
                continue  # an object out of scope: the matrix's
            url = reverse(name, kwargs=kwargs)
            for choice, filled, empty in _forms(name, kwargs, lambda kind: oracle.sample(who, kind)[0]):
                form = _form_name(name, choice)
                if form not in PAGE_FORMS:
                    holes.append(f"{form}: not in PAGE_FORMS")
                    continue
                may = _may_use(form, who, kwargs)
                response, traces = _post(client, name, url, filled)
                tried += 1
                where = f"{role} POST {url} ({form})"
                if response.status_code >= 500 or refused(response) == may:
                    holes.append(f"{where}: {response.status_code} {response.get('Location', '')} where the account "
                                 f"{'may' if may else 'may not'} use it")
                if may or not refused(response):
                    continue
                if traces:
                    holes.append(f"{where}: refused and left {traces}")
                if empty == filled:
                    continue  # the form has nothing to fill: its refusal was the empty one's
                answer, traces = _post(client, name, url, empty)
                tried += 1
                if answer.status_code != response.status_code or traces:
                    holes.append(f"{where} empty {empty or ''}: {answer.status_code} {answer.get('Location', '')} "
                                 f"left {traces}, where the filled form was refused with {response.status_code}")
    assert not holes, f"{len(holes)} of {tried} page forms' POSTs:\n" + "\n".join(holes)


# ---------------------------------------------------------------- the API's writes

# Who may make each write operation of docs/openapi.json on the objects of their own scope (README: 能看到什么);
# every other token, and every token on another town's or another person's object, is refused (4xx) and leaves
# nothing. A write operation missing here fails test_every_api_write_is_tried.
MAY_WRITE: dict[str, frozenset[str]] = {
    **dict.fromkeys(("obtain_token", "refresh_token"), frozenset()),  # a wrong password; a refresh secret that is none
    **dict.fromkeys(("revoke_token", "retry_job"), ACCOUNTS),  # one's own token, one's own job
    **dict.fromkeys(("run_assessment", "adjust_score", "freeze_assessment"), frozenset({"assessor"})),
    "receive": OFFICES,
    **dict.fromkeys(("register", "dispatch", "approve_extension", "refuse_extension", "callback", "close", "reopen",
                     "merge"), OFFICES),
    **dict.fromkeys(("accept", "return_", "request_extension", "escalate"), HANDLERS),
    **dict.fromkeys(("resolve", "explain"), OFFICES | HANDLERS | CITY_OFFICES),
    "reply": OFFICES | HANDLERS,
    **dict.fromkeys(("sign", "refuse_sign"), frozenset({"leader"})),  # 王文, the supervising leader who signs
    **dict.fromkeys(("upper_accept", "upper_return"), CITY_OFFICES),
    **dict.fromkeys(("generate_draft", "delete_draft", "issue_document"), OFFICES),
    **dict.fromkeys(("return_summary", "withdraw_summary_return"), OFFICES),  # decisions 0075, 0080
    "nominate": OFFICES | HANDLERS | CADRES,  # from a visit or case they see (README: 宣传报道组)
    **dict.fromkeys(("edit_exemplar", "publish_exemplar", "decline_exemplar"), frozenset({"xuanchuan"})),
    "record_consent": OFFICES | {"xuanchuan"},  # and the one who nominated it (_may)
    "record_finding": OFFICES,
    "scan_flags": OFFICES | CITY_OFFICES | {"leader", "assessor"},
    **dict.fromkeys(("plan_check_run", "plan_run"), OFFICES),
    **dict.fromkeys(("assign_supervision_item", "close_supervision_item"), frozenset({"menghe"})),
    **dict.fromkeys(("post_visit", "post_photo"), CADRES),  # a target assigned to them; their own visit
}
# Path parameters as the matrix fills them, but a draft where a draft is deleted or issued (the matrix's first
# document is the issued 通报).
WRITE_PARAMS = {"delete_draft": {"document_id": "draft"}, "issue_document": {"document_id": "draft"}}
# Operations with no path object whose body names one (a campaign, a target, a visit): also tried with one out of
# the role's scope.
BODY_OBJECTS = {"receive", "post_visit", "nominate"}


class WriteOracle(Oracle):
    """The matrix's oracle, and a draft document: the office's own campaign's, or another's; and the file 锦溪镇's
    office has checked (checked_import), the same for every account."""

    def _sample(self, who: Who, kind: str) -> tuple[Any, Any]:
        if kind == "checked_import":
            from zoufang.jobs.models import Download

            checked = Download.objects.filter(kind="registry_check", user__username="office").first()
            return (checked.public_id if checked else None, uuid.uuid4())
        if kind != "draft":
            return super()._sample(who, kind)
        from zoufang.documents.models import Document

        mine, _other = self.sample(who, "documents")
        drafts = Document.objects.filter(status=Document.Status.DRAFT).order_by("pk")
        inside = drafts.filter(campaign__slug=mine).first() if mine else None
        outside = drafts.exclude(campaign__slug=mine or "").first()
        return (inside.public_id if inside else None, outside.public_id if outside else None)


@dataclass
class Call:
    """One write: its path's objects, which side of the role's scope they are on, and whose token sends it."""

    kwargs: dict[str, str]
    side: str
    who: Who
    oracle: Oracle

    def own(self, kind: str) -> Any:
        """An object of `kind` on this side: the role's own ("in"), or one out of its scope."""
        return self.oracle.sample(self.who, kind)[0 if self.side == "in" else 1]

    def version(self, model: Any, key: str) -> int:
        found = model.objects.filter(public_id=self.kwargs[key]).first()
        return found.version if found is not None else 1


def _case(call: Call, **fields: Any) -> dict[str, Any]:
    return {"version": call.version(Case, "case_id"), **fields}


def _exemplar(call: Call, **fields: Any) -> dict[str, Any]:
    from zoufang.exemplars.models import Exemplar

    return {"version": call.version(Exemplar, "exemplar_id"), **fields}


def _item(call: Call, **fields: Any) -> dict[str, Any]:
    from zoufang.ratings.models import SupervisionItem

    return {"version": call.version(SupervisionItem, "item_id"), **fields}


def _dispatch_to(call: Call) -> str:
    case = Case.objects.filter(public_id=call.kwargs["case_id"]).select_related("unit").first()
    unit = case.unit if case is not None and case.unit is not None else Unit.objects.order_by("pk").first()
    return str(unit.public_id)


def _leader() -> str:
    return str(Cadre.objects.get(name="王文", role=Cadre.Role.TOWN_LEADER).public_id)


def _other_case(call: Call) -> str:
    return str(Case.objects.exclude(public_id=call.kwargs["case_id"]).order_by("pk").first().public_id)


def _flag_key(call: Call) -> str:
    return _scanned_flag_key(call.kwargs["slug"])


def _photo(call: Call) -> dict[str, Any]:
    from io import BytesIO

    from PIL import Image

    jpeg = BytesIO()
    Image.new("RGB", (8, 8), "white").save(jpeg, "JPEG")
    return {"photo": SimpleUploadedFile("走访.jpg", jpeg.getvalue(), content_type="image/jpeg"),
            "key": str(uuid.uuid4())}


def _summary_version(call: Call) -> int:
    """The current version of the unit's 工作总结 in the path (the version the client read), else 1."""
    from zoufang.documents.models import Summary

    found = Summary.objects.filter(unit__public_id=call.kwargs.get("unit_id"), campaign__slug=call.kwargs.get("slug"))
    return max(found.values_list("version", flat=True), default=1)


# A plausible body for each write operation (None: it takes none); multipart where the operation takes a file.
API_BODIES: dict[str, Callable[[Call], dict[str, Any] | None]] = {
    "obtain_token": lambda c: {"username": c.who.name, "password": "not-the-password"},
    "refresh_token": lambda c: {"refresh": "not-a-refresh-secret"},
    "revoke_token": lambda c: None, "retry_job": lambda c: None, "freeze_assessment": lambda c: None,
    "plan_check_run": lambda c: None, "delete_draft": lambda c: None, "issue_document": lambda c: None,
    "run_assessment": lambda c: {"starts_on": "2017-03-01", "ends_on": "2017-06-15", "title": "上半年考核"},
    "adjust_score": lambda c: {"score": str(c.own("score")), "points": 2, "reason": "走访工作突出"},
    "receive": lambda c: {"campaign": c.own("campaign") or c.own("oversight") or "jinxi-2017", "kind": "problem",
                          "description": "来电反映路灯坏了", "raiser_name": "周梅", "raiser_phone": "13868841290"},
    "register": lambda c: _case(c, note="登记"),
    "dispatch": lambda c: _case(c, unit=_dispatch_to(c), note="交办"),
    "accept": lambda c: _case(c, note="签收"), "return_": lambda c: _case(c, reason="不属本单位职责"),
    "request_extension": lambda c: _case(c, days=5, reason="需协调施工单位"),
    "approve_extension": lambda c: _case(c, note="同意"), "refuse_extension": lambda c: _case(c, note="不同意"),
    "resolve": lambda c: _case(c, result="已修复路灯"),
    "escalate": lambda c: _case(c, route="leadership", leader=_leader(), reason="涉及多个部门"),
    "sign": lambda c: _case(c, note="同意上报"), "refuse_sign": lambda c: _case(c, reason="请部门继续办理"),
    "explain": lambda c: _case(c, explanation="受规划所限，暂不能解决"),
    "upper_accept": lambda c: _case(c, note="受理"), "upper_return": lambda c: _case(c, instructions="请镇里协调"),
    "reply": lambda c: _case(c, channel="phone", content="已电话答复", replied_on="2017-06-15"),
    "callback": lambda c: _case(c, satisfaction="satisfied", note="满意"),
    "close": lambda c: _case(c, note="结案"), "reopen": lambda c: _case(c, reason="群众不满意"),
    "merge": lambda c: _case(c, master=_other_case(c), note="同一问题"),
    "generate_draft": lambda c: {"kind": "briefing", "starts_on": "2017-06-01", "ends_on": "2017-06-15"},
    "nominate": lambda c: {"visit": str(c.own("visit") or uuid.uuid4()), "kind": "practice", "title": "入户走访听民声",
                           "text": "走访干部逐户上门，问题当场记下"},
    "edit_exemplar": lambda c: _exemplar(c, title="入户走访听民声", text="走访干部逐户上门"),
    "publish_exemplar": lambda c: _exemplar(c), "decline_exemplar": lambda c: _exemplar(c, reason="事迹不够典型"),
    "record_consent": lambda c: _exemplar(c, person="周梅", method="written", on="2017-06-15"),
    "record_finding": lambda c: {"key": _flag_key(c), "outcome": "upheld", "reason": "电话核实，对象称未接受走访"},
    "scan_flags": lambda c: {"starts_on": "2017-05-01", "ends_on": "2017-06-30"},
    "plan_run": lambda c: {"dry_run": True},
    "assign_supervision_item": lambda c: _item(c, assignee="menghe"),
    "close_supervision_item": lambda c: _item(c, result="已落实整改"),
    "post_visit": lambda c: {"client_uuid": str(uuid.uuid4()), "target_id": str(c.own("target") or uuid.uuid4()),
                             "visited_at": "2017-06-14T10:00:00+08:00", "mode": "home", "summary": "入户走访"},
    "post_photo": _photo,
    "return_summary": lambda c: {"version": _summary_version(c), "reason": "缺少典型案例，请补充"},
    "withdraw_summary_return": lambda c: {"version": _summary_version(c)},
}
MULTIPART = {"post_photo"}
# Refused for what the body holds: the credentials (a sign-in, a refresh secret); the visit or case a nomination
# names (who may nominate is decided for each one, decision 0044): an empty body names nothing to refuse.
BODY_DECIDES = {"obtain_token", "refresh_token", "nominate"}
API_REFUSALS = {401, 403, 404}


def _write_ops() -> list[tuple[str, str, str, Spec]]:
    """(operation, method, URL name, path parameters) of every write operation in docs/openapi.json."""
    classified, _unknown = classify()
    routes = {_as_openapi(route): (name, spec) for name, route, spec in classified if name.startswith("api:")}
    ops = []
    for path, operations in json.loads(OPENAPI.read_text())["paths"].items():
        for method, operation in operations.items():
            if method.upper() not in API_WRITES:
                continue
            name, spec = routes[path]
            op = operation["operationId"].rsplit("_api_", 1)[1]
            ops.append((op, method.upper(), name, Spec({**spec.params, **WRITE_PARAMS.get(op, {})})))
    return ops


# No database: the PostgreSQL half leaves such a test to the SQLite half (conftest.once_is_enough), so it is
# marked for that half, or the module's mark left it out of both.
@pytest.mark.one_database("sqlite")
def test_every_api_write_is_tried():
    """A new write operation in docs/openapi.json is given its writers and a body here, or this test fails."""
    ops = {op for op, _method, _name, _spec in _write_ops()}
    assert sorted(ops - set(MAY_WRITE)) == [], "write operations with no writers in MAY_WRITE"
    assert sorted(ops - set(API_BODIES)) == [], "write operations with no body in API_BODIES"
    assert sorted((set(MAY_WRITE) | set(API_BODIES)) - ops) == [], "operations no longer in docs/openapi.json"


def _may(op: str, call: Call) -> bool:
    """Whether the role may make this write on these objects (whether the state allows it is the action's)."""
    if call.side != "in":
        return False
    if op == "record_consent" and call.who.user is not None:  # who heard the resident agree: the nominator too
        from zoufang.exemplars.models import Exemplar

        if Exemplar.objects.filter(public_id=call.kwargs["exemplar_id"], created_by=call.who.user).exists():
            return True
    return call.who.name in MAY_WRITE[op]


def _api_variants(op: str, spec: Spec, oracle: Oracle, who: Who) -> Iterator[tuple[str, dict[str, str]]]:
    if spec.params:
        yield from _variants(spec, oracle, who)
        return
    yield "in", {}
    if op in BODY_OBJECTS:
        yield "out", {}


def _api_headers(user: Any) -> dict[str, str]:
    """A fresh API token's header for the user (none for the anonymous caller)."""
    if user is None:
        return {}
    secret = ApiToken.new_secret()
    # Used just now, as a client's token is: its last use is stamped again only minutes later.
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret), last_used_at=timezone.now(),
                            expires_at=timezone.now() + dt.timedelta(days=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _api_write(client: Client, method: str, url: str, op: str, call: Call, headers: dict[str, str], *,
               empty: bool = False) -> Any:
    body = API_BODIES[op](call)
    if empty and body is not None:
        body = {}
    return _api_send(client, method, url, op, body, _if_match(call, headers))


def _if_match(call: Call, headers: dict[str, str]) -> dict[str, str]:
    """The headers, with the version read where a draft is deleted or issued."""
    if "document_id" in call.kwargs:
        from zoufang.documents.models import Document

        return {**headers, "HTTP_IF_MATCH": f'"{call.version(Document, "document_id")}"'}
    return headers


def _api_send(client: Client, method: str, url: str, op: str, body: dict[str, Any] | None,
              headers: dict[str, str]) -> Any:
    """The operation's request: multipart (its files from their start) where it takes a file, JSON elsewhere."""
    if op in MULTIPART:
        for value in (body or {}).values():
            if hasattr(value, "seek"):
                value.seek(0)
        return client.post(url, body, **headers)
    data = json.dumps(body, ensure_ascii=False) if body is not None else ""
    return client.generic(method, url, data, content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_town")
@pytest.mark.parametrize("role", DEMO_ROLES)
def test_it_refuses_every_api_write_its_token_may_not_make_and_the_refusal_leaves_nothing(settings, role):
    """Every write operation of the API, with this role's token (none for the anonymous caller), on the role's own
    objects and on another town's or another person's: where the role may not make it, it is refused (4xx); and
    whatever is refused, to anyone, writes no row, queues no job, sends nothing."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    oracle = WriteOracle()
    user = get_user_model().objects.filter(username=role).first()
    client, headers = Client(), _api_headers(user)
    who = oracle.who(role, user)
    holes, tried = [], 0
    for op, method, name, spec in _write_ops():
        for side, kwargs in _api_variants(op, spec, oracle, who):
            url = reverse(name, kwargs=kwargs)
            call = Call(kwargs, side, who, oracle)
            response, traces = _writes(lambda: _api_write(client, method, url, op, call, headers))  # noqa: B023
            tried += 1
            status = response.status_code
            may = _may(op, call)
            # An object the body names out of the caller's scope: the field is refused (400) as one that is not there.
            refusals = API_REFUSALS | {400} if side == "out" and op in BODY_OBJECTS else API_REFUSALS
            if status >= 500 or (status not in refusals and not may):
                holes.append(f"{role} {method} {url} ({side}, {op}): {status} {response.content[:200]!r}")
            if status >= 400 and traces:
                holes.append(f"{role} {method} {url} ({side}, {op}): refused with {status} and left {traces}")
            if may or op in BODY_DECIDES or (side == "out" and op in BODY_OBJECTS) or API_BODIES[op](call) is None:
                continue
            response, traces = _writes(lambda: _api_write(client, method, url, op, call, headers, empty=True))  # noqa: B023
            tried += 1
            if response.status_code not in API_REFUSALS or traces:
                holes.append(f"{role} {method} {url} ({side}, {op}) with an empty body: {response.status_code} "
                             f"{response.content[:120]!r} left {traces}")
    assert not holes, f"{len(holes)} of {tried} API writes:\n" + "\n".join(holes)
