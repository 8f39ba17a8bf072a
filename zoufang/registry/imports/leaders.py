"""The town leaders' tables (seed 附件3-1 households by village, 附件3-2 enterprises) as fixed quotas."""

from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import read_whole_table
from zoufang.core.tabular import SheetRow, person_name
from zoufang.planning.models import FixedQuota
from zoufang.planning.tables.header import (
    COUNT,
    ENTERPRISES,
    LEADER,
    LEADER_ENTERPRISE_COLUMNS,
    LEADER_HOUSEHOLD_COLUMNS,
    LEADER_VILLAGE,
    NOTE,
    SERIAL,
)
from zoufang.planning.tables.leaders import parse_leader_table
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome
from zoufang.registry.imports.places import ScopeRegions, require_campaign
from zoufang.registry.imports.quotas import QuotaRow, check_kind_split, plan_quotas, quota_source
from zoufang.registry.models import Cadre
from zoufang.registry.unitnames import visible_from


def _leaders(ctx: ImportContext) -> dict[str, list[Cadre]]:
    """The town leaders a table may name: those of the units the importing user may change (its own town's), in the
    campaign's town: another town's 王文 is not this table's, whoever imports it (decision 0032)."""
    found: dict[str, list[Cadre]] = {}
    units = ctx.area.changeable_units()
    if ctx.campaign is not None:  # the campaign's town's units, and those without a region or above it
        units = units.filter(pk__in=visible_from(ctx.campaign.scope).values("pk"))
    for cadre in Cadre.objects.filter(role=Cadre.Role.TOWN_LEADER, archived_on__isnull=True,
                                      unit__in=units.values("pk")):
        found.setdefault(person_name(cadre.name), []).append(cadre)
    return found


def _prepare(ctx: ImportContext, rows: list[SheetRow], *, with_villages: bool) -> Outcome:
    parse = partial(parse_leader_table, with_villages=with_villages)
    columns = LEADER_HOUSEHOLD_COLUMNS if with_villages else LEADER_ENTERPRISE_COLUMNS
    table = read_whole_table(ctx, rows, parse, columns) if require_campaign(ctx) else None
    if table is None:
        return Outcome()
    source = quota_source(ctx, annex=table.annex, title=table.title, keeps_title=False)
    check_kind_split(ctx, table.by_kind)
    if not table.rows and not table.issues:
        ctx.error(None, "", _("表中没有分配行"))
    places = ScopeRegions(ctx.campaign.scope)
    leaders = _leaders(ctx)
    quotas: list[QuotaRow] = []
    for row in table.rows:
        matches = leaders.get(row.leader, [])
        if len(matches) != 1:
            ctx.error(row.row, LEADER, _("没有名为“%(name)s”的镇党政领导，请先导入走访干部") % {"name": row.leader}
                      if not matches else _("有%(n)d位镇党政领导名为“%(name)s”，无法确定")
                      % {"n": len(matches), "name": row.leader})
        region = places.village(row.village, ctx, row.row, LEADER_VILLAGE) if with_villages else None
        if len(matches) == 1 and (region is not None or not with_villages):
            quotas += [QuotaRow(
                row.row,
                FixedQuota.Table.LEADER_HOUSEHOLDS if with_villages else FixedQuota.Table.LEADER_ENTERPRISES,
                row.serial, row.leader_as_written, kind, count, region_id=region.pk if region else None,
                cadre_id=matches[0].pk, note=row.note) for kind, count in row.counts.items()]
    if ctx.errors:
        return Outcome(total_rows=len(table.rows))
    return plan_quotas(ctx, source, quotas)


def prepare_households(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    return _prepare(ctx, rows, with_villages=True)


def prepare_enterprises(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    return _prepare(ctx, rows, with_villages=False)


_LABEL_NOTE = _l("导入时用 --label 指定来源表名称；不指定时取表头之上的“附件3-1”标注，或名为“附件3-1”的文件名，或表标题。"
                 "再次导入同名来源表会整表替换；同一张表不能以两个名称导入。")
LEADER_HOUSEHOLDS = ImportSpec(
    kind="leader_households", label=_l("镇党政班子领导分配表（居民户，附件3-1 格式）"),
    columns=LEADER_HOUSEHOLD_COLUMNS, prepare=prepare_households, model="planning.FixedQuota",
    needs_campaign=True,
    header_rows=((SERIAL, LEADER, LEADER_VILLAGE, COUNT, NOTE),),
    notes=(
        _l("同一领导走访多个村、社区时，续行的序号和走访领导留空。走访户数可为0，表示挂钩村已无剩余户可分。"),
        _l("最后一行写“合计”，并在走访户数一列写合计，如“750户”；合计须等于各行之和。每位领导之后可写“小计”，"
           "与自上一小计以下各行核对。"),
        _l("走访户数可分为“户籍户”“外来常住户”两列（“走访户数”合并在两列之上，表头两行），各列按该类对象分配，"
           "合计行也分列写。"),
        _l("走访领导须已作为“镇党政领导”导入走访干部。"),
        _LABEL_NOTE,
    ),
)
LEADER_ENTERPRISES = ImportSpec(
    kind="leader_enterprises", label=_l("镇党政班子领导分配表（企业，附件3-2 格式）"),
    columns=LEADER_ENTERPRISE_COLUMNS, prepare=prepare_enterprises, model="planning.FixedQuota",
    needs_campaign=True,
    header_rows=((SERIAL, LEADER, ENTERPRISES, NOTE),),
    notes=(
        _l("每位领导一行；最后一行写“合计”，并写企业数合计，如“300家”；合计须等于各行之和。"),
        _l("走访领导须已作为“镇党政领导”导入走访干部。"),
        _LABEL_NOTE,
    ),
)
