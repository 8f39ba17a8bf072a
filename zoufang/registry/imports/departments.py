"""The town departments' table (seed 附件4-1 or 附件4-2): each department a town_department unit."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import read_whole_table
from zoufang.core.tabular import Column, SheetRow, normalise_header, parse_count
from zoufang.planning.tables.departments import parse_department_table
from zoufang.planning.tables.header import COUNT, DEPARTMENT, DEPARTMENT_COLUMNS, MEMBERS, SERIAL
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome
from zoufang.registry.imports.places import resolve_scope
from zoufang.registry.imports.quotas import refuse_overlong
from zoufang.registry.imports.records import Record, plan_records
from zoufang.registry.models import Unit
from zoufang.registry.unitnames import UnitNames, visible_from

REGISTERED, RESIDENT = "户籍户口", "外来常住户"
QUOTA_KIND_NAME = _l("镇各部门定案分配表")  # the kind that stores the counts (department_quotas)


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    """Check the table's 合计 against its rows, then create or update one unit per department."""
    scope = resolve_scope(ctx)
    table = read_whole_table(ctx, rows, parse_department_table, SPEC.columns)
    if table is None:
        return Outcome()
    if not table.rows and not table.issues:
        ctx.error(None, "", _("表中没有部门行"))
    filled = [column for column in table.columns if any(column not in row.blank for row in table.rows)]
    if filled:
        ctx.notes.append(_("表中%(columns)s的走访数未存为各部门固定走访数（本导入只登记部门和党员人数）；要让这些数在分配时"
                           "生效，请再以“%(kind)s”导入本表") % {
            "columns": "、".join(f"“{c}”" for c in filled), "kind": QUOTA_KIND_NAME})
    outcome = Outcome(total_rows=len(table.rows))
    if scope is None or ctx.errors:
        return outcome
    # Matched as the department quota kind and the allocation tables match: “机关二支部(党)” is 机关二支部（党）.
    # Among the units the campaign's town sees (decision 0032): another town's 派出所 is not this town's.
    stored = UnitNames(visible_from(scope), normalise_header)
    found: list[Record] = []
    seen: dict[str, int] = {}
    kept: list[str] = []  # departments whose 排序 the table's 序号 does not overrule
    for row in table.rows:
        unit = stored.unit(row.unit)
        if ambiguity := stored.ambiguity(row.unit):
            ctx.error(row.row, DEPARTMENT, ambiguity)
        if row.unit in seen:
            ctx.error(row.row, DEPARTMENT, _("与第%(other)d行重复") % {"other": seen[row.unit]})
            continue
        seen[row.unit] = row.row
        refuse_overlong(ctx, row.row, row.serial)  # the same table is stored as quotas next, its 序号 with them
        if len(row.unit) > 100:
            ctx.error(row.row, DEPARTMENT, _("不能超过%(n)d个字") % {"n": 100})
        if unit is not None and (refusal := ctx.area.unit_refusal(unit)):
            ctx.error(row.row, DEPARTMENT, refusal)
        elif unit is not None and unit.kind != Unit.Kind.TOWN_DEPARTMENT:
            ctx.error(row.row, DEPARTMENT, _("单位“%(name)s”已登记为%(kind)s，不是镇部门")
                      % {"name": unit.name, "kind": unit.get_kind_display()})
        values: dict[str, Any] = {"name": unit.name if unit is not None else row.unit,
                                  "kind": Unit.Kind.TOWN_DEPARTMENT, "region_id": scope.pk}
        order = parse_count(row.serial)
        if order is not None and (unit is None or not unit.sort_order):
            values["sort_order"] = order  # the table's place, for a department that has none yet
        elif order is not None and unit is not None and order != unit.sort_order:
            kept.append(unit.name)
        if row.party_members is not None:
            values["party_member_count"] = row.party_members
        found.append(Record(row.row, values, unit))
    if ctx.errors:
        return outcome
    if kept:
        ctx.notes.append(_("表中的序号未改变%(units)s已登记的排序：序号只给尚无排序的部门定排序；要调整，请在单位导入的“排序”列"
                           "或管理后台修改") % {"units": "、".join(f"“{name}”" for name in kept)})
    planned = plan_records(ctx, Unit, found, {})
    planned.total_rows = outcome.total_rows
    return planned


SPEC = ImportSpec(
    kind="departments", label=_l("镇各部门党员干部分配表（附件4-1、附件4-2 格式）"),
    columns=(*DEPARTMENT_COLUMNS,
             Column(REGISTERED, False, _l("分给该部门的户籍户数"), "215", ("户籍户",), 12),
             Column(RESIDENT, False, _l("分给该部门的外来常住户数"), "387", ("非户籍常住户",), 12)),
    prepare=prepare, model="registry.Unit",
    header_rows=((SERIAL, DEPARTMENT, MEMBERS, COUNT, ""),
                 ("", "", "", REGISTERED, RESIDENT)),
    merges=("A1:A2", "B1:B2", "C1:C2", "D1:E1"),
    notes=(
        _l("按种子文件附件4-1的格式：两行表头，“走访户数”下分“户籍户口”“外来常住户”两列；也可一行表头直接写这两列，"
           "或三行表头（“走访任务”之下“走访户数”，再下分两列）。"),
        _l("也可用附件4-2的格式：序号、单位、党员人数、走访企业数、备注，一行表头。"),
        _l("最后一行写“合计”，依次写党员人数和各列合计，如“365 | 1825户 | 3017户”；合计须等于各行之和。"),
        _l("每个部门登记为“镇部门（支部）”单位，党员人数随表更新；序号只给新登记（尚无排序）的部门定排序，"
           "已有的排序不随序号改变（单位导入的“排序”列或管理后台可改）。"),
        _l("本导入不存走访户数、企业数：镇里已定的各部门走访数，请在本导入之后以“镇各部门定案分配表”再导入同一张表，"
           "存为各部门固定走访数。"),
    ),
)
