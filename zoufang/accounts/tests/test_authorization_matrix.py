"""Issue 10 item 4: the authorization matrix. Every URL of the URLconf and of docs/openapi.json, for every role,
with in-scope and out-of-scope objects, on the demo with personal numbers planted in every free-text field.

- A URL nobody classified below fails the test: a new endpoint is covered without anyone remembering.
- Out of scope: 404 (or the login wall, 401/403/405 for a page the role never has), never a 2xx.
- Every response (page, JSON, xlsx, docx) is scanned: no object the role may not see appears in it (each planted
  text carries its object's marker), and no full personal number appears unless the role reads that object's
  numbers in full. The expectations are an oracle written here from the README's table, not scope.py's code.
"""

import datetime as dt
import functools
import gc
import io
import itertools
import json
import re
import unicodedata
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from zoufang.accounts.models import ApiToken, AuditEvent, RoleGrant
from zoufang.assessment.models import Assessment
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case, CaseCallback, CaseEvent, CaseReply
from zoufang.conftest import demo_layer
from zoufang.documents.models import Document
from zoufang.forms.models import Form, FormAnswer
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.identifiers import id_number_check_digit
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.visits.models import DiaryEntry, Visit

# Production's engine answers what each role may read and write; the SQLite half leaves it (decision 0046).
pytestmark = pytest.mark.one_database("postgresql")

try:  # the second factor: a session of a role that needs one is verified, as typing a code would
    from zoufang.conftest import verify_session  # type: ignore[attr-defined]
except ImportError:  # a tree without the second factor
    verify_session = None

OPENAPI = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
ROLES = ["office", "leader", "dept", "village", "auditor", "city", "outsider", "paichusuo", "jianguansuo", "anonymous",
         "partner", "fuban", "xuanchuan", "menghe", "menghe_unit", "xinbei"]
# The last three: 孟河镇's office, the handler of its 党政班子 (a unit enterprises rated), and the upper office
# (上级活动办) of 新北区 above it.
Role = RoleGrant.Role
AREA = {Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE, Role.VILLAGE}


# ---------------------------------------------------------------- what each URL is (the classification)

@dataclass(frozen=True)
class Spec:
    """How to call a URL: its path parameters (an object kind, or fixed values), methods, query strings."""

    params: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    methods: tuple[str, ...] = ("GET",)
    queries: tuple[str, ...] = ("",)
    skip_post_for: frozenset[str] = frozenset()  # e.g. the office's plan run: minutes of allocation, tested elsewhere
    skip_for: frozenset[str] = frozenset()  # roles not tried at all, with the reason where the spec is written
    literal: str = ""  # an unnamed pattern (the admin's): its path, as no name can reverse it


GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
NO_CASE = "00000000-0000-4000-8000-000000000000"  # a well-formed case id that names no case
SPECS: dict[str, Spec] = {
    "healthz": Spec(), "login": Spec(methods=BOTH), "logout": Spec(),
    "web:home": Spec(), "web:regions": Spec(), "web:targets": Spec(queries=("", "?page=2")),
    "web:target": Spec({"public_id": "target"}), "web:imports": Spec(methods=BOTH),
    "web:import_template": Spec({"kind": ("households",)}),
    # Confirming a file a background check passed: the requester's own check job only (the matrix's job is a ledger).
    "web:import_checked": Spec({"public_id": "download"}, POST),
    # A chip's × sent with the list's ticks (`drop`, decision 0084): back to the list without the unit, picks kept.
    "cases:list": Spec(queries=("", "?page=2", "?report=filtered",
                                f"?drop=unit&unit={NO_CASE}&pick={NO_CASE}")), "cases:board": Spec(), "cases:hotline": Spec(methods=BOTH),
    "cases:desk": Spec(), "cases:signoff": Spec(),
    # The city office's queue of what towns signed up to it (上报上一级活动办): 404 for every other role.
    "cases:upper": Spec(queries=("", "?state=done")), "cases:upper_xlsx": Spec(methods=POST),
    "api:upper_office_queue": Spec(queries=("", "?state=done")),
    "cases:weekly": Spec(queries=("", "?week=2017-05-08", "?week=2017-05-01&kind=suggestion")),
    "cases:weekly_xlsx": Spec(methods=POST),
    "cases:agenda": Spec(queries=("", "?month=2017-05")), "cases:shared": Spec(queries=("", "?start=2017-05-01")),
    # Opened from 问题办理, carrying the list and its picks back (`list`, decision 0084).
    "cases:detail": Spec({"public_id": "case"}, queries=("", f"?list=q%3Dx%26pick%3D{NO_CASE}")), "cases:publish": Spec({"public_id": "case"}, POST),
    "cases:act": Spec({"public_id": "case", "action": ("accept",)}, POST),
    "planning:overview": Spec(), "planning:apply": Spec(methods=POST, skip_post_for=frozenset({"office"})),
    # The office's whole-town tables take 30 s; the office reads everything in its town in full anyway.
    # Downloads are asked for by POST and built in the background (zoufang/jobs): the answer is the job's page.
    "planning:export": Spec({"fmt": ("xlsx", "docx")}, POST, skip_for=frozenset({"office"})), "planning:unit": Spec({"public_id": "unit"}),
    "planning:unit_walk_lists": Spec({"public_id": "unit", "fmt": ("xlsx", "docx")}, POST),
    "planning:pin": Spec({"public_id": "assignment"}, POST),
    "visits:my_list": Spec(), "visits:submit": Spec(methods=POST),
    "visits:my_summary": Spec(queries=("", "?village=other", "?q=路")), "visits:cards": Spec(),
    "visits:diary": Spec(methods=BOTH), "visits:my_ledger": Spec(), "visits:service_worker": Spec(),
    "visits:manifest": Spec(), "visits:office": Spec(), "visits:form_upload": Spec(methods=POST),
    "visits:form_preview": Spec({"key": "form"}), "visits:form_template": Spec({"key": "form"}),
    "visits:form_answers": Spec({"key": "form"}, POST), "visits:visit": Spec({"public_id": "visit"}),
    "visits:upload_photo": Spec({"public_id": "visit"}, POST),
    "visits:photo": Spec({"public_id": "visit", "photo_id": "photo"}),
    "visits:unit_ledger": Spec({"public_id": "unit"}, POST),
    # 我的下载: the requester's own jobs only (an office's built ledger is planted; everyone else gets 404).
    "jobs:list": Spec(), "jobs:detail": Spec({"public_id": "download"}), "jobs:status": Spec({"public_id": "download"}),
    "jobs:file": Spec({"public_id": "download"}), "jobs:retry": Spec({"public_id": "download"}, POST),
    # The same jobs over the API (what an operation answering 202 queued): the requester's own only.
    "api:get_job": Spec({"job_id": "download"}), "api:get_job_file": Spec({"job_id": "download"}),
    "api:retry_job": Spec({"job_id": "download"}),
    "open311-services": Spec({"fmt": ("json", "xml")}), "open311-service": Spec({"code": ("1.1",), "fmt": ("json",)}),
    "open311-requests": Spec({"fmt": ("json", "xml")}, BOTH, queries=("", "?status=closed")),
    "open311-request": Spec({"request_id": "case", "fmt": ("json", "xml")}),
    "open311-discovery": Spec({"fmt": ("json", "xml")}), "open311-token": Spec({"token_id": ("1",), "fmt": ("json",)}),
    "open311-unknown": Spec({"rest": ("no-such.json", "requests.csv")}, BOTH),
    # The JSON API: methods come from docs/openapi.json; these give the path parameters.
    "api:openapi-json": Spec(), "api:openapi-view": Spec(), "api:api-root": Spec(),
    "api:get_target": Spec({"target_id": "target"}), "api:get_visit": Spec({"visit_id": "visit"}),
    "api:post_photo": Spec({"visit_id": "visit"}), "api:get_form": Spec({"key": "form"}),
    "api:list_answers": Spec({"key": "form"}), "api:export_answers": Spec({"key": "form"}),
    "api:list_cases": Spec(queries=("", "?page=2")), "api:list_targets": Spec(queries=("", "?page=2")),
    "api:plan_check": Spec({"slug": "campaign"}), "api:plan_check_problems": Spec({"slug": "campaign"}),
    # 重新计算 the stored plan proof: the office's own campaign, queued (page: the job's page; API: 202).
    "api:plan_check_run": Spec({"slug": "campaign"}), "planning:check": Spec(methods=POST),
    # A user's own sign-in: the second factor, the password, the API tokens (their own, never another's).
    "accounts:two_factor": Spec(methods=BOTH), "accounts:password": Spec(methods=BOTH), "accounts:tokens": Spec(),
    "accounts:revoke_token": Spec({"public_id": "token"}, POST), "api:revoke_token": Spec({"token_id": "token"}),
    "api:plan_run": Spec({"slug": "campaign"}, skip_post_for=frozenset({"office"})),
    # Oversight: the campaign's figures, scoped as the pages are (whole campaign for the office and leaders).
    "oversight:dashboard": Spec({"slug": "oversight"}), "oversight:unit": Spec({"slug": "oversight", "unit_id": "unit"}),
    # GET: the first rows; POST: every row as xlsx, built in the background (the answer is the job's page).
    "oversight:rows": Spec({"slug": "oversight"}, BOTH, queries=("", "?what=visits", "?what=cases", "?what=unnamed")),
    "oversight:xlsx": Spec({"slug": "oversight", "key": ("coverage-village",)}),
    "oversight:xlsx_all": Spec({"slug": "oversight"}, POST),
    "oversight:full_coverage": Spec({"slug": "oversight"}), "oversight:full_coverage_xlsx": Spec({"slug": "oversight"}),
    "oversight:full_coverage_rows": Spec({"slug": "oversight"}, BOTH, queries=("?requirement=households&gap=unvisited",)),
    "api:full_coverage": Spec({"slug": "oversight"}),
    "api:full_coverage_rows": Spec({"slug": "oversight"}, queries=("?requirement=households&gap=unvisited",)),
    "api:coverage": Spec({"slug": "oversight"}), "api:behind": Spec({"slug": "oversight"}),
    "api:unnamed": Spec({"slug": "oversight"}, queries=("", "?by=village")),
    "api:cases": Spec({"slug": "oversight"}), "api:rows": Spec({"slug": "oversight"}, queries=("", "?what=visits")),
    # The city office's towns side by side: its own county (or city) only.
    "oversight:city": Spec({"region_id": "city_region"}, queries=("", "?sort=overdue")),
    "oversight:city_xlsx": Spec({"region_id": "city_region", "key": ("towns",)}),
    "oversight:city_xlsx_all": Spec({"region_id": "city_region"}, POST),
    "api:towns": Spec({"region_id": "city_region"}),
    # A unit's own blocks across every town where it holds quotas (an upper-level unit's home): its handlers only.
    "oversight:units": Spec(methods=BOTH), "api:units": Spec(),
    # Documents: the office of the campaign's area writes, its leaders and assessors read what was issued.
    "documents:index": Spec({"slug": "documents"}, queries=("", "?kind=special&subject=cases&numbers=0000ABCD")), "documents:generate": Spec({"slug": "documents"}, POST),
    # A 专报 from picked cases (decision 0079): the case list's boxes, its filtered list, a case's own page.
    "documents:picked": Spec(queries=("", "?report=filtered", f"?report=picked&pick={NO_CASE}")),
    "documents:issuer": Spec({"slug": "documents"}, POST),
    # The units' 工作总结 (decision 0071): the list and its xlsx as the documents; a unit's page, its form and its
    # files for the unit's handlers and the campaign's readers (the form for the handlers only).
    "documents:summaries": Spec({"slug": "documents"}), "documents:summaries_xlsx": Spec({"slug": "documents"}),
    "documents:summary_unit": Spec({"slug": "summaries", "unit_id": "summary_unit"}),
    "documents:summary_hand_in": Spec({"slug": "summaries", "unit_id": "summary_unit"}, POST),
    "documents:summary_return": Spec({"slug": "summaries", "unit_id": "summary_unit"}, POST),
    "documents:summary_withdraw_return": Spec({"slug": "summaries", "unit_id": "summary_unit"}, POST),
    "documents:summary_file": Spec({"slug": "summaries", "public_id": "summary"}),
    # The same over the API (decision 0073): the list as the page's readers read it, each file as the page gives it.
    "api:list_summaries": Spec({"slug": "summaries"}),
    "api:download_summary": Spec({"slug": "summaries", "summary_id": "summary"}),
    **{f"api:{name}": Spec({"slug": "summaries", "unit_id": "summary_unit"})
       for name in ("return_summary", "withdraw_summary_return")},
    "documents:detail": Spec({"slug": "documents", "public_id": "document"}, BOTH),
    "documents:issue": Spec({"slug": "documents", "public_id": "document"}, POST),
    "documents:download": Spec({"slug": "documents", "public_id": "document"}),
    "documents:delete": Spec({"slug": "documents", "public_id": "document"}, POST),
    "api:list_documents": Spec({"slug": "documents"}, queries=("", "?drafts=true")),
    "api:generate_draft": Spec({"slug": "documents"}),
    "api:get_document": Spec({"slug": "documents", "document_id": "document"}),
    "api:delete_draft": Spec({"slug": "documents", "document_id": "document"}),
    "api:download_document": Spec({"slug": "documents", "document_id": "document"}),
    "api:issue_document": Spec({"slug": "documents", "document_id": "document"}),
    # A draft's Word is rendered in the background (POST, the job's page); an issued one goes to its stored file.
    "documents:preview": Spec({"slug": "documents", "public_id": "document"}, POST),
    # Callbacks (回访抽查): the office's batches and results; the third party's batches, samples and phone reveal.
    "callbacks:index": Spec(methods=BOTH), "callbacks:batch": Spec({"public_id": "callback_batch"}),
    "callbacks:xlsx": Spec({"public_id": "callback_batch"}, POST), "callbacks:close": Spec({"public_id": "callback_batch"}, POST),
    "callbacks:sample": Spec({"public_id": "callback_sample"}, BOTH),
    "callbacks:reveal": Spec({"public_id": "callback_sample"}, POST),
    # The office's list of the people not satisfied with their visit (the office and city office of the area only).
    "callbacks:dissatisfied": Spec(),
    "api:batch_results": Spec({"batch_id": "callback_batch"}), "api:list_samples": Spec({"batch_id": "callback_batch"}),
    "api:upheld": Spec(queries=("?campaign=jinxi-2017&starts_on=2017-05-01&ends_on=2017-05-31",)),
    # 考核: read by the office, leaders, assessors of the campaign's area; run, adjusted, frozen by assessors only.
    "assessment:index": Spec(), "assessment:campaign": Spec({"slug": "oversight"}),
    # A unit's and a cadre's own scores in frozen assessments (their own only; the matrix's run is a draft).
    "assessment:my_scores": Spec(), "assessment:my_score": Spec({"score_id": "score"}),
    "assessment:run": Spec({"slug": "oversight"}, POST),
    "assessment:detail": Spec({"slug": "oversight", "public_id": "assessment"}, queries=("", "?level=cadre")),
    "assessment:freeze": Spec({"slug": "oversight", "public_id": "assessment"}, POST),
    "assessment:xlsx": Spec({"slug": "oversight", "public_id": "assessment"}, POST),
    "assessment:score": Spec({"slug": "oversight", "public_id": "assessment", "score_id": "score"}),
    "assessment:adjust": Spec({"slug": "oversight", "public_id": "assessment", "score_id": "score"}, POST),
    "api:list_assessments": Spec({"slug": "oversight"}), "api:run_assessment": Spec({"slug": "oversight"}),
    "api:get_assessment": Spec({"slug": "oversight", "assessment_id": "assessment"}, queries=("", "?level=village")),
    "api:adjust_score": Spec({"slug": "oversight", "assessment_id": "assessment"}),
    "api:freeze_assessment": Spec({"slug": "oversight", "assessment_id": "assessment"}),
    # Integrity flags: the office, leaders and assessors of the campaign's area only (never a cadre, a unit's
    # handler or the third party); clearing is the office's, a leader's attempt is refused with a message.
    "integrity:flags": Spec({"slug": "integrity"}, queries=("", "?cleared=1&from=2017-05-01&to=2017-06-30")),
    "integrity:clear": Spec({"slug": "integrity"}, POST), "integrity:xlsx": Spec({"slug": "integrity"}, POST),
    # 计算 / 重新计算 (a job computing the stored flags): every reader of the flags may ask; 404 for everyone else.
    "integrity:scan": Spec({"slug": "integrity"}, POST), "api:scan_flags": Spec({"slug": "integrity"}),
    "api:flag_list": Spec({"slug": "integrity"}, queries=("", "?cleared=true&starts_on=2017-05-01")),
    # The office's findings (查实 / 排除) over the API: read like the flags, recorded by the office only (403 for a
    # leader, assessor or city office of the area).
    "api:finding_list": Spec({"slug": "integrity"}, queries=("", "?outcome=upheld")),
    "api:record_finding": Spec({"slug": "integrity"}),
    # 典型: nominated from a visit or a case by those who may (404 for others); published ones read by the campaign's
    # office, leaders, assessors, city office, 宣传报道组, villages, units and cadres; drafts by the 宣传报道组, the
    # office and the nominator; edited, published and declined by the 宣传报道组 only.
    "exemplars:index": Spec(), "exemplars:nominate_visit": Spec({"public_id": "visit"}, BOTH),
    "exemplars:nominate_case": Spec({"public_id": "case"}, BOTH),
    "exemplars:list": Spec({"slug": "exemplars"}, queries=("", "?kind=solved")),
    "exemplars:xlsx": Spec({"slug": "exemplars"}), "exemplars:queue": Spec({"slug": "exemplars"}),
    "exemplars:detail": Spec({"slug": "exemplars", "public_id": "exemplar"}),
    **{f"exemplars:{name}": Spec({"slug": "exemplars", "public_id": "exemplar"}, POST)
       for name in ("edit", "publish", "decline", "consent")},
    "api:list_exemplars": Spec({"slug": "exemplars"}, queries=("", "?status=pending")),
    **{f"api:{name}": Spec({"slug": "exemplars", "exemplar_id": "exemplar"}) for name in (
        "get_exemplar", "edit_exemplar", "publish_exemplar", "decline_exemplar", "record_consent")},
    # 组织机构与工作机制 (decision 0076): every account that sees the campaign reads it; 404 for any other.
    "campaigns:organisation_index": Spec(queries=("", "?campaign=menghe-dazoufang")),
    "campaigns:organisation": Spec({"slug": "organisation"}), "api:get_organisation": Spec({"slug": "organisation"}),
    # 企业评价 (附件2-2) and its 督查 items: every department for the office, leaders, assessors and the city office of
    # the campaign's area; a unit's handlers their own unit; items changed by the office only.
    "ratings:overview": Spec({"slug": "oversight"}), "ratings:xlsx": Spec({"slug": "oversight"}),
    "ratings:unit": Spec({"slug": "oversight", "unit_id": "unit"}),
    "ratings:item": Spec({"slug": "oversight", "public_id": "rating_item"}, BOTH),
    "api:rating_units": Spec({"slug": "oversight"}), "api:supervision_items": Spec({"slug": "oversight"}),
    "api:rating_unit": Spec({"slug": "oversight", "unit_id": "unit"}),
    "api:rating_unit_comments": Spec({"slug": "oversight", "unit_id": "unit"}),
    "api:assign_supervision_item": Spec({"slug": "oversight", "item_id": "rating_item"}),
    "api:close_supervision_item": Spec({"slug": "oversight", "item_id": "rating_item"}),
    # A resident's request (个人信息保护法): the office of the area only, the number in the body (404 for every other
    # role); an empty form is refused with the rule, no record is read.
    "privacy:index": Spec(methods=BOTH), "privacy:copy": Spec(methods=POST), "privacy:erase": Spec(methods=POST),
    "privacy:lift": Spec(methods=POST), "privacy:correct": Spec(methods=POST),
    # The audit administrator's log (404 for every other role) and the site's icon.
    "audit:log": Spec(queries=("", "?action=login")), "web:favicon": Spec(),
    # 干部账号: the office links its own town's cadres to accounts and opens accounts for them (404 for every other role).
    "cadre_accounts:list": Spec(methods=BOTH), "cadre_accounts:cadre": Spec({"public_id": "cadre"}, POST),
    **{f"api:{name}": Spec({"case_id": "case"}) for name in (
        "register", "dispatch", "accept", "return_", "request_extension", "approve_extension", "refuse_extension",
        "resolve", "escalate", "sign", "refuse_sign", "explain", "reply", "callback", "close", "reopen", "merge",
        "get_case", "upper_accept", "upper_return")},
}
# API routes without path parameters need no entry beyond their name.
PLAIN_API = {"api:obtain_token", "api:refresh_token", "api:list_tokens", "api:list_regions", "api:list_units", "api:list_cadres", "api:list_my_targets",
             "api:post_visit", "api:list_forms", "api:receive", "api:list_batches", "api:nominate"}
ADMIN_OBJECT = re.compile(r"^admin:(\w+?)_(\w+)_(change|history|delete)$")
ADMIN_PLAIN = re.compile(r"^admin:(\w+?)_(\w+)_(changelist|add)$|^admin:(index|login|password_change|"
                         r"password_change_done|jsi18n|autocomplete)$")
ADMIN_OTHER = {"admin:logout": Spec(), "admin:auth_user_password_change": Spec({"id": ("1",)}), "admin:app_list": Spec({"app_label": ("registry", "cases", "accounts")}),
               "admin:view_on_site": Spec({"content_type_id": ("1",), "object_id": ("1",)})}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield (namespace + pattern.name if pattern.name else f"<unnamed {prefix}{pattern.pattern}>",
                   prefix + str(pattern.pattern))


def _openapi_methods() -> dict[str, set[str]]:
    """{'/api/v1/visits/{visit_id}': {'GET'}, …} from the committed OpenAPI document."""
    paths = json.loads(OPENAPI.read_text())["paths"]
    return {path: {m.upper() for m in ops if m in ("get", "post", "put", "patch", "delete")} for path, ops in paths.items()}


def _as_openapi(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@functools.cache  # the URLconf and the OpenAPI document do not change during a run; each role's test reads them
def classify() -> tuple[tuple[tuple[str, str, Spec], ...], tuple[str, ...]]:
    """Every URL with its spec, and the URLs nobody classified (each one fails the test)."""
    openapi = _openapi_methods()
    seen_api: set[str] = set()
    classified, unknown = [], []
    for name, route in _walk(get_resolver().url_patterns):
        spec = SPECS.get(name) or ADMIN_OTHER.get(name)
        if spec is None and name.startswith("<unnamed admin/"):  # the admin's redirects and its catch-all
            spec = Spec(literal="/" + re.sub(r"<path:object_id>", "1", route).replace("(?P<url>.*)$", "no-such-page/"))
        if spec is None and (ADMIN_PLAIN.match(name) or (name in PLAIN_API)):
            spec = Spec()
        if spec is None and ADMIN_OBJECT.match(name):
            # A delete page lists every related object: for a campaign, the whole demo (90 s); its access is the
            # admin's, so an id that is not there tests it; the change and history pages show a real object.
            spec = Spec({"object_id": ("0",) if name.endswith("_delete") else "admin_object"})
        if spec is None:
            unknown.append(f"{name} ({route})")
            continue
        if name.startswith("api:") and name not in ("api:openapi-json", "api:openapi-view", "api:api-root"):
            path = _as_openapi(route)
            if path not in openapi:
                unknown.append(f"{name} ({route}): not in docs/openapi.json")
                continue
            seen_api.add(path)
            spec = Spec(spec.params, tuple(sorted(openapi[path])), spec.queries, spec.skip_post_for, spec.skip_for,
                        spec.literal)
        classified.append((name, route, spec))
    unknown += [f"{path}: in docs/openapi.json, not in the URLconf" for path in set(openapi) - seen_api]
    return tuple(classified), tuple(unknown)


# ---------------------------------------------------------------- planting numbers and markers

NUMBER_FORMATS: list[Callable[[str], str]] = [
    lambda d: f"{d[:3]} {d[3:7]} {d[7:]}", lambda d: f"{d[:3]}-{d[3:7]}-{d[7:]}",
    lambda d: unicodedata.normalize("NFKC", d).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
    lambda d: f"{d[:3]}.{d[3:7]}.{d[7:]}", lambda d: d,
]


@dataclass
class Plant:
    """What was planted: a full number (digits only) → the object it belongs to; marker → object."""

    numbers: dict[str, tuple[str, int]] = field(default_factory=dict)
    registered: set[str] = field(default_factory=set)  # of those, a record's own phone or ID field: a read to audit
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def text(self, kind: str, pk: int) -> str:
        n = next(self.counter)
        phone = f"139{n:08d}"
        first17 = f"3205831975{n:07d}"
        id_number = first17 + id_number_check_digit(first17)
        self.numbers[phone] = self.numbers[id_number] = (kind, pk)
        typed_phone = NUMBER_FORMATS[n % len(NUMBER_FORMATS)](phone)
        typed_id = " ".join(id_number[i:i + 4] for i in range(0, 18, 4))
        return f"〔{kind}#{pk}〕电话{typed_phone}，身份证{typed_id}"


def _update(model: Any, fields: list[str], rows: list[list[Any]]) -> None:
    """One UPDATE per row, sent as one batch: bulk_update's CASE WHEN is minutes on the demo's 17,000 targets."""
    table = model._meta.db_table
    columns = ", ".join(f"{model._meta.get_field(f).column} = %s" for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {columns} WHERE id = %s", rows)  # noqa: S608 — our own names


def _plant(plant: Plant) -> None:
    """Personal numbers and an object marker in every free-text field of every visit, case, answer, diary and
    target; the registered phone and ID numbers of targets and hotline raisers are known numbers too."""
    _update(Visit, ["summary", "co_visitors"], [
        [f"{summary}{plant.text('visit', pk)}", plant.text("visit", pk)[:200], pk]
        for pk, summary in Visit.objects.values_list("pk", "summary")])
    _update(FormAnswer, ["data"], [
        [json.dumps({**{k: (f"{v}{plant.text('visit', visit_id)}" if isinstance(v, str) else v) for k, v in data.items()},
                     "planted_note": plant.text("visit", visit_id)}, ensure_ascii=False), pk]
        for pk, visit_id, data in FormAnswer.objects.values_list("pk", "visit_id", "data")])
    texts = ["description", "resolution", "explanation", "extension_reason", "escalation_reason"]
    _update(Case, texts, [[f"{value}{plant.text('case', pk)}" for value in values] + [pk]
                          for pk, *values in Case.objects.values_list("pk", *texts)])
    for model, name in ((CaseReply, "content"), (CaseCallback, "note"), (CaseEvent, "note")):
        _update(model, [name], [[f"{value}{plant.text('case', case_id)}", pk]
                                for pk, case_id, value in model.objects.values_list("pk", "case_id", name)])
    _update(DiaryEntry, ["text"], [[f"{text}{plant.text('diary', pk)}", pk]
                                   for pk, text in DiaryEntry.objects.values_list("pk", "text")])
    # The units' 工作总结: the note a unit's handler types, the reason the office gives for a return.
    from zoufang.documents.models import Summary, SummaryReturn

    _update(Summary, ["note"], [[plant.text("summary", pk), pk] for pk in Summary.objects.values_list("pk", flat=True)])
    returns = SummaryReturn.objects.values_list("pk", "summary_id", "reason")
    _update(SummaryReturn, ["reason"], [[f"{reason}{plant.text('summary', summary)}", pk] for pk, summary, reason in returns])
    # What a person told the third party on a callback: their words as the caller recorded them (the script's
    # choices, ASCII codes such as "no" or "unsatisfied", stay as they are: they decide what the office may do next).
    _update(CallbackSample, ["answers"], [
        [json.dumps({**{k: (f"{v}{plant.text('callback', pk)}" if isinstance(v, str) and not v.isascii() else v)
                        for k, v in answers.items()}, "planted_note": plant.text("callback", pk)}, ensure_ascii=False), pk]
        for pk, answers in CallbackSample.objects.exclude(answers={}).values_list("pk", "answers")])
    rows = []
    for pk, description, phone, id_number in Target.objects.values_list("pk", "description", "phone", "id_number"):
        rows.append([f"{description}{plant.text('target', pk)}", pk])
        for number in (phone, id_number):
            if number:
                plant.numbers[number] = ("target", pk)
                plant.registered.add(number)
    _update(Target, ["description"], rows)
    for pk, phone in Case.objects.exclude(raiser_phone="").values_list("pk", "raiser_phone"):
        plant.numbers[phone] = ("case", pk)
        plant.registered.add(phone)


# ---------------------------------------------------------------- the oracle: who may see what

@dataclass
class Who:
    name: str
    user: Any = None
    area: list[str] = field(default_factory=list)  # region paths of the area roles
    identity: list[str] = field(default_factory=list)  # office and village: full numbers of their area
    office: list[str] = field(default_factory=list)
    ledgers: list[str] = field(default_factory=list)  # office, leader, assessor: units' records
    figures: list[str] = field(default_factory=list)  # office, leader, assessor, city office: campaigns' figures
    city: list[str] = field(default_factory=list)  # the city office: its towns side by side
    cadre_id: int | None = None
    assigned: set[int] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    partner_region: str | None = None
    callers: list[tuple[str, int | None]] = field(default_factory=list)  # auditor grants: (region path, unit)
    revealable: set[int] = field(default_factory=set)  # targets of the open callback batches it calls for
    callback_batches: set[int] = field(default_factory=set)  # the callback batches it sees
    calls: set[int] = field(default_factory=set)  # those it calls for (the third party)
    publicity: list[str] = field(default_factory=list)  # 宣传报道组: the 典型 of its area, no target

    @staticmethod
    def under(path: str, paths: list[str]) -> bool:
        return any(path.startswith(p) for p in paths)


class Oracle:
    """Loads the demo once and answers: may `who` see object (kind, pk)? read its numbers in full?"""

    def __init__(self) -> None:
        self._samples: dict[tuple[str, str | None, str], tuple[Any, Any]] = {}
        self.target_path = dict(Target.objects.values_list("pk", "region__path"))
        self.target_units = defaultdict(set)
        for target_id, unit_id in Assignment.objects.values_list("target_id", "unit_id"):
            self.target_units[target_id].add(unit_id)
        self.target_case_units: dict[int, set[int]] = defaultdict(set)  # units handling a case a target raised
        self.target_case_paths: dict[int, list[str]] = defaultdict(list)
        self.visits = {v["pk"]: v for v in Visit.objects.values("pk", "target_id", "cadre_id", "cadre__unit_id")}
        self.cases: dict[int, dict[str, Any]] = {}
        for c in Case.objects.values("pk", "region__path", "campaign__scope__path", "unit_id", "signoff_leader_id",
                                     "target_id", "source_visit__cadre_id", "published_at"):
            c["path"] = c["region__path"] or c["campaign__scope__path"]
            c["co"] = set()
            self.cases[c["pk"]] = c
            if c["target_id"]:
                self.target_case_units[c["target_id"]].add(c["unit_id"])
                self.target_case_paths[c["target_id"]].append(c["path"])
        for case_id, unit_id in Case.co_handlers.through.objects.values_list("case_id", "unit_id"):
            self.cases[case_id]["co"].add(unit_id)
        self.diary = {d["pk"]: d for d in DiaryEntry.objects.values("pk", "cadre_id", "cadre__unit_id",
                                                                   "cadre__unit__region__path")}
        from zoufang.documents.models import Summary

        self.summaries = {pk: (unit_id, path) for pk, unit_id, path
                          in Summary.objects.values_list("pk", "unit_id", "campaign__scope__path")}
        self.callback_samples = {pk: (batch_id, target_id) for pk, batch_id, target_id
                                 in CallbackSample.objects.values_list("pk", "batch_id", "visit__target_id")}

    def who(self, name: str, user: Any, partner_region: str | None = None) -> Who:
        who = Who(name, user, partner_region=partner_region)
        if user is None:
            return who
        for grant in RoleGrant.objects.filter(user=user).select_related("region"):
            path = grant.region.path if grant.region else None
            if grant.role in AREA and path:
                who.area.append(path)
            if grant.role in (Role.OFFICE, Role.VILLAGE) and path:
                who.identity.append(path)
            if grant.role == Role.OFFICE and path:
                who.office.append(path)
            if grant.role in (Role.OFFICE, Role.LEADER, Role.ASSESSOR) and path:
                who.ledgers.append(path)
            if grant.role in (Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE) and path:
                who.figures.append(path)
            if grant.role == Role.CITY_OFFICE and path:
                who.city.append(path)
            if grant.role == Role.PUBLICITY and path:
                who.publicity.append(path)
            if grant.role == Role.UNIT_HANDLER and grant.unit_id:
                who.units.add(grant.unit_id)
            if grant.role == Role.AUDITOR and path:
                who.callers.append((path, grant.unit_id))
        who.revealable = self.revealable(who)
        who.callback_batches, who.calls = self.batches(who)
        cadre = getattr(user, "cadre", None) if hasattr(user, "cadre") else None
        if cadre is not None:
            who.cadre_id = cadre.pk
            who.assigned = set(Assignment.objects.filter(cadre=cadre).values_list("target_id", flat=True))
        return who

    def sees(self, who: Who, kind: str, pk: int) -> bool:
        if kind == "target":
            return (Who.under(self.target_path[pk], who.area) or pk in who.assigned
                    or bool(self.target_units[pk] & who.units))
        if kind == "visit":
            v = self.visits[pk]
            return (Who.under(self.target_path[v["target_id"]], who.area) or v["cadre_id"] == who.cadre_id
                    or v["target_id"] in who.assigned or v["cadre__unit_id"] in who.units)
        if kind == "case":
            c = self.cases[pk]
            if who.partner_region is not None:
                return c["path"].startswith(who.partner_region)
            return (self._handles(who, c) or c["target_id"] in who.assigned
                    or (who.cadre_id is not None and who.cadre_id == c["source_visit__cadre_id"]))
        if kind == "diary":
            d = self.diary[pk]
            return (d["cadre_id"] == who.cadre_id or d["cadre__unit_id"] in who.units
                    or Who.under(d["cadre__unit__region__path"] or "", who.ledgers))
        if kind == "summary":  # its unit's handlers; the campaign's readers (decision 0071)
            unit_id, path = self.summaries[pk]
            return unit_id in who.units or Who.under(path, who.figures)
        if kind == "callback":  # a callback's answers: the batch's readers (its office, city office and caller)
            return self.callback_samples[pk][0] in who.callback_batches
        raise AssertionError(kind)

    def opens(self, who: Who, kind: str, pk: int) -> bool:
        """May `who` open the object's own page and API record? As `sees`, but for a case: a visiting cadre reads the
        words and status of the opinions it collected and of its targets' open cases where it works (the visit's
        page, 我的走访; README: `dept`), not the case's page, which is its handlers', its signing leader's and its
        area's."""
        if kind == "case" and who.partner_region is None:
            return self._handles(who, self.cases[pk])
        return self.sees(who, kind, pk)

    @staticmethod
    def _handles(who: Who, c: dict[str, Any]) -> bool:
        """The case's area, its handling and co-handling units, its signing leader: who opens its page."""
        return (Who.under(c["path"], who.area) or c["unit_id"] in who.units or bool(c["co"] & who.units)
                or (who.cadre_id is not None and who.cadre_id == c["signoff_leader_id"]))

    def batches(self, who: Who) -> tuple[set[int], set[int]]:
        """(batches the role sees: the office's of its area, the third party's of its unit; those it calls for)."""
        seen, calls = set(), set()
        for batch in CallbackBatch.objects.select_related("campaign__scope"):
            path = batch.campaign.scope.path
            if any(path.startswith(p) and unit == batch.caller_id for p, unit in who.callers):
                calls.add(batch.pk)
            if Who.under(path, who.office) or Who.under(path, who.city):  # the town's office, or its city office
                seen.add(batch.pk)
        return seen | calls, calls

    def revealable(self, who: Who) -> set[int]:
        """Targets whose phone the third party reads in full (by an audited reveal) while its batch is open."""
        _seen, calls = self.batches(who)
        return set(CallbackSample.objects.filter(batch_id__in=calls, batch__status=CallbackBatch.Status.OPEN)
                   .values_list("visit__target_id", flat=True))

    def full(self, who: Who, kind: str, pk: int, number: str) -> bool:
        """May `who` read this planted (or registered) number in full?"""
        if kind == "target" and len(number) == 11 and pk in who.revealable:
            return True
        if kind == "target":
            path = self.target_path[pk]
            # The office and village of the area; the cadre assigned (the phone, to arrange the visit); the office
            # of a case the target raised and the unit handling it (the phone, to call back).
            return Who.under(path, who.identity) or (len(number) == 11 and (
                pk in who.assigned or bool(self.target_case_units[pk] & who.units)
                or any(Who.under(p, who.office) for p in self.target_case_paths[pk])))
        if kind == "visit":
            return Who.under(self.target_path[self.visits[pk]["target_id"]], who.identity)
        if kind == "case":
            c = self.cases[pk]
            return who.partner_region is None and (Who.under(c["path"], who.office) or c["unit_id"] in who.units)
        if kind == "callback":  # the caller who heard them; else whoever reads the target's numbers in full
            batch_id, target_id = self.callback_samples[pk]
            return batch_id in who.calls or Who.under(self.target_path[target_id], who.identity)
        return False  # a diary, a unit's summary (decision 0073): nobody but a superuser

    def sample(self, who: Who, kind: str) -> tuple[Any, Any]:
        """(an object of this kind the role may see, one it may not), either None when there is none; the same
        throughout a role's run (every request's writes are rolled back), so found once for each kind."""
        key = (who.name, who.partner_region, kind)
        if key not in self._samples:
            self._samples[key] = self._sample(who, kind)
        return self._samples[key]

    def _sample(self, who: Who, kind: str) -> tuple[Any, Any]:
        if kind in ("target", "visit", "case"):
            model = {"target": Target, "visit": Visit, "case": Case}[kind]
            pks = {"target": self.target_path, "visit": self.visits, "case": self.cases}[kind]
            # In: one whose page the role opens; out: one it may not see at all.
            inside = next((pk for pk in sorted(pks) if self.opens(who, kind, pk)), None)
            outside = next((pk for pk in sorted(pks) if not self.sees(who, kind, pk)), None)
            if kind == "case" and who.partner_region is None and who.user is None:  # the public: what is published
                inside = next((pk for pk in sorted(pks) if self.cases[pk]["published_at"]), None)
                outside = next((pk for pk in sorted(pks) if not self.cases[pk]["published_at"]), None)
            return (model.objects.get(pk=inside).public_id if inside else None,
                    model.objects.get(pk=outside).public_id if outside else None)
        if kind == "unit":
            units = list(Unit.objects.select_related("region").order_by("pk"))
            # A unit handler's own unit; for the office, leaders and assessors every unit of their area and the
            # city and outside bodies whose reach holds it (placed above it, or regionless in a one-city
            # installation: decision 0032's addendum h8), public bodies whose cadres visit in the area.
            mine = [u for u in units if u.pk in who.units
                    or (who.ledgers and (u.region is None or Who.under(u.region.path, who.ledgers)
                                         or any(area.startswith(u.region.path) for area in who.ledgers)))]
            others = [u for u in units if u not in mine]
            return (mine[0].public_id if mine else None, others[0].public_id if others else None)
        if kind == "cadre":
            # A cadre whose account the office links: the cadres of its own town's units, no other town's.
            cadres = list(Cadre.objects.select_related("unit__region").order_by("pk"))
            mine = [c for c in cadres if c.unit.region is not None and Who.under(c.unit.region.path, who.office)]
            others = [c for c in cadres if c not in mine]
            return (mine[0].public_id if mine else None, others[0].public_id if others else None)
        if kind == "assignment":
            assignments = list(Assignment.objects.order_by("pk")[:400])
            inside = next((a for a in assignments if self.sees(who, "target", a.target_id)), None)
            outside = next((a for a in assignments if not self.sees(who, "target", a.target_id)), None)
            return (inside.public_id if inside else None, outside.public_id if outside else None)
        if kind == "campaign":
            campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
            mine = [c for c in campaigns if Who.under(c.scope.path, who.office)]
            others = [c for c in campaigns if c not in mine]
            return (mine[0].slug if mine else None, others[0].slug if others else None)
        if kind == "oversight":
            # A campaign's figures: whole for the office, leaders, assessors and city office of its area; a unit's
            # part for its handlers; a cadre's own part for a cadre with assignments in it (README: 能看到什么).
            campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
            mine = [c for c in campaigns if Who.under(c.scope.path, who.figures)
                    or Assignment.objects.filter(campaign=c, unit_id__in=who.units).exists()
                    or (who.cadre_id is not None and Assignment.objects.filter(campaign=c, cadre_id=who.cadre_id).exists())]
            others = [c for c in campaigns if c not in mine]
            return (mine[0].slug if mine else None, others[0].slug if others else None)
        if kind == "city_region":
            # A city office's own city or county (its towns side by side); never a town, nor a region above it.
            regions = list(Region.objects.filter(level__in=(Region.Level.CITY, Region.Level.COUNTY)).order_by("path"))
            mine = [r for r in regions if Who.under(r.path, who.city)]
            others = [r for r in regions if r not in mine]
            return (mine[0].public_id if mine else None, others[0].public_id if others else None)
        if kind in ("documents", "document"):
            # A campaign's documents: its area's office, leaders, assessors and city office; an issued one first,
            # as every reader may open it (a draft is the office's alone).
            campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
            mine = [c for c in campaigns if Who.under(c.scope.path, who.figures)]
            others = [c for c in campaigns if c not in mine]
            if kind == "documents":
                return (mine[0].slug if mine else None, others[0].slug if others else None)
            documents = Document.objects.order_by("-status", "pk")  # issued before draft
            inside = documents.filter(campaign__in=mine).first()
            outside = documents.filter(campaign__in=others).first()
            return (inside.public_id if inside else None, outside.public_id if outside else None)
        if kind in ("summaries", "summary_unit", "summary"):
            return self._summary_sample(who, kind)
        if kind in ("callback_batch", "callback_sample"):
            seen, _calls = self.batches(who)
            batches = list(CallbackBatch.objects.order_by("pk"))
            mine = [b for b in batches if b.pk in seen]
            others = [b for b in batches if b.pk not in seen]
            if kind == "callback_batch":
                return (mine[0].public_id if mine else None, others[0].public_id if others else None)
            inside = CallbackSample.objects.filter(batch__in=mine).order_by("pk").first()
            outside = CallbackSample.objects.filter(batch__in=others).order_by("pk").first()
            return (inside.public_id if inside else None, outside.public_id if outside else None)
        if kind in ("assessment", "score"):
            # The one run on the demo (matrix_town): in the campaign the role reads, or none (a random id).
            assessment = Assessment.objects.order_by("pk").first()
            found = assessment if kind == "assessment" else assessment.scores.order_by("pk").first()
            return found.public_id, uuid.uuid4()
        if kind == "integrity":
            # The office, leaders, assessors and the city office over the campaign's area read its flags.
            campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
            mine = [c for c in campaigns if Who.under(c.scope.path, who.figures)]
            others = [c for c in campaigns if c not in mine]
            return (mine[0].slug if mine else None, others[0].slug if others else None)
        if kind in ("exemplars", "exemplar"):
            # A campaign's published 典型: its office, leaders, assessors, city office, 宣传报道组, and its villages,
            # units and cadres. A draft is the 宣传报道组's, the office's and its nominator's: out for everyone else.
            from zoufang.exemplars.models import Exemplar

            campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
            mine = [c for c in campaigns if Who.under(c.scope.path, who.figures + who.publicity)
                    or any(p.startswith(c.scope.path) for p in who.area)
                    or Assignment.objects.filter(campaign=c, unit_id__in=who.units).exists()
                    or (who.cadre_id is not None and Assignment.objects.filter(campaign=c, cadre_id=who.cadre_id).exists())]
            others = [c for c in campaigns if c not in mine]
            if kind == "exemplars":
                return (mine[0].slug if mine else None, others[0].slug if others else None)
            published = Exemplar.objects.filter(status=Exemplar.Status.PUBLISHED).order_by("pk").first()
            drafts = Exemplar.objects.exclude(status=Exemplar.Status.PUBLISHED).select_related("campaign__scope")
            if who.user is not None:
                drafts = drafts.exclude(created_by=who.user)
            outside = next((e for e in drafts.order_by("pk") if not Who.under(e.campaign.scope.path,
                                                                             who.office + who.publicity)), None)
            return (published.public_id if published else None, outside.public_id if outside else uuid.uuid4())
        if kind == "organisation":
            return self._organisation_sample(who)
        if kind == "rating_item":
            from zoufang.ratings.models import SupervisionItem

            items = list(SupervisionItem.objects.select_related("campaign__scope").order_by("pk"))
            mine = [i for i in items if Who.under(i.campaign.scope.path, who.figures) or i.unit_id in who.units]
            others = [i for i in items if i not in mine]
            return (mine[0].public_id if mine else None, others[0].public_id if others else uuid.uuid4())
        if kind == "form":
            return Form.objects.order_by("key").first().key, None  # definitions are public; answers are scanned
        if kind == "token":
            tokens = ApiToken.objects.order_by("pk")
            mine = tokens.filter(user=who.user).first() if who.user is not None else None
            other = tokens.exclude(user=who.user).first() if who.user is not None else tokens.first()
            return (mine.public_id if mine else None, other.public_id if other else None)
        if kind == "download":
            from zoufang.jobs.models import Download

            mine = Download.objects.filter(user=who.user).first() if who.user is not None else None
            other = (Download.objects.exclude(user=who.user) if who.user is not None else Download.objects).first()
            return (mine.public_id if mine else None, other.public_id if other else uuid.uuid4())
        if kind == "photo":
            return uuid.uuid4(), None  # the demo has no photos: the visit decides
        if kind == "admin_object":
            return "1", None
        raise AssertionError(kind)


    def _organisation_sample(self, who: Who) -> tuple[Any, Any]:
        """A campaign the role sees at all (README: 组织机构与工作机制): a grant over a region holding it or within it
        (no administrator's), a unit of the role's holding quotas or assignments there, its cadre assigned there."""
        from zoufang.planning.models import FixedQuota

        admins = {Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
        paths = [g.region.path for g in RoleGrant.objects.filter(user=who.user).select_related("region")
                 if g.region is not None and g.role not in admins] if who.user is not None else []

        def sees(campaign: Campaign) -> bool:
            return (any(p.startswith(campaign.scope.path) or campaign.scope.path.startswith(p) for p in paths)
                    or Assignment.objects.filter(campaign=campaign, unit_id__in=who.units).exists()
                    or FixedQuota.objects.filter(campaign=campaign, units__in=who.units).exists()
                    or (who.cadre_id is not None
                        and Assignment.objects.filter(campaign=campaign, cadre_id=who.cadre_id).exists()))

        campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
        mine = [c for c in campaigns if sees(c)]
        others = [c for c in campaigns if c not in mine]
        return (mine[0].slug if mine else None, others[0].slug if others else None)

    def _summary_sample(self, who: Who, kind: str) -> tuple[Any, Any]:
        """A campaign whose summaries the role reads (its figures' area, or one its unit owes one in), a unit
        owing one there the role opens (its own first), one of its summaries; and what it may not open."""
        from zoufang.documents.models import Summary
        from zoufang.documents.summaries import owing_units

        def owing(campaign: Campaign) -> list[Unit]:
            return list(owing_units(campaign))

        def opens(campaign: Campaign, unit: Unit) -> bool:
            return unit.pk in who.units or Who.under(campaign.scope.path, who.figures)

        campaigns = list(Campaign.objects.select_related("scope").order_by("pk"))
        mine = [c for c in campaigns if any(opens(c, u) for u in owing(c))]
        others = [c for c in campaigns if c not in mine]
        if kind == "summaries":
            return (mine[0].slug if mine else None, others[0].slug if others else None)
        units = owing(mine[0]) if mine else []
        inside = sorted((u for u in units if opens(mine[0], u)), key=lambda u: u.pk not in who.units)
        outside = next((u for c in others for u in owing(c)), None)
        if kind == "summary_unit":
            return (inside[0].public_id if inside else None, outside.public_id if outside else None)
        found = Summary.objects.filter(campaign__in=mine[:1], unit__in=inside[:1]).first()
        other = Summary.objects.filter(campaign__in=others[:1]).first()
        return (found.public_id if found else None, other.public_id if other else uuid.uuid4())


# ---------------------------------------------------------------- reading what a response shows

SEPARATORS = re.compile(r"(?<=\d)[\s\-‐–—./·()（）+]{1,3}(?=\d)")
MARKER = re.compile(r"〔(visit|case|diary|target|summary|callback)#(\d+)〕")


def shown(response: Any) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for c in row if c is not None)
    if "wordprocessingml" in content_type:
        with zipfile.ZipFile(io.BytesIO(body)) as docx:
            return re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())
    if content_type.startswith("image/"):
        return ""
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def full_numbers(text: str, plant: Plant) -> Iterator[tuple[str, tuple[str, int]]]:
    """Every planted or registered number shown in full, however spaced or in whichever digits."""
    flat = SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    for run in re.findall(r"\d{11,}[Xx]?", flat):
        for size in (11, 18):
            for start in range(len(run) - size + 1):
                hit = plant.numbers.get(run[start:start + size])
                if hit:
                    yield run[start:start + size], hit


# ---------------------------------------------------------------- the test

@demo_layer("matrix_town")
def matrix_town(demo: Campaign) -> Plant:
    """The matrix's town over the demo: kept while the modules that use it run one after another on a worker (the
    authorization matrix, the refused writes, the forms sent twice, the stale edits), each in its own savepoint."""
    from zoufang.conftest import _demo_settings, menghe_campaign
    from zoufang.core.testsnap import built

    menghe = menghe_campaign()  # a second town, with enterprise ratings and 督查 items of its own
    # Built once a run (it asks a few seconds of each of the matrix's and the refused writes' workers) and
    # written back elsewhere; the download's file is not in the database: built wherever the town is.
    plant = built(f"matrix-town-{_demo_settings()}", lambda: _town(demo, menghe))
    _download()
    return plant


def _town(demo: Any, menghe: Campaign) -> Plant:
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    ensure_user("xinbei", PASSWORD, full_name="新北区活动办", role=Role.CITY_OFFICE, region=menghe.scope.parent)
    rated = Unit.objects.get(name="镇党政班子", region=menghe.scope)
    ensure_user("menghe_unit", PASSWORD, full_name="孟河镇党政班子承办人", role=Role.UNIT_HANDLER, unit=rated,
                region=rated.region)
    plant = Plant()
    _summaries()  # before planting: their notes are free text too
    _plant(plant)
    _documents()
    _assess(demo)
    _scan_flags()
    return plant


def _documents() -> None:
    """Each campaign's office has issued a 通报 and a 专报 on a village and holds a draft 简报 (made after planting:
    they quote cases)."""
    from zoufang import clock
    from zoufang.documents import services

    for campaign in Campaign.objects.all():
        end = min(campaign.ends_on, clock.today())
        start = max(campaign.starts_on, end - dt.timedelta(days=90))
        issued = services.generate_draft(campaign, Document.Kind.CIRCULAR, start, end, by=None)
        services.issue_document(issued, by=None)
        services.generate_draft(campaign, Document.Kind.BRIEFING, start, end, by=None)
        village = Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE).first()
        if village is not None:  # a 专报 quoting its cases' words (decision 0074), issued
            subject = services.subject_of(campaign, Document.Kind.SPECIAL, f"village:{village.public_id}",
                                          viewer=None)
            special = services.generate_draft(campaign, Document.Kind.SPECIAL, start, end, by=None, subject=subject)
            services.issue_document(special, by=None)



def _summaries() -> None:
    """Every unit owing a 工作总结 has handed one in (a small PDF), for the summaries' pages and files to show; the
    office returned every second one for revision (decision 0075), its reason free text the office types."""
    import hashlib

    from zoufang.documents.models import Summary, SummaryReturn
    from zoufang.documents.summaries import due_of, owing_units

    content = b"%PDF-1.4\n%%EOF\n"
    for campaign in Campaign.objects.all():
        if due_of(campaign) is not None:
            made = Summary.objects.bulk_create([
                Summary(campaign=campaign, unit=unit, version=1, file_name=f"{unit.name}工作总结.pdf", kind="pdf",
                        size=len(content), content=content, sha256=hashlib.sha256(content).hexdigest())
                for unit in owing_units(campaign)])
            # Not the first unit's: the page-form oracles return the first owing unit's summary (Oracle._summary_sample).
            SummaryReturn.objects.bulk_create([SummaryReturn(summary=summary, reason="请补充") for summary in made[1::2]])


def _download() -> None:
    """The office's built ledger of 派出所 in 我的下载 (built here, as a worker would)."""
    from django.contrib.auth import get_user_model

    from zoufang.jobs import services

    office = get_user_model().objects.get(username="office")
    unit = Unit.objects.get(name="派出所")
    services.run(services.request(office, "unit_ledger", {"unit": str(unit.public_id)}).pk)


def _scan_flags() -> None:
    """Each campaign's stored integrity flags, for the periods the flags URLs ask (as the job would store them)."""
    from zoufang.integrity.scans import compute_scan

    for campaign in Campaign.objects.all():
        for period in (None, (dt.date(2017, 5, 1), dt.date(2017, 6, 30)), (dt.date(2017, 5, 1), None)):
            compute_scan(campaign, period)


def _assess(campaign: Any) -> None:
    """One assessment of the demo, run by the town's 考核管理组, for the assessment URLs to show."""
    from django.contrib.auth import get_user_model

    from zoufang.assessment.services import run_assessment

    assessor = get_user_model().objects.get(username="assessor")
    run_assessment(campaign, starts_on=campaign.starts_on, ends_on=campaign.ends_on, title="", by=assessor)


def _clients(oracle: Oracle, roles: list[str]) -> dict[str, tuple[Client, dict[str, str], Who, str]]:
    """A signed-in client for each of `roles`, with an API token; and the anonymous one, whose scope is Open311's
    public feed for every role but its partner."""
    from django.contrib.auth import get_user_model

    from zoufang.cases import open311_keys

    names = [*roles, *(["anonymous"] if "anonymous" not in roles else [])]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    clients = {}
    for name in names:
        client, headers, api_key = Client(), {}, ""
        user = users.get(name)
        if user is not None:
            client.force_login(user)
            if verify_session is not None:
                verify_session(client, user)
            secret = ApiToken.new_secret()
            ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret),
                                    expires_at=timezone.now() + dt.timedelta(days=1))
            headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
            # A first page and API call outside the rolled-back combinations, as a user's first requests: the
            # session keeps its checks (second factor, the password's age) and the token its last use. Made
            # inside each combination, they were rolled back with it and made again every time.
            client.get("/matrix-first-request/")
            client.get(reverse("api:api-root"), **headers)
        region = None
        if name == "partner":
            region = Region.objects.get(name="上下塘社区")
            security = get_user_model().objects.create(username="matrix-security", is_superuser=True)
            api_key = open311_keys.add_key(security, name="12345热线", region=region.name).secret
        clients[name] = (client, headers, oracle.who(name, user, region.path if region else None), api_key)
    return clients


def _variants(spec: Spec, oracle: Oracle, who: Who) -> Iterator[tuple[str, dict[str, str]]]:
    """('in' | 'out', kwargs) for each way to fill the path parameters."""
    kinds = {name: value for name, value in spec.params.items() if isinstance(value, str)}
    fixed = {name: value for name, value in spec.params.items() if not isinstance(value, str)}
    samples = {name: oracle.sample(who, kind) for name, kind in kinds.items()}
    for values in itertools.product(*fixed.values()) if fixed else [()]:
        base = dict(zip(fixed, values, strict=True))
        for side, index in (("in", 0), ("out", 1)):
            filled = {name: pair[index] for name, pair in samples.items()}
            if side == "out" and not samples:
                continue
            if any(v is None for v in filled.values()):
                continue
            yield side, {**base, **{k: str(v) for k, v in filled.items()}}


def _call(client: Client, method: str, url: str, headers: dict[str, str], is_api: bool, audited_up_to: int) -> Any:
    """The response, rolled back with whatever the request changed, and whether it audited a full read after event
    `audited_up_to` (the last event before every combination: each is rolled back; `_run` checks it stayed so),
    asked only of a 2xx, the only answer whose numbers are checked against the audit."""
    with transaction.atomic():  # whatever a request changes is rolled back: every combination sees the same town
        if method == "GET":
            response = client.get(url, **headers)
        elif method == "DELETE":
            response = client.delete(url, **headers)
        elif is_api:
            response = client.post(url, "{}", content_type="application/json", **headers)
        else:
            response = client.post(url, {}, **headers)
        getattr(getattr(response.wsgi_request, "user", None), "pk", None)  # settle the lazy user while the db is open
        # Before the rollback takes the request's audit rows.
        response.read_audited = response.status_code < 300 and _audited_since(audited_up_to)
        transaction.set_rollback(True)
    return response


LOGIN_WALL = re.compile(r"/(admin/)?login/")


# What each role must be seen to read, so that the matrix can fail: the planted text reached the roles that may
# read it (kinds of rows), and in full where they may (ID or phone numbers unmasked).
MUST_SEE = {"office": {"visit", "case", "summary", "callback"}, "leader": {"visit", "case", "summary"},
            "village": {"visit", "case"}, "jianguansuo": {"visit", "case"}, "dept": {"target"},
            "paichusuo": {"case"}, "partner": {"case"},
            "city": {"visit", "case", "summary", "callback"},  # the city office reads its towns' rows, masked
            # a unit's handlers read their own unit's 工作总结, its note masked as every reader's (decision 0073)
            "fuban": {"summary"}, "menghe_unit": {"summary"}}
MUST_SEE_IN_FULL = {"office", "paichusuo", "auditor"}  # the auditor: the phone of a sampled target
# An object's own page and API record. For the signed-in roles of MUST_SEE, the object the oracle samples on their
# side (Oracle.opens) must open there (200): a page refusing a reader it should admit fails, as a leak does.
OWN_PAGES = {"web:target", "visits:visit", "cases:detail", "api:get_target", "api:get_visit", "api:get_case"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_it_shows_no_role_anything_out_of_scope_or_a_number_it_may_not_read(matrix_town, settings, capsys, role):
    """One role a test (each in its own rolled-back transaction), so that pytest-xdist spreads the matrix's
    thousands of requests over the workers instead of one worker carrying them all."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Jobs are queued, not built: whether the role may ask is decided in the request, whose answer is checked here
    # (a queued job's page), and the file a job builds is read through 我的下载 (one built in the fixture).
    # Built inside each request (the suite's immediate backend) they were half of the office's time.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    classified, unknown = classify()
    assert not unknown, "URLs nobody classified in test_authorization_matrix.SPECS:\n" + "\n".join(unknown)
    oracle = Oracle()
    clients = _clients(oracle, [role])
    try:
        tried, leaks, seen, full_seen = _run(classified, oracle, clients, matrix_town, roles=[role])
    finally:  # responses hold lazy users: collect them while the database is still open to them
        clients.clear()
        gc.collect()
    with capsys.disabled():
        print(f"\nauthorization matrix, {role}: {tried} combinations ({len(classified)} URLs × "
              f"in/out of scope × methods), {len(leaks)} leaks")
    assert not leaks, f"{len(leaks)} leaks in {tried} combinations:\n" + "\n".join(sorted(set(leaks))[:80])
    assert MUST_SEE.get(role, set()) <= seen[role]
    if role in MUST_SEE_IN_FULL:
        assert full_seen[role] > 0
    assert tried > 100


def _run(classified: tuple[tuple[str, str, Spec], ...], oracle: Oracle, clients: dict[str, Any], plant: Plant, *,
         roles: list[str]) -> Any:
    leaks: list[str] = []
    tried = 0
    seen: dict[str, set[str]] = defaultdict(set)
    full_seen: dict[str, int] = defaultdict(int)
    audited_up_to = _last_audit_seq()  # the same before every combination: each one is rolled back
    for (name, _route, spec), role in itertools.product(classified, roles):
        if role in spec.skip_for:
            continue
        client, headers, who, api_key = clients[role]
        if name.startswith("open311") and role != "partner":
            who = clients["anonymous"][2]  # a login means nothing to Open311: the public feed
        is_api = name.startswith("api:")
        for side, kwargs in _variants(spec, oracle, who):
            path = spec.literal or reverse(name, kwargs=kwargs)
            for method, query in itertools.product(spec.methods, spec.queries):
                if method == "POST" and (role in spec.skip_post_for or query):
                    continue
                url = path + query
                if api_key and name.startswith("open311"):
                    url += ("&" if "?" in url else "?") + f"api_key={api_key}"
                tried += 1
                response = _call(client, method, url, headers if is_api else {}, is_api, audited_up_to)
                where = f"{role} {method} {url} ({side})"
                status = response.status_code
                if (side == "in" and name in OWN_PAGES and role in MUST_SEE and who.user is not None
                        and method == "GET" and status != 200):
                    leaks.append(f"{where}: {status} for an object in scope")
                if side == "out" and (200 <= status < 300 or (300 <= status < 400 and not LOGIN_WALL.search(
                        response.get("Location", "")))):
                    leaks.append(f"{where}: {status} for an object out of scope")
                if status >= 300:
                    continue
                text = shown(response)
                for kind, pk in {(k, int(p)) for k, p in MARKER.findall(text)}:
                    seen[role].add(kind)
                    if not oracle.sees(who, kind, pk):
                        leaks.append(f"{where}: shows {kind} #{pk}, out of scope")
                registered_in_full = 0
                for number, (kind, pk) in set(full_numbers(text, plant)):
                    if oracle.full(who, kind, pk, number):
                        full_seen[role] += 1
                        registered_in_full += number in plant.registered
                    else:
                        leaks.append(f"{where}: full number {number} of {kind} #{pk}")
                # A full read of a record's own phone or ID number leaves its trace (README); a number someone typed
                # into free text is shown as the role reads that text, not a read of the record's personal data.
                if registered_in_full and not response.read_audited:
                    leaks.append(f"{where}: {registered_in_full} registered numbers shown in full and no read audited")
    assert _last_audit_seq() == audited_up_to, "a request's audit events outlived its rollback"
    return tried, leaks, seen, full_seen


def _last_audit_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _audited_since(seq: int) -> bool:
    """Whether a full read (a page's or list's read, or a file's export) was audited after event `seq`."""
    return AuditEvent.objects.filter(seq__gt=seq, action__in=(AuditEvent.Action.READ, AuditEvent.Action.EXPORT)).exists()


@pytest.mark.django_db
def test_ratings_are_each_town_s_own_a_unit_s_its_own_and_the_upper_office_s_read_only(matrix_town, settings):
    """孟河镇's ratings (锦溪镇's campaign rates no department): its office reads every department, its 党政班子's
    handler its own only, the upper office of 新北区 all of them with personal numbers masked and changes no
    督查 item; none of them reads 锦溪镇's, and 锦溪镇's office and 昆山's upper office do not read 孟河镇's."""
    from django.contrib.auth import get_user_model

    from zoufang.demo.menghe import SLUG as MENGHE
    from zoufang.ratings.models import SupervisionItem

    settings.ZOUFANG_TODAY = "2017-06-15"
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    jinxi = Campaign.objects.exclude(slug=MENGHE).order_by("pk").first().slug
    clients = {}
    for name in ("menghe", "menghe_unit", "xinbei", "office", "city"):
        secret = ApiToken.new_secret()  # the API by token, the pages by session, as the matrix calls them
        ApiToken.objects.create(user=users[name], digest=ApiToken.digest_of(secret),
                                expires_at=timezone.now() + dt.timedelta(days=1))
        clients[name] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        clients[name].force_login(users[name])
        if verify_session is not None:
            verify_session(clients[name], users[name])
    units = f"/api/v1/ratings/{MENGHE}/units?page_size=200"  # one page: every department of the town
    everyone = {u["name"] for u in clients["menghe"].get(units).json()["items"]}
    assert len(everyone) > 1
    assert {u["name"] for u in clients["xinbei"].get(units).json()["items"]} == everyone
    own = users["menghe_unit"].role_grants.get().unit
    assert [u["name"] for u in clients["menghe_unit"].get(units).json()["items"]] == [own.name]
    assert {i["unit_name"] for i in clients["menghe_unit"].get(f"/api/v1/ratings/{MENGHE}/items").json()["items"]} \
        <= {own.name}
    other = Unit.objects.filter(name__in=everyone - {own.name}).first()
    assert clients["menghe_unit"].get(f"/ratings/{MENGHE}/units/{other.public_id}/").status_code == 404
    for name in ("menghe", "menghe_unit", "xinbei"):
        assert clients[name].get(f"/ratings/{jinxi}/").status_code == 404, name
        assert clients[name].get(f"/api/v1/ratings/{jinxi}/units").status_code == 404, name
    for name in ("office", "city"):
        assert clients[name].get(f"/ratings/{MENGHE}/").status_code == 404, name
        assert clients[name].get(f"/api/v1/ratings/{MENGHE}/items").status_code == 404, name
    # The upper office reads every department's comments, personal numbers masked (they were planted) …
    for unit in clients["xinbei"].get(units).json()["items"]:
        detail = clients["xinbei"].get(f"/api/v1/ratings/{MENGHE}/units/{unit['unit']}")
        assert detail.status_code == 200
        assert not list(full_numbers(shown(detail), matrix_town)), unit["name"]
    assert clients["xinbei"].get(f"/ratings/{MENGHE}/").status_code == 200
    # … and changes nothing: the API refuses, the page's form saves nothing.
    item = SupervisionItem.objects.filter(campaign__slug=MENGHE, status=SupervisionItem.Status.OPEN).first()
    before = (item.version, item.assignee_id, item.status, item.result)
    api = f"/api/v1/ratings/{MENGHE}/items/{item.public_id}"
    for name in ("xinbei", "menghe_unit"):
        assign = clients[name].post(f"{api}/assign", {"version": item.version, "assignee": "menghe"},
                                    content_type="application/json")
        close = clients[name].post(f"{api}/close", {"version": item.version, "result": "已落实"},
                                   content_type="application/json")
        assert (assign.status_code, close.status_code) == ((403, 403) if name == "xinbei" or item.unit_id == own.pk
                                                           else (404, 404)), name
        clients[name].post(f"/ratings/{MENGHE}/items/{item.public_id}/", {"action": "close", "version": item.version,
                                                                          "result": "已落实"})
    item.refresh_from_db()
    assert (item.version, item.assignee_id, item.status, item.result) == before
