"""An erasure on request holds against the town's own register: the ID and phone numbers erased are kept as their
blind index (privacy.models.ErasedNumber); an import leaves out a row carrying an erased ID number, or carrying no ID
number and an erased phone (an enterprise's row comes in without that phone and its contact's name); the office lifts an entry when the
resident consents again. Decision 0039, addenda."""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.core.crypto import NORMALISERS, blind_index
from zoufang.core.tabular import RowError
from zoufang.privacy.models import ErasedNumber, NumberKind
from zoufang.regions.models import Region
from zoufang.registry import identifiers

ID, PHONE = NumberKind.ID_NUMBER, NumberKind.PHONE  # the blind index's kinds: the registry's columns' own
PHONE_COLUMN = "联系电话"  # the phone's column in every register the office imports
MASKS: dict[str, Callable[[str], str]] = {ID: identifiers.mask_id_number, PHONE: identifiers.mask_phone}


def _index(number: str, kind: str) -> str:
    return blind_index(number, kind)


def town_of(region: Region) -> Region:
    return next((r for r in region.ancestors() if r.level == Region.Level.TOWN), region)


def keep(number: str, region: Region, *, kind: str, reason: str, by: Any, today: dt.date) -> None:
    """Put an ID or phone number (`kind`) erased on request on the list (inside the erasure's transaction); once
    while in force."""
    index = _index(number, kind)
    if not index or ErasedNumber.objects.filter(index=index, lifted_at__isnull=True).exists():
        return
    user = by if getattr(by, "is_authenticated", False) else None
    try:
        with transaction.atomic():  # a concurrent erasure of the same number kept it first: one entry is enough
            ErasedNumber.objects.create(kind=kind, index=index, town=town_of(region), erased_on=today, reason=reason,
                                        created_by=user, modified_by=user)
    except IntegrityError:
        return


def withheld(numbers: Iterable[str], kind: str = ID) -> dict[str, ErasedNumber]:
    """{number normalised: its entry in force} of the `numbers` of `kind` on the list (one query a chunk of 2,000)."""
    by_index = {_index(n, kind): n for n in {NORMALISERS[kind](n) for n in numbers if n}}
    by_index.pop("", None)
    found: dict[str, ErasedNumber] = {}
    keys = sorted(by_index)
    for start in range(0, len(keys), 2000):
        for entry in ErasedNumber.objects.filter(index__in=keys[start:start + 2000], kind=kind,
                                                  lifted_at__isnull=True):
            found[by_index[entry.index]] = entry
    return found


def refusal(entry: ErasedNumber, *, row_kept: bool = False, correcting: bool = False) -> str:
    """Why an imported row carrying an erased number is left out (`row_kept`: imported without that number, an
    enterprise's contact), or a correction to it refused (`correcting`), and what to do (the import's note, the
    correction form's error)."""
    if correcting:
        done, then = _("不能更正为这一号码"), _("按这一号码查找、解除后再更正")
    else:
        done, then = (_("不导入这一号码和联系人姓名，其余内容照常导入") if row_kept else _("不再导入")), _("解除后再导入")
    return _("该%(kind)s对应的个人信息已于%(day)s按本人要求删除（%(reason)s），%(done)s；如本人重新同意，请由走访办在"
             "“个人信息查阅与删除”中%(then)s") % {"kind": entry.get_kind_display(), "day": clock.day(entry.erased_on),
                                        "reason": entry.get_reason_display(), "done": done, "then": then}


def in_force(user: Any, number: str, kind: str = ID) -> ErasedNumber | None:
    """The entry in force for `number` of `kind` that `user` (the office of the town it was erased in) may lift."""
    entry = withheld([number], kind).get(NORMALISERS[kind](number))
    if entry is None:
        return None
    if getattr(user, "is_superuser", False) or scope.covers(user, entry.town, {RoleGrant.Role.OFFICE}):
        return entry
    return None


def lift(user: Any, number: str, note: str, kind: str = ID) -> ErasedNumber | None:
    """The resident consents again: the entry no longer holds (kept, with who lifted it, when and on what
    basis), audited naming the number masked. None when nothing in force was left to lift."""
    with transaction.atomic():
        entry = in_force(user, number, kind)
        if entry is None:
            return None
        now = clock.now()
        done = ErasedNumber.objects.filter(pk=entry.pk, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=user, lift_note=note, modified_by=user, version=entry.version + 1)
        if not done:  # lifted by someone else since it was read
            return None
        entry.refresh_from_db()
        audit.record(user, AuditEvent.Action.UPDATE, entry,
                     summary=_("解除已删除%(kind)s %(number)s 的不再导入限制（本人重新同意）：%(note)s") % {
                         "kind": entry.get_kind_display(), "number": MASKS[kind](NORMALISERS[kind](number)),
                         "note": note},
                     changes={"fields": {_("解除时间"): ["", clock.minute(now)]}})
    return entry


def leave_out_erased(ctx: Any, found: list[Any], column: str, *, phone_column: str = PHONE_COLUMN,
                     row_kept: bool = False) -> list[Any]:
    """The import's rows (registry.imports.records.Record) without those whose ID number is on the list, or that
    have no ID number and whose phone is; each left out named in the report's notes with the rule and what to do;
    the rest import as they would. `row_kept` (an enterprise, a project: the number is a contact's): the row
    imports without the erased phone and the contact's name beside it instead."""
    by_id = withheld(record.values.get("id_number") or "" for record in found)
    by_phone = withheld((record.values.get("phone") or "" for record in found if not record.values.get("id_number")),
                        PHONE)
    if not (by_id or by_phone):
        return found
    kept = []
    for record in found:
        number = record.values.get("id_number") or ""
        entry, at = (by_id.get(NORMALISERS[ID](number)), column) if number else \
            (by_phone.get(NORMALISERS[PHONE](record.values.get("phone") or "")), phone_column)
        if entry is None:
            kept.append(record)
            continue
        ctx.notes.append(str(RowError(record.row, at, refusal(entry, row_kept=row_kept))))
        if row_kept:
            record.values.pop("phone", None)
            record.values.pop("contact_name", None)  # the person the number was: their name goes with it
            kept.append(record)
    return kept
