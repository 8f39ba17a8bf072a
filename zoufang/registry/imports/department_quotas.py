"""The town departments' decided tables (seed 附件4-1 households, 附件4-2 enterprises) as fixed quotas: one per
department and kind, stored, matched on re-import and reported through the same path as 附件1—附件3-2."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang import clock
from zoufang.core.table_reading import read_whole_table
from zoufang.core.tabular import SheetRow, normalise_header, row_numbers
from zoufang.planning.models import FixedQuota
from zoufang.planning.quotas import of_class
from zoufang.planning.snapshot import target_classes
from zoufang.planning.tables.departments import DepartmentRow, DepartmentTable, parse_department_table
from zoufang.planning.tables.header import (
    DEPARTMENT,
    DEPARTMENT_KIND_COLUMNS,
    KIND_OF_COLUMN,
    department_kind_column,
)
from zoufang.registry.imports import departments
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome
from zoufang.registry.imports.places import require_campaign
from zoufang.registry.imports.quotas import QuotaRow, check_kind_split, plan_quotas, quota_source
from zoufang.registry.models import Target, Unit
from zoufang.registry.unitnames import UnitNames


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    """Check the table as the departments kind does, resolve each row to a registered town department, and plan one
    quota per department and count column; a blank cell fixes nothing (see the kind's notes)."""
    table = read_whole_table(ctx, rows, parse_department_table, departments.SPEC.columns) if require_campaign(ctx) else None
    if table is None:
        return Outcome()
    source = quota_source(ctx, annex=table.annex, title=table.title, title_row=table.title_row)
    kinds = count_columns(ctx, table)
    if not table.rows and not table.issues:
        ctx.error(None, "", _("表中没有部门行"))
    units = ctx.unit_names(normalise_header)  # the campaign's town's and the shared ones: not another town's (0032)
    quotas: list[QuotaRow] = []
    for row in table.rows:
        unit = _department(ctx, row, units)
        if unit is None:
            continue
        if row.party_members is not None and row.party_members != unit.party_member_count:
            ctx.notes.append(_("第%(row)d行%(unit)s：表中党员人数%(stated)d，登记为%(registered)s，本导入不更新"
                               "（党员人数随“镇部门”导入更新）") % {
                "row": row.row, "unit": unit.name, "stated": row.party_members,
                "registered": "—" if unit.party_member_count is None else unit.party_member_count})
        quotas += [QuotaRow(row.row, table_of(kind), row.serial, row.unit, kind, row.figures[column],
                            unit_ids=(unit.pk,), note=row.note, table_title=table.title)
                   for column, kind in kinds.items() if column not in row.blank]
    _note_blanks(ctx, table, kinds)
    if not quotas and table.rows and kinds and not ctx.errors:
        ctx.error(None, "", _("表中各部门的走访数都是空的，没有可存的定案数；只登记部门和党员人数请用“镇部门”导入"))
    if ctx.errors:
        return Outcome(total_rows=len(table.rows))
    return plan_quotas(ctx, source, quotas)


def table_of(kind: str) -> str:
    return FixedQuota.Table.UNIT_ENTERPRISES if kind == Target.Kind.ENTERPRISE else FixedQuota.Table.UNIT_HOUSEHOLDS


def count_columns(ctx: ImportContext, table: DepartmentTable) -> dict[str, str]:
    """The table's count columns as written → the target kind each fixes. A column that is none of them, or a kind
    the campaign does not plan, is an error: its figures would otherwise be dropped without a word."""
    kinds: dict[str, str] = {}
    for column in table.columns:
        canonical = department_kind_column(column)
        if canonical is None:
            ctx.error(table.header_row, column, _(
                "分配表的列“%(column)s”不是可导入的走访数列（可用：%(known)s）：请删去这一列，或改为可用的列名")
                % {"column": column, "known": "、".join(DEPARTMENT_KIND_COLUMNS)})
        else:
            kinds[column] = KIND_OF_COLUMN[canonical]
    if not kinds and not table.issues and not ctx.errors:
        ctx.error(table.header_row or None, "", _("表中没有走访数列：党员人数之后应有%(known)s中的一列或几列")
                  % {"known": "、".join(DEPARTMENT_KIND_COLUMNS)})
    check_kind_split(ctx, table.by_kind)
    split = set(table.by_kind.kinds) if table.by_kind else set()
    classes = [c.key for c in target_classes(ctx.campaign.config)]
    for column, kind in kinds.items():
        if kind not in split and not any(of_class(kind, key) for key in classes):
            ctx.error(table.header_row, column, _(
                "本活动的走访对象（活动配置 target_kinds）不含%(kind)s，“%(column)s”一列无法导入：请删去这一列；"
                "如果本活动也走访%(kind)s，请先在活动配置的 target_kinds 中加入 %(key)s，重新加载活动后再导入")
                % {"kind": Target.Kind(kind).label, "column": column, "key": kind})
    return kinds


def _department(ctx: ImportContext, row: DepartmentRow, departments: UnitNames) -> Unit | None:
    """The registered town department a row names, else an error naming the row and what to do."""
    unit = departments.unit(row.unit)
    if ambiguity := departments.ambiguity(row.unit):
        ctx.error(row.row, DEPARTMENT, ambiguity)
    elif unit is None:
        ctx.error(row.row, DEPARTMENT, _("“%(name)s”未登记为镇部门，请先以“镇部门”导入本表（登记部门和党员人数），"
                                                "再导入定案分配表") % {"name": row.unit})
    elif unit.kind != Unit.Kind.TOWN_DEPARTMENT:
        ctx.error(row.row, DEPARTMENT, _("单位“%(name)s”已登记为%(kind)s，不是镇部门")
                  % {"name": unit.name, "kind": unit.get_kind_display()})
    elif unit.archived_on is not None:
        ctx.error(row.row, DEPARTMENT, _("镇部门“%(name)s”已于%(date)s停用，请从表中删去，或先恢复该部门")
                  % {"name": unit.name, "date": clock.day(unit.archived_on)})
    else:
        return unit
    return None


def _note_blanks(ctx: ImportContext, table: DepartmentTable, kinds: dict[str, str]) -> None:
    """What a blank count means, said column by column: the whole column blank leaves that kind to the campaign's
    per-person rule; some rows blank leave those departments out of that kind's decided table."""
    for column, kind in kinds.items():
        rows = [row.row for row in table.rows if column in row.blank]
        if not rows:
            continue
        label = Target.Kind(kind).label
        if len(rows) == len(table.rows):
            ctx.notes.append(_("“%(column)s”一列全部留空：%(kind)s不存为定案数，各部门的%(kind)s仍按活动规则计算")
                             % {"column": column, "kind": label})
        else:
            ctx.notes.append(_("“%(column)s”一列第%(rows)s行留空：这些部门的%(kind)s不存为定案数，分配时不分给%(kind)s"
                               "（与填0相同；要分配请填写数字）") % {"column": column, "rows": row_numbers(rows),
                                                       "kind": label})


SPEC = ImportSpec(
    kind="department_quotas", label=_l("镇各部门定案分配表（附件4-1、附件4-2 格式，存为各部门固定走访数）"),
    columns=departments.SPEC.columns, prepare=prepare, model="planning.FixedQuota", needs_campaign=True,
    header_rows=departments.SPEC.header_rows, merges=departments.SPEC.merges,
    notes=(
        _l("镇里已定的各部门走访户数、企业数：每个部门每类对象存为一条固定走访数，分配时按此数分给该部门，"
           "不再按每人户数计算。"),
        _l("表格式与“镇部门”相同：附件4-1（“走访户数”下分“户籍户口”“外来常住户”两列，表头一至三行），"
           "或附件4-2（序号、单位、党员人数、走访企业数、备注，一行表头）；最后一行“合计”须等于各行之和。"),
        _l("表中各部门须已以“镇部门”导入；党员人数只在“镇部门”导入时更新，本导入只列出与登记不同的部门。"),
        _l("走访数留空表示该部门这一类对象不定：整列留空时，这一类仍按活动规则计算；部分留空时，这些部门不分配这一类"
           "（与填0相同）。党员人数之后只能是户籍户口、外来常住户、走访企业数（及备注、合计）列，其他列整表不导入。"),
        _l("来源表名称取表头之上的“附件4-1”标注，或名为“附件4-1”的文件名，或表标题（命令行用 --label 指定）。"
           "再次导入同名来源表时，按部门和对象类型逐条比对，只改变有变化的，并列出每处变化；"
           "同一张表不能以两个名称导入。"),
    ),
)
