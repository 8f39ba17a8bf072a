"""Turning validated rows into creates and updates: compare field by field, bump `version`, write in bulk."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.tabular import parse_count
from zoufang.registry import identifiers
from zoufang.registry.imports.base import ImportContext, Outcome, parse_bool

BATCH = 1000
AUDIT_FIELDS = ("version", "modified_at", "modified_by")


@dataclass
class Record:
    """One valid row: the model fields it sets (blank optional cells are left out) and its stored match."""

    row: int
    values: dict[str, Any]
    existing: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def changed_fields(obj: models.Model, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def apply_changes(ctx: ImportContext, obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the changed fields on `obj` and bump its version; returns what changed (empty: unchanged)."""
    changed = changed_fields(obj, values)
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        bump(ctx, obj)
    return changed


def bump(ctx: ImportContext, obj: Any) -> None:
    """A new version of `obj`, modified now by the importing user."""
    obj.version += 1
    obj.modified_at = timezone.now()
    obj.modified_by = ctx.user


def plan_records(ctx: ImportContext, model: type[models.Model], records: Sequence[Record],
                 defaults: dict[str, Any]) -> Outcome:
    """Creates for new records, bulk updates for changed ones; `write` does both in batches."""
    to_create: list[Any] = []
    to_update: list[Any] = []
    update_fields: set[str] = set()
    unchanged = 0
    for record in records:
        if record.existing is None:
            to_create.append(model(**{**defaults, **record.values}, created_by=ctx.user, modified_by=ctx.user))
            continue
        changed = apply_changes(ctx, record.existing, record.values)
        if changed:
            to_update.append(record.existing)
            update_fields.update(changed)
        else:
            unchanged += 1

    def write() -> None:
        manager = model._default_manager
        manager.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            manager.bulk_update(to_update, sorted(update_fields | set(AUDIT_FIELDS)), batch_size=BATCH // 2)

    return Outcome(created=len(to_create), updated=len(to_update), unchanged=unchanged, write=write)


def id_number_cell(ctx: ImportContext, row: int, column: str, text: str) -> str:
    """A GB 11643 ID number, upper-cased; on a bad check digit the error says which digit it should be."""
    value = identifiers.normalise_id_number(text)
    if not value or identifiers.is_valid_id_number(value):
        return value
    message = str(identifiers.ID_NUMBER_RULE)
    if len(value) == 18 and value[:17].isdigit():
        expected = identifiers.id_number_check_digit(value[:17])
        if expected != value[17]:
            message += _("；按前17位计算，末位校验码应为%(digit)s，表中为%(actual)s") % {
                "digit": expected, "actual": value[17]}
    ctx.error(row, column, message)
    return value


def credit_code_cell(ctx: ImportContext, row: int, column: str, text: str) -> str:
    """A GB 32100 unified social credit code, upper-cased and checked."""
    value = text.strip().upper()
    if value and not identifiers.is_valid_credit_code(value):
        message = str(identifiers.CREDIT_CODE_RULE)
        if len(value) == 18:
            try:
                expected = identifiers.credit_code_check_digit(value[:17])
            except ValueError:  # characters outside the code alphabet: the rule says enough
                expected = value[17]
            if expected != value[17]:
                message += _("；按前17位计算，末位校验码应为%(digit)s，表中为%(actual)s") % {
                    "digit": expected, "actual": value[17]}
        ctx.error(row, column, message)
    return value


def phone_cell(ctx: ImportContext, row: int, column: str, text: str, *, mobile_only: bool = False) -> str:
    value = text.strip().replace(" ", "")
    if not value:
        return ""
    valid = identifiers.is_valid_mobile(value) if mobile_only else identifiers.is_valid_phone(value)
    if not valid:
        ctx.error(row, column, identifiers.MOBILE_RULE if mobile_only else identifiers.PHONE_RULE)
    return value


def count_cell(ctx: ImportContext, row: int, column: str, text: str, *, maximum: int | None = None) -> int | None:
    """An optional whole number ≥ 0; blank gives None."""
    if not text:
        return None
    value = parse_count(text)
    if value is None or (maximum is not None and value > maximum):
        ctx.error(row, column, _("应为0到%(max)d之间的整数") % {"max": maximum} if maximum is not None
                  else _("应为不小于0的整数"))
        return None
    return value


def bool_cell(ctx: ImportContext, row: int, column: str, text: str) -> bool | None:
    """An optional 是/否; blank gives None."""
    if not text:
        return None
    value = parse_bool(text)
    if value is None:
        ctx.error(row, column, _("应填“是”或“否”"))
    return value


def text_cell(ctx: ImportContext, row: int, column: str, text: str, max_length: int) -> str:
    if len(text) > max_length:
        ctx.error(row, column, _("不能超过%(n)d个字") % {"n": max_length})
    return text


def required_cell(ctx: ImportContext, row: int, column: str, text: str) -> bool:
    if not text:
        ctx.error(row, column, _("不能为空"))
        return False
    return True
