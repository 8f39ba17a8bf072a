"""Enterprises, projects and notable persons: the non-household targets of a town."""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import Table, read_table
from zoufang.core.tabular import Column, SheetRow, as_found, header_lookup, person_name, read_header
from zoufang.privacy import suppression
from zoufang.regions.models import Region
from zoufang.registry import identifiers
from zoufang.registry.imports import position_cells
from zoufang.registry.imports import records as cells
from zoufang.registry.imports.base import (
    ImportContext,
    ImportSpec,
    Outcome,
    choice_lookup,
    chunks,
    parse_choice,
)
from zoufang.registry.imports.places import ScopeRegions, resolve_scope
from zoufang.registry.imports.records import Record, plan_records
from zoufang.registry.models import Target

PLACE_RULE = _l("本镇已登记的村、社区名称；留空表示全镇")
CONTACT_RULE = _l("走访时找谁：姓名，最多50字，中文姓名中的空格会被去掉")
CONTACT, LEGAL = "联系人", "法定代表人"
IN_CHARGE = ("负责人", "项目负责人")  # the contact's aliases that, beside a 联系人 column, name who answers for it
_SCALES = choice_lookup(Target.Scale, {"规上": Target.Scale.ABOVE_SCALE, "规模以上企业": Target.Scale.ABOVE_SCALE,
                                       "中小": Target.Scale.SMALL_MEDIUM, "规下": Target.Scale.SMALL_MEDIUM})

ENTERPRISE_COLUMNS = (
    Column("企业名称", True, _l("营业执照上的名称"), "昆山锦溪某某有限公司", ("名称", "单位名称", "企业全称"), 30),
    Column("统一社会信用代码", True, identifiers.CREDIT_CODE_FORMAT, "91320583MA1N000104", ("信用代码", "社会信用代码", "统一代码"), 22,
           text=True),
    Column("村（社区）", False, PLACE_RULE, "长云村", ("村、社区", "所在村（社区）", "村、社区名称"), 14),
    Column("地址", False, _l("最多300字"), "锦溪镇长云路8号", ("企业地址", "经营地址", "详细地址"), 30),
    Column("企业规模", False, _l("规模以上 或 中小"), "规模以上", ("规模",), 12),
    Column("重点企业", False, _l("是 或 否"), "是", ("是否重点企业",), 10),
    Column("行业", False, _l("最多100字"), "精密机械", ("所属行业",), 16),
    Column("法定代表人", False, _l("营业执照上的法定代表人，最多50字"), "王某某", ("法人代表",), 12),
    Column("联系人", False, CONTACT_RULE, "李某", ("企业联系人", "负责人"), 12),
    Column("联系电话", False, identifiers.PHONE_RULE, "0512-57223456", ("电话", "联系方式"), 16, text=True),
    *position_cells.COLUMNS,
)
PROJECT_COLUMNS = (
    Column("项目名称", True, _l("最多200字"), "锦溪古镇保护二期", ("名称",), 30),
    Column("村（社区）", False, PLACE_RULE, "上下塘社区", ("村、社区", "所在村（社区）", "村、社区名称"), 14),
    Column("地址", False, _l("最多300字"), "", ("项目地址",), 30),
    Column("重点项目", False, _l("是 或 否"), "是", ("是否重点项目",), 10),
    Column("项目阶段", False, _l("如 前期、在建、竣工，最多50字"), "在建", ("阶段",), 12),
    Column("联系人", False, CONTACT_RULE, "赵某", ("项目负责人", "项目联系人", "负责人"), 12),
    Column("联系电话", False, identifiers.PHONE_RULE, "13912345678", ("电话", "联系方式"), 16, text=True),
    Column("说明", False, _l("最多300字"), "", ("简介", "备注"), 30),
    *position_cells.COLUMNS,
)
PERSON_COLUMNS = (
    Column("姓名", True, _l("中文姓名中的空格会被去掉"), "李四", (), 12),
    Column("村（社区）", False, PLACE_RULE, "计家墩村",
           ("村、社区", "籍贯", "联系地区", "所在村（社区）", "村、社区名称"), 14),
    Column("领域", False, _l("如 文化、教育、经济，最多100字"), "文化", ("行业",), 14),
    Column("联系电话", False, identifiers.PHONE_RULE, "13912345678", ("电话", "手机号码", "联系方式"), 16, text=True),
    Column("地址", False, _l("最多300字"), "", ("住址",), 30),
    Column("说明", False, _l("最多300字"), "", ("简介", "备注"), 30),
    *position_cells.COLUMNS,
)

RowReader = Callable[[ImportContext, Table, ScopeRegions, SheetRow], dict[str, Any]]


def _enterprise(ctx: ImportContext, table: Table, places: ScopeRegions, row: SheetRow) -> dict[str, Any]:
    n = row.number
    get = table.value
    name = get(row, "企业名称")
    if cells.required_cell(ctx, n, "企业名称", name):
        cells.text_cell(ctx, n, "企业名称", name, 200)
    code = get(row, "统一社会信用代码")
    if cells.required_cell(ctx, n, "统一社会信用代码", code):
        code = cells.credit_code_cell(ctx, n, "统一社会信用代码", code,
                                      lossy=table.header.lossy(row, "统一社会信用代码"))
    scale = None
    if get(row, "企业规模"):
        scale = parse_choice(get(row, "企业规模"), _SCALES)
        if scale is None:
            ctx.error(n, "企业规模", _("应为“规模以上”或“中小”") + as_found(get(row, "企业规模")))
    place = get(row, "村（社区）")  # blank: a new enterprise belongs to the town, a known one stays where it is
    region = places.place(place, ctx, n, "村（社区）") if place else None
    return {"name": name, "credit_code": code, "region_id": region.pk if region else None,
            "address": cells.text_cell(ctx, n, "地址", get(row, "地址"), 300), "scale": scale,
            "is_key": cells.bool_cell(ctx, n, "重点企业", get(row, "重点企业")),
            "industry": cells.text_cell(ctx, n, "行业", get(row, "行业"), 100),
            "legal_representative": _person_cell(ctx, table, row, "法定代表人"),
            **_contact(ctx, table, row)}


def _person_cell(ctx: ImportContext, table: Table, row: SheetRow, column: str) -> str:
    return cells.person_cell(ctx, row.number, column, table.value(row, column), 50)


def _contact(ctx: ImportContext, table: Table, row: SheetRow) -> dict[str, Any]:
    """An enterprise's or a project's contact person and number."""
    return {"contact_name": _person_cell(ctx, table, row, "联系人"),
            "phone": cells.phone_cell(ctx, row.number, "联系电话", table.value(row, "联系电话"))}


def _project(ctx: ImportContext, table: Table, places: ScopeRegions, row: SheetRow) -> dict[str, Any]:
    n = row.number
    get = table.value
    name = get(row, "项目名称")
    if cells.required_cell(ctx, n, "项目名称", name):
        cells.text_cell(ctx, n, "项目名称", name, 200)
    region = places.place(get(row, "村（社区）"), ctx, n, "村（社区）")
    return {"name": name, "region_id": region.pk if region else None,
            "address": cells.text_cell(ctx, n, "地址", get(row, "地址"), 300),
            "is_key": cells.bool_cell(ctx, n, "重点项目", get(row, "重点项目")),
            "stage": cells.text_cell(ctx, n, "项目阶段", get(row, "项目阶段"), 50),
            "description": cells.text_cell(ctx, n, "说明", get(row, "说明"), 300),
            **_contact(ctx, table, row)}


def _person(ctx: ImportContext, table: Table, places: ScopeRegions, row: SheetRow) -> dict[str, Any]:
    n = row.number
    get = table.value
    name = person_name(get(row, "姓名"))
    if cells.required_cell(ctx, n, "姓名", name):
        cells.person_cell(ctx, n, "姓名", get(row, "姓名"), 200)
    region = places.place(get(row, "村（社区）"), ctx, n, "村（社区）")
    return {"name": name, "region_id": region.pk if region else None,
            "industry": cells.text_cell(ctx, n, "领域", get(row, "领域"), 100),
            "phone": cells.phone_cell(ctx, n, "联系电话", get(row, "联系电话")),
            "address": cells.text_cell(ctx, n, "地址", get(row, "地址"), 300),
            "description": cells.text_cell(ctx, n, "说明", get(row, "说明"), 300)}


def _as_headed(ctx: ImportContext, rows: list[SheetRow], columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns as this table's header uses 负责人 (项目负责人): the contact, as its alias, unless a 联系人 column
    stands beside it. Then 联系人 is the contact, and 负责人 — who answers for the enterprise — its legal
    representative where the table has no 法定代表人 column; else, and on a project, it is left out. The report says
    which (decision 0039, addendum h1)."""
    contact = next((column for column in columns if column.header == CONTACT), None)
    header = read_header(rows, columns)
    if contact is None or header is None:
        return columns
    written = [labels[-1].text for labels in header.labels.values()]
    in_charge = [text for text in written if header_lookup(text, [a for a in contact.aliases if a in IN_CHARGE])]
    plain = [alias for alias in contact.aliases if alias not in IN_CHARGE]
    if not in_charge or not any(header_lookup(text, (CONTACT, *plain)) for text in written):
        return columns
    legal = next((column for column in columns if column.header == LEGAL), None)
    names = "、".join(f"“{text}”" for text in in_charge)
    if legal is not None and not any(header_lookup(text, (LEGAL, *legal.aliases)) for text in written):
        ctx.notes.append(_("%(names)s一列按“法定代表人”导入：表中另有“联系人”，走访时联系的是联系人") % {"names": names})
        replaced = {CONTACT: dataclasses.replace(contact, aliases=tuple(plain)),
                    LEGAL: dataclasses.replace(legal, aliases=(*legal.aliases, *in_charge))}
        return tuple(replaced.get(column.header, column) for column in columns)
    ctx.notes.append(_("%(names)s一列未导入：表中已有%(kept)s") % {
        "names": names, "kept": _("“法定代表人”和“联系人”") if legal is not None else _("“联系人”")})
    unread = tuple(Column(text) for text in in_charge)  # matched so as not to be called unknown, never read
    return (*(dataclasses.replace(contact, aliases=tuple(plain)) if column is contact else column
              for column in columns), *unread)


def _prepare(ctx: ImportContext, rows: list[SheetRow], kind: str, columns: tuple[Column, ...],
             read_row: RowReader) -> Outcome:
    """Shared flow: validate rows, reject duplicates, match stored targets by natural key, plan writes."""
    table = read_table(ctx, rows, _as_headed(ctx, rows, columns))
    scope = resolve_scope(ctx)
    if table is None or scope is None:
        return Outcome()
    places = ScopeRegions(scope)
    found: list[Record] = []
    seen: dict[tuple[Any, ...], int] = {}
    for done, row in enumerate(table.rows, 1):
        errors_before = len(ctx.errors)
        values = {k: v for k, v in read_row(ctx, table, places, row).items() if v not in (None, "")}
        values.update(position_cells.position_cells(ctx, table, row))
        values["kind"] = kind
        key = _key(values)
        if all(key) and key in seen:
            ctx.error(row.number, columns[1].header if kind == Target.Kind.ENTERPRISE else columns[0].header,
                      _("与第%(other)d行重复") % {"other": seen[key]})
        elif all(key):
            seen[key] = row.number
        if len(ctx.errors) == errors_before:
            found.append(Record(row.number, values))
        ctx.tick(done, len(table.rows))
    # A phone erased at the person's request (0039): a notable person's row left out, a contact's number dropped.
    found = suppression.leave_out_erased(ctx, found, "", row_kept=kind != Target.Kind.NOTABLE_PERSON)
    if ctx.errors:
        return Outcome(total_rows=len(table.rows))
    stored = _stored(kind, found, scope)
    for record in found:
        record.existing = stored.get(_key(record.values))
        if record.existing is not None and not ctx.area.holds(record.existing.region):
            ctx.error(record.row, "统一社会信用代码", ctx.area.outside_message(_("统一社会信用代码")))
        elif kind == Target.Kind.ENTERPRISE and record.existing is not None:
            _same_enterprise(ctx, record, places)
    if ctx.errors:
        return Outcome(total_rows=len(table.rows))
    planned = plan_records(ctx, Target, found, {"is_demo": ctx.mark_demo, "region_id": scope.pk}, scope=scope)
    planned.total_rows = len(table.rows)
    return planned


def _same_enterprise(ctx: ImportContext, record: Record, places: ScopeRegions) -> None:
    """An enterprise found by its credit code keeps its name and village unless the import is an update."""
    stored, values = record.existing, record.values

    def where(region_id: int | None) -> str:
        if region_id in places.by_id:
            return places.by_id[region_id].name
        elsewhere = Region.objects.filter(pk=region_id).first() if region_id else None
        return elsewhere.full_name() if elsewhere is not None else ""  # another town: the whole name

    fields = [("企业名称", stored.name, values["name"], "name")]
    if "region_id" in values:
        fields.append(("村（社区）", where(stored.region_id), where(values["region_id"]), "region_id"))
    key = _("统一社会信用代码%(code)s") % {"code": values["credit_code"]}
    cells.guard_identity(ctx, record.row, "统一社会信用代码", key, fields, stored)


def _key(values: dict[str, Any]) -> tuple[Any, ...]:
    if values["kind"] == Target.Kind.ENTERPRISE:
        return (values.get("credit_code"),)
    return (values.get("region_id"), values.get("name"))


def _stored(kind: str, found: list[Record], scope: Region) -> dict[tuple[Any, ...], Target]:
    """Stored targets by natural key: enterprises by credit code (any town), others by name within the town.

    Only the keys the file holds are looked up, a chunk at a time through an index: the cost follows the file.
    """
    stored: dict[tuple[Any, ...], Target] = {}
    if kind == Target.Kind.ENTERPRISE:
        codes = sorted(r.values["credit_code"] for r in found)
        for part in chunks(codes):
            # The explicit non-empty test lets the partial unique index on credit_code serve the look-up.
            stored.update({(t.credit_code,): t for t in Target.objects.filter(credit_code__in=part)
                           .exclude(credit_code="").select_related("region").order_by()})
        return stored
    names = sorted({r.values["name"] for r in found if r.values.get("name")})
    for part in chunks(names):
        # By name alone (the name index), kind and town checked here: see households._stored.
        for target in Target.objects.filter(name__in=part).select_related("region").order_by("-pk"):
            if target.kind == kind and target.region.path.startswith(scope.path):
                stored[(target.region_id, target.name)] = target  # of equal keys the oldest wins, as always
    return stored


def prepare_enterprises(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    return _prepare(ctx, rows, Target.Kind.ENTERPRISE, ENTERPRISE_COLUMNS, _enterprise)


def prepare_projects(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    return _prepare(ctx, rows, Target.Kind.PROJECT, PROJECT_COLUMNS, _project)


def prepare_persons(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    return _prepare(ctx, rows, Target.Kind.NOTABLE_PERSON, PERSON_COLUMNS, _person)


_BLANK_KEEPS = _l("选填列留空时不修改已登记的内容。")
ENTERPRISES = ImportSpec(
    kind="enterprises", label=_l("企业"), columns=ENTERPRISE_COLUMNS, prepare=prepare_enterprises,
    notes=(_l("按统一社会信用代码识别同一企业；重复导入不会重复登记。"), _BLANK_KEEPS,
           _l("信用代码已登记而企业名称或村（社区）不同的行不导入；确是更名、迁移的，按更新导入"
              "（命令行 --update，网页勾选“按更新导入”），先列出每一处变更，核对后写入并记入审计。")),
)
PROJECTS = ImportSpec(
    kind="projects", label=_l("项目"), columns=PROJECT_COLUMNS, prepare=prepare_projects,
    notes=(_l("按村（社区）和项目名称识别同一项目。"), _BLANK_KEEPS),
)
NOTABLE_PERSONS = ImportSpec(
    kind="notable_persons", label=_l("名士"), columns=PERSON_COLUMNS, prepare=prepare_persons,
    notes=(_l("按村（社区）和姓名识别同一人。"), _BLANK_KEEPS),
)
