"""The upper levels' allocation tables (seed 附件1, 附件2), checked against the registry, as fixed quotas."""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import read_whole_table
from zoufang.core.tabular import SheetRow, compact, normalise_header
from zoufang.planning.models import FixedQuota
from zoufang.planning.tables.allocation import JointSplit, parse_allocation_table
from zoufang.planning.tables.header import ALLOCATION_COLUMNS, COUNT, SERIAL, STATED, UNIT, VILLAGE
from zoufang.regions.models import Region
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome
from zoufang.registry.imports.places import ScopeRegions, require_campaign
from zoufang.registry.imports.quotas import (
    QuotaRow,
    check_kind_split,
    plan_quotas,
    quota_source,
    registered_households_by_village,
)
from zoufang.registry.models import Target, Unit
from zoufang.registry.unitnames import UnitNames


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    """Parse the layout, resolve units and villages, check 户籍总户数 against the registry, plan the quotas."""
    table = read_whole_table(ctx, rows, parse_allocation_table, ALLOCATION_COLUMNS) if require_campaign(ctx) else None
    if table is None:
        return Outcome()
    source = quota_source(ctx, annex=table.annex, title=table.title, title_row=table.title_row)
    check_kind_split(ctx, table.by_kind)
    if not table.rows and not table.enterprise_lines and not table.issues:
        ctx.error(None, "", _("表中没有分配行"))
    places = ScopeRegions(ctx.campaign.scope)
    units = ctx.unit_names(normalise_header)  # the campaign's town's and the shared ones: not another town's (0032)
    prefixes = _place_prefixes(ctx.campaign.scope)
    registry = registered_households_by_village(places)
    quotas: list[QuotaRow] = []
    for row in table.rows:
        split = _split(row.unit, row.count, row.split, units)
        found = [_unit(ctx, row.row, name, units, prefixes) for name in split.units]
        village = places.village(row.village, ctx, row.row, VILLAGE)
        if village is not None and registry.get(village.pk, 0) != row.region_total:
            held = registry.get(village.pk, 0)
            ctx.error(row.row, STATED, _("表中%(village)s为%(stated)d户，登记库中为%(held)d户，相差%(diff)d户")
                      % {"village": village.name, "stated": row.region_total, "held": held,
                         "diff": abs(row.region_total - held)})
        if all(found) and village is not None:
            for kind, count in row.counts.items():  # one kind, unless the table splits 走访户数 by kind
                shares = split if table.by_kind is None else _split(row.unit, count, row.splits.get(kind), units)
                quotas += _shares(ctx, row.row, row.serial, row.unit, shares, found, kind, region_id=village.pk,
                                  stated_region_total=row.region_total, note=row.note, table_title=table.title)
    named = sorted({normalise_header(name) for row in table.rows
                    for name in _split(row.unit, row.count, row.split, units).units})
    for line in table.enterprise_lines:
        split = _split(line.label, line.count, line.split, units)
        found = [_line_unit(ctx, line.row, normalise_header(name), named, units, prefixes) for name in split.units]
        if all(found):
            quotas += _shares(ctx, line.row, "", line.label, split, found, Target.Kind.ENTERPRISE,
                              table_title=table.title)
    if ctx.errors:
        return Outcome(total_rows=len(table.rows) + len(table.enterprise_lines))
    return plan_quotas(ctx, source, quotas)


def _split(text: str, count: int, split: JointSplit | None, units: UnitNames) -> JointSplit:
    """The line's split, unless its whole text is one registered unit's name (a name may hold “、”)."""
    if split is None or normalise_header(text) in units:
        return JointSplit([(compact(text), count)])
    return split


def _shares(ctx: ImportContext, row: int, serial: str, label: str, split: JointSplit, units: list[Unit | None],
            kind: str, **fields: Any) -> list[QuotaRow]:
    """One quota per unit: a joint row is split by its shares, said in the report and kept as the row's 备注."""
    if not split.joint:
        return [QuotaRow(row, FixedQuota.Table.UPPER_LEVEL, serial, label, kind, split.shares[0][1],
                         unit_ids=tuple(u.pk for u in units if u), **fields)]
    joint = split.note([u.name for u in units if u])
    ctx.notes.append(_("第%(row)d行“%(label)s”：%(note)s") % {"row": row, "label": label, "note": joint})
    note = "；".join(part for part in (joint, fields.pop("note", "")) if part)
    return [QuotaRow(row, FixedQuota.Table.UPPER_LEVEL, serial, label, kind, count, unit_ids=(unit.pk,), note=note,
                     part=part, **fields)
            for part, ((_name, count), unit) in enumerate(zip(split.shares, units, strict=True), start=1) if unit]


def _place_prefixes(scope: Region) -> list[str]:
    """The name of the region right above the town, with and without its 市/区/县: an office writes “昆山市住建局”
    where the registry says 市住建局. Only that one level: a “市” unit of a town's table is its own city's, and a
    unit of a level higher still (苏州市总工会) is another unit than 市总工会, registered under its own full name."""
    region = scope.parent
    if region is None:
        return []
    return sorted({n for n in (compact(region.name), compact(region.name).rstrip("市区县")) if n}, key=len,
                  reverse=True)


def _same_unit(written: str, registered: str, prefixes: Sequence[str]) -> bool:
    """全称 and 简称 of one unit: the longer is the shorter with a place name above the town in front."""
    short, full = sorted((written, registered), key=len)
    return full != short and full.endswith(short) and full[: len(full) - len(short)] in prefixes


def _unit(ctx: ImportContext, row: int, name: str, units: UnitNames,
          prefixes: Sequence[str] = ()) -> Unit | None:
    """The registered unit a row names: as written (without spaces, brackets either width), else the one unit whose
    name is the same but for a place name in front (“昆山市住建局(人防办)” → 市住建局（人防办）), said in the report."""
    unit = units.get(normalise_header(name))
    if unit is not None:
        return unit
    close = [u for key, u in units.items() if _same_unit(normalise_header(name), key, prefixes)]
    if len(close) == 1:
        ctx.notes.append(_("第%(row)d行“%(written)s”按已登记的单位“%(name)s”导入")
                         % {"row": row, "written": name, "name": close[0].name})
        return close[0]
    if len(close) > 1:
        ctx.error(row, UNIT, _("“%(name)s”可能是%(matches)s，无法确定")
                  % {"name": name, "matches": "、".join(sorted(u.name for u in close))})
        return None
    ctx.error(row, UNIT, ctx.area.unit_missing(units, name))
    return None


def _line_unit(ctx: ImportContext, row: int, name: str, named: list[str], units: UnitNames,
               prefixes: list[str]) -> Unit | None:
    """“昆山市粮食局” → 市粮食局, “妇联” → 市妇联: a unit of this table whose name equals or ends the other;
    failing that, the one registered unit whose name does (“水利局” → 市水利局, named in no row)."""
    for candidates in (named, [] if name in units else list(units)):
        matches = [n for n in candidates if n == name or n.endswith(name) or name.endswith(n)]
        if len(matches) > 1:
            ctx.error(row, UNIT, _("“%(name)s”可能是%(matches)s，无法确定")
                      % {"name": name, "matches": "、".join(sorted(matches))})
            return None
        if matches:
            return _unit(ctx, row, matches[0], units, prefixes)
    return _unit(ctx, row, name, units, prefixes)


SPEC = ImportSpec(
    kind="allocation", label=_l("上级单位分配表（附件1、附件2 格式）"), columns=ALLOCATION_COLUMNS,
    prepare=prepare, model="planning.FixedQuota", needs_campaign=True,
    header_rows=((SERIAL, UNIT, VILLAGE, STATED, COUNT),),
    notes=(
        _l("按种子文件附件1、附件2的格式填写：表头之前可以有标题行。表头可占一至三行（如“走访任务”合并在"
           "“户籍总户数”“走访户数”之上），列名后的“（户）”“（单位：户）”不影响识别。"),
        _l("同一走访单位负责多个村、社区时，续行的序号和走访单位留空（如附件2中市府办下的顾家浜村）。"),
        _l("最后一行写“合计”，其后两格为户籍总户数合计（同一村、社区只计一次）和走访户数合计，如“13815户”“9880户”。"
           "“合计”也可写在第一行数据之上；单位之后的“小计”行与自上一小计以下各行核对；表下的“注：……”行不导入。"),
        _l("合计之后可写企业分配，如“昆山市粮食局、妇联走访企业”，其后一格写企业数，如“101家”。"),
        _l("一行写了几个单位（联合走访，如“市发改委、水利局”）时，按单位平均分开，余数给排在前面的单位；"
           "表中写明各单位数的（如“市发改委30、水利局40”），按表中的数，各单位之和须等于本行的数。"),
        _l("每行的户籍总户数须与登记库中该村户籍户数一致，否则整表不导入。"),
        _l("走访户数可分为“户籍户”“外来常住户”两列（“走访户数”合并在两列之上，表头两行），各列按该类对象分配；"
           "户籍总户数只限制户籍户一列。"),
        _l("导入时用 --label 指定来源表名称；不指定时取表头之上的“附件1”标注，或名为“附件1”的文件名，或表标题。"
           "再次导入同名来源表会整表替换；同一张表不能以两个名称导入（与已导入的表分配同一单位、同一村、同一类对象的，整表不导入）。"),
    ),
)
