"""Units (town departments, city departments, outside bodies, village committees), keyed by name."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import read_table
from zoufang.core.tabular import Column, SheetRow, as_found, compact
from zoufang.regions.models import Region
from zoufang.registry.imports import records as cells
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome, choice_lookup, parse_choice
from zoufang.registry.imports.places import regions_by_path
from zoufang.registry.imports.records import Record, changed_fields, plan_records
from zoufang.registry.models import SHARED_NEEDS_REGION, Unit
from zoufang.registry.unitnames import ambiguous_message, clashes, one_tree, scope_path, towns_of

NAME, KIND, REGION, MEMBERS, ORDER = "单位名称", "单位类型", "所属区划", "党员人数", "排序"
UNIT_KINDS = choice_lookup(Unit.Kind, {"镇部门": Unit.Kind.TOWN_DEPARTMENT, "镇支部": Unit.Kind.TOWN_DEPARTMENT,
                                       "市级部门": Unit.Kind.CITY_DEPARTMENT, "村委会": Unit.Kind.VILLAGE_COMMITTEE,
                                       "居委会": Unit.Kind.VILLAGE_COMMITTEE, "社区居委会": Unit.Kind.VILLAGE_COMMITTEE})

# A town's own bodies: an office adds one only in its own regions, never as a body every town shares (decision 0031).
TOWN_KINDS = (Unit.Kind.TOWN_LEADERSHIP, Unit.Kind.TOWN_DEPARTMENT, Unit.Kind.VILLAGE_COMMITTEE)

COLUMNS = (
    Column(NAME, True, _l("单位名称，同一镇内（含各镇共用的单位）不重复，最多100字"), "市交通局", ("单位", "名称"), 24),
    Column(KIND, True, _l("镇党政班子、镇部门、市级机关部门、其他单位 或 村（居）委会"), "市级机关部门", ("类型",), 16),
    Column(REGION, False, _l("区划名称或路径，如“锦溪镇”或“锦溪镇/上下塘社区”"), "锦溪镇", ("区划",), 24),
    Column(MEMBERS, False, _l("整数"), "43", ("党员数",), 10),
    # Only a column the office names 排序 orders the units: a register's 序号 numbers its rows and is ignored, as in
    # every other register; read as the order it flipped with 附件4-1's 序号 at each import of one after the other.
    Column(ORDER, False, _l("整数，越小越靠前；“序号”列只是表格的行号，不作排序"), "1", (), 8),
)


def region_cell(ctx: ImportContext, row: int, column: str, text: str, cache: dict[str, list[Region]]) -> Region | None:
    """A region named by a unique name or a path; errors for none or several."""
    if text not in cache:
        cache[text] = regions_by_path(text, ctx.area, above=True)
    found = cache[text]
    if len(found) == 1:
        return found[0]
    if not found and not ctx.area.everywhere:
        ctx.error(row, column, _("%(where)s没有区划“%(name)s”") % {"where": ctx.area.where, "name": text})
    elif not found:
        ctx.error(row, column, _("找不到区划“%(name)s”") % {"name": text})
    else:
        ctx.error(row, column, _("有%(n)d个区划叫“%(name)s”，请写完整路径，如“锦溪镇/上下塘社区”")
                  % {"n": len(found), "name": text})
    return None


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    table = read_table(ctx, rows, COLUMNS)
    if table is None:
        return Outcome()
    # A name is one unit within a town and among the shared ones (decision 0032): a row with a region is the unit
    # of that name its town sees; one without is the one of that name the area (the campaign's scope) may name.
    names = {compact(table.value(row, NAME)) for row in table.rows}
    stored: dict[str, list[Unit]] = {}
    for unit in Unit.objects.select_related("region").filter(name__in=names):
        stored.setdefault(unit.name, []).append(unit)
    nameable = ctx.unit_names()
    regions: dict[str, list[Region]] = {}
    found: list[Record] = []
    seen: dict[str, list[tuple[str, int]]] = {}
    scopes: dict[str | None, str] = {None: ""}
    one = one_tree()

    def scope_of(region: Region | None) -> str:
        key = region.path if region is not None else None
        if key not in scopes:
            scopes[key] = scope_path(region)
        return scopes[key]

    for done, row in enumerate(table.rows, 1):
        n = row.number
        errors_before = len(ctx.errors)
        name = compact(table.value(row, NAME))
        if cells.required_cell(ctx, n, NAME, name):
            cells.text_cell(ctx, n, NAME, name, 100)
        kind_text = table.value(row, KIND)
        kind = parse_choice(kind_text, UNIT_KINDS)
        if cells.required_cell(ctx, n, KIND, kind_text) and kind is None:
            ctx.error(n, KIND, _("应为：%(names)s") % {"names": "、".join(str(k.label) for k in Unit.Kind)}
                      + as_found(kind_text))
        values: dict[str, Any] = {"name": name, "kind": kind}
        region = None
        if table.value(row, REGION):
            region = region_cell(ctx, n, REGION, table.value(row, REGION), regions)
            values["region_id"] = region.pk if region else None
        for column, field in ((MEMBERS, "party_member_count"), (ORDER, "sort_order")):
            number = cells.count_cell(ctx, n, column, table.value(row, column))
            if number is not None:
                values[field] = number
        above = region is not None and not ctx.area.holds(region)
        if above and region is not None:  # a city's body as registered (0032, h8): named, never registered here
            candidates = [u for u in stored.get(name, []) if u.region_id == region.pk] or [
                u for u in stored.get(name, []) if ctx.area.may_name_unit(u) and not ctx.area.may_change_unit(u)]
        elif region is not None:
            scope = scope_of(region)
            candidates = [u for u in stored.get(name, []) if clashes(scope, u, one)]
        else:
            candidates = nameable.by_key.get(name, []) if "region_id" not in values else []
        existing = candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1:
            ctx.error(n, REGION, ambiguous_message(name, candidates, towns_of(candidates), _("请在“所属区划”写明是哪个镇的")))
        elif above and region is not None and existing is None and not candidates:
            ctx.error(n, REGION, _("“%(name)s”未在%(region)s登记：%(region)s的单位由该区划的走访办或系统管理员登记，"
                                   "%(where)s的导入只能引用已登记的单位。请先请他们登记后再导入本表，或删去这一行") % {
                "name": name, "region": region.name, "where": ctx.area.where})
        elif existing is not None and (refusal := ctx.area.unit_refusal(existing)) and (
                not ctx.area.may_name_unit(existing) or changed_fields(existing, values)):
            ctx.error(n, NAME, refusal)  # a shared unit listed as it is registered is only named
        elif existing is None and "region_id" not in values and kind in TOWN_KINDS and not ctx.area.everywhere:
            ctx.error(n, REGION, _("%(kind)s须填写所属区划（%(where)s或其村、社区）：不填所属区划的单位是各镇共用的单位") % {
                "kind": Unit.Kind(kind).label, "where": ctx.area.where})
        elif existing is None and "region_id" not in values and not one:
            ctx.error(n, REGION, str(SHARED_NEEDS_REGION))
        elif existing is None and region is None and "region_id" not in values and stored.get(name):
            ctx.error(n, NAME, _("已有镇的单位叫“%(name)s”，各镇共用的单位不能与之同名，请改用全称（如“苏州市%(name)s”）")
                      % {"name": name})  # another town's unit: which one is not said (decision 0031)
        where = region if region is not None else existing.region if existing is not None else None
        scope = scope_of(where)
        other = next((row_number for path, row_number in seen.get(name, [])
                      if not path or not scope or path.startswith(scope) or scope.startswith(path)), None)
        if other is not None:
            ctx.error(n, NAME, _("与第%(other)d行重复") % {"other": other})
        elif len(ctx.errors) == errors_before:
            seen.setdefault(name, []).append((scope, n))
            found.append(Record(n, values, existing))
        ctx.tick(done, len(table.rows))
    if ctx.errors:
        return Outcome(total_rows=len(table.rows))
    planned = plan_records(ctx, Unit, found, {})
    planned.total_rows = len(table.rows)
    return planned


SPEC = ImportSpec(
    kind="units", label=_l("单位"), columns=COLUMNS, prepare=prepare, model="registry.Unit",
    notes=(_l("按单位名称识别同一单位：填了所属区划的，是该镇的同名单位；各镇可各有自己的“派出所”等同名部门。重复导入不会重复登记。"
               "选填列留空时不修改已登记的内容。"),),
)
