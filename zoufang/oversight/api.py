"""The oversight figures over the API: the same figures and scope as the pages (`access.reach`)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from zoufang import clock
from zoufang.core import limits, paging
from zoufang.core.dbrouter import reads_from_replica
from zoufang.core.queryparams import Asked
from zoufang.oversight import across, drill, figures, fullcoverage, fullcoverage_tables, paged
from zoufang.oversight.access import campaign_for, city_region
from zoufang.oversight.figures import CaseRow, CoverageRow, TownRow
from zoufang.oversight.pace import PaceRule, describe
from zoufang.oversight.tables import as_json

router = Router(tags=["督查统计"])


class KindOut(Schema):
    kind: str
    label: str
    assigned: int
    visited: int


class PaceOut(Schema):
    assigned: int
    visited: int
    due_today: int
    due_next: int = Field(..., description="按进度要求，到下一检查日（next_on：本期末、下一节点或完成日期）累计应完成")
    next_on: dt.date | None = Field(None, description="下一检查日；各活动检查日不同而相加时为 null")
    next_gap: int = Field(..., description="到下一检查日还需走访")
    due_month_end: int = Field(..., description="旧名，同 due_next（按月的进度要求下即本月底）")
    behind: int
    month_gap: int = Field(..., description="旧名，同 next_gap")
    remaining: int
    projected_finish: dt.date | None


class CoverageRowOut(Schema):
    id: str | None
    label: str
    assigned: int
    visited: int
    percent: float
    kinds: list[KindOut]
    pace: PaceOut


class UnnamedRowOut(Schema):
    id: str | None = Field(..., description="单位或村（社区）编号；合计为 null")
    label: str
    assigned: int = Field(..., description="未落实到人的对象数（已分配到单位、尚未指定走访干部）")
    visited: int = Field(..., description="其中已走访（无论由谁走访）")
    kinds: list[KindOut]


class UnnamedOut(Schema):
    by: str
    today: dt.date
    rows: list[UnnamedRowOut]
    total: UnnamedRowOut


class MilestoneOut(Schema):
    by: dt.date
    share: str = Field(..., description="累计应完成的比例，按活动配置的写法（如 30%、7/10）")


class KindPaceRuleOut(Schema):
    starts_on: dt.date
    complete_by: dt.date | None
    every: str = Field(..., description="每期的长度：week、two_weeks、month、quarter")
    share: str | None = Field(None, description="每期最低比例，按活动配置的写法（如 1/5）；没有时为 null")
    milestones: list[MilestoneOut]
    target_kinds: list[str]


class PaceRuleOut(Schema):
    starts_on: dt.date
    complete_by: dt.date | None
    monthly_share: float | None = Field(None, description="每月最低比例（只有一条按月的规则时）；其他写法见 rules")
    target_kinds: list[str]
    text: str = Field(..., description="进度要求，按活动配置的写法说出")
    rules: list[KindPaceRuleOut] = Field(..., description="进度规则；按对象类型分别规定时每类一条，应完成数相加")


NEXT = Field(None, description="下一页的 after 值；最后一页为 null")
COUNT = Field(..., description="分组的总行数（各页合计）")


class CoverageOut(Schema):
    by: str
    today: dt.date
    rule: PaceRuleOut
    rows: list[CoverageRowOut]
    total: CoverageRowOut
    count: int = COUNT
    next: str | None = NEXT


class BehindOut(Schema):
    by: str
    today: dt.date
    count: int = Field(..., description="进度落后的行数（各页合计）；按单位、干部时只计单位、干部，"
                                        "未落实到人的对象见 /unnamed")
    rows: list[CoverageRowOut]
    next: str | None = NEXT


class CaseRowOut(Schema):
    id: str | None
    label: str
    total: int
    registered: int
    registered_on_time: int
    dispatched: int
    due_or_done: int
    done_on_time: int
    answered: int
    resolved: int
    rated: int
    satisfied: int
    open: int
    overdue: int
    escalated: int
    registration_rate: float | None
    on_time_rate: float | None
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


class CasesOut(Schema):
    by: str
    today: dt.date
    rows: list[CaseRowOut]
    total: CaseRowOut
    count: int = COUNT
    next: str | None = NEXT


class RowsOut(Schema):
    title: str
    count: int = Field(..., description=paging.COUNT_DESCRIPTION)
    headers: list[str]
    rows: list[list[Any]]
    next: str | None = NEXT


class TownOut(Schema):
    id: str
    label: str
    rank: int
    campaigns: list[str]
    coverage: CoverageRowOut
    cases: CaseRowOut
    pace_percent: float | None


class TownsOut(Schema):
    region: str
    label: str
    year: int
    today: dt.date
    sort: str
    rows: list[TownOut]
    total: TownOut
    idle: list[str]


class TownsQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年份（默认今年）：比较各镇该年度的走访活动")
    sort: str = Field("pace", max_length=limits.CODE,
                      description="排名依据，差者在前：" + "、".join(figures.TOWN_ORDERS))


PAGE_SIZE = gettext_noop("每页行数，最多 %(n)s") % {"n": paged.PAGE_MAX}
AFTER = "上一页返回的 next：从其后一行读起"


class CoverageQuery(Schema):
    by: str = Field("village", max_length=limits.CODE)
    page_size: int = Field(paged.PAGE_MAX, ge=1, le=paged.PAGE_MAX, description=PAGE_SIZE)
    after: str | None = Field(None, min_length=1, max_length=500, description=AFTER)


class BehindQuery(Schema):
    by: str = Field("village", max_length=limits.CODE)
    page_size: int = Field(20, ge=1, le=paged.PAGE_MAX, description=PAGE_SIZE)
    after: str | None = Field(None, min_length=1, max_length=500, description=AFTER)


class UnnamedQuery(Schema):
    by: str = Field("unit", max_length=limits.CODE, description="unit 按单位、village 按村（社区）")


class CasesQuery(Schema):
    by: str = Field("unit", max_length=limits.CODE)
    page_size: int = Field(paged.PAGE_MAX, ge=1, le=paged.PAGE_MAX, description=PAGE_SIZE)
    after: str | None = Field(None, min_length=1, max_length=500, description=AFTER)


class RowsQuery(Schema):
    what: str = Field("unvisited", max_length=limits.CODE)
    unit: str | None = Field(None, max_length=limits.CODE, description="单位编号（UUID）")
    cadre: str | None = Field(None, max_length=limits.CODE, description="干部编号（UUID）")
    region: str | None = Field(None, max_length=limits.CODE, description="区划编号（UUID）")
    kind: str | None = Field(None, max_length=limits.CODE)
    overdue: str | None = Field(None, max_length=limits.CODE)
    offset: int = Field(0, ge=0, le=paging.COUNT_CAP, description=gettext_noop("跳过的条数，只到前 %(cap)s 条；再往后用 after") % {"cap": paging.COUNT_CAP})
    limit: int = Field(drill.LIMIT, ge=1, le=1000, description="每页条数")
    after: str | None = Field(None, min_length=1, max_length=500, description=AFTER)


def _ident(key: Any) -> str | None:
    public_id = getattr(key, "public_id", None)
    if public_id is not None:
        return str(public_id)
    if key is None:
        return None
    return key.isoformat() if isinstance(key, dt.date) else str(key)


def _rule(rule: PaceRule) -> dict[str, Any]:
    monthly = rule.share is not None and rule.every == "month" and not rule.by_kind
    return {"starts_on": rule.starts_on, "complete_by": rule.complete_by, "target_kinds": list(rule.kinds),
            "monthly_share": float(rule.share) if monthly and rule.share is not None else None,
            "text": describe(rule),
            "rules": [{"starts_on": part.starts_on, "complete_by": part.complete_by, "every": part.every,
                       "share": part.share_text or None, "target_kinds": list(part.kinds),
                       "milestones": [{"by": m.by, "share": m.share_text} for m in part.milestones]}
                      for part in rule.parts]}


def _coverage_row(row: CoverageRow) -> dict[str, Any]:
    pace = row.pace
    assert pace is not None  # noqa: S101
    return {
        "id": _ident(row.key), "label": row.label, "assigned": row.assigned, "visited": row.visited,
        "percent": row.percent,
        "kinds": [vars(k) for k in row.kinds.values()],
        "pace": {**vars(pace), "behind": pace.behind, "next_gap": pace.next_gap, "remaining": pace.remaining,
                 "due_month_end": pace.due_next, "month_gap": pace.next_gap},
    }


def _unnamed_row(row: CoverageRow) -> dict[str, Any]:
    return {"id": _ident(row.key), "label": row.label, "assigned": row.assigned, "visited": row.visited,
            "kinds": [vars(k) for k in row.kinds.values()]}


def _unnamed(result: figures.Coverage | None) -> dict[str, Any]:
    assert result is not None  # noqa: S101 — every unit board reads it
    return {"by": result.by, "today": result.today, "rows": [_unnamed_row(row) for row in result.rows],
            "total": _unnamed_row(result.total)}


def _case_row(row: CaseRow) -> dict[str, Any]:
    data = {name: value for name, value in vars(row).items() if name not in ("key",)}
    data.update(id=_ident(row.key), registration_rate=row.registration_rate, on_time_rate=row.on_time_rate,
                response_rate=row.response_rate, resolution_rate=row.resolution_rate,
                satisfaction_rate=row.satisfaction_rate)
    return data


class UnitTownOut(Schema):
    campaign: str = Field(..., description="走访活动代号")
    campaign_name: str
    town: str
    total: CoverageRowOut
    cadres: list[CoverageRowOut] = Field(..., description="本单位在该镇的走访干部（不含未落实到人的对象）")
    unnamed: UnnamedOut = Field(..., description="本单位在该镇尚未落实到人的对象，按村（社区）")


class UnitTownsOut(Schema):
    id: str
    name: str
    kind: str
    total: CoverageRowOut
    towns: list[UnitTownOut]


@router.get("/units", response=list[UnitTownsOut],
            summary="本单位在各镇的走访覆盖与进度（上级单位跨镇）：每镇的应走访、已走访、进度与本单位干部，仅本单位")
@reads_from_replica
def units(request: HttpRequest) -> list[dict[str, Any]]:
    today = clock.today()
    found = [across.unit_across(request.user, unit, today) for unit in across.handled_units(request.user)]
    return [
        {"id": str(item.unit.public_id), "name": item.unit.name, "kind": item.unit.kind,
         "total": _coverage_row(item.total),
         "towns": [{"campaign": town.campaign.slug, "campaign_name": town.campaign.name,
                    "town": town.campaign.scope.name, "total": _coverage_row(town.board.total),
                    "cadres": [_coverage_row(row) for row in town.board.by_cadre.rows if row.key is not None]
                    if town.board.by_cadre else [],
                    "unnamed": _unnamed(town.board.unnamed)}
                   for town in item.towns]}
        for item in found if item.towns
    ]


@router.get("/{slug}/coverage", response=CoverageOut,
            summary="走访覆盖与进度：按村（by=town|village|group）、单位（unit）、干部（cadre）或对象类型（kind）；"
                    "每页至多 200 行（page_size），after=上一页的 next 读下一页")
@reads_from_replica
def coverage(request: HttpRequest, slug: str, query: Query[CoverageQuery]) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    by = Asked({"by": query.by}, strict=True).choice("by", figures.GROUPINGS, "village")
    # One page, after the cursor's row: by unit, cadre or village ordered and cut in the database (figures.coverage).
    try:
        result = figures.coverage(reach.campaign, by, clock.today(), reach.assignments(),
                                  page=(0, query.page_size), after=paged.decode(query.after) if query.after else None)
    except ValueError:  # a cursor of another grouping's order
        raise paged.bad_cursor() from None
    rule = result.rule
    return {
        "by": result.by, "today": result.today,
        "rule": _rule(rule),
        "rows": [_coverage_row(row) for row in result.rows], "total": _coverage_row(result.total),
        "count": result.count, "next": paged.next_cursor(result.rows, figures.coverage_order(result.by), result.start,
                                                         result.count),
    }


@router.get("/{slug}/behind", response=BehindOut,
            summary="进度落后名单（by=unit|cadre|village…），落后多者在前；每页 page_size 行（默认 20，最多 200），"
                    "after=上一页的 next 读下一页，count 为落后的总行数；按单位、干部时只列单位、干部"
                    "（尚未落实到人的对象不是干部，见 /unnamed）")
@reads_from_replica
def behind(request: HttpRequest, slug: str, query: Query[BehindQuery]) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    by = Asked({"by": query.by}, strict=True).choice("by", figures.GROUPINGS, "village")
    start = paged.offset(query.after)
    today = clock.today()
    rows, count = figures.behind(reach.campaign, by, today, reach.assignments(), limit=query.page_size,
                                 offset=start, keyed=by in ("unit", "cadre"))
    return {"by": by, "today": today, "count": count, "rows": [_coverage_row(row) for row in rows],
            "next": paged.offset_cursor(start, len(rows), count)}


@router.get("/{slug}/unnamed", response=UnnamedOut,
            summary="尚未落实到人的走访对象（已分配到单位、尚未指定走访干部）：按单位（by=unit）或村（village），"
                    "各类对象数和其中已走访数；明细见 /rows?what=unnamed")
@reads_from_replica
def unnamed(request: HttpRequest, slug: str, query: Query[UnnamedQuery]) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    by = Asked({"by": query.by}, strict=True).choice("by", figures.UNNAMED_GROUPINGS, "unit")
    return _unnamed(figures.unnamed(reach.campaign, by, clock.today(), reach.assignments()))


@router.get("/{slug}/cases", response=CasesOut,
            summary="问题办理：登记及时率、响应率（回复率）、按时办结率、解决率、满意率、超期、上报；"
                    "by=unit|village|cadre|category|week|month|status；每页至多 200 行（page_size），after=上一页的 next 读下一页")
@reads_from_replica
def cases(request: HttpRequest, slug: str, query: Query[CasesQuery]) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    by = Asked({"by": query.by}, strict=True).choice("by", figures.CASE_GROUPINGS, "unit")
    # One page, after the cursor's row: by unit or village ordered and cut in the database (figures.case_figures).
    try:
        result = figures.case_figures(reach.campaign, by, clock.today(), reach.cases(), page=(0, query.page_size),
                                      after=paged.decode(query.after) if query.after else None)
    except ValueError:  # a cursor of another grouping's order
        raise paged.bad_cursor() from None
    return {"by": result.by, "today": result.today, "rows": [_case_row(row) for row in result.rows],
            "total": _case_row(result.total), "count": result.count,
            "next": paged.next_cursor(result.rows, figures.case_order(result.by), result.start, result.count)}


@router.get("/{slug}/rows", response=RowsOut,
            summary=gettext_noop("数字背后的明细：未走访对象（what=unvisited）、走访记录（visits）、问题（cases）、"
                                 "未落实到人的对象（unnamed），"
                                 "可按 unit、cadre、region、kind、overdue=1 筛选；每页 limit 行，after=上一页的 next 读下一页"
                                 "（offset 只到前 %(cap)s 条）；count 为总数，最多数到 %(cap)s"
                                 "（%(more)s 表示更多）；个人信息按权限脱敏") % {"cap": paging.COUNT_CAP,
                                                                            "more": paging.COUNT_CAP + 1})
@reads_from_replica
def rows(request: HttpRequest, slug: str, query: Query[RowsQuery]) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    params = {k: v for k, v in query.dict().items() if v and k not in ("offset", "limit", "after")}
    narrowing = drill.narrowing(reach, Asked(params, strict=True))
    try:
        page = drill.page(reach, narrowing, request.user, clock.today(), query.after, query.limit, query.offset)
    except paging.BadCursor:
        raise HttpError(400, _("after：不是本列表返回的 next 值")) from None
    data = as_json(page.table)
    return {"title": data["title"], "count": page.count, "headers": data["headers"], "rows": data["rows"],
            "next": page.next_cursor}


def _town(row: TownRow) -> dict[str, Any]:
    return {"id": str(row.town.public_id), "label": row.coverage.label, "rank": row.rank,
            "campaigns": [campaign.slug for campaign in row.campaigns], "coverage": _coverage_row(row.coverage),
            "cases": _case_row(row.cases), "pace_percent": row.pace.due_percent}


@router.get("/city/{region_id}/towns", response=TownsOut,
            summary="市“六个一”办公室：所辖各镇的走访覆盖、进度和问题办理并排比较，按 sort 排名（差者在前）；"
                    "只有对该区划有上级活动办权限的账号可用")
@reads_from_replica
def towns(request: HttpRequest, region_id: str, query: Query[TownsQuery]) -> dict[str, Any]:
    region = city_region(request.user, region_id)
    sort = Asked({"sort": query.sort}, strict=True).choice("sort", figures.TOWN_ORDERS, "pace")
    result = figures.town_figures(region, clock.today(), year=query.year, order=sort)
    return {"region": str(region.public_id), "label": region.name, "year": result.year, "today": result.today,
            "sort": result.order, "rows": [_town(row) for row in result.rows], "total": _town(result.total),
            "idle": [town.name for town in result.idle]}


# -- 全覆盖 (fullcoverage.py) -----------------------------------------------------------------------------------------

class CoverageTargetsOut(Schema):
    id: str | None
    label: str
    targets: int = Field(..., description="应覆盖（单位行：分配给该单位的）")
    assigned: int
    unassigned: int
    named: int | None = Field(..., description="落实到人（分配给具名干部）；要求未规定落实到人的为 null")
    unnamed: int | None
    visited: int
    unvisited: int
    percent: float | None


class VillageLinkOut(Schema):
    id: str
    label: str
    leaders: list[str]
    units: list[str]
    linked: bool


class RequirementOut(Schema):
    key: str
    name: str
    way: str = Field(..., description="villages_linked、targets 或 arranged_outside（另行安排，不统计）")
    selection: str
    named_cadre: bool
    arranged_outside: str
    met: bool | None = Field(..., description="是否已全覆盖；另行安排的为 null")
    total: CoverageTargetsOut | None
    villages: list[CoverageTargetsOut] = Field(..., description="各村（社区），只有整个活动的读者才有")
    units: list[CoverageTargetsOut]
    links: list[VillageLinkOut]


class FullCoverageOut(Schema):
    today: dt.date
    whole: bool = Field(..., description="整个活动（否则为本单位分到的部分）")
    requirements: list[RequirementOut]


def _targets_row(row: fullcoverage.TargetRow, named: bool) -> dict[str, Any]:
    return {"id": _ident(row.key), "label": row.label, "targets": row.targets, "assigned": row.assigned,
            "unassigned": row.unassigned, "named": row.named if named else None,
            "unnamed": row.unnamed if named else None, "visited": row.visited, "unvisited": row.unvisited,
            "percent": row.percent}


def _requirement(item: fullcoverage.Figure) -> dict[str, Any]:
    plain = item if isinstance(item, fullcoverage.Requirement) else item.requirement
    found: dict[str, Any] = {
        "key": plain.key, "name": plain.name, "way": plain.way, "selection": plain.selection_text,
        "named_cadre": plain.named_cadre, "arranged_outside": plain.outside, "met": None, "total": None,
        "villages": [], "units": [], "links": []}
    if isinstance(item, fullcoverage.LinkFigure):
        missing = {id(link) for link in item.unlinked()}
        found.update(met=item.met, links=[
            {"id": str(link.village.public_id), "label": link.village.name, "leaders": link.leaders,
             "units": link.units, "linked": id(link) not in missing} for link in item.villages])
    elif isinstance(item, fullcoverage.TargetFigure):
        named = plain.named_cadre
        found.update(met=item.met, total=_targets_row(item.total, named),
                     villages=[_targets_row(row, named) for row in item.villages],
                     units=[_targets_row(row, named) for row in item.units])
    return found


@router.get("/{slug}/full-coverage", response=FullCoverageOut,
            summary="全覆盖：活动配置的各项全覆盖要求（村（社区）挂钩、对象分配和走访、另行安排的）及各村、各单位的数字；"
                    "单位的经办人只得到本单位分到的部分")
@reads_from_replica
def full_coverage(request: HttpRequest, slug: str) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    result = fullcoverage.full_coverage(reach, clock.today())
    return {"today": result.today, "whole": result.whole, "requirements": [_requirement(i) for i in result.items]}


class GapQuery(Schema):
    requirement: str = Field(..., max_length=limits.CODE, description="全覆盖要求的代号（key）")
    gap: str = Field(..., max_length=limits.CODE, description="unassigned 未分配、unnamed 未落实到人、unvisited 未走访、"
                                                               "unlinked 未挂钩的村（社区）")
    region: str | None = Field(None, max_length=limits.CODE, description="村（社区）编号（UUID）")
    unit: str | None = Field(None, max_length=limits.CODE, description="单位编号（UUID）")
    offset: int = Field(0, ge=0, le=paging.COUNT_CAP)
    limit: int = Field(fullcoverage_tables.ROWS_SHOWN, ge=1, le=1000, description="每页条数")


class GapRowsOut(Schema):
    title: str
    count: int = Field(..., description=paging.COUNT_DESCRIPTION)
    headers: list[str]
    rows: list[list[Any]]


@router.get("/{slug}/full-coverage/rows", response=GapRowsOut,
            summary="全覆盖数字背后的明细：某项要求未分配、未落实到人、未走访的对象，或未挂钩的村（社区）；"
                    "可按 region、unit 筛选，offset、limit 分页；个人信息按权限脱敏")
@reads_from_replica
def full_coverage_rows(request: HttpRequest, slug: str, query: Query[GapQuery]) -> dict[str, Any]:
    reach = campaign_for(request.user, slug)
    asked = fullcoverage_tables.gap_asked(reach, query.dict())
    table, count = fullcoverage_tables.gap_rows(reach, asked["item"], asked["gap"], request.user,
                                                region=asked["region"], unit=asked["unit"], offset=query.offset,
                                                limit=query.limit)
    data = as_json(table)
    return {"title": data["title"], "count": count, "headers": data["headers"], "rows": data["rows"]}
