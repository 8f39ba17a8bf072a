"""Households (户籍户, 非户籍常住户): one row per household, placed in a village, group or grid of the town."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import Table, read_table
from zoufang.core.tabular import Column, SheetRow, as_found, person_name
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

KIND, VILLAGE, GROUP, GRID, NAME, MEMBERS, PHONE, ID_NUMBER, ADDRESS, HARDSHIP = (
    "户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭")

COLUMNS = (
    Column(KIND, True, _l("户籍户 或 非户籍常住户"), "户籍户", ("户籍类别", "户类别", "户类型", "户口类别", "户口性质", "类别"), 14),
    Column(VILLAGE, True, _l("本镇已登记的村、社区名称"), "上下塘社区",
           ("村、社区", "村社区", "村、社区名称", "所在村（社区）", "村（居）", "村/社区", "所属村（社区）", "村（社区）名称",
            "村名"), 16),
    Column(GROUP, False, _l("该村已登记的村民小组或居民小组名称；留空表示不分组"), "一组",
           ("居民小组", "村（居）民小组", "小组", "村民组", "居民组", "组别", "组"), 12),
    Column(GRID, False, _l("该村（或小组）已登记的网格名称"), "第1网格", (), 12),
    Column(NAME, True, _l("户主姓名，中文姓名中的空格会被去掉"), "张三", ("户主", "户主名", "姓名"), 12),
    Column(MEMBERS, False, _l("整数，0到99"), "4", ("家庭人口数", "人口数", "家庭人数", "人口", "人数"), 10),
    Column(PHONE, False, identifiers.PHONE_RULE, "13812345678", ("电话", "手机号码", "手机", "手机号", "电话号码", "联系方式"), 16,
           text=True),
    Column(ID_NUMBER, False, identifiers.ID_NUMBER_FORMAT, "320583199001011232",
           ("身份证号", "公民身份号码", "户主身份证号码", "户主身份证号", "身份证", "证件号码"), 22, text=True),
    Column(ADDRESS, True, _l("门牌地址，最多300字"), "上下塘街12号", ("住址", "家庭住址", "家庭地址", "详细地址", "门牌地址", "门牌号"), 30),
    Column(HARDSHIP, False, _l("是 或 否；留空为否"), "否", ("是否困难家庭",), 10),
    *position_cells.COLUMNS,
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
    found = suppression.leave_out_erased(ctx, found, ID_NUMBER)  # erased at the person's request (0039)
    _check_duplicates(ctx, found)
    outcome = Outcome(total_rows=len(table.rows))
    if ctx.errors:
        return outcome
    _match_stored(ctx, found, places)
    if ctx.errors:
        return outcome
    planned = plan_records(ctx, Target, found, {"is_demo": ctx.mark_demo}, scope=scope)
    planned.total_rows = outcome.total_rows
    return planned


def _record(ctx: ImportContext, table: Table, places: ScopeRegions, row: SheetRow) -> Record | None:
    errors_before = len(ctx.errors)
    n = row.number
    value = {column.header: table.value(row, column.header) for column in COLUMNS}
    kind = parse_choice(value[KIND], _KINDS)
    if cells.required_cell(ctx, n, KIND, value[KIND]) and kind not in Target.HOUSEHOLD_KINDS:
        ctx.error(n, KIND, _("应为“户籍户”或“非户籍常住户”") + as_found(value[KIND]))
    region = None
    if cells.required_cell(ctx, n, VILLAGE, value[VILLAGE]):
        region = places.village(value[VILLAGE], ctx, n, VILLAGE)
    if region is not None and value[GROUP]:
        region = places.below(region, Region.Level.GROUP, value[GROUP], ctx, n, GROUP)
    if region is not None and value[GRID]:
        region = places.below(region, Region.Level.GRID, value[GRID], ctx, n, GRID)
    name = person_name(value[NAME])
    if cells.required_cell(ctx, n, NAME, name):
        cells.person_cell(ctx, n, NAME, value[NAME], 200)
    address = value[ADDRESS]
    if cells.required_cell(ctx, n, ADDRESS, address):
        cells.text_cell(ctx, n, ADDRESS, address, 300)
    values: dict[str, Any] = {"kind": kind, "region_id": region.pk if region else None, "name": name,
                              "address": address}
    optional = {
        "member_count": cells.count_cell(ctx, n, MEMBERS, value[MEMBERS], maximum=99),
        "phone": cells.phone_cell(ctx, n, PHONE, value[PHONE]),
        "id_number": cells.id_number_cell(ctx, n, ID_NUMBER, value[ID_NUMBER],
                                          lossy=table.header.lossy(row, ID_NUMBER)),
        "hardship": cells.bool_cell(ctx, n, HARDSHIP, value[HARDSHIP]),
    }
    values.update({key: v for key, v in optional.items() if v not in (None, "")})
    values.update(position_cells.position_cells(ctx, table, row))
    if len(ctx.errors) > errors_before:
        return None
    return Record(n, values)


def _key(values: dict[str, Any]) -> tuple[Any, ...]:
    """An ID number names one household whatever its kind; without one, kind, region, name and address do."""
    if values.get("id_number"):
        return ("id", values["id_number"])
    return (values["kind"], values["region_id"], values["name"], values["address"])


def _check_duplicates(ctx: ImportContext, found: list[Record]) -> None:
    seen: dict[tuple[Any, ...], Record] = {}
    for record in found:
        key = _key(record.values)
        other = seen.get(key)
        if other is None:
            seen[key] = record
        elif other.values["kind"] != record.values["kind"]:
            ctx.error(record.row, ID_NUMBER, _("与第%(other)d行身份证号码相同：同一身份证号码不能既是%(kind)s又是%(other_kind)s"
                                               "，请核对两行后只保留一行")
                      % {"other": other.row, "kind": Target.Kind(record.values["kind"]).label,
                         "other_kind": Target.Kind(other.values["kind"]).label})
        elif record.values.get("id_number"):
            ctx.error(record.row, ID_NUMBER, _("与第%(other)d行重复（身份证号码相同）") % {"other": other.row})
        else:
            ctx.error(record.row, NAME, _("与第%(other)d行重复（户别、区划、户主姓名、地址都相同）")
                      % {"other": other.row})


def _match_stored(ctx: ImportContext, found: list[Record], places: ScopeRegions) -> None:
    """Attach the stored household of each row: by ID number (of either kind), else by kind, region, name, address.

    A stored household found by its ID number under another 户主姓名, village or 户别 is refused unless the
    import is an update (records.guard_identity); one registered outside the user's area is refused, update or not,
    without saying where (registry.imports.area).
    """
    stored = _stored(found)
    by_number: dict[str, list[Target]] = {}
    by_place: dict[tuple[Any, ...], list[Target]] = {}
    for target in sorted(stored.values(), key=lambda t: t.pk):
        if target.id_number:
            by_number.setdefault(target.id_number, []).append(target)
        by_place.setdefault((target.kind, target.region_id, target.name, target.address), []).append(target)
    claimed: dict[int, int] = {}
    for record in found:
        values = record.values
        numbered = by_number.get(values.get("id_number") or "", [])
        if not all(ctx.area.holds(t.region) for t in numbered):  # neither located nor taken across the border
            ctx.error(record.row, ID_NUMBER, ctx.area.outside_message(_("身份证号码")))
            continue
        if len(numbered) > 1:
            ctx.error(record.row, ID_NUMBER, _("登记库中该身份证号码已同时登记为%(kinds)s，请先在登记库中核对并删除其中一户")
                      % {"kinds": "和".join(str(Target.Kind(t.kind).label) for t in numbered)})
            continue
        match = numbered[0] if numbered else None
        if match is None:
            place = by_place.get((values["kind"], values["region_id"], values["name"], values["address"]), [])
            candidates = [t for t in place if t.pk not in claimed and not (values.get("id_number") and t.id_number)]
            match = candidates[0] if candidates else None
        if match is None:
            continue
        if match.pk in claimed:
            ctx.error(record.row, NAME, _("与第%(other)d行对应登记库中的同一户") % {"other": claimed[match.pk]})
            continue
        claimed[match.pk] = record.row
        if values.get("id_number") and not _same_household(ctx, record, match, places):
            continue
        record.existing = match


def _stored(found: list[Record]) -> dict[int, Target]:
    """The stored households the file's rows can name, and no others: the cost follows the file, not the registry.

    By ID number through its blind index (any town: one number is one household), and by 户主姓名 through
    its index within the file's regions (a row without a known number may name a household kept without
    one); a chunk of keys per query.
    """
    households = Target.objects.filter(kind__in=Target.HOUSEHOLD_KINDS).select_related("region").order_by()
    stored: dict[int, Target] = {}
    numbers = sorted({r.values["id_number"] for r in found if r.values.get("id_number")})
    for part in chunks(numbers):
        # The explicit non-empty test lets the partial unique index on the blind index serve the look-up.
        stored.update({t.pk: t for t in households.filter(id_number__in=part).exclude(id_number_index="")})
    known = {number for t in stored.values() if (number := t.id_number)}
    unmatched = [r.values for r in found if r.values.get("id_number") not in known]
    names = sorted({v["name"] for v in unmatched})
    regions = {v["region_id"] for v in unmatched}
    for part in chunks(names):
        # By name alone, kind and region checked here: with them in the query SQLite (no statistics) walks
        # the (kind, region) index, every stored household of those regions, instead of the name index.
        for target in Target.objects.filter(name__in=part).select_related("region").order_by():
            if target.kind in Target.HOUSEHOLD_KINDS and target.region_id in regions:
                stored[target.pk] = target
    return stored


def _same_household(ctx: ImportContext, record: Record, match: Target, places: ScopeRegions) -> bool:
    """The household an ID number found keeps its 户主姓名, village and 户别 unless the import is an update."""
    values = record.values

    def village(region: Region) -> str:
        found = places.village_of(region.pk)  # outside this town: the whole name, such as 昆山市周庄镇…
        return found.name if found is not None else region.full_name()

    new_region = places.by_id[values["region_id"]]
    fields = [(NAME, match.name, values["name"], "name"),
              (VILLAGE, village(match.region), village(new_region), "region_id"),
              (KIND, str(Target.Kind(match.kind).label), str(Target.Kind(values["kind"]).label), "kind")]
    key = _("身份证号码%(id)s") % {"id": identifiers.mask_id_number(values["id_number"])}
    return cells.guard_identity(ctx, record.row, ID_NUMBER, key, fields, match)


SPEC = ImportSpec(
    kind="households", label=_l("居民户（户籍户、非户籍常住户）"), columns=COLUMNS, prepare=prepare,
    notes=(_l("每户一行。区划按走访活动所在镇查找；村民小组、网格须先通过“行政区划”导入。"),
           _l("有身份证号码时按身份证号码识别同一户（同一号码不能既是户籍户又是非户籍常住户），否则按户别、区划、户主姓名和"
              "地址识别；重复导入不会重复登记。"),
           _l("身份证号码已登记而户主姓名、村（社区）或户别不同的行不导入；确是更名、迁移的，按更新导入"
              "（命令行 --update，网页勾选“按更新导入”），先列出每一处变更，核对后写入并记入审计。"),
           _l("选填列留空时不修改已登记的内容。"),
           _l("本人要求删除了个人信息的，其身份证号码所在行不导入，导入结果逐行写明；本人重新同意的，由走访办在"
              "“个人信息查阅与删除”中解除。"),
           _l("身份证号码、联系电话请设为文本格式，以免被 Excel 改成科学计数法。")),
)
