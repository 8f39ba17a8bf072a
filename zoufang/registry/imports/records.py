"""Turning validated rows into creates and updates: compare field by field, bump `version`, write in bulk."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from zoufang import clock
from zoufang.accounts import audit
from zoufang.core.crypto import with_indexes
from zoufang.core.names import dotted, separators_written
from zoufang.core.tabular import as_found, not_a_count, nought_hint, parse_count, person_name
from zoufang.regions.positions import fill_missing, place_new
from zoufang.registry import identifiers
from zoufang.registry.imports.base import Change, ImportContext, Outcome, parse_bool
from zoufang.registry.models import Target

BATCH = 1000
AUDIT_FIELDS = ("version", "modified_at", "modified_by")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")
_SPACES = re.compile(r"\s+")
_FLOAT_TAIL = re.compile(r"^(\d+)\.0+$")  # a number cell turned into text by another program: 13812345678.0
_COUNTRY_CODE = re.compile(r"^(\+|00)86-?")


@dataclass
class Record:
    """One valid row: the model fields it sets (blank optional cells are left out) and its stored match."""

    row: int
    values: dict[str, Any]
    existing: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def changed_fields(obj: models.Model, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def apply_changes(ctx: ImportContext, obj: Any, values: dict[str, Any], *, row: int, key: str = "") -> list[str]:
    """Set the changed fields on `obj` and bump its version; returns what changed (empty: unchanged).

    Each change is written down, old and new value, on the record's one `Change` (file row `row`, named `key`, else
    as `key_of` names it): the report lists it and the trail records it."""
    changed = changed_fields(obj, values)
    if changed:
        change = ctx.change_of(obj, row, key or key_of(obj))
        for name in changed:
            if name not in change.covered:
                note_field(ctx, change, obj, name, values[name])
            setattr(obj, name, values[name])
        bump(ctx, obj)
    return changed


def key_of(obj: Any) -> str:
    """How an import's change names a stored record: by its official key (an ID number masked), else its name."""
    if getattr(obj, "id_number", ""):
        return _("身份证号码%(id)s") % {"id": identifiers.mask_id_number(obj.id_number)}
    if getattr(obj, "credit_code", ""):
        return _("统一社会信用代码%(code)s") % {"code": obj.credit_code}
    if getattr(obj, "code", ""):
        return _("区划代码%(code)s") % {"code": obj.code}
    return str(getattr(obj, "name", "") or obj)


def note_field(ctx: ImportContext, change: Change, obj: Any, name: str, new: Any) -> None:
    """Write field `name` of `obj` going to `new` onto `change`, as shown: a choice by its label, 是/否, an ID or
    phone number masked as the trail keeps it; a foreign key by the name of what it points at (named in one query
    per model once the file is read: `name_references`)."""
    model_field = obj._meta.get_field(name)
    label = str(model_field.verbose_name)
    if model_field.is_relation:
        old = getattr(obj, model_field.name) if model_field.is_cached(obj) else getattr(obj, name)
        ctx.unnamed.append((change, len(change.fields), model_field.related_model, old, new))
        change.fields.append((label, "", ""))
        return
    change.fields.append((label, shown(model_field, getattr(obj, name)), shown(model_field, new)))


def shown(model_field: Any, value: Any) -> str:
    """A field's value as a change lists it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(audit.masked(model_field.name, value))


def name_references(ctx: ImportContext) -> None:
    """Fill in the foreign keys `note_field` left: every id named at once, one query per model."""
    wanted: dict[Any, set[Any]] = {}
    for _change, _at, model, old, new in ctx.unnamed:
        wanted.setdefault(model, set()).update(v for v in (old, new) if v is not None and not isinstance(v, models.Model))
    names = {model: {pk: str(obj) for pk, obj in model._default_manager.in_bulk(list(pks)).items()}
             for model, pks in wanted.items()}

    def name(model: Any, value: Any) -> str:
        if value is None:
            return ""
        return str(value) if isinstance(value, models.Model) else names[model].get(value, str(value))

    for change, at, model, old, new in ctx.unnamed:
        change.fields[at] = (change.fields[at][0], name(model, old), name(model, new))
    ctx.unnamed.clear()


def fields_to_write(model: type[models.Model], changed: set[str]) -> list[str]:
    """The changed fields, the audit fields, and the blind index of each encrypted field among them."""
    return sorted(with_indexes(model, changed | set(AUDIT_FIELDS)))


def bump(ctx: ImportContext, obj: Any) -> None:
    """A new version of `obj`, modified now by the importing user."""
    obj.version += 1
    obj.modified_at = clock.now()
    obj.modified_by = ctx.user


def plan_records(ctx: ImportContext, model: type[models.Model], records: Sequence[Record],
                 defaults: dict[str, Any], scope: Any = None) -> Outcome:
    """Creates for new records, bulk updates for changed ones; `write` does both in batches.

    With the town `scope` (targets only), the new targets are inserted with their gazetteer positions and
    only the updated ones are positioned again: the write costs what the file holds, not what the town does.
    """
    to_create: list[Any] = []
    to_update: list[Any] = []
    update_fields: set[str] = set()
    unchanged = 0
    for record in records:
        if record.existing is None:
            to_create.append(model(**{**defaults, **record.values}, created_by=ctx.user, modified_by=ctx.user))
            continue
        changed = apply_changes(ctx, record.existing, record.values, row=record.row)
        if changed:
            to_update.append(record.existing)
            update_fields.update(changed)
        else:
            unchanged += 1

    def write() -> None:
        manager = model._default_manager
        if scope is not None:
            place_new(scope, to_create)
        manager.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            # A target moved to another village or kind moves its kept coverage counts (no signal on bulk_update).
            moves = model is Target and bool(update_fields & {"region", "kind"})
            if moves:
                from zoufang.oversight import counters

                placed = counters.placements([obj.pk for obj in to_update])
            manager.bulk_update(to_update, fields_to_write(model, update_fields), batch_size=BATCH // 2)
            if moves:
                counters.targets_moved(placed)
            if scope is not None:
                fill_missing(scope, to_update)

    return Outcome(created=len(to_create), updated=len(to_update), unchanged=unchanged, write=write,
                   positioned=scope is not None)


def halfwidth(text: str) -> str:
    """Full-width digits and letters as typed with a Chinese input method (３２０５８３ｘ) made ASCII, without the
    quote typed before a number to keep it as text: ' is Excel's own and never kept, but ‘ ’ ` (the same key with a
    Chinese input method on) are kept as text."""
    return unicodedata.normalize("NFKC", text).strip().lstrip("'‘’`").strip()


def excel_number_message(what: str, text: str) -> str:
    """An identifier Excel stored as a number: the digits past the 15th are gone and cannot be recovered."""
    return _("Excel 把%(what)s当成了数字（表中为%(text)s），超过15位的数字已丢失，无法还原。"
             "请把这一列设为“文本”格式（选中该列→右键“设置单元格格式”→“文本”）后重新输入或粘贴号码，"
             "或在号码前加英文单引号 '") % {"what": what, "text": text}


def id_number_problem(value: str) -> str:
    """Why `value` (normalised) is not a GB 11643 ID number, in words; empty when it is one."""
    if identifiers.is_valid_id_number(value):
        return ""
    if len(value) == 15 and value.isdigit():
        body = value[:6] + "19" + value[6:]
        upgraded = body + identifiers.id_number_check_digit(body)
        suggestion = (_("，按国家标准升位后为%(id)s，请核对后填写") % {"id": upgraded}
                      if identifiers.is_valid_id_number(upgraded) else "")
        return _("这是15位的旧身份证号码，应填写18位号码%(suggestion)s") % {"suggestion": suggestion}
    if len(value) != 18:
        return _("应为18位，表中为%(n)d位") % {"n": len(value)}
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return _("只能由数字组成，末位可以是X")
    try:
        ric.get_birth_date(value)
    except StdnumError:
        return _("第7至14位的出生日期%(date)s不是有效日期") % {"date": value[6:14]}
    if not identifiers.is_region_code(value[:6]):
        return _("前6位地区码%(code)s不是有效的行政区划代码") % {"code": value[:6]}
    expected = identifiers.id_number_check_digit(value[:17])
    message = _("按前17位计算，末位校验码应为%(digit)s，表中为%(actual)s") % {"digit": expected, "actual": value[17]}
    if value[-3:] == "000":
        message += _("（末尾是000：如果这一列在 Excel 中曾是数字格式，末几位已被改成0，请按原件重新输入）")
    return message


def id_number_cell(ctx: ImportContext, row: int, column: str, text: str, *, lossy: bool = False) -> str:
    """A GB 11643 ID number, upper-cased and made half-width; the error says what exactly is wrong."""
    value = identifiers.normalise_id_number(_SPACES.sub("", halfwidth(text)))
    if not value:
        return value
    if lossy or _SCIENTIFIC.match(value):
        ctx.error(row, column, excel_number_message(_("身份证号码"), text))
        return value
    problem = id_number_problem(value)
    if problem:
        shown = as_found(identifiers.mask_id_number(value))
        ctx.error(row, column, f"{identifiers.ID_NUMBER_RULE}{shown}；{problem}")
    return value


def credit_code_cell(ctx: ImportContext, row: int, column: str, text: str, *, lossy: bool = False) -> str:
    """A GB 32100 unified social credit code, upper-cased, made half-width and checked."""
    value = _SPACES.sub("", halfwidth(text)).upper()
    if value and (lossy or _SCIENTIFIC.match(value)):
        ctx.error(row, column, excel_number_message(_("统一社会信用代码"), text))
    elif value and not identifiers.is_valid_credit_code(value):
        message = str(identifiers.CREDIT_CODE_RULE) + as_found(value)  # an enterprise's, public
        if len(value) != 18:
            message += _("；表中为%(n)d位") % {"n": len(value)}
        else:
            try:
                expected = identifiers.credit_code_check_digit(value[:17])
            except ValueError:  # characters outside the code alphabet: the rule says enough
                expected = value[17]
            if expected != value[17]:
                message += _("；按前17位计算，末位校验码应为%(digit)s，表中为%(actual)s") % {
                    "digit": expected, "actual": value[17]}
        ctx.error(row, column, message)
    return value


def guard_identity(ctx: ImportContext, row: int, column: str, key: str,
                   fields: Sequence[tuple[str, str, str, str]], obj: Any) -> bool:
    """A known key whose name, village or kind differs: refused, unless this import is an update.

    `fields` are (column, stored, in the file, the model field it shows); in an update each difference goes on the
    record's change, listed on the report and audited after the write. Returns whether the row may go on.
    """
    changed = [(c, old, new, name) for c, old, new, name in fields if old != new]
    if not changed:
        return True
    if ctx.update:
        change = ctx.change_of(obj, row, key)
        change.renamed = True
        change.fields.extend((c, old, new) for c, old, new, _name in changed)
        change.covered.update(name for *_shown, name in changed)
        return True
    what = "；".join(_("%(column)s由“%(old)s”改为“%(new)s”") % {"column": c, "old": old, "new": new}
                    for c, old, new, _name in changed)
    ctx.error(row, column, _("%(key)s已登记，本表%(what)s。普通导入不修改已登记对象的姓名、名称、村或类别；"
                             "如确是更名或迁移，请按更新导入（命令行加 --update，网页勾选“按更新导入”），"
                             "核对变更清单后再写入") % {"key": key, "what": what})
    return False


_PHONE_SEPARATOR = re.compile(r"[/／、，,;；]|\d{7}\D+\d{7}")  # two numbers in one cell


def phone_cell(ctx: ImportContext, row: int, column: str, text: str, *, mobile_only: bool = False) -> str:
    """A mobile or landline number; “13812345678.0”, “+86 138-1234-5678” and “138 1234 5678” are read as 13812345678."""
    value = _COUNTRY_CODE.sub("", _FLOAT_TAIL.sub(r"\1", _SPACES.sub("", halfwidth(text))))
    if not value:
        return ""
    if identifiers.is_valid_mobile(value.replace("-", "")):
        value = value.replace("-", "")
    valid = identifiers.is_valid_mobile(value) if mobile_only else identifiers.is_valid_phone(value)
    if not valid:
        rule = identifiers.MOBILE_RULE if mobile_only else identifiers.PHONE_RULE
        several = _("；一格只填一个号码，其余的可写在“备注”列") if _PHONE_SEPARATOR.search(value) else ""
        ctx.error(row, column, f"{rule}{as_found(identifiers.mask_phone(value))}{several}")
    return value


def count_cell(ctx: ImportContext, row: int, column: str, text: str, *, maximum: int | None = None) -> int | None:
    """An optional whole number ≥ 0; blank gives None."""
    if not text:
        return None
    value = parse_count(halfwidth(text))
    if value is None or (maximum is not None and value > maximum):
        ctx.error(row, column, _("应为0到%(max)d之间的整数") % {"max": maximum} + as_found(text) + nought_hint(text)
                  if maximum is not None else not_a_count(text))
        return None
    return value


def bool_cell(ctx: ImportContext, row: int, column: str, text: str) -> bool | None:
    """An optional 是/否; blank gives None."""
    if not text:
        return None
    value = parse_bool(text)
    if value is None:
        ctx.error(row, column, _("应填“是”或“否”") + as_found(text))
    return value


# A name cell holding a second line (Alt+Enter) with text on both sides, or a run of digits a phone or ID number has.
_SECOND_LINE = re.compile(r"\S\s*[\n\r\u2028\u2029]\s*\S")
_NUMBER_RUN = re.compile(r"\d{7}")


def person_cell(ctx: ImportContext, row: int, column: str, text: str, max_length: int) -> str:
    """A person's name as `person_name` reads it (whitespace out of a Chinese name: “王  文” is 王文; its dots as ·,
    which the report says once: `dotted_names_note`). A cell holding two
    lines, or a number as long as a phone's, is refused: read as one name it would glue two texts into a person
    nobody is, or keep a phone number in a name, where nothing masks it."""
    name = person_name(text)
    if dotted(text):
        ctx.dotted_names.setdefault(text, name)
    if _SECOND_LINE.search(text):
        ctx.error(row, column, _("%(column)s中有换行（单元格内按了 Alt+Enter），是两段文字，无法确定哪段是姓名。"
                                 "一格只填一个人的姓名：电话、身份证号码等请填在各自的列，说明请填在“备注”列；"
                                 "确是一个姓名的，请删去换行") % {"column": column})
    elif _NUMBER_RUN.search(unicodedata.normalize("NFKC", name)):
        ctx.error(row, column, _("%(column)s中有一串数字（7位以上），像是电话或证件号码：一格只填一个人的姓名，"
                                 "电话、身份证号码等请填在各自的列") % {"column": column})
    else:
        text_cell(ctx, row, column, name, max_length)
    return name


def dotted_names_note(ctx: ImportContext) -> str | None:
    """One line for every name whose separator dot was read as the standard's (decision 0069), with an example."""
    if not ctx.dotted_names:
        return None
    written, name = next(iter(ctx.dotted_names.items()))
    return _("%(n)d个姓名中的间隔点（表中写作%(dots)s）按国家标准读作“·”，如“%(written)s”读作“%(name)s”") % {
        "n": len(ctx.dotted_names), "dots": "、".join(f"“{dot}”" for dot in separators_written(ctx.dotted_names)),
        "written": written, "name": name}


def text_cell(ctx: ImportContext, row: int | None, column: str, text: str, max_length: int) -> str:
    if len(text) > max_length:
        ctx.error(row, column, _("不能超过%(n)d个字，表中为%(length)d个字") % {"n": max_length, "length": len(text)})
    return text


def required_cell(ctx: ImportContext, row: int, column: str, text: str) -> bool:
    """Whether the cell is filled; else an error, saying so when it is what a merged cell becomes in a csv."""
    if not text:
        ctx.blank(row, column)
        return False
    return True
