"""An erasure on request holds against the town's own register: the ID numbers erased are kept as their blind
index (privacy.models.ErasedNumber), the household import leaves out a row carrying one, and the office lifts an
entry when the resident consents again. Decision 0039, addendum."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.core.crypto import blind_index, normalise_id
from zoufang.core.tabular import RowError
from zoufang.privacy.models import ErasedNumber
from zoufang.regions.models import Region
from zoufang.registry import identifiers

KIND = "id"  # the blind index's kind: the one the registry's ID number columns are indexed by


def _index(number: str) -> str:
    return blind_index(number, KIND)


def _town(region: Region) -> Region:
    return next((r for r in region.ancestors() if r.level == Region.Level.TOWN), region)


def keep(number: str, region: Region, *, reason: str, by: Any, today: dt.date) -> None:
    """Put an ID number erased on request on the list (inside the erasure's transaction); once while in force."""
    index = _index(number)
    if not index or ErasedNumber.objects.filter(index=index, lifted_at__isnull=True).exists():
        return
    user = by if getattr(by, "is_authenticated", False) else None
    try:
        with transaction.atomic():  # a concurrent erasure of the same number kept it first: one entry is enough
            ErasedNumber.objects.create(index=index, town=_town(region), erased_on=today, reason=reason,
                                        created_by=user, modified_by=user)
    except IntegrityError:
        return


def withheld(numbers: Iterable[str]) -> dict[str, ErasedNumber]:
    """{number: its entry in force} of the `numbers` on the list (one query a chunk of 2,000)."""
    by_index = {_index(n): n for n in {normalise_id(n) for n in numbers if n}}
    by_index.pop("", None)
    found: dict[str, ErasedNumber] = {}
    keys = sorted(by_index)
    for start in range(0, len(keys), 2000):
        for entry in ErasedNumber.objects.filter(index__in=keys[start:start + 2000], lifted_at__isnull=True):
            found[by_index[entry.index]] = entry
    return found


def refusal(entry: ErasedNumber) -> str:
    """Why an imported row carrying an erased number is left out, and what to do (the import's note)."""
    return _("该身份证号码对应的个人信息已于%(day)s按本人要求删除（%(reason)s），不再导入；如本人重新同意，请由走访办在"
             "“个人信息查阅与删除”中解除后再导入") % {"day": f"{entry.erased_on:%Y-%m-%d}",
                                           "reason": entry.get_reason_display()}


def in_force(user: Any, number: str) -> ErasedNumber | None:
    """The entry in force for `number` that `user` (the office of the town it was erased in) may lift."""
    entry = withheld([number]).get(normalise_id(number))
    if entry is None:
        return None
    if getattr(user, "is_superuser", False) or scope.covers(user, entry.town, {RoleGrant.Role.OFFICE}):
        return entry
    return None


def lift(user: Any, number: str, note: str) -> ErasedNumber | None:
    """The resident consents again: the entry no longer holds (kept, with who lifted it, when and on what
    basis), audited naming the number masked. None when nothing in force was left to lift."""
    with transaction.atomic():
        entry = in_force(user, number)
        if entry is None:
            return None
        now = clock.now()
        done = ErasedNumber.objects.filter(pk=entry.pk, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=user, lift_note=note, modified_by=user, version=entry.version + 1)
        if not done:  # lifted by someone else since it was read
            return None
        entry.refresh_from_db()
        audit.record(user, AuditEvent.Action.UPDATE, entry,
                     summary=_("解除已删除身份证号码 %(number)s 的不再导入限制（本人重新同意）：%(note)s") % {
                         "number": identifiers.mask_id_number(normalise_id(number)), "note": note},
                     changes={"fields": {_("解除时间"): ["", clock.minute(now)]}})
    return entry


def leave_out_erased(ctx: Any, found: list[Any], column: str) -> list[Any]:
    """The import's rows (registry.imports.records.Record) without those whose ID number is on the list, each
    left out named in the report's notes with the rule and what to do; the rest import as they would."""
    erased = withheld(record.values.get("id_number") or "" for record in found)
    if not erased:
        return found
    kept = []
    for record in found:
        entry = erased.get(normalise_id(record.values.get("id_number") or ""))
        if entry is None:
            kept.append(record)
        else:
            ctx.notes.append(str(RowError(record.row, column, refusal(entry))))
    return kept
