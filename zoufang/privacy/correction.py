"""更正 (个人信息保护法 第四十六条): the office corrects a resident's own registered data on a record their number found.

The fields are the person's on a household or a notable person (name, address, phone, ID number); on an enterprise
or a project found by a contact's number, only the contact's name and numbers. The registry's rules check them (the model's
`clean` and its unique ID number per kind); the write is the version the office read, under the row lock, so an edit
made meanwhile is refused, never overwritten; the same correction sent again finds it done and writes nothing. One
audit row per record changed, old and new values as the import's change list shows them (numbers masked).
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.masking import Kind, Masker
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import shown_name
from zoufang.core.crypto import NORMALISERS, normalise_id, normalise_phone
from zoufang.core.names import canonical_dots
from zoufang.privacy import suppression
from zoufang.privacy.erasure import PERSON_KINDS, field_label
from zoufang.privacy.holdings import ID_NUMBER, Number, in_area
from zoufang.privacy.suppression import town_of
from zoufang.regions.positions import fill_missing
from zoufang.registry.imports.records import fields_to_write, shown
from zoufang.registry.models import Target

PERSONAL_FIELDS = ("name", "address", "phone", "id_number")
CONTACT_FIELDS = ("contact_name", "phone", "id_number")
NAME_FIELDS = ("name", "contact_name")  # written with the standard's separator dot (core.names, decision 0069)


def correctable(target: Target) -> tuple[str, ...]:
    """The fields of `target` that are the person's own: all four on a person's record, a contact's name and numbers
    on an enterprise's or project's; none on a cadre's (the staff register's)."""
    if target.kind in PERSON_KINDS:
        return PERSONAL_FIELDS
    if target.kind == Target.Kind.CADRE:
        return ()
    return CONTACT_FIELDS


def holds(target: Target, number: Number) -> bool:
    """Whether `target` carries the number the request gave (what put it among the records found)."""
    if number.kind == ID_NUMBER:
        return normalise_id(target.id_number) == number.value
    return normalise_phone(target.phone) == number.value


class NotFound(Exception):
    """No record of the office's area under this number: the page answers 404, revealing nothing."""


class Stale(Exception):
    """The record changed after the office read it; the message says by whom and when, nothing was written."""

    def __init__(self, target: Target) -> None:
        self.target = target
        super().__init__(_("该对象在您查找后已由%(who)s于 %(when)s 修改（现为第 %(version)s 版），您的更正未保存。") % {
            "who": shown_name(target.modified_by, nobody=_("他人")), "when": clock.minute(target.modified_at),
            "version": target.version})


# How a refusal shows each field's value now: as the viewer's role masks it (accounts/masking.py).
SHOWN_AS = {"name": Kind.NAME, "contact_name": Kind.NAME, "address": Kind.FREE_TEXT, "phone": Kind.PHONE,
            "id_number": Kind.ID_NUMBER}


def since_read(user: Any, target: Target, read: dict[str, str] | None, typed: dict[str, Any]) -> str:
    """Why a stale form was not saved, for the office to correct again knowingly: the fields someone else changed
    since `read` (the form's values as drawn), each with its value now stored as `user` may read it; then what the
    office typed where it differs from what it had read. A form drawn without its read values: every field whose
    value now differs from what was typed."""
    masker = Masker(user)
    names = [name for name in correctable(target) if name in typed]
    before = read if read is not None else typed
    others = [name for name in names if getattr(target, name) != before.get(name)]
    mine = [name for name in names if read is not None and typed[name] != read.get(name)]
    changed = "；".join(_("%(label)s，现为“%(value)s”") % {
        "label": field_label(Target, name),
        "value": masker.show(SHOWN_AS[name], getattr(target, name), target) or _("（空）")} for name in others)
    said = (_("其间改动的是：%(changed)s。") % {"changed": changed} if changed
            else _("其间改动的不是这里的个人信息。"))
    if mine:
        said += _("您填写的是：%(typed)s。") % {"typed": "、".join(_("%(label)s“%(value)s”") % {
            "label": field_label(Target, name), "value": typed[name] or _("（空）")} for name in mine)}
    return str(said)


def held(target: Target, values: dict[str, Any]) -> dict[str, str]:
    """The numbers among `values` (the fields a correction changes) kept out by an erasure on request, each with why
    it may not be set and what to do; as an import judges: an ID number always, a phone only on a record that no ID
    number names (a household shares a phone, a carrier reassigns it; decision 0039, addendum h3)."""
    id_number = values.get("id_number", target.id_number)
    asked = {name: kind for name, kind in (("id_number", suppression.ID), ("phone", suppression.PHONE))
             if values.get(name) and (name == "id_number" or not id_number or target.kind not in PERSON_KINDS)}
    refused = {}
    for name, kind in asked.items():
        entry = suppression.withheld([values[name]], kind).get(NORMALISERS[kind](values[name]))
        if entry is not None:
            refused[name] = suppression.refusal(entry, correcting=True)
    return refused


@dataclass
class Correction:
    target: Target
    fields: list[str] = field(default_factory=list)  # the labels of the fields changed; [] when already so


def target_for(user: Any, public_id: UUID | str) -> Target:
    """The target the form names, if it is of the office's area; NotFound else."""
    try:
        target = Target.objects.select_related("region").get(public_id=public_id)
    except (Target.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound from exc
    if not in_area(user, target) or not correctable(target):
        raise NotFound
    return target


def correct(user: Any, number: Number, public_id: UUID | str, version: int | None, values: dict[str, Any]) -> Correction:
    """Correct the person's own fields of the target `public_id` to `values` (validated by the form), as read at
    `version`. Raises NotFound (not the office's, or the number does not find it), Stale (changed since it was
    read, checked first: the record is the office's either way), ValidationError (the registry's uniqueness, a
    number kept out by an erasure on request: by field)."""
    with transaction.atomic():
        target = target_for(user, public_id)
        target = Target.objects.select_for_update(of=("self",)).select_related("region", "modified_by").get(pk=target.pk)
        wanted = {name: canonical_dots(values[name]) if name in NAME_FIELDS else values[name]
                  for name in correctable(target) if name in values}
        changed = {name: value for name, value in wanted.items() if getattr(target, name) != value}
        if not changed:  # already as asked: a resent form, or nothing to correct
            return Correction(target)
        if version != target.version:
            raise Stale(target)
        if not holds(target, number):
            raise NotFound
        old = {name: getattr(target, name) for name in changed}
        for name, value in changed.items():
            setattr(target, name, value)
        refused = held(target, changed)
        if refused:
            raise ValidationError(refused)
        target.validate_constraints()  # the registry's one ID number per kind; the form checked each field's rule
        target.version += 1
        target.modified_at = clock.now()
        target.modified_by = user
        target.save(update_fields=fields_to_write(Target, set(changed)))
        if "address" in changed:  # a position found from the old address follows the new one
            fill_missing(town_of(target.region), [target])
        labels = {name: field_label(Target, name) for name in changed}
        audit.record(user, AuditEvent.Action.UPDATE, target,
                     summary=_("更正个人信息（依申请人申请，个人信息保护法第四十六条），%(label)s %(number)s：%(fields)s") % {
                         "label": number.label, "number": number.masked, "fields": "、".join(labels.values())},
                     changes={"fields": {labels[name]: [shown(Target._meta.get_field(name), old[name]),
                                                         shown(Target._meta.get_field(name), changed[name])]
                                         for name in changed}})
    return Correction(target, list(labels.values()))
