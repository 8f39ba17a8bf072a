"""The upper levels' allocation tables (seed 附件1, 附件2), checked against the registry, as fixed quotas."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.tabular import SheetRow, compact
from zoufang.planning import tables
from zoufang.planning.models import FixedQuota
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome
from zoufang.registry.imports.places import ScopeRegions, require_campaign
from zoufang.registry.imports.quotas import (
    QuotaRow,
    plan_quotas,
    quota_source,
    registered_households_by_village,
)
from zoufang.registry.models import Target, Unit


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    """Parse the layout, resolve units and villages, check 户籍总户数 against the registry, plan the quotas."""
    if not require_campaign(ctx):
        return Outcome()
    source = quota_source(ctx)
    table = tables.parse_allocation_table(rows)
    ctx.errors.extend(table.issues)
    if not table.rows and not table.enterprise_lines and not table.issues:
        ctx.error(None, "", _("表中没有分配行"))
    places = ScopeRegions(ctx.campaign.scope)
    units = {compact(u.name): u for u in Unit.objects.all()}
    registry = registered_households_by_village(places)
    quotas: list[QuotaRow] = []
    for row in table.rows:
        unit = units.get(row.unit)
        if unit is None:
            ctx.error(row.row, tables.UNIT, _("单位“%(name)s”未登记，请先导入单位") % {"name": row.unit})
        village = places.village(row.village, ctx, row.row, tables.VILLAGE)
        if village is not None and registry.get(village.pk, 0) != row.region_total:
            held = registry.get(village.pk, 0)
            ctx.error(row.row, tables.STATED, _("表中%(village)s为%(stated)d户，登记库中为%(held)d户，相差%(diff)d户")
                      % {"village": village.name, "stated": row.region_total, "held": held,
                         "diff": abs(row.region_total - held)})
        if unit is not None and village is not None:
            quotas.append(QuotaRow(row.row, FixedQuota.Table.UPPER_LEVEL, row.serial, row.unit,
                                   Target.Kind.REGISTERED_HOUSEHOLD, row.count, region_id=village.pk,
                                   unit_ids=(unit.pk,), stated_region_total=row.region_total, note=row.note,
                                   table_title=table.title))
    named = sorted({row.unit for row in table.rows})
    for line in table.enterprise_lines:
        found = [_line_unit(ctx, line.row, name, named, units) for name in line.units]
        if all(found):
            quotas.append(QuotaRow(line.row, FixedQuota.Table.UPPER_LEVEL, "", line.label, Target.Kind.ENTERPRISE,
                                   line.count, unit_ids=tuple(u.pk for u in found if u), table_title=table.title))
    if ctx.errors:
        return Outcome(total_rows=len(table.rows) + len(table.enterprise_lines))
    return plan_quotas(ctx, source, quotas)


def _line_unit(ctx: ImportContext, row: int, name: str, named: list[str], units: dict[str, Unit]) -> Unit | None:
    """“昆山市粮食局” → 市粮食局, “妇联” → 市妇联: a unit of this table whose name equals or ends the other."""
    matches = [n for n in named if n == name or n.endswith(name) or name.endswith(n)]
    if len(matches) > 1:
        ctx.error(row, tables.UNIT, _("“%(name)s”可能是%(matches)s，无法确定") % {"name": name, "matches": "、".join(matches)})
        return None
    unit = units.get(matches[0] if matches else name)
    if unit is None:
        ctx.error(row, tables.UNIT, _("单位“%(name)s”未登记，请先导入单位") % {"name": name})
    return unit


SPEC = ImportSpec(
    kind="allocation", label=_l("上级单位分配表（附件1、附件2 格式）"), columns=tables.ALLOCATION_COLUMNS,
    prepare=prepare, model="planning.FixedQuota", needs_campaign=True,
    header_rows=((tables.SERIAL, tables.UNIT, tables.VILLAGE, tables.STATED, tables.COUNT),),
    notes=(
        _l("按种子文件附件1、附件2的格式填写：表头之前可以有标题行。"),
        _l("同一走访单位负责多个村、社区时，续行的序号和走访单位留空（如附件2中市府办下的顾家浜村）。"),
        _l("最后一行写“合计”，其后两格为户籍总户数合计（同一村、社区只计一次）和走访户数合计，如“13815户”“9880户”。"),
        _l("合计之后可写企业分配，如“昆山市粮食局、妇联走访企业”，其后一格写企业数，如“101家”。"),
        _l("每行的户籍总户数须与登记库中该村户籍户数一致，否则整表不导入。"),
        _l("导入时用 --label 指定来源表名称（默认用文件名，如“附件1”）；再次导入同名来源表会整表替换。"),
    ),
)
