"""An edit made from a stale view of a record never overwrites the change that landed meanwhile (decision 0059).

Every page form and API write that test_refused_writes enumerates (PAGE_FORMS, MAY_WRITE) is classified here:
an EDIT of an existing record, something NEW (a record, a job, a download or a read: nothing anyone else edited is
replaced), or a change that cannot conflict with another (NO_CONFLICT, with the reason). A form or operation added
without being classified fails test_every_write_is_classified.

Each edit is tried as two people (or one in two tabs) would: the first reads the record (GETs the page and keeps
its form as drawn; GETs the API resource and keeps its version), the second's change of the same record lands
(the same form or operation sent from a second browser or token, or the edit named in `other`), then the first
sends their edit. It must be refused, saying in Chinese that the record changed meanwhile (the API's 409; a page's
form drawn again, or a redirect whose page says so), and it must write nothing. Every case action is tried so on the
API and from the case page, where a second clerk with the same grants acts in between (decision 0085).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from zoufang.accounts.tests.test_authorization_matrix import matrix_town  # noqa: F401 — the matrix's town
from zoufang.accounts.tests.test_refused_writes import (
    API_BODIES,
    CSRF,
    MAY_WRITE,
    PAGE_FORMS,
    Call,
    _api_headers,
    _client,
    _writes,
)
from zoufang.cases import access as case_access
from zoufang.cases.models import Case
from zoufang.core.testforms import form_values

# Production's engine, as the refused writes (decision 0046): what is locked and compared is the database's.
pytestmark = pytest.mark.one_database("postgresql")

# ---------------------------------------------------------------- which writes are edits

# Page forms that make something new or only read: a registry import, a hotline call, a visit, a diary entry, a
# photo, a questionnaire's next numbered version, a plan run or check, a callback batch, an assessment run and its
# adjustments (added, never edited), a scan, a nomination, a draft generated; every download, preview and lookup.
NEW_PAGE_FORMS = frozenset({
    "web:imports", "web:import_checked", "cases:hotline", "cases:upper_xlsx", "cases:weekly_xlsx",
    "planning:apply", "planning:check", "planning:export", "planning:unit_walk_lists", "visits:unit_ledger",
    "visits:submit", "visits:diary", "visits:upload_photo", "visits:form_upload", "visits:form_answers",
    "oversight:rows", "oversight:full_coverage_rows", "oversight:xlsx_all", "oversight:city_xlsx_all",
    "oversight:units", "documents:generate", "documents:preview", "callbacks:index", "callbacks:xlsx",
    "callbacks:reveal", "assessment:run", "assessment:adjust", "assessment:xlsx", "integrity:scan", "integrity:xlsx",
    "exemplars:nominate_visit", "exemplars:nominate_case", "privacy:index", "privacy:copy",
    "documents:summary_hand_in",  # a unit's 工作总结: each file a new version, none edited (decision 0071)
})
# Changes of an existing record that cannot go over another's: each sets the state it names, or is a transition
# the locked row's current state decides (a second one is refused by the state, whatever the page showed).
NO_CONFLICT_PAGE_FORMS = {
    "accounts:two_factor": "one's own account: turning two-factor on or off sets the state the form names",
    "accounts:password": "one's own account: the current password is asked, so a stale page proves nothing stale",
    "accounts:revoke_token": "one's own token: revoked is a state, revoking twice is revoking once",
    "jobs:retry": "only a failed job is retried, checked on the locked job; a second retry finds it queued",
    "planning:pin": "sets the pin the form names (pinned=1 or 0), never toggles it",
    "callbacks:close": "a transition: the locked batch must be open, a second close is refused",
    "callbacks:sample verify": "a transition: the locked sample must wait for verification (待核实)",
    "callbacks:sample reopen": "a transition: the locked sample's unanswered cases must not be handled yet",
    "assessment:freeze": "a transition: the locked assessment must not be frozen yet",
    "privacy:erase": "the resident's erasure acts on every record holding the number now, as the law asks",
    "privacy:lift": "sets a state: the number may be imported again",
}
NEW_API_WRITES = frozenset({
    "obtain_token", "refresh_token", "run_assessment", "adjust_score", "receive", "generate_draft", "nominate",
    "scan_flags", "plan_check_run", "plan_run", "post_visit", "post_photo",
})
NO_CONFLICT_API_WRITES = {
    "revoke_token": "one's own token: revoked is a state",
    "retry_job": "only a failed job is retried, checked on the locked job",
    "freeze_assessment": "a transition: the locked assessment must not be frozen yet",
}
CASE_ACTIONS = ("register", "dispatch", "accept", "return_", "request_extension", "approve_extension",
                "refuse_extension", "resolve", "escalate", "sign", "refuse_sign", "explain", "upper_accept",
                "upper_return", "reply", "callback", "close", "reopen", "merge")

# What a refusal says: the record changed after the user read it (each area's own words).
CHANGED_MEANWHILE = re.compile(
    r"已被.{0,30}(修改|更新|撤回|改为)|已由.{0,30}(修改|改为)|您打开此页后|在您打开|在您读取后|在您查找后|"
    r"已于.{0,40}(登记跟进|处理|核实)|当前版本")


# ---------------------------------------------------------------- subjects: records in a state the edit takes


def _office_user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _case_for(role: str, action: str) -> dict[str, str] | None:
    """A case the role sees that takes `action` from it now (the product's own rule picks it; the oracle is what
    happens to the stale edit)."""
    user = _office_user(role)
    for case in case_access.visible_cases(user).order_by("pk").iterator():
        if not case_access.may_take(user, case, action.rstrip("_")):
            continue
        try:
            if case_access.refused_now(user, case, action.rstrip("_")):
                continue
        except Exception:  # noqa: BLE001, S112 — one who takes it in another status only
            continue
        return {"case_id": str(case.public_id)}
    return None


def _published_case() -> str:
    """A case of the office's town it published (published here when the demo has none)."""
    from zoufang.cases import publication

    office = _office_user("office")
    case = case_access.visible_cases(office).exclude(published_at=None).order_by("pk").first()
    if case is None:
        case = Case.objects.get(public_id=_case_for("office", "reopen")["case_id"])
        publication.publish_case(case, by=office, summary="村道路灯已修复")
    return str(case.public_id)


def _draft() -> dict[str, str]:
    from zoufang.documents.models import Document

    draft = Document.objects.filter(status=Document.Status.DRAFT, campaign__slug="jinxi-2017").order_by("pk").first()
    return {"slug": "jinxi-2017", "public_id": str(draft.public_id)}


def _exemplar(status: str) -> dict[str, str]:
    from zoufang.exemplars.models import Exemplar

    found = Exemplar.objects.filter(status=status, campaign__slug="jinxi-2017").order_by("pk").first()
    return {"slug": "jinxi-2017", "public_id": str(found.public_id)}


def _summary_unit() -> dict[str, str]:
    """A unit of 锦溪镇's campaign whose 工作总结 is in (the matrix's town plants one for every owing unit)."""
    from zoufang.documents.models import Summary

    found = Summary.objects.filter(campaign__slug="jinxi-2017").select_related("unit").order_by("pk").first()
    return {"slug": "jinxi-2017", "unit_id": str(found.unit.public_id)}


def _returned_summary_unit() -> dict[str, str]:
    """A unit of 锦溪镇's campaign whose current 工作总结 the office returned (the matrix's town returns every other)."""
    from zoufang.documents.models import Summary

    found = Summary.objects.filter(campaign__slug="jinxi-2017", returned__isnull=False,
                                   returned__withdrawn_at__isnull=True).select_related("unit").order_by("pk").first()
    return {"slug": "jinxi-2017", "unit_id": str(found.unit.public_id)}


def _summary_version(data: Any, kwargs: dict[str, str]) -> int:
    """The unit's current version as the list over the API reads it."""
    return int(next(row for row in data["units"] if row["unit"]["id"] == kwargs["unit_id"])["current"]["version"])


def _item() -> dict[str, str]:
    from zoufang.ratings.models import SupervisionItem

    item = SupervisionItem.objects.filter(status=SupervisionItem.Status.OPEN).order_by("pk").first()
    return {"slug": item.campaign.slug if hasattr(item, "campaign") else "menghe-dazoufang",
            "public_id": str(item.public_id)}


def _uncalled_sample() -> dict[str, str]:
    """A sample of an open batch the third party's caller calls, not called yet."""
    from zoufang.callbacks import access
    from zoufang.callbacks.models import CallbackBatch, CallbackSample

    caller = _office_user("auditor")
    samples = CallbackSample.objects.filter(batch__status=CallbackBatch.Status.OPEN, outcome="", attempts=None)
    found = next(s for s in samples.select_related("batch").order_by("pk") if access.is_caller(caller, s.batch))
    return {"public_id": str(found.public_id)}


def _unsatisfied_sample() -> dict[str, str]:
    from zoufang.callbacks.models import CallbackSample

    found = next(s for s in CallbackSample.objects.filter(dissatisfied_handled_at=None).order_by("pk")
                 if s.says_unsatisfied)
    return {"public_id": str(found.public_id)}


def _cadre(*, linked: bool) -> dict[str, str]:
    from zoufang.accounts.cadre_accounts import town_cadres

    cadres = town_cadres(_office_user("office")).filter(user__isnull=not linked).exclude(
        user__username="office").order_by("pk")
    return {"public_id": str(cadres.first().public_id)}


def _cadre_row(kwargs: dict[str, str]) -> str:
    """The 干部账号 list found by the cadre's name, as the office looks one up."""
    from zoufang.registry.models import Cadre

    name = Cadre.objects.get(public_id=kwargs["public_id"]).name
    return f"{reverse('cadre_accounts:list')}?q={name}"


# ---------------------------------------------------------------- the pages


@dataclass(frozen=True)
class PageEdit:
    """One way two people edit one record from a page. `subject` gives the POST URL's kwargs (and what `typed` and
    `page` need); `page` where the form is drawn; `having` the hidden fields that pick the form among the page's;
    `typed` what the first user types over the drawn form, `their` what the second types. `other` (a PAGE_EDITS
    name): the change that lands first, when it is not the same form sent from a second browser."""

    role: str
    url: str
    subject: Callable[[], dict[str, str]]
    page: Callable[[dict[str, str]], str]
    typed: dict[str, Any]
    their: dict[str, Any] = field(default_factory=dict)
    having: dict[str, str] = field(default_factory=dict)
    other: str = ""
    draw: str = "GET"  # the privacy page draws its results on a POST of the number
    form_id: str | None = None


def _detail(kwargs: dict[str, str]) -> str:
    return reverse("cases:detail", kwargs={"public_id": kwargs["public_id"]})


def _same(name: str) -> Callable[[dict[str, str]], str]:
    return lambda kwargs: reverse(name, kwargs=kwargs)


def _case_page(action: str, role: str) -> Callable[[], dict[str, str]]:
    def subject() -> dict[str, str]:
        found = _case_for(role, action)
        return {"public_id": found["case_id"], "action": action} if found else {}
    return subject


PAGE_EDITS: dict[str, PageEdit] = {
    "cases:act accept": PageEdit(
        "paichusuo", "cases:act", _case_page("accept", "paichusuo"), _detail, {"accept-note": "签收，马上处理"},
        {"accept-note": "签收"}),
    "cases:publish": PageEdit(
        "office", "cases:publish", lambda: {"public_id": _case_for("office", "reopen")["case_id"]}, _detail,
        {"summary": "村道路灯已修复"}, {"summary": "村道路面已修好"}, having={"unpublish": None}),
    # Withdrawing a publication from a page drawn before another clerk published it again with a new summary.
    "cases:publish (withdraw)": PageEdit(
        "office", "cases:publish", lambda: {"public_id": _published_case()}, _detail, {}, having={"unpublish": "1"},
        other="cases:publish"),
    "documents:detail": PageEdit("office", "documents:detail", _draft, _same("documents:detail"),
                                 {"title": "走访工作简报（甲）"}, {"title": "走访工作简报（乙）"}),
    "documents:issue": PageEdit("office", "documents:issue", _draft, _same("documents:detail"), {},
                                other="documents:detail"),
    "documents:delete": PageEdit("office", "documents:delete", _draft, _same("documents:detail"), {},
                                 other="documents:detail"),
    "documents:issuer": PageEdit(
        "office", "documents:issuer", lambda: {"slug": "jinxi-2017"}, _same("documents:index"),
        {"printed_by": "锦溪镇走访办（甲）"}, {"printed_by": "锦溪镇走访办（乙）"}),
    "exemplars:edit": PageEdit(
        "xuanchuan", "exemplars:edit", lambda: _exemplar("pending"), _same("exemplars:detail"),
        {"title": "入户走访听民声（甲）"}, {"title": "入户走访听民声（乙）"}),
    "exemplars:publish": PageEdit("xuanchuan", "exemplars:publish", lambda: _exemplar("pending"),
                                  _same("exemplars:detail"), {}, other="exemplars:edit"),
    "exemplars:decline": PageEdit("xuanchuan", "exemplars:decline", lambda: _exemplar("pending"),
                                  _same("exemplars:detail"), {"reason": "事迹不够典型"}, other="exemplars:edit"),
    "exemplars:consent": PageEdit(
        "xuanchuan", "exemplars:consent", lambda: _exemplar("pending"), _same("exemplars:detail"),
        {"consent_person": "周梅", "consent_method": "written", "consent_on": "2017-06-15"}, other="exemplars:edit"),
    "ratings:item assign": PageEdit(
        "menghe", "ratings:item", _item, _same("ratings:item"), {"assignee": "menghe", "due_on": "2017-07-20"},
        {"assignee": "menghe", "due_on": "2017-07-10"}, having={"action": "assign"}),
    "ratings:item close": PageEdit("menghe", "ratings:item", _item, _same("ratings:item"), {"result": "已落实整改"},
                                   having={"action": "close"}, other="ratings:item assign"),
    "callbacks:sample call": PageEdit(
        "auditor", "callbacks:sample", _uncalled_sample, _same("callbacks:sample"),
        {"kind": "no_answer", "note": "无人接听"}, {"kind": "no_answer", "note": "占线"}, having={"do": "call"}),
    "callbacks:sample follow_up": PageEdit(
        "office", "callbacks:sample", _unsatisfied_sample, _same("callbacks:sample"),
        {"follow_up-note": "已电话跟进，群众表示理解"}, {"follow_up-note": "已告知走访干部所在单位"},
        having={"do": "follow_up"}),
    # A unit's 工作总结 returned from its page drawn before another clerk returned it (decision 0075).
    "documents:summary_return": PageEdit(
        "office", "documents:summary_return", _summary_unit, _same("documents:summary_unit"),
        {"reason": "缺少典型案例"}, {"reason": "数据与台账不符"}),
    # A return withdrawn from a page drawn before another clerk withdrew it (decision 0080).
    "documents:summary_withdraw_return": PageEdit(
        "office", "documents:summary_withdraw_return", _returned_summary_unit, _same("documents:summary_unit"),
        {"confirm": "on"}, {"confirm": "on"}),
    "cadre_accounts:cadre": PageEdit(
        "office", "cadre_accounts:cadre", lambda: _cadre(linked=True),
        _cadre_row, {"action": "unlink"}, {"action": "unlink"}),
}


def _flags(kwargs: dict[str, str]) -> str:
    return reverse("integrity:flags", kwargs={"slug": kwargs["slug"]})


def _decided_flag() -> dict[str, str]:
    """The campaign's first flag shown, decided (排除) by the office: its decision is what is changed."""
    from zoufang.integrity import services
    from zoufang.integrity.models import ScannedFlag

    flag = ScannedFlag.objects.filter(scan__campaign__slug="jinxi-2017").order_by("pk").first()
    campaign = flag.scan.campaign
    services.decide(_office_user("office"), campaign, flag.key, "电话核实，走访属实")
    return {"slug": campaign.slug, "key": flag.key}


def _resident() -> dict[str, str]:
    """A resident of the office's town found by their phone number, as the office looks one up."""
    from zoufang.accounts import scope
    from zoufang.registry.models import Target

    town = scope.office_paths(_office_user("office"))[0]
    target = Target.objects.filter(region__path__startswith=town).exclude(phone="").order_by("pk").first()
    return {"number": target.phone, "target": str(target.public_id)}


PAGE_EDITS.update({
    # The first decision on a flag, from the list drawn before another clerk decided it.
    "integrity:clear": PageEdit(
        "office", "integrity:clear", lambda: {"slug": "jinxi-2017"}, _flags,
        {"outcome": "cleared", "reason": "电话核实，走访属实"}, {"outcome": "upheld", "reason": "对象称未接受走访"},
        having={"expected": None}),
    # A decision changed (改变核实结论) from the list drawn before another clerk changed it.
    "integrity:clear (revise)": PageEdit(
        "office", "integrity:clear", _decided_flag, lambda kwargs: f"{_flags(kwargs)}?cleared=1", {"reason": "再次核实，对象称未接受走访"},
        {"reason": "复核：对象记错了日期"}, having={"expected": "cleared"}),
    "privacy:correct": PageEdit(
        "office", "privacy:correct", _resident, lambda kwargs: reverse("privacy:index"), {"name": "周梅（更正甲）"},
        {"name": "周梅（更正乙）"}, having={"target": "{target}"}, draw="POST"),
    # Re-issuing the ticked cadres' one-time passwords, from the list drawn before another clerk opened the account.
    "cadre_accounts:list": PageEdit(
        "office", "cadre_accounts:list", lambda: _cadre(linked=False), _cadre_row,
        {"cadre": "{public_id}", "action": "reissue"}, {"cadre": "{public_id}", "action": "open"},
        having={"all": None}, form_id="picked"),
})


def _drawn(client: Client, edit: PageEdit, kwargs: dict[str, str], url: str) -> dict[str, Any]:
    """The form as the page drew it for this user: the one sent to `url` (or to the page itself), picked by
    `having`."""
    page_url = edit.page(kwargs)
    if edit.draw == "POST":
        page = client.post(page_url, {"number": kwargs["number"], "csrfmiddlewaretoken": CSRF})
    else:
        page = client.get(page_url)
    assert page.status_code == 200, f"{edit.role} {edit.draw} {page_url}: {page.status_code}"
    html = page.content.decode()
    having = {name: value.format(**kwargs) for name, value in edit.having.items() if value is not None}
    for action in (url, "") if url == page_url.split("?")[0] else (url,):
        try:
            values = form_values(html, edit.form_id, action=action, having=having)
        except LookupError:
            continue
        if any(value is None and name in values for name, value in edit.having.items()):
            continue  # a form that must not hold this field (the publish page's withdraw button)
        return values
    raise AssertionError(f"{edit.role} GET {page_url}: no form to {url} with {edit.having}")


def _url(edit: PageEdit, kwargs: dict[str, str]) -> str:
    names = {"cases:act": ("public_id", "action"), "cases:publish": ("public_id",), "documents:issuer": ("slug",),
             "integrity:clear": ("slug",), "privacy:correct": (), "cadre_accounts:list": ()}
    wanted = names.get(edit.url)
    return reverse(edit.url, kwargs={k: v for k, v in kwargs.items() if wanted is None or k in wanted})


def _post(client: Client, url: str, values: dict[str, Any]) -> Any:
    return client.post(url, {**values, "csrfmiddlewaretoken": CSRF})


def _said(client: Client, response: Any) -> str:
    """What the answer tells the user: the page drawn again, or the page the redirect opens (its messages)."""
    if 300 <= response.status_code < 400:
        response = client.get(response["Location"])
    return response.content.decode()


def _page_hole(name: str, edit: PageEdit, kwargs: dict[str, str], user: Any) -> str:
    first, second = _client(user), _client(user)
    url = _url(edit, kwargs)
    stale = _drawn(first, edit, kwargs, url)
    other = PAGE_EDITS[edit.other] if edit.other else edit
    other_url = _url(other, kwargs)
    their = {name: value.format(**kwargs) for name, value in other.their.items()}
    landed = _landed(f"{name}: the other change ({other_url})", second, other_url,
                     {**_drawn(second, other, kwargs, other_url), **their})
    typed = {name: value.format(**kwargs) for name, value in edit.typed.items()}
    return landed or _stale_sent(name, first, url, {**stale, **typed})


def _landed(where: str, second: Client, url: str, body: dict[str, Any], wrote: str = "") -> str:
    """The other change sent and kept; what is wrong if it did not land (wrote nothing, or not `wrote`)."""
    landed, traces = _writes_kept(lambda: _post(second, url, body))
    if landed.status_code >= 400 or not traces or (wrote and wrote not in traces):
        return f"{where} did not land: {landed.status_code}, wrote {traces}: {_messages(_said(second, landed))[:300]!r}"
    return ""


def _stale_sent(where: str, first: Client, url: str, body: dict[str, Any]) -> str:
    """The form drawn before the other change, sent: what is wrong if it wrote, or was refused without saying the
    record changed meanwhile."""
    answer, traces = _traced(lambda: _post(first, url, body))
    status = f"{answer.status_code} {answer.get('Location', '')}"
    said = _said(first, answer)
    if traces:
        return f"{where}: the stale edit was saved over the other change: {status}, wrote {traces}"
    if answer.status_code not in (200, 302, 409) or not CHANGED_MEANWHILE.search(_messages(said)):
        return f"{where}: refused ({status}) without saying the record changed: {_messages(said)[:300]!r}"
    return ""


# Where a page tells the user why: the messages (base.html), a notice drawn by the page, a form's errors.
MESSAGE = re.compile(r'<div class="notice[^"]*"[^>]*>(.*?)</div>|<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
TAG = re.compile(r"<[^>]+>")


def _messages(html: str) -> str:
    return " ".join(TAG.sub("", "".join(found)) for found in MESSAGE.findall(html))


def _traced(run: Callable[[], Any]) -> tuple[Any, list[str]]:
    """test_refused_writes' `_writes` (rolled back), where reading a record's numbers in full as the page is drawn
    again (an audit row of a read) is no write."""
    from zoufang.accounts.models import AuditEvent

    reads: set[str] = set()

    def run_and_read() -> Any:
        up_to = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = run()
        reads.update(AuditEvent.objects.filter(seq__gt=up_to).values_list("action", flat=True))
        return response

    response, traces = _writes(run_and_read)
    if reads <= {AuditEvent.Action.READ}:
        traces = [trace for trace in traces if trace not in ("accounts_auditevent", "accounts_auditchain")]
    return response, traces


def _writes_kept(run: Callable[[], Any]) -> tuple[Any, list[str]]:
    """`run()` kept (the other change must land), with the tables it wrote."""
    tables: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        written = re.match(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", sql, re.IGNORECASE)
        if written and written.group(1) not in ("django_session", "accounts_auditevent", "accounts_auditchain"):
            tables.append(written.group(1))
        return execute(sql, params, many, context)

    from django.db import connection

    with connection.execute_wrapper(spy):
        response = run()
    return response, sorted(set(tables))


def _settings(settings: Any, tmp_path: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.MEDIA_ROOT = tmp_path
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


def _holes(edits: dict[str, Any], hole: Callable[[str, Any, dict[str, str], Any], str]) -> list[str]:
    """Each edit tried by its user on its subject, in a transaction of its own rolled back: every edit starts from
    the same town."""
    holes = []
    for name, edit in edits.items():
        with transaction.atomic():
            try:
                kwargs = edit.subject()
                found = hole(name, edit, kwargs, _office_user(edit.role)) if kwargs else \
                    f"{name}: no record in a state this edit takes"
                holes.append(found)
            except (AssertionError, StopIteration, LookupError, AttributeError) as exc:  # no record or form: a hole
                holes.append(f"{name}: {exc!r}")
            transaction.set_rollback(True)
    return [found for found in holes if found]


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_town")
def test_an_edit_from_a_stale_page_is_refused_saying_so_and_writes_nothing(settings, tmp_path):
    _settings(settings, tmp_path)
    holes = _holes(PAGE_EDITS, _page_hole)
    assert not holes, f"{len(holes)} of {len(PAGE_EDITS)} page edits:\n" + "\n".join(holes)


# ---------------------------------------------------------------- the case page's actions

# Each case action's form as the case page draws it (decision 0085): drawn by the user, then a second clerk with the
# same grants (another 走访办 clerk, another handler of the unit) takes the same action from their own page, then the
# user sends their form. A signing leader is one person: the other change is their own from a second tab, its text
# different (the same text would be the same form sent again, told as a repeat: decision 0063). Where the other's
# action would take the case out of the user's reach, another action lands first (CASE_OTHER, as on the API).
CASE_TEXT_CHANGED = "（另一位经办人）"


def _colleague(user: Any) -> Any:
    """A second clerk with the user's grants, made in the edit's rolled-back transaction; the user themself where
    the action is theirs alone (a leader signing as the cadre the case names)."""
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    if getattr(user, "cadre", None) is not None:
        return user
    grants = list(RoleGrant.objects.filter(user=user))
    colleague = ensure_user(f"{user.username}-colleague", PASSWORD, full_name=f"{user.first_name}（同事）")
    RoleGrant.objects.bulk_create([RoleGrant(user=colleague, role=g.role, region=g.region, unit=g.unit)
                                   for g in grants])
    return colleague


def _their_form(body: dict[str, Any]) -> dict[str, Any]:
    """The other clerk's form: their own words in each text box."""
    from zoufang.accounts.tests.test_sent_twice import CASE_TEXTS

    return {name: f"{value}{CASE_TEXT_CHANGED}" if name.split("-")[-1] in CASE_TEXTS else value
            for name, value in body.items()}


def _case_action_hole(op: str, role: str) -> str:
    from zoufang.accounts.tests.test_sent_twice import _case_form
    from zoufang.cases import workflow

    found = _case_for(role, op)
    if found is None:
        return f"{op}: no case {role} takes it on"
    case = Case.objects.get(public_id=found["case_id"])
    user = _office_user(role)
    other_user = _colleague(user)
    first, second = _client(user), _client(other_user)
    action, other = workflow.Action(op.rstrip("_")), workflow.Action(CASE_OTHER.get(op, op).rstrip("_"))
    with transaction.atomic():  # drawing the page reads; what it may audit is not the other change
        stale = _case_form(first, action, case)
        theirs = _their_form(_case_form(second, other, case))
        transaction.set_rollback(True)
    url = reverse("cases:act", kwargs={"public_id": case.public_id, "action": str(action)})
    other_url = reverse("cases:act", kwargs={"public_id": case.public_id, "action": str(other)})
    where = f"{workflow.LABELS[action]} ({op}) by {role} on {case.number} after {other_user.username}'s {other}"
    return _landed(f"{where}: the other change", second, other_url, theirs, "cases_caseevent") or \
        _stale_sent(where, first, url, stale)


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_town")
def test_a_case_action_from_a_stale_page_is_refused_saying_so_and_writes_nothing(settings, tmp_path):
    """Every case action's form sent from the case page drawn before another clerk acted on the case: refused,
    saying what happened meanwhile, writing nothing (decisions 0059, 0085)."""
    _settings(settings, tmp_path)
    holes = []
    for op in CASE_ACTIONS:
        role = next(name for name in ("office", "paichusuo", "jianguansuo", "leader", "city") if name in MAY_WRITE[op])
        with transaction.atomic():
            holes.append(_case_action_hole(op, role))
            transaction.set_rollback(True)
    holes = [hole for hole in holes if hole]
    assert not holes, f"{len(holes)} of {len(CASE_ACTIONS)} case actions from a stale page:\n" + "\n".join(holes)


# ---------------------------------------------------------------- the API


@dataclass(frozen=True)
class ApiEdit:
    """One way two clients edit one record over the API: `subject` the path's kwargs, `read` the GET that returns
    the record's version (URL name and how to find it in the answer), `other` the change that lands first (None:
    the same operation from a second token)."""

    role: str
    subject: Callable[[], dict[str, str] | None]
    read: Callable[[dict[str, str]], str]
    version_of: Callable[[Any, dict[str, str]], int]
    other: Callable[[dict[str, str]], None] | str | None = None


def _case_read(kwargs: dict[str, str]) -> str:
    return reverse("api:get_case", kwargs={"case_id": kwargs["case_id"]})


def _version_field(data: Any, kwargs: dict[str, str]) -> int:
    return int(data["version"])


# Where the same operation sent first would take the record out of the user's reach (a unit's 退单 takes the case
# from it; a leader who refused to sign is no longer its signing leader), so that the stale one is refused as any
# write out of reach is, before its body is read (decision 0044): another change of the case by the same user.
CASE_OTHER = {"return_": "request_extension", "refuse_sign": "sign"}


def _case_edit(op: str) -> ApiEdit:
    role = next(name for name in ("office", "paichusuo", "jianguansuo", "leader", "city")
                if name in MAY_WRITE[op])
    return ApiEdit(role, lambda: _case_for(role, op), _case_read, _version_field, CASE_OTHER.get(op))


def _category(kwargs: dict[str, str]) -> str:
    from zoufang.campaigns.models import CaseCategory

    case = Case.objects.get(public_id=kwargs["case_id"])
    return CaseCategory.objects.filter(campaign=case.campaign_id, parent__isnull=False).order_by("pk").first().code


def _master(kwargs: dict[str, str]) -> str:
    """Another open case of the same campaign the office sees, to merge into."""
    case = Case.objects.get(public_id=kwargs["case_id"])
    open_ = Case.objects.filter(campaign=case.campaign_id, merged_into=None).exclude(pk=case.pk).exclude(
        status__in=[Case.Status.DRAFT, Case.Status.CLOSED]).order_by("pk")
    return str(open_.first().public_id)


# What an edit's body needs beyond test_refused_writes' plausible one to be taken when it is not stale.
BODY_EXTRAS: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
    "register": lambda kw: {"category": _category(kw)},
    "merge": lambda kw: {"master": _master(kw)},
    "edit_exemplar": lambda kw: {"text": "走访干部逐户上门，问题当场记下，件件有回音"},
}


def _doc_kwargs() -> dict[str, str]:
    draft = _draft()
    return {"slug": draft["slug"], "document_id": draft["public_id"]}


def _edit_draft(kwargs: dict[str, str]) -> None:
    from zoufang.documents import services
    from zoufang.documents.models import Document

    document = Document.objects.get(public_id=kwargs["document_id"])
    services.update_draft(document, title=f"{document.title}（修改）", addressee=document.addressee,
                          texts={item["key"]: item["text"] for item in document.sections}, by=_office_user("office"),
                          version=document.version)


def _exemplar_kwargs(status: str) -> Callable[[], dict[str, str]]:
    def subject() -> dict[str, str]:
        found = _exemplar(status)
        return {"slug": found["slug"], "exemplar_id": found["public_id"]}
    return subject


def _edit_exemplar(kwargs: dict[str, str]) -> None:
    from zoufang.exemplars import services
    from zoufang.exemplars.models import Exemplar

    exemplar = Exemplar.objects.get(public_id=kwargs["exemplar_id"])
    services.edit(exemplar, title=f"{exemplar.title}（修改）", text=exemplar.text, by=_office_user("xuanchuan"),
                  version=exemplar.version)


def _item_kwargs() -> dict[str, str]:
    found = _item()
    return {"slug": found["slug"], "item_id": found["public_id"]}


def _item_version(data: Any, kwargs: dict[str, str]) -> int:
    rows = data["items"] if isinstance(data, dict) and "items" in data else data
    return int(next(row for row in rows if row.get("id", row.get("public_id")) == kwargs["item_id"])["version"])


def _assign_item(kwargs: dict[str, str]) -> None:
    import datetime as dt

    from zoufang.ratings import services
    from zoufang.ratings.models import SupervisionItem

    item = SupervisionItem.objects.get(public_id=kwargs["item_id"])
    reach = services.reach_for(_office_user("menghe"), kwargs["slug"])
    services.assign_item(reach, item, by=_office_user("menghe"), version=item.version,
                         assignee=_office_user("menghe"), due_on=item.due_on + dt.timedelta(days=3))


API_EDITS: dict[str, ApiEdit] = {
    **{op: _case_edit(op) for op in CASE_ACTIONS},
    **dict.fromkeys(("delete_draft", "issue_document"), ApiEdit(
        "office", _doc_kwargs, lambda kw: reverse("api:get_document", kwargs=kw), _version_field, _edit_draft)),
    **{op: ApiEdit("xuanchuan", _exemplar_kwargs("pending"), lambda kw: reverse("api:get_exemplar", kwargs=kw),
                   _version_field, _edit_exemplar)
       for op in ("edit_exemplar", "publish_exemplar", "decline_exemplar", "record_consent")},
    **dict.fromkeys(("assign_supervision_item", "close_supervision_item"), ApiEdit(
        "menghe", _item_kwargs, lambda kw: reverse("api:supervision_items", kwargs={"slug": kw["slug"]}),
        _item_version, _assign_item)),
    # A unit's 工作总结 returned, and a return withdrawn, by two clerks reading the same version (decision 0080).
    "return_summary": ApiEdit("office", _summary_unit, lambda kw: reverse("api:list_summaries", kwargs={
        "slug": kw["slug"]}), _summary_version),
    "withdraw_summary_return": ApiEdit("office", _returned_summary_unit, lambda kw: reverse(
        "api:list_summaries", kwargs={"slug": kw["slug"]}), _summary_version),
}


def test_every_write_is_classified():
    """A page form or API write added without saying whether it edits a record fails here (decision 0059)."""
    page_edits = {re.sub(r" \(.*\)$", "", name) for name in PAGE_EDITS}  # "(…)": another way to edit with one form
    for forms, (edits, new, no_conflict) in (
            (set(PAGE_FORMS), (page_edits, NEW_PAGE_FORMS, NO_CONFLICT_PAGE_FORMS)),
            (set(MAY_WRITE), (API_EDITS, NEW_API_WRITES, NO_CONFLICT_API_WRITES))):
        groups = [set(edits), set(new), set(no_conflict)]
        assert sorted(forms - set().union(*groups)) == [], "writes not classified as an edit, new, or no conflict"
        assert sorted(set().union(*groups) - forms) == [], "classified writes that are no longer enumerated"
        assert sum(map(len, groups)) == len(set().union(*groups)), "a write classified twice"


def _finding_kwargs() -> dict[str, str]:
    decided = _decided_flag()
    return {"slug": decided["slug"], "key": decided["key"]}


def _finding_version(data: Any, kwargs: dict[str, str]) -> int:
    rows = data["items"] if isinstance(data, dict) and "items" in data else data
    return int(next(row for row in rows if row["key"] == kwargs["key"])["version"])


def _revise_finding(kwargs: dict[str, str]) -> None:
    from zoufang.integrity import services
    from zoufang.integrity.models import FlagClearance

    decision = FlagClearance.objects.get(key=kwargs["key"])
    services.revise(_office_user("office"), decision.campaign, kwargs["key"], FlagClearance.Outcome.UPHELD,
                    "复核：对象称未接受走访", decision.outcome, version=decision.version)


API_EDITS["record_finding"] = ApiEdit(
    "office", _finding_kwargs, lambda kw: reverse("api:finding_list", kwargs={"slug": kw["slug"]}), _finding_version,
    _revise_finding)
# What each edit's body holds beyond its version (test_refused_writes' plausible bodies), by operation.
API_PATH = {"record_finding": ("slug",)}


def _api_send(client: Client, op: str, url: str, kwargs: dict[str, str], version: int,
              headers: dict[str, str]) -> Any:
    body = API_BODIES[op](Call(kwargs, "in", None, None))  # type: ignore[arg-type]
    if body is None:  # a draft deleted or issued: the version read in If-Match
        headers = {**headers, "HTTP_IF_MATCH": f'"{version}"'}
        method = "DELETE" if op == "delete_draft" else "POST"
        return client.generic(method, url, "", content_type="application/json", **headers)
    if op == "record_finding":
        body = {**body, "key": kwargs["key"], "outcome": "cleared", "reason": "再次核实，走访属实"}
    body = {**body, **(BODY_EXTRAS[op](kwargs) if op in BODY_EXTRAS else {}), "version": version}
    method = "PUT" if op == "edit_exemplar" else "POST"
    return client.generic(method, url, json.dumps(body, ensure_ascii=False), content_type="application/json",
                          **headers)


def _api_hole(op: str, edit: ApiEdit, kwargs: dict[str, str], user: Any) -> str:
    first, second = _api_headers(user), _api_headers(user)
    client = Client()
    path = {k: v for k, v in kwargs.items() if k in API_PATH.get(op, kwargs)}
    url = reverse(f"api:{op}", kwargs=path)
    read = client.get(edit.read(kwargs), **first)
    if read.status_code != 200:
        return f"{op}: {edit.role} could not read the record: {read.status_code}"
    version = edit.version_of(read.json(), kwargs)
    if callable(edit.other):
        edit.other(kwargs)
    else:
        other = edit.other or op
        landed = _api_send(client, other, reverse(f"api:{other}", kwargs=path), kwargs, version, second)
        if landed.status_code >= 300:
            return f"{op}: the other change did not land: {landed.status_code} {landed.content[:200]!r}"
    answer, traces = _traced(lambda: _api_send(client, op, url, kwargs, version, first))
    if traces:
        return f"{op}: the stale edit was saved over the other change: {answer.status_code}, wrote {traces}"
    detail = answer.json().get("detail", "") if answer.get("Content-Type", "").startswith("application/json") else ""
    if answer.status_code != 409 or not CHANGED_MEANWHILE.search(str(detail)):
        return f"{op}: refused with {answer.status_code} without saying the record changed: {answer.content[:300]!r}"
    return ""


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_town")
def test_an_api_edit_of_a_stale_version_is_refused_with_409_and_writes_nothing(settings, tmp_path):
    _settings(settings, tmp_path)
    holes = _holes(API_EDITS, _api_hole)
    assert not holes, f"{len(holes)} of {len(API_EDITS)} API edits:\n" + "\n".join(holes)
