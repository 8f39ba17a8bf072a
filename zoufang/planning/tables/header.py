"""The allocation, leader and department tables' columns, their header and the lines above it (title, 附件 label)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.tabular import (
    Column,
    HeaderMatch,
    RowError,
    SheetRow,
    column_letter,
    compact,
    header_lookup,
    is_note_row,
    match_headers,
    normalise_header,
    read_header,
    unchecked_rows_note,
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
DEPARTMENT_HEADER = (
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


def first_filled(row: SheetRow) -> tuple[int, str]:
    for index, cell in enumerate(row.cells):
        if cell:
            return index, compact(cell)
    return -1, ""


def read_table_header(rows: Sequence[SheetRow], columns: Sequence[Column], issues: list[RowError], notes: list[str],
                      count_column: str) -> tuple[HeaderMatch | None, int, int, KindSplit | None]:
    """The header, where it starts, the index of the first row under it, and how `count_column` is split by kind:
    over one to three rows (core.tabular.read_header), 走访户数 perhaps merged over one column per target kind
    (户籍户, 外来常住户) and under a group name (走访任务). An unknown or doubled column is an issue that leaves the
    rows to be read with the columns found; a required column missing leaves no header, said once on `notes`."""
    found = read_header(rows, columns, minimum=3)
    if found is None:
        issues.append(RowError(None, "", _("在前20行中找不到表头行，表头应包含：%(names)s。请检查表头的列名是否写错，"
                                           "或表头是否在前20行之内")
                               % {"names": "、".join(c.header for c in columns if c.required)}))
        return None, -1, -1, None
    header = match_headers(found, columns)
    issues.extend(header.errors)
    split = kind_split(header, count_column, issues)
    unchecked = unchecked_rows_note(header, columns)
    if not unchecked and split is not None and not split.kinds:  # no column under 走访户数 names a kind
        unchecked = _("“%(column)s”下没有可读的列，各行未逐一检查：改正表头后重新导入，将检查各行") % {"column": count_column}
    if unchecked:
        notes.append(unchecked)
        return None, found.top, found.first, None
    return header, found.top, found.first, split


def kind_split(header: HeaderMatch, column: str, issues: list[RowError]) -> KindSplit | None:
    """`column` split by target kind: the names under it where at least one names a kind (户籍户, 外来常住户 …
    as 附件4-1 names them). Another name there is an error: its figures would have no kind to be stored under."""
    parts = header.parts.get(column, [])
    found = {part.at: household_column(part.text) for part in parts}
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
            header.refused.add(part.at)
        elif KIND_OF_COLUMN[canonical] in split.kinds:
            other = KIND_OF_COLUMN[canonical]
            issues.append(RowError(part.row, name, _("%(letter)s列与%(other_letter)s列“%(other)s”是同一类对象，列重复出现："
                                                     "请删去其中一列，或把两列的数相加后合为一列")
                                   % {"letter": column_letter(part.at), "other_letter": column_letter(split.kinds[other]),
                                      "other": split.written[other]}))
            header.refused.add(part.at)
        else:
            split.kinds[KIND_OF_COLUMN[canonical]] = part.at
            split.written[KIND_OF_COLUMN[canonical]] = name
    return split


def household_column(name: str) -> str | None:
    """The seed's name of a household column (“户籍户” → 户籍户口, “非户籍常住户” → 外来常住户), else None."""
    canonical = department_kind_column(name)
    return canonical if canonical and KIND_OF_COLUMN[canonical] in Target.HOUSEHOLD_KINDS else None


_ANNEX_LABEL = re.compile(r"^附件\s*[\d一二三四五六七八九十]+([-－—]\d+)?\s*$")


_UNIT_LINE = re.compile(r"^[（(]?(计量)?单位[：:]")


def title_above(above_header: Sequence[SheetRow]) -> tuple[str, int | None]:
    """The last line above the header that is not the “附件2” label, a “（单位：户）” line or a note: the table's
    title as issued, whole, and its row (None without one)."""
    lines = [(text, row.number) for row in above_header for _at, text in [first_filled(row)]
             if text and not _ANNEX_LABEL.match(text) and not _UNIT_LINE.match(text) and not is_note_row(row)]
    return lines[-1] if lines else ("", None)


def annex_above(above_header: Sequence[SheetRow]) -> str:
    """The issuer's “附件2” label line above the title, compacted; empty when there is none."""
    return next((text for row in above_header for _at, text in [first_filled(row)] if _ANNEX_LABEL.match(text)), "")


def is_annex_label(text: str) -> bool:
    return bool(_ANNEX_LABEL.match(text))
