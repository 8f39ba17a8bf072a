"""删除 (个人信息保护法 第四十七条): a person's identity taken out of every record the office holds on them.

The records stay — a visit still counts for coverage, pace and the assessment, a case for 办结率 and 满意率 — but
they no longer say who: a person's name becomes “已删除”, their address, ID and phone numbers are blanked (blind
indexes too, so the number no longer finds them), and the free text about them (visit summaries, answers, case
texts, replies, callback notes) is passed through the masker's `scrub` with the names and addresses known for the
record. Refused while a case of theirs is not closed, or while a running campaign still assigns one of their
targets. Each record changed writes one audit row naming the fields erased, never their values.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.masking import numbers_in, scrub, visible
from zoufang.accounts.models import AuditEvent
from zoufang.callbacks.models import CallbackAttempt, CallbackSample
from zoufang.cases.models import Case, CaseCallback, CaseEvent, CaseReply
from zoufang.core.crypto import normalise_id, normalise_phone
from zoufang.core.models import TimeStampedModel
from zoufang.forms.models import FormAnswer
from zoufang.planning.models import Assignment
from zoufang.privacy import suppression
from zoufang.privacy.holdings import ID_NUMBER, Holdings, Number, find
from zoufang.privacy.models import Reason
from zoufang.registry.models import PositionSource, Target
from zoufang.visits.models import DiaryEntry, Visit

ERASED_NAME = "已删除"
ERASED = "［已删除］"  # what the audit trail holds as the old value: never the value erased
# Targets that are a natural person (or a household named by its head): their name and address go too. Of an
# enterprise or a project only the person's number and the contact's name beside it are erased; a cadre's own record is the staff register's.
PERSON_KINDS = (*Target.HOUSEHOLD_KINDS, Target.Kind.NOTABLE_PERSON)
FINISHED = (Case.Status.CLOSED, Case.Status.MERGED)
# Coordinates of the house itself (imported, or found from the address) locate the person; a village's do not.
HOUSE_POSITIONS = (PositionSource.IMPORTED, PositionSource.ADDRESS)

# The free-text fields of each kind of record, and its JSON fields (every string in them is free text).
TEXTS: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]] = {
    Visit: (("summary",), ()),
    FormAnswer: ((), ("data",)),
    Case: (("description", "resolution", "explanation", "extension_reason", "escalation_reason", "public_summary"),
           ()),
    CaseEvent: (("note",), ()),  # its details are the workflow's (units, days, dates), not the person's
    CaseReply: (("content",), ()),
    CaseCallback: (("note",), ()),
    CallbackSample: (("cadre_explanation", "verification_note", "unanswered_note", "dissatisfied_note"), ("answers",)),
    CallbackAttempt: (("note",), ("answers",)),
    DiaryEntry: (("text",), ()),
}


@dataclass
class Erasure:
    """What an erasure did, or why it did nothing."""

    refused: list[str] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)  # a kind of record's name → records changed
    found: bool = True

    @property
    def records(self) -> int:
        return sum(self.changed.values())


def refusals(holdings: Holdings, today: dt.date) -> list[str]:
    """Why these records may not be erased yet, each naming what the office must do first; [] when they may."""
    reasons = []
    for case in holdings.cases:
        if case.status not in FINISHED:
            reasons.append(_("问题 %(number)s（%(campaign)s）现为“%(status)s”，尚未结案：请先办结、答复并结案，再删除。") % {
                "number": case.number, "campaign": case.campaign.name, "status": case.get_status_display()})
    running = (Assignment.objects.filter(target__in=holdings.targets, campaign__starts_on__lte=today,
                                         campaign__ends_on__gte=today)
               .select_related("campaign", "target", "cadre", "unit").order_by("campaign__starts_on", "pk"))
    for assignment in running:
        reasons.append(_("走访对象“%(target)s”在正在进行的走访活动“%(campaign)s”（至 %(end)s）中已分配给%(who)s：请先在“分配”中"
                         "取消这一分配，或待活动结束后再删除。") % {
            "target": assignment.target.name, "campaign": assignment.campaign.name,
            "end": clock.day(assignment.campaign.ends_on),
            "who": assignment.cadre.name if assignment.cadre is not None else assignment.unit.name})
    return reasons


def erase_on_request(user: Any, number: Number, reason: str, note: str = "") -> Erasure:
    """The office's erasure of what it holds on the person with `number`: all or nothing, idempotent (a second run
    finds nothing left under the number and writes nothing)."""
    why = _("依申请删除个人信息（%(reason)s%(note)s），%(label)s %(number)s") % {
        "reason": Reason(reason).label, "note": f"：{note}" if note else "", "label": number.label,
        "number": number.masked}
    with transaction.atomic():
        holdings = find(user, number, lock=True)
        if holdings.empty:
            return Erasure(found=False)
        refused = refusals(holdings, clock.today())
        if refused:
            return Erasure(refused=refused)
        return Erasure(changed=erase(holdings, by=user, why=why, on_request=reason))


def erase(holdings: Holdings, *, by: Any, why: str, on_request: str = "") -> dict[str, int]:
    """Erase the person from `holdings` (inside the caller's transaction); {kind of record: records changed}.
    `on_request`: the reason of the person's request, whose ID and phone numbers erased then stay out of later
    imports."""
    persons = [t for t in holdings.targets if t.kind in PERSON_KINDS]
    names = [t.name for t in persons] + [c.raiser_name for c in holdings.cases if c.raiser_name]
    addresses = [t.address for t in persons]

    def clean(text: str) -> str:
        return scrub(text, names, addresses)

    changed: dict[str, int] = {}

    def count(model: type[models.Model], done: bool) -> None:
        if done:
            label = str(model._meta.verbose_name)
            changed[label] = changed.get(label, 0) + 1

    with audit.chained_last():
        for target in holdings.targets:
            values = _target_values(target, holdings.number, clean)
            for name, kind in (("id_number", suppression.ID), ("phone", suppression.PHONE)):
                if on_request and values.get(name) == "" and getattr(target, name):
                    suppression.keep(getattr(target, name), target.region, kind=kind, reason=on_request, by=by,
                                     today=clock.today())
            count(Target, _write(target, values, by=by, why=why))
        for case in holdings.cases:
            count(Case, _erase_raiser(case, clean, by=by, why=why))
            for related in (*case.events.all(), *case.replies.all(), *case.callbacks.all()):
                count(type(related), _scrub_record(related, clean, by=by, why=why))
        for visit in holdings.visits:
            count(Visit, _scrub_record(visit, clean, by=by, why=why))
            for answer in visit.form_answers.all():
                count(FormAnswer, _scrub_record(answer, clean, by=by, why=why))
        for sample in holdings.samples:
            count(CallbackSample, _scrub_record(sample, clean, by=by, why=why))
            for attempt in sample.attempts.all():
                count(CallbackAttempt, _scrub_record(attempt, clean, by=by, why=why))
        for entry in _diary_entries(holdings, names, addresses):
            count(DiaryEntry, _scrub_record(entry, clean, by=by, why=why))
    return changed


def _diary_entries(holdings: Holdings, names: list[str], addresses: list[str]) -> list[DiaryEntry]:
    """The diary entries of the cadres who visited the person that name them, their address or one of their numbers
    however it is written there (spaces, dashes, +86, full-width digits: `masking.numbers_in`, what `scrub` reads as
    a number). A diary is not tied to a target: its writer's own notes about whom they met. Read, then the entries
    that mention the person locked with the rest and read again."""
    said = {n.strip() for n in names if n and len(n.strip()) >= 2}  # what `scrub` masks: a name, an address
    said |= {a.strip() for a in addresses if a and len(a.strip()) >= 4}
    numbers = {normalise_id(t.id_number) for t in holdings.targets if t.kind in PERSON_KINDS}
    numbers |= {normalise_phone(t.phone) for t in holdings.targets if t.kind in PERSON_KINDS}
    if holdings.number is not None:
        numbers.add(holdings.number.value)
    numbers.discard("")
    cadres = {visit.cadre_id for visit in holdings.visits}
    if not ((said or numbers) and cadres):
        return []

    def mentions(text: str) -> bool:
        shown = visible(text)
        return any(part in shown for part in said) or not numbers.isdisjoint(numbers_in(shown))

    written = DiaryEntry.objects.filter(cadre__in=cadres).values_list("pk", "text")
    about = [pk for pk, text in written if mentions(text)]
    locked = DiaryEntry.objects.filter(pk__in=about).select_for_update().order_by("pk")
    return [entry for entry in locked if mentions(entry.text)]


def _target_values(target: Target, number: Number | None, clean: Callable[[str], str]) -> dict[str, Any]:
    """The fields of `target` the erasure changes, with their new values."""
    values: dict[str, Any] = {}
    if target.kind in PERSON_KINDS:
        values = {"name": ERASED_NAME, "address": "", "phone": "", "id_number": "", "description": clean(target.description)}
        if target.position_source in HOUSE_POSITIONS:
            values.update(latitude=None, longitude=None, position_source="")
    elif number is not None:  # an enterprise's or project's contact: only the person's number and name
        if number.kind == ID_NUMBER and normalise_id(target.id_number) == number.value:
            values.update(id_number="", contact_name="")
        elif number.kind != ID_NUMBER and normalise_phone(target.phone) == number.value:
            values.update(phone="", contact_name="")
    values = {name: value for name, value in values.items() if getattr(target, name) != value}
    if "phone" in values:
        values["phone_index"] = ""
    if "id_number" in values:
        values["id_number_index"] = ""
    return values


def _erase_raiser(case: Case, clean: Callable[[str], str], *, by: Any, why: str) -> bool:
    values = {name: clean(getattr(case, name)) for name in TEXTS[Case][0]}
    values.update(raiser_name="", raiser_phone="")
    values = {name: value for name, value in values.items() if getattr(case, name) != value}
    if "raiser_phone" in values:
        values["raiser_phone_index"] = ""
    return _write(case, values, by=by, why=why)


def _scrub_record(record: models.Model, clean: Callable[[str], str], *, by: Any, why: str) -> bool:
    texts, documents = TEXTS[type(record)]
    values: dict[str, Any] = {name: clean(getattr(record, name)) for name in texts}
    values.update({name: _walk(getattr(record, name), clean) for name in documents})
    values = {name: value for name, value in values.items() if getattr(record, name) != value}
    return _write(record, values, by=by, why=why)


def _walk(value: Any, convert: Callable[[str], str]) -> Any:
    """Every string of a JSON document converted (questionnaire answers, an event's details)."""
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, dict):
        return {key: _walk(item, convert) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, convert) for item in value]
    return value


def _write(record: models.Model, values: dict[str, Any], *, by: Any, why: str) -> bool:
    """One conditional update of the record and its audit row (the fields named, their values never); False when
    nothing was left to erase."""
    if not values:
        return False
    model = type(record)
    update = dict(values)
    if issubclass(model, TimeStampedModel):  # an edit form opened before the erasure is refused as stale
        update.update(version=F("version") + 1, modified_at=clock.now(),
                      modified_by=by if getattr(by, "is_authenticated", False) else None)
    model._default_manager.filter(pk=record.pk).update(**update)
    fields = {field_label(model, name): [ERASED, _shown(values[name])] for name in values if not name.endswith("_index")}
    audit.record(by, AuditEvent.Action.UPDATE, record, summary=why, changes={"fields": fields})
    return True


def field_label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _shown(value: Any) -> Any:
    """The new value as the trail shows it: a blank or the erased name as is, rewritten text as a note."""
    if value in ("", None, ERASED_NAME):
        return value
    return _("（已隐去其中的姓名、地址和号码）")

