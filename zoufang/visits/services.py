"""Visit actions. Every write is a named function that the web page, the API, the demo and tests share.

record_visit is idempotent: the phone generates `client_uuid` before its first attempt. The same uuid
with the same content returns the stored visit; with other content it raises VisitConflict (409); another
cadre's uuid is refused (VisitRefused) without naming that cadre's visit. The
unique constraint on client_uuid settles a race: the loser's insert fails and it returns the winner's visit.
"""

import datetime as dt
import hashlib
import json
import math
import uuid
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns import configcache
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases.models import Case
from zoufang.cases.services import draft_case, registration_due
from zoufang.core import limits, request_keys
from zoufang.core.rawrows import Columns, Inserts, prepared, prepared_rows
from zoufang.forms import services as form_services
from zoufang.forms.models import FormAnswer
from zoufang.oversight import counters
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target
from zoufang.visits import rules
from zoufang.visits.models import DiaryEntry, Visit

OPINION_KINDS = {Case.Kind.PROBLEM.value, Case.Kind.SUGGESTION.value}


class VisitRefused(Exception):
    """The submission breaks a rule; `errors` maps a field to a Chinese message naming it and the rule."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class VisitConflict(Exception):
    def __init__(self, visit: Visit) -> None:
        super().__init__(_("client_uuid 已用于内容不同的另一条走访记录"))
        self.visit = visit


@dataclass
class Opinion:
    kind: str
    description: str
    category: str = ""
    settled_on_spot: bool = False


@dataclass
class VisitSubmission:
    client_uuid: uuid.UUID
    target_id: uuid.UUID
    visited_at: dt.datetime
    mode: str
    summary: str = ""
    co_visitors: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_accuracy: float | None = None
    settled_on_spot: bool = False
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    opinions: list[Opinion] = field(default_factory=list)
    campaign: str = ""

    def content_hash(self, cadre: Cadre) -> str:
        # The JSON `asdict(self)` gives, without its deep copy of the answers: a stored hash must still match.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["opinions"] = [asdict(o) if is_dataclass(o) else o for o in self.opinions]
        data["visited_at"] = self.visited_at.astimezone(dt.UTC).isoformat()
        data["cadre"] = cadre.pk
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Recorded:
    visit: Visit
    created: bool
    # What a new visit was recorded with, so the answer need not read it back (None for a replay).
    answers: list[FormAnswer] | None = None
    cases: list[Case] | None = None


def cadre_of(user: Any) -> Cadre | None:
    try:
        return user.cadre if getattr(user, "is_authenticated", False) else None
    except Cadre.DoesNotExist:
        return None


def _replay(existing: Visit, digest: str, cadre: Cadre) -> Recorded:
    if existing.cadre_id != cadre.pk:
        # Another cadre's visit holds this client_uuid: refused without a word of whose it is or what it says.
        raise VisitRefused({"client_uuid": _("客户端编号：已被使用，请重新生成后再提交")})
    if existing.content_hash != digest:
        raise VisitConflict(existing)
    return Recorded(existing, created=False)


def not_a_cadre() -> str:
    """Why an account that is no cadre's records no visit (the API's refusal before the body, and the action's)."""
    return _("当前账号未关联走访干部，不能登记走访记录")


def record_visit(user: Any, submission: VisitSubmission) -> Recorded:
    """Record a visit with its questionnaire answers and opinions (each a case draft); see module docstring."""
    cadre = cadre_of(user)
    if cadre is None:
        raise VisitRefused({"cadre": not_a_cadre()})
    digest = submission.content_hash(cadre)
    assignment = _assignment(cadre, submission)
    # The visit already stored under this client_uuid: asked by the assignment's query when there is one.
    stored = getattr(assignment, "stored_visit", None) if assignment is not None \
        else Visit.objects.filter(client_uuid=submission.client_uuid).values_list("pk", flat=True).first()
    if stored is not None:
        return _replay(Visit.objects.get(pk=stored), digest, cadre)
    campaign: Any
    if assignment is not None:  # assigned to the cadre: in their scope (scope.visible_targets) without asking again
        target, campaign = assignment.target, assignment.campaign
    else:
        try:
            target = scope.get_visible_target(user, submission.target_id)
        except Http404:
            # The same words whether the target does not exist or is out of the cadre's scope.
            raise VisitRefused({"target_id": _("走访对象：不存在或未分配给你，本活动不允许走访未分配的对象")}) from None
        campaign = rules.campaign_for(cadre, target, submission.campaign or None)
    if campaign is None:
        raise VisitRefused({"campaign": _("走访活动：找不到该走访对象所属的走访活动")})
    configcache.attach(campaign)
    forms_stamp = getattr(assignment, "forms_stamp", None)
    clean_answers, categories = _validate(submission, cadre, target, campaign, assignment is not None, forms_stamp)
    try:
        # The rows every submission of the town shares (kept counts, then the audit chain's head) are written by
        # the transaction's last statements, so concurrent submissions wait on each other that long only.
        with audit.chained_last(), counters.written_last():
            recorded = _create(user, cadre, target, campaign, submission, digest, clean_answers, categories)
    except IntegrityError:
        winner = Visit.objects.filter(client_uuid=submission.client_uuid).first()
        if winner is None:
            raise
        return _replay(winner, digest, cadre)
    return recorded


# The assignment's query, written once per process (zoufang.core.rawrows): it is the first statement of every
# submission, and compiling it as a queryset cost more than the database spent on it.
_ASSIGNMENT = Columns(Assignment, "a", ["campaign_id", "target_id", "unit_id", "cadre_id"])
_TARGET = Columns(Target, "t", ["public_id", "kind", "region_id", "name"])
_REGION = Columns(Region, "r", ["name", "level", "parent_id", "code", "path"])
_CAMPAIGN = Columns.every(Campaign, "c", but=["config"])
_ASSIGNMENT_SQL: dict[tuple[str, bool], str] = {}


def _assignment_sql(named: bool) -> str:
    key = (connection.vendor, named)
    if key not in _ASSIGNMENT_SQL:
        table = {model: connection.ops.quote_name(model._meta.db_table)
                 for model in (Assignment, Target, Region, Campaign, Visit)}
        _ASSIGNMENT_SQL[key] = (
            f"SELECT {_ASSIGNMENT.sql}, {_TARGET.sql}, {_REGION.sql}, {_CAMPAIGN.sql}, "  # noqa: S608
            f"(SELECT v.id FROM {table[Visit]} v WHERE v.client_uuid = %s), "
            f"{form_services.newest_version_sql()} "
            f"FROM {table[Assignment]} a JOIN {table[Target]} t ON t.id = a.target_id "
            f"JOIN {table[Region]} r ON r.id = t.region_id JOIN {table[Campaign]} c ON c.id = a.campaign_id "
            f"WHERE t.public_id = %s AND a.cadre_id = %s{' AND c.slug = %s' if named else ''} "
            "ORDER BY c.starts_on DESC LIMIT 1")
    return _ASSIGNMENT_SQL[key]


def _assignment(cadre: Cadre, submission: VisitSubmission) -> Assignment | None:
    """The cadre's assignment of the target (in the named campaign, else the latest), with the target and its
    campaign: scope, campaign and whether the visit is assigned in one query; the configuration from configcache.
    `stored_visit` is the id of the visit already recorded under the submission's client_uuid, if any;
    `forms_stamp` names the newest questionnaire version (forms.services.current_versions answers from its cache)."""
    params = [prepared(Visit, "client_uuid", submission.client_uuid),
              prepared(Target, "public_id", submission.target_id), cadre.pk]
    if submission.campaign:
        params.append(submission.campaign)
    # A prepared statement (decision 0013): planning the five-table join cost the server more than running it.
    found = prepared_rows(connection, _assignment_sql(bool(submission.campaign)), params)
    if not found:
        return None
    row = found[0]
    assignment = _ASSIGNMENT.load(row)
    start = _ASSIGNMENT.width
    target = assignment.target = _TARGET.load(row, start)
    start += _TARGET.width
    target.region = _REGION.load(row, start)
    start += _REGION.width
    assignment.campaign = _CAMPAIGN.load(row, start)
    start += _CAMPAIGN.width
    assignment.stored_visit, assignment.forms_stamp = row[start], row[start + 1]  # type: ignore[attr-defined]
    return assignment


def _validate(
    submission: VisitSubmission, cadre: Cadre, target: Any, campaign: Any, assigned: bool, forms_stamp: Any,
) -> tuple[dict[str, tuple[Any, dict[str, Any]]], dict[str, CaseCategory]]:
    errors: dict[str, str] = {}
    if not assigned and not rules.allows_unassigned(campaign):
        errors["target_id"] = _("走访对象：%(name)s未分配给你，本活动不允许走访未分配的对象") % {"name": target.name}
    visited_at = submission.visited_at
    if timezone.is_naive(visited_at):
        errors["visited_at"] = _("走访时间：须带时区")
    elif visited_at > clock.now() + dt.timedelta(minutes=5):
        errors["visited_at"] = _("走访时间：不能晚于现在")
    elif timezone.localtime(visited_at).date() < campaign.starts_on:
        errors["visited_at"] = _("走访时间：不能早于活动开始日期 %(date)s") % {"date": clock.day(campaign.starts_on)}
    allowed = rules.allowed_modes(campaign, target, cadre)
    if submission.mode not in allowed:
        labels = "、".join(str(Visit.Mode(m).label) for m in allowed)
        errors["mode"] = _("走访方式：对%(kind)s“%(name)s”只能采用%(modes)s") % {
            "kind": target.get_kind_display(), "name": target.name, "modes": labels}
    if (submission.latitude is None) != (submission.longitude is None):
        errors["location"] = _("位置：纬度和经度须同时填写")
    elif submission.latitude is not None and not (-90 <= submission.latitude <= 90
                                                  and -180 <= submission.longitude <= 180):  # type: ignore[operator]
        errors["location"] = _("位置：经纬度超出范围")
    accuracy = submission.location_accuracy
    if accuracy is not None and not (math.isfinite(accuracy) and accuracy >= 0):  # JSON's NaN, Infinity, 1e999
        errors["location_accuracy"] = _("定位精度：应为不小于 0 的米数")
    if len(submission.co_visitors) > 200:
        errors["co_visitors"] = _("同行人员：不超过 200 字")
    clean_answers = _validate_answers(submission, target, campaign, errors, forms_stamp)
    categories = _validate_opinions(submission, campaign, errors)
    if errors:
        raise VisitRefused(errors)
    return clean_answers, categories


def _validate_answers(
    submission: VisitSubmission, target: Any, campaign: Any, errors: dict[str, str], forms_stamp: Any,
) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Every questionnaire the campaign gives the target's kind is answered (seed 000: 每次走访…填写完成《采集表》),
    except those filled once per village, which a visit may carry or not."""
    entries = form_services.questionnaires_for(campaign, target.kind, stamp=forms_stamp)
    forms = {entry["key"]: version for entry, version in entries}
    for entry, required in entries:
        if entry.get("one_per", "target") == "target" and entry["key"] not in (submission.answers or {}):
            errors[f"answers.{entry['key']}"] = _("调查表：须填写《%(title)s》") % {"title": required.spec["title"]}
    clean: dict[str, tuple[Any, dict[str, Any]]] = {}
    for key, given in (submission.answers or {}).items():
        version = forms.get(key)
        if version is None:
            errors[f"answers.{key}"] = _("调查表：本活动对%(kind)s没有调查表 %(key)s") % {
                "kind": target.get_kind_display(), "key": key}
            continue
        data, problems = form_services.check_answers(version, given)
        for name, message in problems.items():
            errors[f"answers.{key}.{name}"] = message
        clean[key] = (version, data)
    return clean


def _validate_opinions(submission: VisitSubmission, campaign: Any, errors: dict[str, str]) -> dict[str, CaseCategory]:
    codes = {o.category for o in submission.opinions if o.category}
    categories = {c.code: c for c in CaseCategory.objects.filter(campaign=campaign, code__in=codes,
                                                                  disabled_on__isnull=True)} if codes else {}
    for index, opinion in enumerate(submission.opinions, start=1):
        where = _("问题意见第 %(n)s 条") % {"n": index}
        if opinion.kind not in OPINION_KINDS:
            errors[f"opinions.{index}.kind"] = where + _("·类型：应为 problem（问题）或 suggestion（意见建议）")
        if not opinion.description.strip():
            errors[f"opinions.{index}.description"] = where + _("·内容：必填")
        if opinion.category and opinion.category not in categories:
            errors[f"opinions.{index}.category"] = where + _("·类别：本活动没有编号为 %(code)s 的类别") % {
                "code": opinion.category}
    return categories


def _create(
    user: Any, cadre: Cadre, target: Any, campaign: Any, submission: VisitSubmission, digest: str,
    clean_answers: dict[str, tuple[Any, dict[str, Any]]], categories: dict[str, CaseCategory],
) -> Recorded:
    due = registration_due(campaign, submission.visited_at)
    by = user if getattr(user, "is_authenticated", False) else None
    visit = Visit(
        campaign=campaign, target=target, cadre=cadre, client_uuid=submission.client_uuid, content_hash=digest,
        visited_at=submission.visited_at, mode=submission.mode, summary=submission.summary.strip(),
        co_visitors=submission.co_visitors.strip(), settled_on_spot=submission.settled_on_spot,
        latitude=None if submission.latitude is None else Decimal(str(round(submission.latitude, 6))),
        longitude=None if submission.longitude is None else Decimal(str(round(submission.longitude, 6))),
        location_accuracy=submission.location_accuracy, registration_due=due,
        recorded_late=bool(submission.opinions) and clock.today() > due, created_by=by,
    )
    # Inserted as save() would, signals included (the kept counts, ratings' 督查 items), by statements written
    # once per process: compiling them was a large part of the submission's CPU (decision 0010).
    _VISITS.save([visit])
    answers = [FormAnswer(visit=visit, form=version.form, form_version=version, data=data, created_by=by)
               for version, data in clean_answers.values()]
    _ANSWERS.save(answers)
    cases = [draft_case(
        campaign=campaign, kind=opinion.kind, description=opinion.description.strip(),
        raised_at=submission.visited_at, category=categories.get(opinion.category), target=target,
        source_visit=visit, settled_on_spot=opinion.settled_on_spot, by=user, due=due,
    ) for opinion in submission.opinions]
    audit.record(user, AuditEvent.Action.CREATE, visit, summary=_("登记走访（%(mode)s）") % {
        "mode": visit.get_mode_display()})
    return Recorded(visit, created=True, answers=answers, cases=cases)


_VISITS = Inserts(Visit)
_ANSWERS = Inserts(FormAnswer)


def get_visible_visit(user: Any, public_id: Any) -> Visit:
    try:
        return scope.visible_visits(user).select_related("target__region", "cadre__unit", "campaign").get(public_id=public_id)
    except (Visit.DoesNotExist, ValueError):
        raise Http404 from None


@transaction.atomic
def add_diary_entry(user: Any, *, entry_date: dt.date, text: str, campaign: Any = None,
                    key: uuid.UUID | None = None) -> tuple[DiaryEntry, bool]:
    """The entry, and whether this call wrote it: the same form sent again (its `key`) with the same date and text
    gives the entry it wrote; other content under that key raises request_keys.KeyReused."""
    cadre = cadre_of(user)
    if cadre is None:
        raise VisitRefused({"cadre": _("当前账号未关联走访干部，不能写民情走访日记")})
    errors = {}
    if not text.strip():
        errors["text"] = _("内容：必填")
    elif len(text.strip()) > limits.TEXT:
        errors["text"] = _("内容：不能超过 %(n)d 个字符") % {"n": limits.TEXT}
    if entry_date > clock.today():
        errors["entry_date"] = _("日期：不能晚于今天")
    if errors:
        raise VisitRefused(errors)

    @transaction.atomic
    def make() -> DiaryEntry:
        entry = DiaryEntry.objects.create(cadre=cadre, campaign=campaign, entry_date=entry_date, text=text.strip(),
                                          created_by=user, request_key=key)
        audit.record(user, AuditEvent.Action.CREATE, entry, summary=_("民情走访日记 %(date)s") % {"date": clock.day(entry_date)})
        return entry

    return request_keys.once_checked(DiaryEntry.objects.all(), key, make, lambda earlier: (
        earlier.cadre_id, earlier.entry_date, earlier.text) == (cadre.pk, entry_date, text.strip()))
