"""The seed's allocation tables (附件1 … 附件4-2) read in their own layout: rows, continuation rows, 合计."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.tabular import (
    IGNORABLE_HEADERS,
    Column,
    Header,
    HeaderMatch,
    RowError,
    SheetRow,
    TabularError,
    column_letter,
    compact,
    header_lookup,
    is_note_row,
    is_total_row,
    match_headers,
    normalise_header,
    parse_count,
    person_name,
    plain_header,
    read_header,
    read_rows,
    row_numbers,
    unknown_column_message,
)
from zoufang.registry.models import Target

SERIAL, UNIT, VILLAGE, STATED, COUNT, NOTE = "序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数", "备注"
LEADER, LEADER_VILLAGE, ENTERPRISES = "走访领导", "走访村、社区", "走访企业数"
DEPARTMENT, MEMBERS = "单位", "党员人数"
ENTERPRISE_LINE_SUFFIX = "走访企业"
ROW_TOTAL = "合计"  # a column some offices add at the right: the row's count again, or its columns added up

# The count columns of 附件4-1/4-2, by the names offices give them, and the column each stands for.
DEPARTMENT_KIND_COLUMNS = {
    "户籍户口": ("户籍户口", "户籍户", "户籍居民户", "本地户"),
    "外来常住户": ("外来常住户", "非户籍常住户", "外来户", "非户籍户", "流动人口户"),
    "走访企业数": ("走访企业数", "企业数", "企业", "走访企业"),
}
# 走访户数 may be split by kind under a header of two or three rows (附件4-1's 户籍户口 and 外来常住户).
HOUSEHOLD_PARTS = (*DEPARTMENT_KIND_COLUMNS["户籍户口"], *DEPARTMENT_KIND_COLUMNS["外来常住户"])

_SERIAL = Column(SERIAL, True, _l("从1起编号；续行（同一单位或领导的下一个村、社区）留空"), "1", width=6)
_NOTE = Column(NOTE, False, _l("可留空"), "", width=16)
_ROW_TOTAL = Column(ROW_TOTAL, False, _l("可不填；填写的须等于本行的数"), "", ("小计",), 10)
ALLOCATION_COLUMNS = (
    _SERIAL,
    Column(UNIT, True, _l("已登记的单位名称；续行留空"), "市交通局", ("单位",), 16),
    Column(VILLAGE, True, _l("本镇的村、社区名称"), "上下塘社区",
           ("村、社区", "村（社区）", "村（社区）名称", "村社区名称"), 16),
    Column(STATED, True, _l("该村户籍总户数，须与登记库一致"), "2667", ("户籍总户数",), 16),
    Column(COUNT, True, _l("整数，不超过户籍总户数"), "100", (), 10, parts=HOUSEHOLD_PARTS),
    _NOTE,
    _ROW_TOTAL,
)
LEADER_HOUSEHOLD_COLUMNS = (
    _SERIAL,
    Column(LEADER, True, _l("镇党政领导姓名；续行留空"), "王  文", ("领导",), 12),
    Column(LEADER_VILLAGE, True, _l("本镇的村、社区名称"), "周家浜村",
           ("村、社区名称", "走访村（社区）", "村（社区）", "村、社区"), 16),
    Column(COUNT, True, _l("整数，可为0（挂钩村无剩余户可分）"), "10", (), 10, parts=HOUSEHOLD_PARTS),
    _NOTE,
    _ROW_TOTAL,
)
LEADER_ENTERPRISE_COLUMNS = (
    _SERIAL,
    Column(LEADER, True, _l("镇党政领导姓名"), "王  文", ("领导",), 12),
    Column(ENTERPRISES, True, _l("整数"), "20", (), 12),
    _NOTE,
    _ROW_TOTAL,
)
DEPARTMENT_COLUMNS = (
    _SERIAL,
    Column(DEPARTMENT, True, _l("镇部门（支部）名称"), "机关二支部", ("单位名称", "部门"), 16),
    Column(MEMBERS, True, _l("整数"), "43", (), 10),
)
# What else a department table's header may name: its count columns, the 走访户数 over them, 备注 and 合计.
_DEPARTMENT_HEADER = (
    *DEPARTMENT_COLUMNS,
    Column(COUNT, parts=tuple(n for names in DEPARTMENT_KIND_COLUMNS.values() for n in names)),
    *(Column(name, aliases=names) for name, names in DEPARTMENT_KIND_COLUMNS.items()),
    _NOTE,
    _ROW_TOTAL,
)


def department_kind_column(name: str) -> str | None:
    """The seed's name of a department table's count column (“户籍户” → 户籍户口), or None when it is none of them."""
    return next((canonical for canonical, names in DEPARTMENT_KIND_COLUMNS.items()
                 if header_lookup(name, {normalise_header(n) for n in names})), None)


# The target kind each count column stands for, where a table splits one column by kind (附件4-1's 走访户数 over
# 户籍户口 and 外来常住户; another office's 附件1 … 3-1 the same way).
KIND_OF_COLUMN = {"户籍户口": Target.Kind.REGISTERED_HOUSEHOLD, "外来常住户": Target.Kind.RESIDENT_HOUSEHOLD,
                  "走访企业数": Target.Kind.ENTERPRISE}


@dataclass
class KindSplit:
    """A count column split by target kind under a two-row header (“走访户数” merged over 户籍户 and 外来常住户):
    each kind's column and its sub-header as written. A 小计 under the same header is the table's 合计 column."""

    column: str
    row: int  # the sub-header's row number
    kinds: dict[str, int] = field(default_factory=dict)  # target kind → column index
    written: dict[str, str] = field(default_factory=dict)  # target kind → “外来常住户” as the table names it

    def label(self, kind: str) -> str:
        """The column as a message names it: “走访户数（外来常住户）”."""
        return f"{self.column}（{self.written[kind]}）"

    def names(self) -> str:
        return "、".join(f"“{name}”" for name in self.written.values())


@dataclass
class JointSplit:
    """The units a line names and each one's share: one unit takes it all; several share it (联合走访)."""

    shares: list[tuple[str, int]]
    how: str = ""  # “联合走访，平均分配” or “联合走访，按表中分配” for a joint line, else empty
    measure: str = "户"

    @property
    def units(self) -> list[str]:
        return [name for name, _n in self.shares]

    @property
    def joint(self) -> bool:
        return len(self.shares) > 1

    def note(self, names: list[str] | None = None) -> str:
        """“联合走访，平均分配：市发改委35家、水利局35家”, with the units' registered names when given."""
        if not self.joint:
            return ""
        names = names or self.units
        return f"{self.how}：" + "、".join(f"{name}{n}{self.measure}" for name, (_w, n) in
                                          zip(names, self.shares, strict=True))


@dataclass
class AllocationRow:
    """One row of 附件1/附件2: a unit's count in a village; `continued` for rows under the unit above."""

    row: int
    serial: str
    unit: str
    village: str
    region_total: int
    count: int
    continued: bool = False
    note: str = ""
    split: JointSplit | None = None
    counts: dict[str, int] = field(default_factory=dict)  # target kind → count; one kind unless split by kind
    splits: dict[str, JointSplit] = field(default_factory=dict)  # a joint row's shares, per kind

    @property
    def registered(self) -> int:
        """What 户籍总户数 bounds: the registered households of the row."""
        return self.counts.get(Target.Kind.REGISTERED_HOUSEHOLD, 0)


@dataclass
class EnterpriseLine:
    """“昆山市粮食局、妇联走访企业 | 101家”: the units named before 走访企业 and their enterprise count."""

    row: int
    label: str
    units: list[str]
    count: int
    split: JointSplit | None = None


@dataclass
class AllocationTable:
    rows: list[AllocationRow] = field(default_factory=list)
    enterprise_lines: list[EnterpriseLine] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    total_row: int | None = None
    issues: list[RowError] = field(default_factory=list)
    title: str = ""  # as the issuer wrote it: “昆山市级机关部门“六个一”走访调研居民户、企业分配表”
    annex: str = ""  # the label line above the title, as “附件2”
    by_kind: KindSplit | None = None  # 走访户数 split by kind under a two-row header
    skipped: list[str] = field(default_factory=list)  # 小计 and note lines, as the report names them

    @property
    def figure_rows(self) -> list[int]:
        """The sheet rows the table takes figures from: its rows, the enterprise lines under it, its 合计."""
        return [*(r.row for r in self.rows), *(line.row for line in self.enterprise_lines),
                *([self.total_row] if self.total_row else [])]


@dataclass
class LeaderRow:
    """One row of 附件3-1 (with a village) or 附件3-2 (without)."""

    row: int
    serial: str
    leader: str
    leader_as_written: str
    count: int
    village: str = ""
    continued: bool = False
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # target kind → count; one kind unless split by kind


@dataclass
class LeaderTable:
    rows: list[LeaderRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    total_row: int | None = None
    issues: list[RowError] = field(default_factory=list)
    title: str = ""
    annex: str = ""
    by_kind: KindSplit | None = None  # 走访户数 split by kind under a two-row header
    skipped: list[str] = field(default_factory=list)  # 小计 and note lines, as the report names them

    @property
    def figure_rows(self) -> list[int]:
        """The sheet rows the table takes figures from: its rows and its 合计."""
        return [*(r.row for r in self.rows), *([self.total_row] if self.total_row else [])]

    @property
    def total(self) -> int:
        """The table's 合计 when it has one, else the sum of its rows."""
        return next(iter(self.totals.values()), sum(r.count for r in self.rows))


@dataclass
class DepartmentRow:
    """One row of 附件4-1/附件4-2: a department, its party members and its figures by column."""

    row: int
    serial: str
    unit: str
    party_members: int | None
    figures: dict[str, int]
    note: str = ""
    blank: list[str] = field(default_factory=list)  # the count columns left blank on this row (read as 0)


@dataclass
class DepartmentTable:
    """`columns` are the count columns after 党员人数; `totals` their 合计 in the same order (empty without 合计)."""

    columns: list[str] = field(default_factory=list)
    rows: list[DepartmentRow] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    party_member_total: int | None = None
    total_row: int | None = None
    issues: list[RowError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # 小计 and note lines, as the report names them
    title: str = ""
    annex: str = ""  # the “附件4-1” label line above the title
    header_row: int = 0  # the sheet's row number of the header's lowest row, where the count columns are named
    by_kind: KindSplit | None = None  # the household columns (户籍户口, 外来常住户), when there are two or more

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def figure_rows(self) -> list[int]:
        """The sheet rows the table takes figures from: its rows and its 合计."""
        return [*(r.row for r in self.rows), *([self.total_row] if self.total_row else [])]

    def total(self, column: str) -> int:
        """The 合计 of a count column, or the sum of its rows when the table has no 合计 row."""
        if self.totals:
            return self.totals[self.columns.index(column)]
        return self.column_sum(column)

    def column_sum(self, column: str) -> int:
        if column == MEMBERS:
            return sum(r.party_members or 0 for r in self.rows)
        return sum(r.figures.get(column, 0) for r in self.rows)


def _first(row: SheetRow) -> tuple[int, str]:
    for index, cell in enumerate(row.cells):
        if cell:
            return index, compact(cell)
    return -1, ""


def _suffix(column: str) -> str:
    return "人" if column == MEMBERS else "家" if "企业" in column else "户"


def _header(rows: Sequence[SheetRow], columns: Sequence[Column], issues: list[RowError],
            count_column: str) -> tuple[HeaderMatch | None, int, int, KindSplit | None]:
    """The header, where it starts, the index of the first row under it, and how `count_column` is split by kind:
    over one to three rows (core.tabular.read_header), 走访户数 perhaps merged over one column per target kind
    (户籍户, 外来常住户) and under a group name (走访任务)."""
    found = read_header(rows, columns, minimum=3)
    if found is None:
        issues.append(RowError(None, "", _("在前20行中找不到表头行，表头应包含：%(names)s。请检查表头的列名是否写错，"
                                           "或表头是否在前20行之内")
                               % {"names": "、".join(c.header for c in columns if c.required)}))
        return None, -1, -1, None
    header = match_headers(found, columns)
    issues.extend(header.errors)
    if header.errors:
        return None, found.top, found.first, None
    split = kind_split(header, count_column, issues)
    return header, found.top, found.first, split


def kind_split(header: HeaderMatch, column: str, issues: list[RowError]) -> KindSplit | None:
    """`column` split by target kind: the names under it where at least one names a kind (户籍户, 外来常住户 …
    as 附件4-1 names them). Another name there is an error: its figures would have no kind to be stored under."""
    parts = header.parts.get(column, [])
    found = {part.at: _household_column(part.text) for part in parts}
    if not any(found.values()) and len(parts) <= 1:  # no split, or one note under the column (“（户）”)
        return None
    split = KindSplit(column, parts[0].row)
    for part in parts:
        name, canonical = compact(part.text), found[part.at]
        if canonical is None:
            issues.append(RowError(part.row, name, _(
                "“%(column)s”下的%(letter)s列“%(name)s”不是走访对象的类型，无法导入：“%(column)s”只能按“户籍户”"
                "“外来常住户”分列（也可写作户籍户口、非户籍常住户），其他列请删去或移到“备注”")
                % {"column": column, "name": name, "letter": column_letter(part.at)}))
        elif KIND_OF_COLUMN[canonical] in split.kinds:
            other = KIND_OF_COLUMN[canonical]
            issues.append(RowError(part.row, name, _("%(letter)s列与%(other_letter)s列“%(other)s”是同一类对象，列重复出现："
                                                     "请删去其中一列，或把两列的数相加后合为一列")
                                   % {"letter": column_letter(part.at), "other_letter": column_letter(split.kinds[other]),
                                      "other": split.written[other]}))
        else:
            split.kinds[KIND_OF_COLUMN[canonical]] = part.at
            split.written[KIND_OF_COLUMN[canonical]] = name
    return split


def _household_column(name: str) -> str | None:
    """The seed's name of a household column (“户籍户” → 户籍户口, “非户籍常住户” → 外来常住户), else None."""
    canonical = department_kind_column(name)
    return canonical if canonical and KIND_OF_COLUMN[canonical] in Target.HOUSEHOLD_KINDS else None


def _count_columns(split: KindSplit | None, column: str, header: HeaderMatch) -> dict[str, int]:
    """Where a 合计 row's figures for the counts sit: under the count column, or under each kind's column."""
    if split is None:
        return {column: header.positions[column]}
    return {split.label(kind): at for kind, at in split.kinds.items()}


def _kind_counts(row: SheetRow, header: HeaderMatch, split: KindSplit | None, column: str, kind: str,
                 issues: list[RowError]) -> dict[str, int] | None:
    """The row's counts by target kind: the count column's as `kind`, or each kind's column of a split (a blank
    one is 0, unless all are)."""
    if split is None:
        value = _count(row, header, column, issues)
        return None if value is None else {kind: value}
    if not any(row.cell(at) for at in split.kinds.values()):
        issues.append(RowError(row.number, column, _("不能为空")))
        return None
    before = len(issues)
    counts: dict[str, int] = {}
    for each, at in split.kinds.items():
        value = parse_count(row.cell(at)) if row.cell(at) else 0
        if value is None:
            issues.append(RowError(row.number, split.label(each), _("应为不小于0的整数")))
        counts[each] = value or 0
    return None if len(issues) > before else counts


def _count_sums(split: KindSplit | None, column: str, counts: list[dict[str, int]]) -> dict[str, int]:
    """What a 合计 or 小计 line should say of `counts`: under the count column, or under each kind's column, and
    under the 合计 column."""
    sums = {ROW_TOTAL: sum(sum(c.values()) for c in counts)}
    if split is None:
        return {column: sums[ROW_TOTAL], **sums}
    return {**{split.label(kind): sum(c.get(kind, 0) for c in counts) for kind in split.kinds}, **sums}


def _allocation_sums(rows: Sequence["AllocationRow"], split: KindSplit | None) -> dict[str, int]:
    """`_count_sums` of allocation rows, with 户籍总户数 counting each village once."""
    villages: dict[str, int] = {}
    for row in rows:
        villages.setdefault(row.village, row.region_total)
    return {STATED: sum(villages.values()), **_count_sums(split, COUNT, [r.counts for r in rows])}


def _check_sums(issues: list[RowError], row: int, stated: dict[str, int], sums: dict[str, int], *,
                subtotal: bool = False) -> None:
    """A 合计 line against all the rows, a 小计 line against the rows since the last 小计, column by column."""
    since = _("自上一小计（或表头）以下") if subtotal else ""
    for column, value in stated.items():
        what = (_("%(since)s各村、社区（重复出现的只计一次）之和") if column == STATED else _("%(since)s各行之和"))
        check_total(issues, row, column, value, sums[column], what % {"since": since},
                    _("小计") if subtotal else _("合计"))


@dataclass
class _Lines:
    """The 合计, 小计 and note lines met while reading a table's rows (a 合计 may come first, above the rows)."""

    total_first: bool = False
    subtotal_from: int = 0  # index of the first row a 小计 adds up
    notes: list[int] = field(default_factory=list)
    subtotals: list[int] = field(default_factory=list)
    # Data rows refused, or with a figure that could not be read: a 合计 or 小计 over them is not checked, as its
    # differences would only repeat the row's own error in misleading figures.
    unread: list[int] = field(default_factory=list)

    def all_read(self, after: int = 0, before: int | None = None) -> bool:
        """Whether every data row between sheet rows `after` and `before` (both left out) was read whole."""
        return not any(after < number and (before is None or number < before) for number in self.unread)

    def since_subtotal(self, number: int) -> bool:
        """Whether every data row a 小计 at sheet row `number` adds up was read whole."""
        return self.all_read(self.subtotals[-1] if self.subtotals else 0, number)


def _line_kind(row: SheetRow) -> str:
    """“total”, “subtotal” or “note” for such a line of a table, else empty."""
    if is_total_row(row):
        return "total"
    _at, first = _first(row)
    if first.startswith("小计") or first.endswith("小计"):
        return "subtotal"
    return "note" if is_note_row(row) else ""


def _skipped(lines: _Lines) -> list[str]:
    """What the report says of the lines read but not stored."""
    said = []
    if lines.subtotals:
        said.append(_("第%(rows)s行是小计行，已与其上各行核对") % {"rows": row_numbers(lines.subtotals)})
    if lines.notes:
        said.append(_("第%(rows)s行是表注，未导入") % {"rows": row_numbers(lines.notes)})
    return said


def _with_row_total(positions: dict[str, int], header: HeaderMatch) -> dict[str, int]:
    """The 合计 row's columns, with the 合计 column when the table has one (its total sits under it too)."""
    if ROW_TOTAL in header.positions:
        return {**positions, ROW_TOTAL: header.positions[ROW_TOTAL]}
    return positions


def _check_row_total(row: SheetRow, header: HeaderMatch, counted: int, issues: list[RowError]) -> None:
    """A 合计 column says the row's count again: it must agree, else one of the two is a typing error."""
    text = header.value(row, ROW_TOTAL)
    if not text:
        return
    stated = parse_count(text)
    if stated is None:
        issues.append(RowError(row.number, ROW_TOTAL, _("应为不小于0的整数")))
    elif stated != counted:
        issues.append(RowError(row.number, ROW_TOTAL, _("本行合计为%(stated)d，各列之和为%(counted)d，相差%(diff)d")
                               % {"stated": stated, "counted": counted, "diff": abs(stated - counted)}))


def total_values(row: SheetRow, positions: dict[str, int], issues: list[RowError]) -> dict[str, int]:
    """The 合计 row's numbers by column: aligned under their columns, or in order after a merged label."""
    label_at, _label = _first(row)
    cells = [(i, c) for i, c in enumerate(row.cells) if c and i > label_at]
    values = [parse_count(c) for _i, c in cells]
    for (_i, cell), value in zip(cells, values, strict=True):
        if value is None:
            issues.append(RowError(row.number, "合计", _("“%(cell)s”不是整数") % {"cell": cell}))
            return {}
    by_position = {column: parse_count(row.cell(i)) for column, i in positions.items() if row.cell(i)}
    if len(by_position) == len(cells):
        return {column: v for column, v in by_position.items() if v is not None}
    if len(cells) == len(positions):
        return {column: v for column, v in zip(positions, values, strict=True) if v is not None}
    issues.append(RowError(row.number, "合计", _("合计行有%(n)d个数字，应为%(m)d个（%(names)s）")
                           % {"n": len(cells), "m": len(positions), "names": "、".join(positions)}))
    return {}


def check_total(issues: list[RowError], row: int, column: str, stated: int, actual: int,
                what: str | None = None, label: str | None = None) -> None:
    """A 合计 (or 小计) that disagrees with its rows is refused with the exact difference."""
    if stated == actual:
        return
    unit = _suffix(column)
    issues.append(RowError(row, column, _("%(label)s为%(stated)d%(u)s，%(what)s为%(actual)d%(u)s，相差%(diff)d%(u)s") % {
        "label": label or _("合计"), "stated": stated, "actual": actual, "diff": abs(stated - actual), "u": unit,
        "what": what or _("各行之和")}))


def _count(row: SheetRow, header: HeaderMatch, column: str, issues: list[RowError]) -> int | None:
    text = header.value(row, column)
    value = parse_count(text)
    if value is None:
        issues.append(RowError(row.number, column, _("不能为空") if not text else _("应为不小于0的整数")))
    return value


def parse_allocation_table(rows: Sequence[SheetRow]) -> AllocationTable:
    """附件1/附件2: title lines, header, rows with continuation rows, 合计, then “…走访企业 | N家” lines."""
    table = AllocationTable()
    header, index, first_row, table.by_kind = _header(rows, ALLOCATION_COLUMNS, table.issues, COUNT)
    if index >= 0:
        table.title, table.annex = _title(rows[:index]), _annex(rows[:index])
    if header is None or table.issues:
        return table
    group: AllocationRow | None = None
    lines = _Lines()
    figures = _with_row_total({STATED: header.positions[STATED], **_count_columns(table.by_kind, COUNT, header)},
                              header)
    for row in rows[first_row:]:
        first_at, first = _first(row)
        line = _line_kind(row) if first_at >= 0 else ""
        if first_at < 0 or line == "note":
            lines.notes += [row.number] if line else []
            continue
        if line == "total":
            table.total_row, lines.total_first = row.number, not table.rows
            table.totals = total_values(row, figures, table.issues)
            continue
        if first.endswith(ENTERPRISE_LINE_SUFFIX):
            table.enterprise_lines.append(_enterprise_line(row, first_at, first, table.issues))
            continue
        if table.total_row is not None and not lines.total_first:
            table.issues.append(RowError(row.number, "", _("合计行之后只能是“……走访企业”行")))
            continue
        if line == "subtotal":
            stated = total_values(row, figures, table.issues)
            if lines.since_subtotal(row.number):
                _check_sums(table.issues, row.number, stated, _allocation_sums(table.rows[lines.subtotal_from:],
                                                                               table.by_kind), subtotal=True)
            lines.subtotal_from = len(table.rows)
            lines.subtotals.append(row.number)
            continue
        parsed = _allocation_row(row, header, table.by_kind, group, table.issues)
        if parsed is None:
            lines.unread.append(row.number)
        else:
            table.rows.append(parsed)
            group = parsed
    _check_allocation_totals(table, lines.all_read())
    table.skipped = _skipped(lines)
    return table


_ANNEX_LABEL = re.compile(r"^附件\s*[\d一二三四五六七八九十]+([-－—]\d+)?\s*$")


_UNIT_LINE = re.compile(r"^[（(]?(计量)?单位[：:]")


def _title(above_header: Sequence[SheetRow]) -> str:
    """The last line above the header that is not the “附件2” label, a “（单位：户）” line or a note: the table's
    title as issued."""
    lines = [text for row in above_header for _at, text in [_first(row)]
             if text and not _ANNEX_LABEL.match(text) and not _UNIT_LINE.match(text) and not is_note_row(row)]
    return lines[-1][:200] if lines else ""


def _annex(above_header: Sequence[SheetRow]) -> str:
    """The issuer's “附件2” label line above the title, compacted; empty when there is none."""
    return next((text for row in above_header for _at, text in [_first(row)] if _ANNEX_LABEL.match(text)), "")


def is_annex_label(text: str) -> bool:
    return bool(_ANNEX_LABEL.match(text))


_SEPARATORS = re.compile(r"[、，,；;]")
_SHARE = re.compile(r"^(?P<name>.*\D)(?P<n>\d+)\s*(?:家|户)?$")


def joint_split(text: str, count: int, measure: str, row: int, column: str,
                issues: list[RowError]) -> JointSplit:
    """“市发改委、水利局” shares `count` evenly, the odd ones to the first units in order;
    “市发改委30、水利局40” as written, which must add up to `count`. One unit alone takes it all."""
    parts = [part for part in _SEPARATORS.split(text) if part]
    if len(parts) <= 1:
        return JointSplit([(text, count)])
    written = [_SHARE.match(part) for part in parts]
    if all(written):
        shares = [(m.group("name"), int(m.group("n"))) for m in written if m]
        total = sum(n for _name, n in shares)
        if total != count:
            issues.append(RowError(row, column, _("联合走访各单位之和为%(sum)d%(u)s，本行为%(count)d%(u)s，相差%(diff)d%(u)s")
                                   % {"sum": total, "count": count, "diff": abs(total - count), "u": measure}))
        how = _("联合走访，按表中分配")
    elif any(written):
        issues.append(RowError(row, column, _("联合走访的各单位要么都写数（如“市发改委30、水利局40”），要么都不写（平均分配）")))
        shares, how = [(m.group("name") if m else part, 0) for m, part in zip(written, parts, strict=True)], ""
    else:
        base, odd = divmod(count, len(parts))
        shares = [(part, base + (1 if i < odd else 0)) for i, part in enumerate(parts)]
        how = _("联合走访，平均分配")
    names = [name for name, _n in shares]
    if len(set(names)) < len(names):
        issues.append(RowError(row, column, _("联合走访的单位重复：%(names)s") % {"names": "、".join(names)}))
    return JointSplit(shares, how, measure)


def _allocation_row(row: SheetRow, header: HeaderMatch, by_kind: KindSplit | None, group: AllocationRow | None,
                    issues: list[RowError]) -> AllocationRow | None:
    serial, unit = header.value(row, SERIAL), compact(header.value(row, UNIT))
    continued = not serial and not unit
    before = len(issues)
    if continued and group is None:
        issues.append(RowError(row.number, UNIT, _("序号和走访单位都为空，但上面没有可承接的行")))
    elif not unit and not continued:
        issues.append(RowError(row.number, UNIT, _("不能为空")))
    village = compact(header.value(row, VILLAGE))
    if not village:
        issues.append(RowError(row.number, VILLAGE, _("不能为空")))
    stated = _count(row, header, STATED, issues)
    counts = _kind_counts(row, header, by_kind, COUNT, Target.Kind.REGISTERED_HOUSEHOLD, issues)
    if len(issues) > before or stated is None or counts is None:
        return None
    if continued and group is not None:
        unit = group.unit
    count = sum(counts.values())
    _check_row_total(row, header, count, issues)
    split = joint_split(unit, count, "户", row.number, UNIT, issues)
    splits = {}
    if by_kind is not None and split.joint:
        if split.how == _("联合走访，按表中分配"):
            issues.append(RowError(row.number, UNIT, _(
                "按%(kinds)s分列的表，联合走访的各单位后不能写数：请去掉单位后的数（按单位平均分配），或每个单位写一行")
                % {"kinds": by_kind.names()}))
        splits = {kind: joint_split(unit, n, "户", row.number, UNIT, issues) for kind, n in counts.items()}
    return AllocationRow(row.number, serial, unit, village, stated, count, continued,
                         header.value(row, NOTE), split, counts, splits)


def _enterprise_line(row: SheetRow, first_at: int, first: str, issues: list[RowError]) -> EnterpriseLine:
    label = first[: -len(ENTERPRISE_LINE_SUFFIX)]
    numbers = [c for i, c in enumerate(row.cells) if c and i > first_at]
    count = parse_count(numbers[0]) if numbers else None
    if count is None:
        issues.append(RowError(row.number, ENTERPRISE_LINE_SUFFIX, _("应在其后一格写企业数，如“53家”")))
    if not label:
        issues.append(RowError(row.number, ENTERPRISE_LINE_SUFFIX, _("没有写明走访单位")))
        return EnterpriseLine(row.number, label, [], count or 0)
    split = joint_split(label, count or 0, "家", row.number, ENTERPRISE_LINE_SUFFIX, issues)
    return EnterpriseLine(row.number, label, split.units, count or 0, split)


def _check_allocation_totals(table: AllocationTable, all_read: bool) -> None:
    """Each village's 户籍总户数 is the same on every row; 合计 (when `all_read`: every row was) counts villages once
    and 走访户数 per row."""
    first_seen: dict[str, AllocationRow] = {}
    visits: dict[str, int] = {}
    registered = table.by_kind.label(Target.Kind.REGISTERED_HOUSEHOLD) if (
        table.by_kind and Target.Kind.REGISTERED_HOUSEHOLD in table.by_kind.kinds) else COUNT
    blocks: dict[tuple[str, str], int] = {}
    for row in table.rows:
        block = (normalise_header(row.unit), row.village)
        if block in blocks:
            table.issues.append(RowError(row.row, UNIT, _(
                "%(unit)s在%(village)s已由第%(other)d行分配，同一单位在同一村、社区只能有一行（要增加户数请改第%(other)d行）")
                % {"unit": row.unit, "village": row.village, "other": blocks[block]}))
        blocks.setdefault(block, row.row)
        seen = first_seen.setdefault(row.village, row)
        if seen.region_total != row.region_total:
            table.issues.append(RowError(row.row, STATED, _(
                "%(village)s在第%(other)d行为%(a)d户，此处为%(b)d户，相差%(diff)d户") % {
                "village": row.village, "other": seen.row, "a": seen.region_total, "b": row.region_total,
                "diff": abs(seen.region_total - row.region_total)}))
        if row.registered > row.region_total:
            table.issues.append(RowError(row.row, registered, _("走访户数%(count)d户超过户籍总户数%(total)d户，多%(diff)d户")
                                         % {"count": row.registered, "total": row.region_total,
                                            "diff": row.registered - row.region_total}))
        visits[row.village] = visits.get(row.village, 0) + row.registered
        if row is not seen and row.registered <= row.region_total and visits[row.village] > seen.region_total:
            table.issues.append(RowError(row.row, registered, _(
                "%(village)s各行走访户数之和%(sum)d户超过户籍总户数%(total)d户，多%(diff)d户") % {
                "village": row.village, "sum": visits[row.village], "total": seen.region_total,
                "diff": visits[row.village] - seen.region_total}))
    if table.total_row is not None and all_read:
        _check_sums(table.issues, table.total_row, table.totals, _allocation_sums(table.rows, table.by_kind))


def parse_leader_table(rows: Sequence[SheetRow], *, with_villages: bool) -> LeaderTable:
    """附件3-1 (leader, village, households, with continuation rows) or 附件3-2 (leader, enterprises)."""
    table = LeaderTable()
    columns = LEADER_HOUSEHOLD_COLUMNS if with_villages else LEADER_ENTERPRISE_COLUMNS
    count_column = COUNT if with_villages else ENTERPRISES
    header, index, first_row, table.by_kind = _header(rows, columns, table.issues, count_column)
    if index >= 0:
        table.title, table.annex = _title(rows[:index]), _annex(rows[:index])
    if header is None or table.issues:
        return table
    kind = Target.Kind.REGISTERED_HOUSEHOLD if with_villages else Target.Kind.ENTERPRISE
    group: LeaderRow | None = None
    seen: dict[tuple[str, str], int] = {}
    lines = _Lines()
    figures = _with_row_total(_count_columns(table.by_kind, count_column, header), header)
    for row in rows[first_row:]:
        line = "" if row.is_blank() else _line_kind(row)
        if row.is_blank() or line == "note":
            lines.notes += [row.number] if line else []
            continue
        if line == "total":
            table.total_row, lines.total_first = row.number, not table.rows
            table.totals = total_values(row, figures, table.issues)
            continue
        if table.total_row is not None and not lines.total_first:
            table.issues.append(RowError(row.number, "", _("合计行之后不应再有数据行")))
            continue
        if line == "subtotal":
            stated = total_values(row, figures, table.issues)
            if lines.since_subtotal(row.number):
                _check_sums(table.issues, row.number, stated, _count_sums(
                    table.by_kind, count_column, [r.counts for r in table.rows[lines.subtotal_from:]]), subtotal=True)
            lines.subtotal_from = len(table.rows)
            lines.subtotals.append(row.number)
            continue
        before = len(table.issues)
        serial, written = header.value(row, SERIAL), header.value(row, LEADER)
        continued = with_villages and not serial and not written
        if continued and group is None:
            table.issues.append(RowError(row.number, LEADER, _("序号和走访领导都为空，但上面没有可承接的行")))
        elif not written and not continued:
            table.issues.append(RowError(row.number, LEADER, _("不能为空")))
        village = compact(header.value(row, LEADER_VILLAGE)) if with_villages else ""
        if with_villages and not village:
            table.issues.append(RowError(row.number, LEADER_VILLAGE, _("不能为空")))
        counts = _kind_counts(row, header, table.by_kind, count_column, kind, table.issues)
        if len(table.issues) > before or counts is None:
            lines.unread.append(row.number)
            continue
        count = sum(counts.values())
        if continued and group is not None:
            written = group.leader_as_written
        _check_row_total(row, header, count, table.issues)
        block = (person_name(written), village)
        if block in seen:
            table.issues.append(RowError(row.number, LEADER, _(
                "%(name)s%(where)s已在第%(other)d行分配，同一领导%(each)s只能有一行") % {
                "name": person_name(written), "where": _("在%(village)s") % {
                    "village": village,
                } if village else "", "other": seen[block],
                "each": _("在同一村、社区") if village else ""}))
        seen.setdefault(block, row.number)
        group = LeaderRow(row.number, serial, person_name(written), written, count, village, continued,
                          header.value(row, NOTE), counts)
        table.rows.append(group)
    if table.total_row is not None and lines.all_read():
        _check_sums(table.issues, table.total_row, table.totals,
                    _count_sums(table.by_kind, count_column, [r.counts for r in table.rows]))
    table.skipped = _skipped(lines)
    return table


def parse_department_table(rows: Sequence[SheetRow]) -> DepartmentTable:
    """附件4-1 (党员人数, then 户籍户口 and 外来常住户 under a two-row header) or 附件4-2 (走访企业数, 备注)."""
    table = DepartmentTable()
    found = read_header(rows, _DEPARTMENT_HEADER, minimum=3)
    if found is None:
        table.issues.append(RowError(None, "", _("在前20行中找不到表头行，表头应包含：序号、单位、党员人数。"
                                                 "请检查表头的列名是否写错，或表头是否在前20行之内")))
        return table
    table.title, table.annex = _title(rows[:found.top]), _annex(rows[:found.top])
    header = match_headers(found, DEPARTMENT_COLUMNS, allow_unknown=True)
    table.issues.extend(header.errors)
    if header.errors:
        return table
    figures, note_at = _figure_columns(found, header, table.issues)
    total_at = figures.pop(ROW_TOTAL, None)
    table.columns = list(figures)
    table.header_row = max((labels[-1].row for labels in found.labels.values()), default=found.number)
    table.by_kind = _department_split(found, figures)
    numeric = {MEMBERS: header.positions[MEMBERS], **figures}
    if total_at is not None:
        numeric[ROW_TOTAL] = total_at
    lines, stated, subtotals = _Lines(), {}, []
    for row in found.below:
        line = "" if row.is_blank() else _line_kind(row)
        if row.is_blank() or line == "note":
            lines.notes += [row.number] if line else []
            continue
        if line == "total":
            table.total_row, lines.total_first = row.number, not table.rows
            stated = total_values(row, numeric, table.issues)
            table.party_member_total = stated.get(MEMBERS)
            table.totals = [stated[c] for c in table.columns] if all(c in stated for c in table.columns) else []
            continue
        if table.total_row is not None and not lines.total_first:
            table.issues.append(RowError(row.number, "", _("合计行之后不应再有数据行")))
            continue
        if line == "subtotal":
            subtotals.append((row.number, total_values(row, numeric, table.issues), len(table.rows)))
            lines.subtotals.append(row.number)
            continue
        unit = compact(header.value(row, DEPARTMENT))
        if not unit:
            table.issues.append(RowError(row.number, DEPARTMENT, _("不能为空")))
            lines.unread.append(row.number)
            continue
        twice = next((r for r in table.rows if normalise_header(r.unit) == normalise_header(unit)), None)
        if twice is not None:
            table.issues.append(RowError(row.number, DEPARTMENT, _("“%(unit)s”与第%(other)d行重复，每个单位只能有一行")
                                         % {"unit": unit, "other": twice.row}))
        members = parse_count(header.value(row, MEMBERS)) if header.value(row, MEMBERS) else None
        if header.value(row, MEMBERS) and members is None:
            table.issues.append(RowError(row.number, MEMBERS, _("应为不小于0的整数")))
            lines.unread.append(row.number)
        values: dict[str, int] = {}
        blank: list[str] = []
        for column, at in figures.items():
            figure = parse_count(row.cell(at)) if row.cell(at) else 0
            if figure is None:
                table.issues.append(RowError(row.number, column, _("应为不小于0的整数")))
                lines.unread.append(row.number)
            values[column] = figure or 0
            if not row.cell(at):
                blank.append(column)
        if total_at is not None and row.cell(total_at):
            stated_total = parse_count(row.cell(total_at))
            if stated_total is None:
                table.issues.append(RowError(row.number, ROW_TOTAL, _("应为不小于0的整数")))
            elif stated_total != sum(values.values()):
                table.issues.append(RowError(row.number, ROW_TOTAL, _(
                    "本行合计为%(stated)d，%(names)s之和为%(counted)d，相差%(diff)d") % {
                    "stated": stated_total, "names": "、".join(values), "counted": sum(values.values()),
                    "diff": abs(stated_total - sum(values.values()))}))
        table.rows.append(DepartmentRow(row.number, header.value(row, SERIAL), unit, members, values,
                                        row.cell(note_at) if note_at is not None else "", blank))
    start, after = 0, 0
    for number, figures_stated, end in subtotals:
        if lines.all_read(after, number):
            _check_sums(table.issues, number, figures_stated, _department_sums(table, table.rows[start:end]),
                        subtotal=True)
        start, after = end, number
    if table.total_row is not None and lines.all_read():
        _check_sums(table.issues, table.total_row, stated, _department_sums(table, table.rows))
    table.skipped = _skipped(lines)
    return table


def _department_sums(table: DepartmentTable, rows: Sequence[DepartmentRow]) -> dict[str, int]:
    """What a 合计 or 小计 line of a department table should say of `rows`, column by column."""
    sums = {column: sum(r.figures.get(column, 0) for r in rows) for column in table.columns}
    return {MEMBERS: sum(r.party_members or 0 for r in rows), **sums, ROW_TOTAL: sum(sums.values())}


def _figure_columns(header: Header, match: HeaderMatch, issues: list[RowError]) -> tuple[dict[str, int], int | None]:
    """The count columns by their lowest header name (户籍户口 under 走访户数): every column after 党员人数 but 序号,
    单位 and 备注, and one before it named as a count column (another town's order). Another column before it is
    unknown, an error as in every import: its values would be dropped without a word."""
    figures: dict[str, int] = {}
    seen: dict[str, str] = {}  # the column each name stands for (户籍户 → 户籍户口) → the name first written for it
    note_at = None
    known = set(match.positions.values())
    for at, labels in sorted(header.labels.items()):
        name = plain_header(labels[-1].text)
        meaning = department_kind_column(name) or name
        if at in known:  # 序号 or 单位 written after 党员人数 is not a count column
            continue
        if at < match.positions[MEMBERS] and meaning not in DEPARTMENT_KIND_COLUMNS and name not in (NOTE, ROW_TOTAL):
            if not header_lookup(name, IGNORABLE_HEADERS):
                issues.append(RowError(labels[-1].row, name, unknown_column_message(name, _DEPARTMENT_HEADER)))
            continue
        if name == NOTE:
            note_at = at
        elif meaning in seen:
            issues.append(RowError(labels[-1].row, name, _(
                "%(a)s列“%(first)s”和%(b)s列“%(name)s”都是“%(meaning)s”，无法确定读哪一列：请删去多余的一列，"
                "或把两列的数相加后合为一列") % {"a": column_letter(figures[seen[meaning]]), "first": seen[meaning],
                                      "b": column_letter(at), "name": name, "meaning": meaning}))
        else:
            figures[name], seen[meaning] = at, name
    return figures, note_at


def _department_split(header: Header, figures: dict[str, int]) -> KindSplit | None:
    """附件4-1's household columns as a split by kind (as 走访户数 over 户籍户口 and 外来常住户), when there are two."""
    households = {at: canonical for name, at in figures.items() if (canonical := _household_column(name))}
    if len(households) < 2:
        return None
    split = KindSplit(COUNT, max(header.labels[at][-1].row for at in households))
    for at, canonical in households.items():
        split.kinds[KIND_OF_COLUMN[canonical]] = at
        split.written[KIND_OF_COLUMN[canonical]] = plain_header(header.labels[at][-1].text)
    return split


def read_department_table(source: Path | IO[bytes], filename: str | None = None) -> DepartmentTable:
    """附件4-1 or 附件4-2 from a csv or xlsx file; unreadable files come back with one issue."""
    rows = _read(source, filename)
    return DepartmentTable(issues=[rows]) if isinstance(rows, RowError) else parse_department_table(rows)


def _read(source: Path | IO[bytes], filename: str | None) -> list[SheetRow] | RowError:
    try:
        return read_rows(source, filename)
    except TabularError as exc:
        return RowError(None, "", str(exc))


def read_allocation_table(source: Path | IO[bytes], filename: str | None = None) -> AllocationTable:
    """附件1 or 附件2 from a csv or xlsx file."""
    rows = _read(source, filename)
    return AllocationTable(issues=[rows]) if isinstance(rows, RowError) else parse_allocation_table(rows)


def read_leader_household_table(source: Path | IO[bytes], filename: str | None = None) -> LeaderTable:
    """附件3-1 from a csv or xlsx file."""
    rows = _read(source, filename)
    return LeaderTable(issues=[rows]) if isinstance(rows, RowError) else parse_leader_table(rows, with_villages=True)


def read_leader_enterprise_table(source: Path | IO[bytes], filename: str | None = None) -> LeaderTable:
    """附件3-2 from a csv or xlsx file."""
    rows = _read(source, filename)
    return LeaderTable(issues=[rows]) if isinstance(rows, RowError) else parse_leader_table(rows, with_villages=False)
