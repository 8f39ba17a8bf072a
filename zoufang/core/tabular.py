"""Spreadsheets in: csv, xlsx and xls rows as strings with their row numbers, headers matched to columns, cells
parsed as the clerk wrote them. The one xlsx writer of every export is `core.sheetwriter`."""

import csv
import dataclasses
import datetime
import difflib
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ERROR_CODES
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from zoufang.core.limits import storable
from zoufang.core.names import canonical_dots
from zoufang.core.workbook_scan import MAX_CELLS, OpenDocument, SheetScan, WorkbookTooLarge, scan_workbook
from zoufang.core.xls_scan import Encrypted, scan_xls

INSTRUCTIONS_SHEET = "说明"
TOP_ROWS = 22  # as far down as a header is looked for: its first row in the first 20, two rows under it
_ZIP_MAGIC = b"PK\x03\x04"  # xlsx, xlsm (and ods, refused)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy xls
_WHITESPACE = re.compile(r"\s+")
# Characters that show as nothing: pasted from web pages and chat apps, they would make “张三” two different names.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_INTEGER = re.compile(r"^\d+(\.0+)?$")
_COUNT_SUFFIX = re.compile(r"[户家人个名]$")
_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "【", "]": "】", ",": "，", ":": "："})
_LEGACY_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # an xlsx saved with a password is an OLE file
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# Excel keeps 15 significant digits: a longer number typed into a number cell has lost its tail.
EXCEL_EXACT_DIGITS = 15
# Columns offices add to every register that hold nothing the platform keeps: skipped, and named in the report.
IGNORABLE_HEADERS = ("序号", "登记日期", "备注", "编号", "填表日期", "录入日期", "更新日期", "日期", "说明",
                     "录入人", "填表人", "经办人", "性别", "民族", "出生日期", "年龄", "与户主关系")
# Dates as offices write them: 2017-10-01, 2017/10/1, 2017.10.1, 2017年10月1日, 20171001, an Excel date or serial.
DATE_FORMS = "2017-10-01、2017/10/1、2017.10.1、2017年10月1日、20171001"
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.0+)?$")  # 10000 … 99999: 1927-05-18 … 2173-10-14
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class TabularError(Exception):
    """The file cannot be read as a spreadsheet at all."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One spreadsheet row: its 1-based number as the user sees it, and its cells as stripped strings."""

    number: int
    cells: tuple[str, ...]
    lossy: frozenset[int] = frozenset()  # cells that were numbers longer than Excel keeps exactly
    uncomputed: frozenset[int] = frozenset()  # formulas saved without their result: blank, but not left blank
    hidden: bool = False  # hidden in the workbook, by hand or by a filter: the clerk does not see it
    struck: frozenset[int] = frozenset()  # cells whose text is struck through (划掉): often a voided line
    partly_struck: frozenset[int] = frozenset()  # cells with part of their text struck through: which part counts?
    merged_down: frozenset[int] = frozenset()  # cells holding the text of a cell merged down over them from above

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    def is_blank(self) -> bool:
        return not any(self.cells)


@dataclass
class RowError:
    """A problem in one cell (or one column, or the whole file), worded for the user."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第%(row)d行") % {"row": self.row} if self.row else ""
        if self.column:
            where += f"【{self.column}】"
        return f"{where}：{self.message}" if where else str(self.message)


@dataclass(frozen=True)
class Column:
    """A column of an import layout: its Chinese header, how to fill it, and how to find it."""

    header: str
    required: bool = False
    rule: str | Promise = ""
    example: str = ""
    aliases: tuple[str, ...] = ()
    width: int = 16
    text: bool = False  # keep cells as text in the template (ID numbers, phones, codes)
    parts: tuple[str, ...] = ()  # the sub-columns it may be split into under a header of two or three rows

    def names(self) -> set[str]:
        return {normalise_header(name) for name in (self.header, *self.aliases)}


@dataclass
class HeaderMatch:
    """Where each known column sits in the header row, and what was wrong with the header."""

    positions: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # harmless columns skipped (序号, 备注 …)
    parts: dict[str, list["HeaderPart"]] = field(default_factory=dict)  # a split column's sub-columns, in order
    refused: set[int] = field(default_factory=set)  # columns refused (unknown, or one of two of a meaning): not read

    def value(self, row: SheetRow, header: str) -> str:
        return row.cell(self.positions.get(header))

    def lossy(self, row: SheetRow, header: str) -> bool:
        """Whether Excel stored this cell as a number too long to keep (an ID number typed as a number)."""
        return self.positions.get(header) in row.lossy


@dataclass
class Sheet:
    """The rows read from a file, the sheet they came from, and the other sheets that hold data."""

    rows: list[SheetRow]
    name: str = ""
    other_sheets: list[str] = field(default_factory=list)
    hidden_columns: frozenset[int] = frozenset()  # 0-based columns within the rows' width the workbook hides
    from_csv: bool = False  # a merged cell saved as csv keeps its value in its first row only
    tops: dict[str, list[SheetRow]] = field(default_factory=dict)  # the visible other sheets' first rows (TOP_ROWS)


# What offices write after a header's name in the same cell: dropped, one after another, until a name is known.
_HEADER_NOTES = (
    re.compile(r"[（【〔][^（）【】〔〕]*[）】〕]$"),  # “（户）”, “（单位：户）”, “（18位）”, “【必填】”
    re.compile(r"(?<!备)注[：\d].*$"),  # “注：含外来人口”, “注1” written under the name in the same cell
    re.compile(r"单位：[^（）]*$"),  # “单位：户” without brackets
    re.compile(r"[*＊※①-⑳¹²³⁴-⁹]+$"),  # a footnote mark
)


def header_forms(cell: str) -> list[str]:
    """A header cell normalised, then without each closing note in turn: “走访户数\n（单位：户）※” →
    走访户数（单位：户）※, 走访户数（单位：户）, 走访户数."""
    forms = [normalise_header(cell)]
    while len(forms) <= len(_HEADER_NOTES):
        shorter = next((p.sub("", forms[-1]) for p in _HEADER_NOTES if p.sub("", forms[-1]) not in ("", forms[-1])),
                       None)
        if shorter is None:
            break
        forms.append(shorter)
    return forms


def header_lookup(cell: str, names: Iterable[str]) -> str | None:
    """The known name a header cell stands for: as written (normalised), or without the notes that close it
    (“联系电话（手机）”, “身份证号码(18位)”, “走访户数\n注：含外来人口”); None when it is none of them."""
    return next((form for form in header_forms(cell) if form and form in names), None)


def plain_header(cell: str) -> str:
    """A header cell's name without the notes that close it: “户籍户口（户）” → 户籍户口."""
    return header_forms(cell)[-1]


def normalise_header(text: str) -> str:
    """Headers compare without any whitespace and with full-width brackets: “村（社区）” == “村 (社区)”."""
    return _WHITESPACE.sub("", text).translate(_BRACKETS)


def person_name(text: str) -> str:
    """Chinese names lose all inner whitespace (“王  文” → “王文”) and write their separator dot as the standard's
    (“阿卜杜•热合曼” → “阿卜杜·热合曼”, core.names); other names keep single spaces."""
    if _CJK.search(text):
        return canonical_dots(_WHITESPACE.sub("", text))
    return _WHITESPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """A place or unit name without any whitespace (“马援庄村    ” → “马援庄村”)."""
    return _WHITESPACE.sub("", text)


QUOTED_LENGTH = 30  # a longer cell is quoted by its start: the message names the row and column already


def as_found(text: str) -> str:
    """A refused cell's value as its message ends: “，表中为“十户””. Mask an ID or phone number before passing it."""
    shown = text if len(text) <= QUOTED_LENGTH else text[:QUOTED_LENGTH] + "…"
    return _("，表中为“%(text)s”") % {"text": shown}


# The largest count a table may hold: no town's households, members or quota come near it, and every database's
# integer column stores it (past 2³¹ PostgreSQL refuses the write, past 2⁶³ SQLite's driver raises).
MAX_COUNT = 99_999_999


def not_a_count(text: str) -> str:
    """What a count cell that `parse_count` refuses is told: the rule and what the table held."""
    if _INTEGER.match(_count_text(text)):
        return _("应为0到%(max)d之间的整数") % {"max": MAX_COUNT} + as_found(text)
    return _("应为不小于0的整数") + as_found(text) + nought_hint(text)


# What offices write for none in a count: a dash, a slash, 无. Read as 0 it would be a guess (a blank left to fill?).
_NOUGHT_MARKS = frozenset({"—", "——", "-", "--", "－", "–", "/", "／", "\\", "无", "没有", "空"})


def nought_hint(text: str) -> str:
    """“；没有的请填0” after a count refused for being one of those marks, else empty."""
    return _("；没有的请填0") if compact(text) in _NOUGHT_MARKS else ""


def parse_count(text: str) -> int | None:
    """A non-negative count as written in the tables: “13815户”, “53家”, “1,360”, “12.0”; None if not one, or past
    MAX_COUNT."""
    value = _count_text(text)
    if not _INTEGER.match(value):
        return None
    count = int(value.split(".")[0])
    return count if count <= MAX_COUNT else None


def _count_text(text: str) -> str:
    """The figure of a count cell: full-width digits and point made ASCII (NFKC, as an ID number's), no separators,
    no “户”/“家”; `parse_count` and `not_a_count` read the same text, so a figure gets one rule however typed."""
    return _COUNT_SUFFIX.sub("", compact(unicodedata.normalize("NFKC", text)).replace(",", ""))


def parse_date(text: str) -> datetime.date | None:
    """A date as offices write it (see DATE_FORMS), an Excel date cell or an Excel serial number; else None."""
    value = text.strip()
    if " " in value and value[:1].isdigit():  # an Excel date-time cell: 2017-10-01 00:00:00
        value = value.split(" ")[0]
    if _EXCEL_SERIAL.match(value):
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value.split(".")[0]))
    found = _DATE.match(value) or _COMPACT_DATE.match(value)
    if found is None:
        return None
    try:
        return datetime.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def cell_text(value: Any) -> str:
    """A cell as the user typed it: integral numbers without “.0”, dates as ISO, booleans as 是/否. A fraction is
    shown to Excel's 15 significant digits, as the clerk sees it: a formula's 7.000000000000001 is 7."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        shown = f"{value:.{EXCEL_EXACT_DIGITS}g}"
        return str(int(float(shown))) if float(shown).is_integer() else shown
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return clean_text(str(value))


def clean_text(text: str) -> str:
    """A cell's text without surrounding whitespace (full-width and non-breaking spaces too) or invisible characters."""
    return _INVISIBLE.sub("", text).strip()


def read_rows(source: Path | IO[bytes], filename: str | None = None) -> list[SheetRow]:
    """All rows of a csv file or of the first data sheet of a workbook; the format is sniffed from the bytes."""
    return read_sheet(source, filename).rows


def unreadable_message() -> str:
    return _("文件无法读取：不是有效的 xlsx/csv 文件，或文件设置了密码。请在 Excel 中打开，"
             "取消密码后“另存为” Excel 工作簿（.xlsx）再导入")


def password_message() -> str:
    """For a file saved with an open password, whatever its kind and whichever page or command it came to."""
    return _("这个文件设置了打开密码，无法读取：请在 Excel 或 WPS 中输入密码打开它，取消密码（Excel：“文件→信息→"
             "保护工作簿→用密码进行加密”，清空密码；WPS：“文件→文档加密→密码加密”，清空打开密码）后，另存为 Excel "
             "工作簿（.xlsx）再导入")


WPS_SUFFIXES = (".et", ".ett")  # WPS 表格's own format and its template


def wps_format_message() -> str:
    return _("WPS 表格文件（.et）不能直接导入：请在 WPS 中“文件→另存为”，文件类型选“Excel 工作簿（*.xlsx）”，保存后再导入")


def read_sheet(source: Path | IO[bytes], filename: str | None = None) -> Sheet:
    """The rows of a csv file or of the first workbook sheet holding data, with the sheet's name."""
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = filename or (source.name if isinstance(source, Path) else "")
    if data.startswith(_OLE_MAGIC) and _LEGACY_ENCRYPTED in data:
        raise TabularError(password_message())
    if str(name).lower().endswith(WPS_SUFFIXES):
        raise TabularError(wps_format_message())
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        return read_workbook(data)
    looks_binary = b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if looks_binary or str(name).lower().endswith(_SPREADSHEET_SUFFIXES):
        raise TabularError(unreadable_message())
    return Sheet(read_csv(data), from_csv=True)


def read_csv(data: bytes) -> list[SheetRow]:
    """CSV in UTF-8 (with or without BOM), UTF-16 (Excel “Unicode text”) or else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise TabularError(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV，或 xlsx")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [SheetRow(number, tuple(_csv_cell(cell) for cell in cells)) for number, cells in enumerate(reader, 1)]
    except csv.Error as exc:
        raise TabularError(_("CSV 格式错误：%(error)s") % {"error": exc}) from exc


# How a csv keeps a number as text for Excel: ="320583197001010011" (other systems' exports), or a leading
# apostrophe before digits, as a clerk types it in Excel and then in a text editor.
_EXCEL_TEXT_FORMULA = re.compile(r'^="([^"]*)"$')
_APOSTROPHE_NUMBER = re.compile(r"^'([+\d][\d\s()-]*[\dXx]?)$")


def _csv_cell(text: str) -> str:
    """A csv cell as Excel shows it: ="0512" and '0512 are the text 0512."""
    cell = clean_text(text)
    marked = _EXCEL_TEXT_FORMULA.match(cell) or _APOSTROPHE_NUMBER.match(cell)
    return clean_text(marked.group(1)) if marked else cell


def scan_file(data: bytes) -> dict[str, SheetScan]:
    """Each sheet's extent, read before any reader lays the workbook out (xlsx/xlsm or .xls): raises WorkbookTooLarge,
    OpenDocument, or the scanners' own errors for a damaged file."""
    return scan_workbook(data) if data.startswith(_ZIP_MAGIC) else scan_xls(data)


def open_workbook(data: bytes) -> tuple[CalamineWorkbook, dict[str, SheetScan]]:
    """The workbook opened by calamine once its size is known to be bounded (`scan_file`), with the scans."""
    scans = scan_file(data)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)), scans


def count_rows(source: IO[bytes]) -> int:
    """About how many rows a file holds, without reading its cells into Python: the lines of a csv, the height of a
    workbook's tallest data sheet. Decides whether checking it waits in the request or goes on the queue; an
    unreadable or oversized file counts 0 (reading it says why, at once). The source is left at its start."""
    source.seek(0)
    data = source.read()
    source.seek(0)
    if not (data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC)):
        return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    try:
        scans = scan_file(data)
        return max((scan.rows for name, scan in scans.items() if name != INSTRUCTIONS_SHEET), default=0)
    except Exception:  # noqa: BLE001 - an oversized or damaged file: reading it reports why
        return 0


def _is_lossy(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10 ** EXCEL_EXACT_DIGITS


def too_large_message(error: WorkbookTooLarge) -> str:
    if error.inflated:
        return _("文件解压后超过%(mb)d MB，无法导入：请删除无关的工作表、图片和格式，或把数据拆成几个文件分批导入") % {
            "mb": error.inflated // (1024 * 1024)}
    return _("工作表“%(sheet)s”的数据区域有%(rows)d行×%(columns)d列，超过一次导入%(limit)d个单元格的上限。"
             "如果数据其实没有这么多，是表格远处的单元格里有内容（按 Ctrl+End 可找到最后一个单元格），请删除多余的行和列后"
             "保存；否则请把数据拆成几个文件分批导入") % {
        "sheet": error.sheet, "rows": error.rows, "columns": error.columns, "limit": MAX_CELLS}


def read_workbook(data: bytes) -> Sheet:
    """The first visible sheet other than “说明” that holds data (else the first), every row numbered as in Excel; data
    on hidden sheets only is refused, as a hidden row is (the clerk does not see it, docs/decisions/0029).

    A cell merged over several rows (a village name beside all its households) counts in each of them; an Excel
    error value (#N/A, #REF!) reads as its code, never as a blank. Rows and columns the workbook hides, and cells
    struck through, are read like the others and marked (`SheetRow.hidden`, `Sheet.hidden_columns`,
    `SheetRow.struck`): an import decides what they mean."""
    try:
        workbook, scans = open_workbook(data)
        names, visible = _data_sheet_names(workbook), _visible_sheets(workbook)
        chosen, others, tops = "", [], {}
        for name in names:
            sheet = workbook.get_sheet_by_name(name)
            if not (sheet.height and any(v not in (None, "") for cells in sheet.iter_rows() for v in cells)):
                continue
            if chosen:
                others.append(name)
                if name in visible:  # its first rows, for an import to tell the same table on another sheet
                    tops[name] = [SheetRow(number, tuple(cell_text(v) for v in cells))
                                  for number, cells in enumerate(itertools.islice(sheet.iter_rows(), TOP_ROWS), 1)]
            else:
                chosen, values, merged = name, sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges
    except WorkbookTooLarge as exc:
        raise TabularError(too_large_message(exc)) from exc
    except Encrypted as exc:
        raise TabularError(password_message()) from exc
    except OpenDocument as exc:
        raise TabularError(_("不支持 OpenDocument 表格（.ods）：请在 WPS、Excel 或 LibreOffice 中“另存为”"
                             "Excel 工作簿（.xlsx）后再导入")) from exc
    except Exception as exc:  # calamine raises several unrelated types (in English) for damaged files
        raise TabularError(unreadable_message()) from exc
    if not chosen:
        return Sheet([], names[0] if names else "")
    if chosen not in visible:
        raise TabularError(_("数据在隐藏的工作表“%(sheet)s”中（其他工作表没有数据），无法确定是否要导入。要导入的，"
                             "请右键点工作表标签→“取消隐藏”，选中它后保存；不要导入的，请删去这张工作表。保存后再导入") % {
            "sheet": chosen})
    scan = scans.get(chosen, SheetScan())
    rows = _sheet_rows(values, merged or [], scan)
    width = max((len(row.cells) for row in rows), default=0)
    return Sheet(rows, chosen, others, frozenset(at for at in range(width) if scan.column_hidden(at)), tops=tops)


def _data_sheet_names(workbook: CalamineWorkbook) -> list[str]:
    """The sheets that may hold the data, visible ones first: a hidden sheet is an office's leftover or lookup list."""
    names = [m.name for m in workbook.sheets_metadata if m.name != INSTRUCTIONS_SHEET] or workbook.sheet_names
    visible = _visible_sheets(workbook)
    return sorted(names, key=lambda name: name not in visible)


def _visible_sheets(workbook: CalamineWorkbook) -> set[str]:
    return {m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible}


def _sheet_rows(values: list[list[Any]], merged: list[Any], scan: SheetScan) -> list[SheetRow]:
    texts = [[cell_text(v) for v in cells] for cells in values]
    lossy = [{at for at, v in enumerate(cells) if _is_lossy(v)} for cells in values]
    struck, partly = _by_row(scan.struck), _by_row(scan.partly_struck)
    merged_down: dict[int, set[int]] = {}
    width = max((len(cells) for cells in texts), default=0)
    for (row, column), code in scan.errors.items():
        if row < len(texts) and column < width:
            texts[row][column] = code
    for (top, left), (bottom, _right) in merged:
        if top >= len(texts) or left >= width:
            continue
        while len(texts) <= bottom:
            texts.append([""] * width)
            lossy.append(set())
        for row in range(top + 1, bottom + 1):
            texts[row][left] = texts[top][left]
            merged_down.setdefault(row, set()).add(left)
            if left in lossy[top]:
                lossy[row].add(left)
            for marked in (struck, partly):
                if left in marked.get(top, ()):
                    marked.setdefault(row, set()).add(left)
    uncomputed = _by_row(scan.uncomputed)
    return [SheetRow(number, tuple(cells), frozenset(lossy[number - 1]), frozenset(uncomputed.get(number - 1, ())),
                     number - 1 in scan.hidden_rows, frozenset(struck.get(number - 1, ())),
                     frozenset(partly.get(number - 1, ())), frozenset(merged_down.get(number - 1, ())))
            for number, cells in enumerate(texts, 1)]


def _by_row(cells: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    """(row, column) pairs, 0-based, as each row's set of columns."""
    found: dict[int, set[int]] = {}
    for row, column in cells:
        found.setdefault(row, set()).add(column)
    return found


def unreadable_cells(row: SheetRow, positions: dict[str, int]) -> list[RowError]:
    """The cells of `row` under `positions` (header → column) that hold no value an import may take: an Excel
    error (#N/A, #REF!: a formula that failed, or its code typed or exported as text), a formula whose result
    the file does not hold, text no database stores (a NUL), or text of which a part is struck through. Each would
    otherwise read as a blank, be stored as the code, or be read with its struck part as if it counted
    (docs/decisions/0029)."""
    return [RowError(row.number, header, message) for header, at in positions.items()
            if (message := _unreadable(row, at))]


def unreadable_sheet_cells(rows: Iterable[SheetRow], header: "Header | None" = None) -> list[RowError]:
    """Every such cell of `rows`, for a table whose every cell counts (a 合计, a 小计 among them), where a blank or a
    code read in its place would be checked as if the clerk wrote it: named by row and column letter, and under
    `header` by the text over the column too (E列“户籍户口”, under 走访户数), as the clerk reads it: on the table's
    own lines, numbered or continuing one, not on its 合计 or the lines below it, which are laid out otherwise."""
    below = {row.number for row in header.below if _numbered_line(row)} if header is not None else set()

    def column(row: SheetRow, at: int) -> str:
        if header is not None and row.number in below and (name := header.leaf(at)):
            return _("%(letter)s列“%(name)s”") % {"letter": column_letter(at), "name": name}
        return _("%(letter)s列") % {"letter": column_letter(at)}

    return [RowError(row.number, column(row, at), message)
            for row in rows for at in range(len(row.cells)) if (message := _unreadable(row, at))]


def storable_row(row: SheetRow) -> SheetRow:
    """`row` with each cell no database stores made storable (NUL dropped, half a surrogate pair replaced): its
    error said (`unreadable_cells`), the row's other checks and look-ups may read it without failing the query."""
    if all(storable(cell) for cell in row.cells):
        return row
    cells = tuple(cell if storable(cell) else cell.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
                  for cell in row.cells)
    return dataclasses.replace(row, cells=cells)


def _numbered_line(row: SheetRow) -> bool:
    """A line of a table under its header: its first cell (序号) a number, blank or itself unreadable, none of 合计,
    小计 or a note."""
    first = compact(row.cell(0))
    return ((not first or first.isdigit() or bool(_unreadable(row, 0))) and not is_total_row(row, ("合计", "总计", "小计"))
            and not is_note_row(row))


def _unreadable(row: SheetRow, at: int) -> str:
    text = row.cell(at)
    if text.upper() in ERROR_CODES:
        return _("单元格是 Excel 的错误值“%(code)s”（通常是公式出错，如 VLOOKUP 找不到），请改成实际内容或清空") % {
            "code": text}
    if not storable(text):  # an xlsx's escaped _x0000_, a csv's NUL past its first bytes: PostgreSQL refuses them
        return _("单元格含有无法保存的字符（空字符 NUL 或不完整的 Unicode 字符），多由其他系统导出时带入，请删除后再导入")
    if at in row.uncomputed:
        return _("单元格是公式，文件中没有保存它的计算结果（文件可能由其他程序生成）。"
                 "请在 Excel 或 WPS 中打开后保存一次，或把这一列复制后“选择性粘贴→数值”")
    if at in row.partly_struck and text:
        return _("单元格中有一部分文字加了删除线（划掉），无法确定哪些文字有效。请双击这个单元格：划掉的文字作废的，"
                 "把它删去；仍然有效的，选中它按 Ctrl+5 去掉删除线。保存后再导入")
    return ""


def marked_rows_errors(rows: Iterable[SheetRow], read: Iterable[int] | None = None) -> list[RowError]:
    """The rows the office may have meant to leave out, one error for each way: rows holding data that the workbook
    hides, and rows with text struck through (划掉) among the `read` columns (all, if None). Either guess, to import
    them or to skip them, would import or lose a row without a word, so neither is made (docs/decisions/0029)."""
    columns = None if read is None else set(read)
    hidden: list[int] = []
    struck: list[int] = []
    for row in rows:
        if row.hidden and not row.is_blank():
            hidden.append(row.number)
        if row.struck and any(row.cell(at) for at in (row.struck if columns is None else row.struck & columns)):
            struck.append(row.number)
    errors = []
    if hidden:
        errors.append(RowError(None, "", _(
            "第%(rows)s行在表格中是隐藏的（手动隐藏，或被筛选隐去），无法确定是否要导入。要导入的，请取消隐藏"
            "（选中上下两行→右键“取消隐藏”）或取消筛选（再点一次“数据→筛选”）；不要导入的，请整行删除。保存后再导入") % {
            "rows": row_numbers(hidden)}))
    if struck:
        errors.append(RowError(None, "", _(
            "第%(rows)s行有加了删除线的文字（通常表示作废），无法确定是否要导入。作废的行请整行删除；仍然有效的，"
            "请选中这些单元格按 Ctrl+5 去掉删除线。保存后再导入") % {"rows": row_numbers(struck)}))
    return errors


def hidden_columns_note(hidden: frozenset[int], positions: dict[str, int]) -> str:
    """The columns an import reads that the workbook hides: read all the same, and said, since the clerk does not
    see them (an ID number column hidden for printing is the usual case)."""
    read = sorted((at, header) for header, at in positions.items() if at in hidden)
    if not read:
        return ""
    names = "、".join(_("%(letter)s列“%(header)s”") % {"letter": column_letter(at), "header": header}
                     for at, header in read)
    return _("%(names)s在表格中是隐藏的，照常读取；如不应导入，请删除该列后重新导入") % {"names": names}


MAX_HEADER_ROWS = 3
# A cell that is a number or a count (“60户”) is data: no header names a column with one.
_NUMBER = re.compile(r"^[-+]?\d[\d,，.]*[户家人个名]?$")
# “单位：户”, “填报单位：锦溪镇”: a line's label and its value, written above a table; never a group of its columns.
_LABELLED = re.compile(r"^[^：]{1,8}：")
_HAS_DIGIT = re.compile(r"\d")
_TITLE_ENDINGS = ("表", "册", "单", "统计")
_GROUP_LENGTH = 12  # a group name (走访任务, 户主信息) is short; a longer single line above the header is a title


@dataclass(frozen=True)
class HeaderLabel:
    """One header text over a column: the sheet row it is written on (the top row when merged down) and the text."""

    row: int
    text: str


@dataclass(frozen=True)
class HeaderPart:
    """A sub-column of a split column (户籍户 under 走访户数): its name as written, column index and row."""

    text: str
    at: int
    row: int


@dataclass
class Header:
    """A table's header over the one to three rows it spans, read alike whether its cells are merged, repeated
    across the merge (WPS) or left blank (csv): each column's labels from the top row down."""

    top: int  # index, in the sheet's rows, of the header's first row
    first: int  # index of the first row under the header
    labels: dict[int, tuple[HeaderLabel, ...]]
    number: int = 0  # the header's first row as the sheet numbers it
    below: Sequence[SheetRow] = ()
    deeper: bool = False  # the row under the three read names columns too: a header of more rows than are read

    @classmethod
    def of(cls, rows: Sequence[SheetRow], top: int = 0, below: Sequence[SheetRow] = ()) -> "Header":
        return cls(top, top + len(rows), header_labels(rows), rows[0].number if rows else 0, below)

    def leaf(self, at: int) -> str:
        """The lowest text over a column (户籍户口 under 走访户数), empty for a column without a header."""
        labels = self.labels.get(at)
        return labels[-1].text if labels else ""


def header_labels(rows: Sequence[SheetRow]) -> dict[int, tuple[HeaderLabel, ...]]:
    """Each column's labels from the top header row down, a text merged (or repeated) down a column once.

    A blank cell right of a group name takes that name when both columns have names under it: “走访户数” written
    once over 户籍户 and 外来常住户, as csv and an unmerged Excel cell leave it."""
    width = max((len(row.cells) for row in rows), default=0)
    grid = [[row.cell(at) for at in range(width)] for row in rows]
    for level in range(len(rows) - 1):
        for at in range(1, width):
            if grid[level][at] or not grid[level][at - 1]:
                continue
            if (any(grid[k][at] for k in range(level + 1, len(rows)))
                    and any(grid[k][at - 1] for k in range(level + 1, len(rows)))
                    and all(grid[k][at] == grid[k][at - 1] for k in range(level))):
                grid[level][at] = grid[level][at - 1]
    labels = {}
    for at in range(width):
        path: list[HeaderLabel] = []
        for level, row in enumerate(rows):
            text = grid[level][at]
            if text and not (path and normalise_header(path[-1].text) == normalise_header(text)):
                path.append(HeaderLabel(row.number, text))
        if path:
            labels[at] = tuple(path)
    return labels


def find_header_row(rows: Sequence[SheetRow], columns: Sequence[Column], *, minimum: int = 1,
                    search: int = 20) -> int | None:
    """Index (in `rows`) of the first row holding a known header where, with the two rows under it, at least
    `minimum` columns are named: a csv header of two or three rows names some columns on each. Title lines come
    before it."""
    known = set().union(*(c.names() for c in columns))
    named = [{at for at, cell in enumerate(row.cells) if header_lookup(cell, known)}
             for row in rows[:search + MAX_HEADER_ROWS - 1]]
    for index, columns_named in enumerate(named[:search]):
        if columns_named and len(set().union(*named[index:index + MAX_HEADER_ROWS])) >= minimum:
            return index
    return None


def read_header(rows: Sequence[SheetRow], columns: Sequence[Column], *, minimum: int = 1,
                search: int = 20) -> Header | None:
    """The header of the table in `rows`, over one to three rows: found by its first row holding at least
    `minimum` known names, then widened to the rows under it that name sub-columns (户主姓名 under 户主信息,
    户籍户 under 走访户数) and to the group rows above it (走访任务 over 走访户数). None when there is none."""
    index = find_header_row(rows, columns, minimum=minimum, search=search)
    if index is None:
        return None
    by_name = _by_name(columns)
    top, end = index, index + 1
    while end - top < MAX_HEADER_ROWS and end < len(rows):
        more = _carries_on(rows[top:end], rows[end], by_name)
        if more is None and end + 1 - top < MAX_HEADER_ROWS and end + 1 < len(rows):
            more = _carries_on(rows[top:end + 1], rows[end + 1], by_name) and 2  # a group row, then the names
        if not more:
            break
        end += more
    while end - top < MAX_HEADER_ROWS and top > 0 and _groups(rows[top - 1], rows[top:end]):
        top -= 1
    header = Header.of(rows[top:end], top, rows[end:])
    header.deeper = end < len(rows) and _carries_on(rows[top:end], rows[end], by_name) == 1
    return header


def _by_name(columns: Sequence[Column]) -> dict[str, Column]:
    return {name: column for column in columns for name in column.names()}


def is_number(cell: str) -> bool:
    return bool(_NUMBER.match(compact(cell)))


def _carries_on(header: Sequence[SheetRow], row: SheetRow, by_name: dict[str, Column]) -> int | None:
    """1 when `row` is one more header row: no number in it, nothing new under a known column of one sheet column
    (that is a data row; a known name merged over two columns has its parts under it), and a known name, or a name
    under a column that may be split, among its new cells. None when it may be a row of group names only (a header
    row if the next one is); else 0."""
    if row.is_blank() or any(is_number(cell) for cell in row.cells if cell):
        return 0
    labels = header_labels([*header, row])
    named = False
    for at, cell in enumerate(row.cells):
        path = labels.get(at)
        if not cell or not path or path[-1].row != row.number:
            continue  # blank, or the text above it merged or repeated down
        level = _known_level(path[:-1], by_name)
        above = by_name[header_lookup(path[level].text, by_name) or ""] if level is not None else None
        spans = level is not None and sum(1 for other in labels.values() if other[:level + 1] == path[:level + 1]) > 1
        if above is not None and not above.parts and not spans:  # under one known column: a value, not a name…
            if by_name.get(header_lookup(cell, by_name) or "") is not above:
                return 0
            named = True  # …unless it names that column again: 手机号码 under 联系方式, 身份证号码 under 身份证
        named = named or bool(above is not None and above.parts) or bool(
            header_lookup(cell, by_name) or header_lookup(cell, IGNORABLE_HEADERS))
    return 1 if named else None


def _groups(row: SheetRow, header: Sequence[SheetRow]) -> bool:
    """Whether `row`, right above the header, names groups of its columns (走访任务 over 走访户数) rather than
    being the table's title, its 附件 label or a line such as “单位：户”."""
    texts = [(at, normalise_header(cell)) for at, cell in enumerate(row.cells) if cell]
    if not texts or any(_HAS_DIGIT.search(text) or _LABELLED.match(text) or not any(r.cell(at) for r in header)
                        for at, text in texts):  # a date, a count, a “单位：户”, or over no column of the header
        return False
    if len({text for _at, text in texts}) > 1:
        return True
    at, text = texts[0]
    first = min((i for r in header for i, cell in enumerate(r.cells) if cell), default=0)
    return at > first and len(text) <= _GROUP_LENGTH and not text.endswith(_TITLE_ENDINGS)


def _known_level(labels: Sequence[HeaderLabel], by_name: dict[str, Column]) -> int | None:
    """The lowest of `labels` that names a known column, or None."""
    return next((level for level in range(len(labels) - 1, -1, -1) if header_lookup(labels[level].text, by_name)),
                None)


def row_numbers(numbers: Iterable[int]) -> str:
    """Row numbers as a message lists them, a run of three or more as a range: 7、8、10—31."""
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return "、".join(f"{run[0]}—{run[-1]}" if len(run) > 2 else "、".join(map(str, run)) for run in runs)


def column_letter(at: int) -> str:
    """A column's letter as Excel shows it: 0 → A, 26 → AA."""
    letters = ""
    at += 1
    while at:
        at, rest = divmod(at - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# What offices write before a 合计 to say what it adds up: 全镇合计, 本页小计, 总合计.
_TOTAL_SCOPES = ("全镇", "全乡", "全街道", "全村", "全社区", "全区", "全县", "全市", "本页", "本表", "总")


def is_total_row(row: SheetRow, labels: tuple[str, ...] = ("合计", "总计")) -> bool:
    """A row whose first filled cell is a 合计 label (“合    计”, “总计”), or one after its scope (“全镇合计”)."""
    text = compact(_first_filled(row))
    return text.startswith(labels) or (text[:1] in "全本总" and any(
        text.startswith(scope) and text[len(scope):].startswith(labels) for scope in _TOTAL_SCOPES))


def _first_filled(row: SheetRow) -> str:
    """The row's first filled cell (checked on every row of an import: the first cell is usually it)."""
    cells = row.cells
    return cells[0] if cells and cells[0] else next((cell for cell in cells if cell), "")


# Lines offices write under (or between) a table's rows: notes, who filled it in and when. Never data.
_NOTE_LINE = re.compile(r"^(注|附注|备注|说明|填表说明|填报说明|填表人|制表人|制表|审核人|审核|负责人|联系人|填报单位|填报人"
                        r"|报送单位|填表日期|填报日期|制表日期|日期)(\d|[：、.．（])")


_NOTE_FIRST = frozenset("注附备说填制审负联报日")  # the first characters of the words above: most rows stop there


def is_note_row(row: SheetRow) -> bool:
    """A row of nothing but notes (“注：1. 户籍总户数以2016年底为准”, “填表人：张三 | 审核人：李四”)."""
    first = _first_filled(row)
    if first[:1] not in _NOTE_FIRST or not _NOTE_LINE.match(normalise_header(first)):
        return False
    return all(_NOTE_LINE.match(normalise_header(cell)) for cell in row.cells if cell)


# What a template writes under each column of its header: whether it must be filled. Never data.
_FILL_MARK = re.compile(r"^[*＊※]?[（【〔]?[*＊※]?(必填|选填|非必填|可选|可选填|可不填|可为空|可空|必须填写|必填项|选填项)"
                        r"[*＊※]?[）】〕]?[*＊※]?$")
_MARK_FIRST = frozenset("必选非可（【〔*＊※")


def is_marks_row(row: SheetRow) -> bool:
    """A row of nothing but such marks (“必填”, “（选填）”, “*必填”) under a template's header."""
    first = normalise_header(_first_filled(row))
    return first[:1] in _MARK_FIRST and all(_FILL_MARK.match(normalise_header(cell)) for cell in row.cells if cell)


def match_headers(header: Header | SheetRow, columns: Sequence[Column], *,
                  allow_unknown: bool = False, hidden: frozenset[int] = frozenset()) -> HeaderMatch:
    """Map the header onto the columns, each header column by the lowest known name over it (户主姓名 under
    户主信息); unknown, ambiguous and missing required columns are errors (an unknown one among the `hidden`
    columns says so: the clerk does not see it). A column that may be split keeps the names under it as its parts
    (走访户数 over 户籍户 and 外来常住户)."""
    if isinstance(header, SheetRow):
        header = Header.of([header])
    match = HeaderMatch()
    if header.deeper:
        last = header.number + header.first - header.top
        match.errors.append(RowError(header.number, "", _(
            "表头超过三行（到第%(last)d行仍是表头）：只能读一至三行的表头。请删去最上面的分组行，或把它并入下面一行，"
            "使表头不超过三行") % {"last": last}))
        return match
    by_name = _by_name(columns)
    places: dict[str, list[tuple[int, int, tuple[HeaderLabel, ...]]]] = {}
    for at, labels in sorted(header.labels.items()):
        level = _known_level(labels, by_name)
        if level is None:
            leaf = labels[-1]
            if header_lookup(leaf.text, IGNORABLE_HEADERS):
                match.ignored.append(leaf.text)
            elif not allow_unknown:
                message = unknown_column_message(leaf.text, columns)
                if at in hidden:
                    message = _("%(letter)s列在表格中是隐藏的（选中两侧的列→右键“取消隐藏”可见）。%(message)s") % {
                        "letter": column_letter(at), "message": message}
                match.errors.append(RowError(leaf.row, leaf.text, message))
                match.refused.add(at)
            continue
        column = by_name[header_lookup(labels[level].text, by_name) or ""]
        places.setdefault(column.header, []).append((at, level, labels))
    if side := _side_by_side(places, columns):
        match.errors.append(RowError(header.number, "", _(
            "表头出现了两次（%(first)s列、%(second)s列），是两张表并排在一个工作表中：一个工作表只能导入一张表。"
            "请把右边的表剪切到左边的表下方（各列对齐），或移到另一个工作表，分别导入") % {
            "first": side[0], "second": side[1]}))
        match.refused.update(at for found in places.values() for at, _level, _labels in found)
        return match
    for column in columns:
        found = places.get(column.header)
        if found:
            _place(match, column, found, header)
        elif column.required:
            match.errors.append(RowError(header.number, column.header, _("缺少必填列")))
    return match


def _side_by_side(places: dict[str, list[tuple[int, int, tuple[HeaderLabel, ...]]]],
                  columns: Sequence[Column]) -> tuple[str, str] | None:
    """The two spans (A—J, L—U) of a header written twice along its row, every required column in each: two tables
    side by side. None for a header that names a column twice here and there (refused column by column)."""
    required = [column.header for column in columns if column.required]
    if not required or any(len(places.get(name, ())) < 2 for name in required):
        return None
    firsts = [found[0][0] for found in places.values()]
    seconds = [found[1][0] for found in places.values() if len(found) > 1]
    if max(firsts) >= min(seconds):
        return None
    return (f"{column_letter(min(firsts))}—{column_letter(max(firsts))}",
            f"{column_letter(min(seconds))}—{column_letter(max(at for found in places.values() for at, *_ in found))}")


def unchecked_rows_note(match: HeaderMatch, columns: Sequence[Column]) -> str:
    """Empty when every required column was found: the rows are then checked against the columns found, so that one
    report says every problem of the file. Else the one line saying the rows were not checked (each would only say
    the missing column again), in place of an error on every row."""
    missing = [column.header for column in columns if column.required and column.header not in match.positions]
    if not missing:
        return ""
    if not match.positions:  # no column read at all (a header of more rows than are read)
        return _("各行未逐一检查：改正表头后重新导入，将检查各行")
    return _("缺少或无法确定%(names)s列，各行未逐一检查：改正表头后重新导入，将检查各行") % {
        "names": "、".join(f"“{name}”" for name in missing)}


def _place(match: HeaderMatch, column: Column, found: list[tuple[int, int, tuple[HeaderLabel, ...]]],
           header: Header) -> None:
    """Where `column` sits: one header column; the columns of its parts when it may be split; or, when several
    columns could be it, an error naming them — never a guess."""
    parts = [HeaderPart(labels[level + 1].text, at, labels[level + 1].row)
             for at, level, labels in found if level + 1 < len(labels)]
    if column.parts and parts and len(parts) == len(found):
        match.positions[column.header] = found[0][0]
        match.parts[column.header] = parts
        return
    if len(found) == 1 or _merged_across(found, header):
        match.positions[column.header] = found[0][0]
        return
    match.refused.update(at for at, _level, _labels in found)
    where = "、".join(_("%(letter)s列“%(text)s”") % {
        "letter": column_letter(at), "text": "／".join(label.text for label in labels)} for at, _level, labels in found)
    match.errors.append(RowError(found[0][2][-1].row, column.header, _(
        "%(where)s都可作为“%(name)s”，无法确定读哪一列。请只保留一列“%(name)s”：多余的列删去，或改成别的列名"
        "（只作说明的内容可移到“备注”列）") % {"where": where, "name": column.header}))


def _merged_across(found: list[tuple[int, int, tuple[HeaderLabel, ...]]], header: Header) -> bool:
    """One header cell WPS repeated across a merge instead of merging it: the same labels over neighbouring
    columns, with nothing written under any but the first."""
    ats = [at for at, _level, _labels in found]
    same = {tuple(normalise_header(label.text) for label in labels) for _at, _level, labels in found}
    return (len(same) == 1 and ats == list(range(ats[0], ats[0] + len(ats)))
            and not any(row.cell(at) for row in header.below for at in ats[1:]))


def unknown_column_message(cell: str, columns: Sequence[Column]) -> str:
    """Why an unknown column refuses the file (a misspelt column would lose its data), and what to do."""
    names = {name: column.header for column in columns for name in (column.header, *column.aliases)}
    close = difflib.get_close_matches(normalise_header(cell), list(names), n=1, cutoff=0.5)
    hint = _("是不是“%(name)s”？") % {"name": names[close[0]]} if close else ""
    return _("未知列，可用的列为：%(names)s。%(hint)s不需要的列请删除（%(ignorable)s等列会自动忽略）") % {
        "names": "、".join(c.header for c in columns), "hint": hint, "ignorable": "、".join(IGNORABLE_HEADERS[:3])}
