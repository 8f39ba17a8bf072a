"""Households (户籍户, 非户籍常住户): one row per household, placed in a village, group or grid of the town."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.tabular import Column, SheetRow, person_name
from zoufang.regions.models import Region
from zoufang.registry import identifiers
from zoufang.registry.imports import records as cells
from zoufang.registry.imports.base import (
    ImportContext,
    ImportSpec,
    Outcome,
    Table,
    choice_lookup,
    chunks,
    parse_choice,
    read_table,
)
from zoufang.registry.imports.places import ScopeRegions, resolve_scope
from zoufang.registry.imports.records import Record, plan_records
from zoufang.registry.models import Target

KIND, VILLAGE, GROUP, GRID, NAME, MEMBERS, PHONE, ID_NUMBER, ADDRESS, HARDSHIP = (
    "户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭")

COLUMNS = (
    Column(KIND, True, _l("户籍户 或 非户籍常住户"), "户籍户", ("户籍类别", "户类别", "户类型"), 14),
    Column(VILLAGE, True, _l("本镇已登记的村、社区名称"), "上下塘社区",
           ("村、社区", "村社区", "村、社区名称", "所在村（社区）", "村（居）"), 16),
    Column(GROUP, False, _l("该村已登记的村民小组或居民小组名称；留空表示不分组"), "一组",
           ("居民小组", "村（居）民小组", "小组"), 12),
    Column(GRID, False, _l("该村（或小组）已登记的网格名称"), "第1网格", (), 12),
    Column(NAME, True, _l("户主姓名，中文姓名中的空格会被去掉"), "张三", ("户主",), 12),
    Column(MEMBERS, False, _l("整数，0到99"), "4", ("家庭人口数", "人口数"), 10),
    Column(PHONE, False, identifiers.PHONE_RULE, "13812345678", ("电话", "手机号码", "手机"), 16, text=True),
    Column(ID_NUMBER, False, identifiers.ID_NUMBER_RULE, "320583199001011232",
           ("身份证号", "公民身份号码", "户主身份证号码"), 22, text=True),
    Column(ADDRESS, True, _l("门牌地址，最多300字"), "上下塘街12号", ("住址", "家庭住址"), 30),
    Column(HARDSHIP, False, _l("是 或 否；留空为否"), "否", ("是否困难家庭",), 10),
)

_KINDS = choice_lookup(Target.Kind, {"户籍": Target.Kind.REGISTERED_HOUSEHOLD,
                                     "户籍居民户": Target.Kind.REGISTERED_HOUSEHOLD,
                                     "户籍户口": Target.Kind.REGISTERED_HOUSEHOLD,
                                     "非户籍": Target.Kind.RESIDENT_HOUSEHOLD,
                                     "外来常住户": Target.Kind.RESIDENT_HOUSEHOLD})


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    """Validate every row, find the stored households by natural key, and plan creates and updates."""
    table = read_table(ctx, rows, COLUMNS)
    scope = resolve_scope(ctx)
    if table is None or scope is None:
        return Outcome()
    places = ScopeRegions(scope)
    found: list[Record] = []
    for done, row in enumerate(table.rows, 1):
        record = _record(ctx, table, places, row)
        if record is not None:
            found.append(record)
        ctx.tick(done, len(table.rows))
    _check_duplicates(ctx, found)
    outcome = Outcome(total_rows=len(table.rows))
    if ctx.errors:
        return outcome
    _match_stored(ctx, found, scope)
    if ctx.errors:
        return outcome
    planned = plan_records(ctx, Target, found, {"is_demo": ctx.mark_demo})
    planned.total_rows = outcome.total_rows
    return planned


def _record(ctx: ImportContext, table: Table, places: ScopeRegions, row: SheetRow) -> Record | None:
    errors_before = len(ctx.errors)
    n = row.number
    value = {column.header: table.value(row, column.header) for column in COLUMNS}
    kind = parse_choice(value[KIND], _KINDS)
    if cells.required_cell(ctx, n, KIND, value[KIND]) and kind not in Target.HOUSEHOLD_KINDS:
        ctx.error(n, KIND, _("应为“户籍户”或“非户籍常住户”"))
    region = None
    if cells.required_cell(ctx, n, VILLAGE, value[VILLAGE]):
        region = places.village(value[VILLAGE], ctx, n, VILLAGE)
    if region is not None and value[GROUP]:
        region = places.below(region, Region.Level.GROUP, value[GROUP], ctx, n, GROUP)
    if region is not None and value[GRID]:
        region = places.below(region, Region.Level.GRID, value[GRID], ctx, n, GRID)
    name = person_name(value[NAME])
    if cells.required_cell(ctx, n, NAME, name):
        cells.text_cell(ctx, n, NAME, name, 200)
    address = value[ADDRESS]
    if cells.required_cell(ctx, n, ADDRESS, address):
        cells.text_cell(ctx, n, ADDRESS, address, 300)
    values: dict[str, Any] = {"kind": kind, "region_id": region.pk if region else None, "name": name,
                              "address": address}
    optional = {
        "member_count": cells.count_cell(ctx, n, MEMBERS, value[MEMBERS], maximum=99),
        "phone": cells.phone_cell(ctx, n, PHONE, value[PHONE]),
        "id_number": cells.id_number_cell(ctx, n, ID_NUMBER, value[ID_NUMBER]),
        "hardship": cells.bool_cell(ctx, n, HARDSHIP, value[HARDSHIP]),
    }
    values.update({key: v for key, v in optional.items() if v not in (None, "")})
    if len(ctx.errors) > errors_before:
        return None
    return Record(n, values)


def _key(values: dict[str, Any]) -> tuple[Any, ...]:
    if values.get("id_number"):
        return (values["kind"], values["id_number"])
    return (values["kind"], values["region_id"], values["name"], values["address"])


def _check_duplicates(ctx: ImportContext, found: list[Record]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for record in found:
        key = _key(record.values)
        if key in seen:
            if record.values.get("id_number"):
                ctx.error(record.row, ID_NUMBER, _("与第%(other)d行重复（身份证号码相同）") % {"other": seen[key]})
            else:
                ctx.error(record.row, NAME, _("与第%(other)d行重复（户别、区划、户主姓名、地址都相同）")
                          % {"other": seen[key]})
        else:
            seen[key] = record.row


def _match_stored(ctx: ImportContext, found: list[Record], scope: Region) -> None:
    """Attach the stored household of each row: by ID number, else by (kind, region, name, address)."""
    stored = {t.pk: t for t in Target.objects.filter(kind__in=Target.HOUSEHOLD_KINDS,
                                                      region__path__startswith=scope.path)}
    numbers = sorted({r.values["id_number"] for r in found if r.values.get("id_number")})
    for part in chunks(numbers):
        stored.update({t.pk: t for t in Target.objects.filter(kind__in=Target.HOUSEHOLD_KINDS, id_number__in=part)})
    by_number = {(t.kind, t.id_number): t for t in stored.values() if t.id_number}
    by_place: dict[tuple[Any, ...], list[Target]] = {}
    for target in sorted(stored.values(), key=lambda t: t.pk):
        by_place.setdefault((target.kind, target.region_id, target.name, target.address), []).append(target)
    claimed: dict[int, int] = {}
    for record in found:
        values = record.values
        place = by_place.get((values["kind"], values["region_id"], values["name"], values["address"]), [])
        match = by_number.get((values["kind"], values["id_number"])) if values.get("id_number") else None
        if match is None:
            candidates = [t for t in place if t.pk not in claimed and not (values.get("id_number") and t.id_number)]
            match = candidates[0] if candidates else None
        if match is None:
            continue
        if match.pk in claimed:
            ctx.error(record.row, NAME, _("与第%(other)d行对应登记库中的同一户") % {"other": claimed[match.pk]})
            continue
        claimed[match.pk] = record.row
        record.existing = match


SPEC = ImportSpec(
    kind="households", label=_l("居民户（户籍户、非户籍常住户）"), columns=COLUMNS, prepare=prepare,
    notes=(_l("每户一行。区划按走访活动所在镇查找；村民小组、网格须先通过“行政区划”导入。"),
           _l("有身份证号码时按户别和身份证号码识别同一户，否则按户别、区划、户主姓名和地址识别；重复导入不会重复登记。"),
           _l("选填列留空时不修改已登记的内容。"),
           _l("身份证号码、联系电话请设为文本格式，以免被 Excel 改成科学计数法。")),
)
