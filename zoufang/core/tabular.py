"""Spreadsheets in and out: csv/xlsx rows as strings with their row numbers; the one xlsx writer of every
export (`ExportWorkbook`) and the import templates written with it."""

import csv
import datetime
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from zoufang.core.workbook_scan import MAX_CELLS, OpenDocument, SheetScan, WorkbookTooLarge, scan_workbook

INSTRUCTIONS_SHEET = "说明"
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
STYLES_KEPT = 64  # style combinations a streamed sheet remembers (an export uses a handful)
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

    def names(self) -> set[str]:
        return {normalise_header(name) for name in (self.header, *self.aliases)}


@dataclass
class HeaderMatch:
    """Where each known column sits in the header row, and what was wrong with the header."""

    positions: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # harmless columns skipped (序号, 备注 …)

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


_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


def header_lookup(cell: str, names: Iterable[str]) -> str | None:
    """The known name a header cell stands for: as written (normalised), or without a closing note in brackets
    (“联系电话（手机）”, “身份证号码(18位)”, “家庭人口（人）”); None when it is neither."""
    name = normalise_header(cell)
    for candidate in (name, _TRAILING_NOTE.sub("", name)):
        if candidate and candidate in names:
            return candidate
    return None


def normalise_header(text: str) -> str:
    """Headers compare without any whitespace and with full-width brackets: “村（社区）” == “村 (社区)”."""
    return _WHITESPACE.sub("", text).translate(_BRACKETS)


def person_name(text: str) -> str:
    """Chinese names lose all inner whitespace (“王  文” → “王文”); other names keep single spaces."""
    if _CJK.search(text):
        return _WHITESPACE.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """A place or unit name without any whitespace (“马援庄村    ” → “马援庄村”)."""
    return _WHITESPACE.sub("", text)


def parse_count(text: str) -> int | None:
    """A non-negative count as written in the tables: “13815户”, “53家”, “1,360”, “12.0”; None if not one."""
    value = _COUNT_SUFFIX.sub("", compact(text).replace(",", "").replace("，", ""))
    if not _INTEGER.match(value):
        return None
    return int(value.split(".")[0])


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
    """A cell as the user typed it: integral numbers without “.0”, dates as ISO, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
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


def read_sheet(source: Path | IO[bytes], filename: str | None = None) -> Sheet:
    """The rows of a csv file or of the first workbook sheet holding data, with the sheet's name."""
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = filename or (source.name if isinstance(source, Path) else "")
    if data.startswith(_OLE_MAGIC) and _LEGACY_ENCRYPTED in data:
        raise TabularError(_("文件设置了密码，无法读取：请在 Excel 中打开，在“文件→信息→保护工作簿→用密码进行加密”中"
                             "清空密码，保存后再导入"))
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        return read_workbook(data)
    looks_binary = b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if looks_binary or str(name).lower().endswith(_SPREADSHEET_SUFFIXES):
        raise TabularError(unreadable_message())
    return Sheet(read_csv(data))


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
        return [SheetRow(number, tuple(clean_text(cell) for cell in cells)) for number, cells in enumerate(reader, 1)]
    except csv.Error as exc:
        raise TabularError(_("CSV 格式错误：%(error)s") % {"error": exc}) from exc


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
        if data.startswith(_ZIP_MAGIC):
            scans = scan_workbook(data)
            return max((scan.rows for name, scan in scans.items() if name != INSTRUCTIONS_SHEET), default=0)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = [n for n in workbook.sheet_names if n != INSTRUCTIONS_SHEET] or workbook.sheet_names
        return max((workbook.get_sheet_by_name(n).height for n in names), default=0)
    except Exception:  # noqa: BLE001 - calamine's several error types, a damaged zip: reading the file reports it
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
    """The first visible sheet other than “说明” that holds data (else the first), every row numbered as in Excel.

    A cell merged over several rows (a village name beside all its households) counts in each of them; an Excel
    error value (#N/A, #REF!) reads as its code, never as a blank."""
    try:
        scans = scan_workbook(data) if data.startswith(_ZIP_MAGIC) else {}
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = _data_sheet_names(workbook)
        chosen, others = "", []
        for name in names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height * sheet.width > MAX_CELLS:  # an xls, which the scan does not read
                raise WorkbookTooLarge(sheet=name, rows=sheet.height, columns=sheet.width)
            if not (sheet.height and any(v not in (None, "") for cells in sheet.iter_rows() for v in cells)):
                continue
            if chosen:
                others.append(name)
            else:
                chosen, values, merged = name, sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges
    except WorkbookTooLarge as exc:
        raise TabularError(too_large_message(exc)) from exc
    except OpenDocument as exc:
        raise TabularError(_("不支持 OpenDocument 表格（.ods）：请在 WPS、Excel 或 LibreOffice 中“另存为”"
                             "Excel 工作簿（.xlsx）后再导入")) from exc
    except Exception as exc:  # calamine raises several unrelated types (in English) for damaged files
        raise TabularError(unreadable_message()) from exc
    if not chosen:
        return Sheet([], names[0] if names else "")
    return Sheet(_sheet_rows(values, merged or [], scans.get(chosen, SheetScan())), chosen, others)


def _data_sheet_names(workbook: CalamineWorkbook) -> list[str]:
    """The sheets that may hold the data, visible ones first: a hidden sheet is an office's leftover or lookup list."""
    names = [m.name for m in workbook.sheets_metadata if m.name != INSTRUCTIONS_SHEET] or workbook.sheet_names
    visible = {m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible}
    return sorted(names, key=lambda name: name not in visible)


def _sheet_rows(values: list[list[Any]], merged: list[Any], scan: SheetScan) -> list[SheetRow]:
    texts = [[cell_text(v) for v in cells] for cells in values]
    lossy = [{at for at, v in enumerate(cells) if _is_lossy(v)} for cells in values]
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
            if left in lossy[top]:
                lossy[row].add(left)
    uncomputed: dict[int, set[int]] = {}
    for row, column in scan.uncomputed:
        uncomputed.setdefault(row, set()).add(column)
    return [SheetRow(number, tuple(cells), frozenset(lossy[number - 1]), frozenset(uncomputed.get(number - 1, ())))
            for number, cells in enumerate(texts, 1)]


def unreadable_cells(row: SheetRow, positions: dict[str, int]) -> list[RowError]:
    """The cells of `row` under `positions` (header → column) that hold no value an import may take: an Excel
    error (#N/A, #REF!: a formula that failed, or its code typed or exported as text), or a formula whose result
    the file does not hold. Each would otherwise read as a blank or be stored as the code."""
    errors = []
    for header, at in positions.items():
        text = row.cell(at)
        if text.upper() in ERROR_CODES:
            errors.append(RowError(row.number, header, _("单元格是 Excel 的错误值“%(code)s”（通常是公式出错，如 VLOOKUP "
                                                        "找不到），请改成实际内容或清空") % {"code": text}))
        elif at in row.uncomputed:
            errors.append(RowError(row.number, header, _("单元格是公式，文件中没有保存它的计算结果（文件可能由其他程序生成）。"
                                                        "请在 Excel 或 WPS 中打开后保存一次，或把这一列复制后“选择性粘贴→数值”")))
    return errors


def find_header_row(rows: Sequence[SheetRow], columns: Sequence[Column], *, minimum: int = 1,
                    search: int = 20) -> int | None:
    """Index (in `rows`) of the first row holding at least `minimum` known headers; title lines come before it."""
    known = set().union(*(c.names() for c in columns))
    for index, row in enumerate(rows[:search]):
        if sum(1 for cell in row.cells if header_lookup(cell, known)) >= minimum:
            return index
    return None


def header_cells(rows: Sequence[SheetRow], index: int, columns: Sequence[Column]) -> tuple[SheetRow, int]:
    """The header at `index` as one row, and the index of the first row under it.

    A header of two rows (“户主信息” merged over 户主姓名 and 身份证号码 on the row below) is read as one: each
    column takes its name from the lower row where that is a known header, else from the upper row."""
    top = rows[index]
    if index + 1 >= len(rows):
        return top, index + 1
    known = set().union(*(c.names() for c in columns))
    below = rows[index + 1]
    lower = [at for at, cell in enumerate(below.cells) if header_lookup(cell, known)]
    if not lower or all(below.cell(at) == top.cell(at) for at in lower):
        return top, index + 1
    width = max(len(top.cells), len(below.cells))
    cells = tuple(below.cell(at) if at in lower else top.cell(at) for at in range(width))
    return SheetRow(top.number, cells), index + 2


def is_total_row(row: SheetRow, labels: tuple[str, ...] = ("合计", "总计")) -> bool:
    """A row whose first filled cell is a 合计 label (“合    计”, “总计”)."""
    first = next((compact(cell) for cell in row.cells if cell), "")
    return first.startswith(labels)


def match_headers(row: SheetRow, columns: Sequence[Column], *, allow_unknown: bool = False) -> HeaderMatch:
    """Map the header row onto the columns; unknown, duplicated and missing required headers are errors."""
    match = HeaderMatch()
    by_name = {name: column for column in columns for name in column.names()}
    for index, cell in enumerate(row.cells):
        if not cell:
            continue
        known = header_lookup(cell, by_name)
        column = by_name[known] if known else None
        if column is None and header_lookup(cell, IGNORABLE_HEADERS):
            match.ignored.append(cell)
        elif column is None:
            if not allow_unknown:
                match.errors.append(RowError(row.number, cell, unknown_column_message(cell, columns)))
        elif column.header in match.positions:
            match.errors.append(RowError(row.number, column.header, _("列重复出现")))
        else:
            match.positions[column.header] = index
    for column in columns:
        if column.required and column.header not in match.positions:
            match.errors.append(RowError(row.number, column.header, _("缺少必填列")))
    return match


def unknown_column_message(cell: str, columns: Sequence[Column]) -> str:
    """Why an unknown column refuses the file (a misspelt column would lose its data), and what to do."""
    names = {name: column.header for column in columns for name in (column.header, *column.aliases)}
    close = difflib.get_close_matches(normalise_header(cell), list(names), n=1, cutoff=0.5)
    hint = _("是不是“%(name)s”？") % {"name": names[close[0]]} if close else ""
    return _("未知列，可用的列为：%(names)s。%(hint)s不需要的列请删除（%(ignorable)s等列会自动忽略）") % {
        "names": "、".join(c.header for c in columns), "hint": hint, "ignorable": "、".join(IGNORABLE_HEADERS[:3])}


# A cell starting with one of these is a formula (or becomes one when edited) in Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _storable(value: Any) -> Any:
    """Text without the control characters XML cannot hold (openpyxl refuses them); anything else as is."""
    if isinstance(value, Promise):
        value = str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


class Widths:
    """Column widths in characters, from the first column; None leaves a column as it is."""

    column_dimensions: Any

    def set_widths(self, widths: Iterable[float | None]) -> None:
        for index, width in enumerate(widths, start=1):
            if width:
                self.column_dimensions[get_column_letter(index)].width = width


class ExportSheet(Widths, Worksheet):
    """A worksheet that drops control characters from text written through append, cell or sheet["A1"]."""

    def append(self, iterable: Any) -> None:
        if isinstance(iterable, dict):
            super().append({key: _storable(value) for key, value in iterable.items()})
        else:
            super().append([_storable(value) for value in iterable])

    def cell(self, row: int, column: int, value: Any = None) -> Any:
        return super().cell(row, column, _storable(value))

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, _storable(value))


class StreamSheet(Widths, WriteOnlyWorksheet):
    """A sheet of a streaming `ExportWorkbook`: each appended row goes to a temporary file at once.

    The same guarantees as `ExportSheet`: text stays text (a string that Excel would read as a formula or an
    error value is written as a string, quote-prefixed when it starts like a formula), control characters
    are dropped. Column widths, freeze panes and print settings must be set before the first row; a row's
    style is given with the row (`append(row, font=...)`); merges may be added until the workbook is saved.
    """

    def __init__(self, parent: Any, title: str | None) -> None:
        super().__init__(parent, title)
        self.rows_written = 0
        # (name, id(setting)) pairs → (the style array they make, the settings kept alive for their ids)
        self._styles: dict[tuple[tuple[str, int], ...], tuple[StyleArray, list[Any]]] = {}

    def append(self, row: Any, *, font: Font | None = None, alignment: Alignment | None = None,
               border: Border | None = None, number_format: str | None = None, height: float | None = None,
               styled: Iterable[int] | None = None) -> None:
        """Write one row; `font`/`alignment`/`border` style its cells (only those in `styled`, from 1, if given);
        `height` sets the row's height in points."""
        self.rows_written += 1
        if height:
            self.row_dimensions[self.rows_written].height = height
        style = {"font": font, "alignment": alignment, "border": border, "number_format": number_format}
        style = {key: value for key, value in style.items() if value is not None}
        chosen = set(styled) if styled is not None else None
        super().append([self.stream_cell(value, **(style if chosen is None or at in chosen else {}))
                        for at, value in enumerate(row, start=1)])

    def stream_cell(self, value: Any, **style: Any) -> Any:
        """A value as written: plain values as they are, a cell where text needs guarding or a style is asked."""
        if isinstance(value, Cell):
            neutralise(value)
            for key, setting in style.items():
                setattr(value, key, setting)
            return value
        value = _storable(value)
        guard = isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)
        if not guard and not style:
            return value
        cell = WriteOnlyCell(self, value)
        self._style(cell, style)
        neutralise(cell)
        return cell

    def _style(self, cell: Cell, style: dict[str, Any]) -> None:
        """Give a new cell its style: set through openpyxl once per combination of settings (which hashes
        every style object into the workbook's lists, the most of a styled export's time), copied after."""
        if not style:
            return
        key = tuple((name, id(setting)) for name, setting in style.items())
        known = self._styles.get(key)
        if known is None:
            for name, setting in style.items():
                setattr(cell, name, setting)
            if len(self._styles) < STYLES_KEPT:  # a caller making new style objects a row is not remembered
                self._styles[key] = (copy(cell._style), list(style.values()))  # noqa: SLF001 - openpyxl's array
        else:
            cell._style = copy(known[0])  # noqa: SLF001

    def merge_cells(self, range_string: str | None = None, start_row: int | None = None,
                    start_column: int | None = None, end_row: int | None = None, end_column: int | None = None) -> None:
        """As Worksheet.merge_cells; merges are written when the sheet closes, so written rows may be merged."""
        self.merged_cells.add(CellRange(range_string=range_string, min_row=start_row, min_col=start_column,
                                        max_row=end_row, max_col=end_column))



class ExportWorkbook(Workbook):
    """The one xlsx writer of every export: user text is stored as text, never as a formula.

    openpyxl turns a string starting with “=” into a formula (and “#N/A” into an error); a description
    `=HYPERLINK(...)` or a name `=cmd|' /C calc'!A0` would be live in Excel. On save every string cell is
    written as an inline string, and one starting with = + - @ tab or CR also gets Excel's quote prefix,
    so Excel and LibreOffice show it as typed and editing the cell does not turn it into a formula.

    `ExportWorkbook(streaming=True)` writes at constant memory (openpyxl's write-only mode): it starts with
    no sheet, `create_sheet` returns a `StreamSheet` whose rows go to disk as they are appended, and the
    workbook can be saved once. Every export built from a whole town or more uses it.
    """

    def __init__(self, *, streaming: bool = False) -> None:
        super().__init__(write_only=streaming)
        if not streaming:
            self._sheets = [ExportSheet(self)]
            print_on_a4(self._sheets[0])

    @property
    def streaming(self) -> bool:
        return bool(self.write_only)

    def create_sheet(self, title: str | None = None, index: int | None = None) -> Any:
        sheet: Any = StreamSheet(self, title) if self.streaming else ExportSheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        print_on_a4(sheet)  # before the first row, as a streamed sheet needs
        return sheet

    def save(self, filename: Any) -> None:
        for sheet in self.worksheets:
            if not sheet.print_title_rows and sheet.freeze_panes:
                # The rows kept in view on screen (the title and the headers) are repeated on every printed page.
                frozen, _column = coordinate_to_tuple(sheet.freeze_panes)
                if frozen > 1:
                    sheet.print_title_rows = f"1:{frozen - 1}"
            if not self.streaming:
                for row in sheet.iter_rows():
                    for cell in row:
                        neutralise(cell)
        super().save(filename)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.save(out)
        return out.getvalue()


def print_on_a4(sheet: Any, *, landscape: bool = True, title_rows: str | None = None) -> None:
    """How a sheet prints: on A4 (across unless `landscape=False`), every column on the page's width and as many
    pages down as the rows need; `title_rows` ("1:2") repeated on each page. Every sheet of an `ExportWorkbook`
    starts so (and repeats the rows above its frozen pane); a sheet printed otherwise says so here."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if title_rows:
        sheet.print_title_rows = title_rows


def neutralise(cell: Any) -> None:
    """A string cell as text: never a formula or an error value, quote-prefixed when it looks like one."""
    value = cell.value
    if not isinstance(value, str):
        return
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def write_template(out: Path | IO[bytes], columns: Sequence[Column], *, title: str,
                   header_rows: Sequence[Sequence[str]] | None = None,
                   merges: Iterable[str] = (), notes: Sequence[str] = (),
                   data_rows: Iterable[Sequence[Any]] = ()) -> None:
    """An xlsx with the data sheet (bold header, widths, text columns) and a “说明” sheet describing each column.

    `data_rows` fill the data sheet below the header: an export in the same layout as its template."""
    workbook = ExportWorkbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = title[:31]
    rows = header_rows or [[c.header for c in columns]]
    bold = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for row_cells in sheet.iter_rows(min_row=1, max_row=len(rows)):
        for cell in row_cells:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for merge in merges:
        sheet.merge_cells(merge)
    for index, column in enumerate(columns, 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
    sheet.freeze_panes = sheet.cell(row=len(rows) + 1, column=1)
    for data_row in data_rows:
        sheet.append(list(data_row))
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), columns, notes)
    workbook.save(out)


def _write_instructions(sheet: Any, columns: Sequence[Column], notes: Sequence[str]) -> None:
    sheet.append([_("列名"), _("是否必填"), _("填写规则"), _("示例")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column.header, _("必填") if column.required else _("选填"), str(column.rule), column.example])
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([str(note)])
    for letter, width in zip("ABCD", (20, 10, 70, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
