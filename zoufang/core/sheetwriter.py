"""The one xlsx writer of every export (`ExportWorkbook`, streaming or not) and the import templates written with
it: text stays text (no live formulas), control characters dropped, printed on A4."""

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import IO, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from zoufang import clock
from zoufang.core.tabular import INSTRUCTIONS_SHEET, Column

STYLES_KEPT = 64  # style combinations a streamed sheet remembers (an export uses a handful)

# A printed table (a ledger, a weekly list): every cell boxed, text wrapped within its column, headers centred.
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
FIGURE_TOP = Alignment(wrap_text=True, vertical="top", horizontal="right")  # a figure stands right, as numbers do
HEADER = Alignment(wrap_text=True, horizontal="center", vertical="center")
# The workbook's own font (openpyxl's default: Calibri of the minor scheme, whose Chinese Excel and WPS take from the
# theme, 宋体) in bold, and a table's title: a Font without a name prints its digits and letters in a serif face
# (LibreOffice: DejaVu Serif) beside the body's Calibri. Every export's bold and titles are these.
BOLD = Font(name="Calibri", family=2, scheme="minor", bold=True)
TITLE = Font(name="Calibri", family=2, scheme="minor", bold=True, size=14)
# How much of a column (in its width's units, the default font's digit) text takes, measured: a digit takes 1 in
# Excel, WPS and LibreOffice alike; a Chinese character takes 15 px of Excel's 7 px units at 96 dpi (2.14), 1.98
# in LibreOffice with Calibri's metric twin Carlito, 1.57 where LibreOffice falls back to DejaVu Sans. The widest
# is counted, so that no spreadsheet program cuts a row's last line (docs/printing.md).
WIDE_UNITS = 2.15
CELL_MARGIN = 0.75  # the cell's own margins: Excel's 5 px of 7 px, LibreOffice's 2–4 pt
LINE_POINTS = 16.0  # a wrapped line of 11 pt Chinese text: LibreOffice spaces Noto Sans CJK 15.9 pt, Excel 15 pt
ROW_MARGIN_POINTS = 2.0  # above the first line and below the last
MAX_ROW_POINTS = 409.0  # the tallest row Excel allows
# What wraps as one piece: a run of printable ASCII (a name in pinyin, a number, a hash) with the full-width bracket
# or punctuation that may not be parted from it, as LibreOffice keeps “（zhouzhuang）” whole.
# A figure the table writes as text (a rate “10.2%”, a signed score “+2.50”): right-aligned like the numbers beside it.
# Digits alone are not one: a phone, ID or case number is text and reads from the left.
FIGURE = re.compile(r"[-+]?\d+(?:\.\d+)?%|[-+]?\d+\.\d+|[-+]\d+")
NO_ROWS = _lazy("本表无记录")  # under the headers of a table that has none: never a header over nothing on paper
UNBROKEN = re.compile(r"[（“《‘〔【]?[!-~]+[）”》’〕】、，。：；！？]?")

# On paper (decision 0030): the body's 11 pt text printed no smaller than READABLE_POINTS. A sheet too wide for that on
# A4 goes on A3 across (a town office's copier prints A3; folded, it files with the A4 pages); wider still, its
# columns go over pages across. Widths are counted as Excel and WPS print them (7 px a unit and 5 px of margins at 96
# dpi) or LibreOffice with Calibri's metrics (5.55 pt a unit), whichever is wider; LibreOffice without Calibri or
# Carlito prints a fifth smaller (docs/printing.md).
READABLE_POINTS = 8.0
BODY_POINTS = 11.0  # the workbook's default font
DEFAULT_WIDTH = 8.43  # a column no export sized
PAPERS = {Worksheet.PAPERSIZE_A4: (595.3, 841.9), Worksheet.PAPERSIZE_A3: (841.9, 1190.6)}  # points, short × long
MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)  # inches; room for a footer


# A day as people read it (clock.day), kept a date for programs: Excel, WPS and LibreOffice show 2017年6月15日 by this
# format. A number does not wrap: a column narrower than its printed date shows ####, so a date's column is DAY_WIDTH.
DAY_FORMAT = 'yyyy"年"m"月"d"日"'
OPENPYXL_DAY_FORMATS = ("General", "yyyy-mm-dd")  # what openpyxl gives a date cell no one formatted
SHEET_TITLE = _lazy("工作表")  # a sheet its export did not name (openpyxl's “Sheet” is English on a clerk's screen)


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
    widths: tuple[float | None, ...] = ()

    def set_widths(self, widths: Iterable[float | None]) -> None:
        self.widths = tuple(widths)
        for index, width in enumerate(self.widths, start=1):
            if width:
                self.column_dimensions[get_column_letter(index)].width = width


def text_width(text: str) -> float:
    """How wide `text` prints, in a column width's units: ASCII takes 1, a Chinese (or other wide) character
    WIDE_UNITS. Counted from the UTF-8 length (C speed, for a million-row ledger): a character of three bytes is a
    wide one."""
    size = len(text)
    return size + (len(text.encode("utf-8")) - size) * (WIDE_UNITS - 1) / 2


def fitting_width(text: str | dt.date) -> int:
    """The narrowest column width that holds `text` on one line (a header over short figures); for a date, any
    date as it prints (`DAY_WIDTH`): the rows measured are not always every row of the column."""
    if isinstance(text, dt.date):
        return DAY_WIDTH
    return math.ceil(text_width(text) + CELL_MARGIN)


DAY_WIDTH = fitting_width(clock.day(dt.date(2000, 12, 31)))  # the widest a day prints: 2000年12月31日
MINUTE_WIDTH = DAY_WIDTH  # a moment (clock.minute) wraps at its space: its day over its time of day


def content_width(header: str, values: Iterable[Any], *, widest: float | None = None) -> float:
    """A column as wide as its header or its widest line of `values` (a date as it prints) on one line, whichever is
    wider, up to `widest` (a long text wraps within it)."""
    width = max([fitting_width(header), *(fitting_width(line) for value in values if value is not None
                                          for line in ([value] if isinstance(value, dt.date)
                                                       else str(value).split("\n")))])
    return min(widest, width) if widest else width


def lines_needed(value: Any, width: float | None) -> int:
    """The lines `value` wraps to in a column `width` characters wide (1 for numbers, dates and short text).

    A line breaks between any two Chinese characters and at a space, never inside a run of ASCII (`UNBROKEN`)
    unless the run is longer than a whole line, which then starts a line (as LibreOffice and Excel wrap it); a line
    that fits is not looked into."""
    if not isinstance(value, str) or not value or not width:
        return 1
    usable = max(1.0, width - CELL_MARGIN)
    return sum(1 if text_width(line) <= usable else _wrapped(line, usable) for line in value.split("\n"))


def _wrapped(line: str, usable: float) -> int:
    """The lines one line of text too long for its cell takes, filled as the spreadsheet fills them."""
    lines, filled, start = 1, 0.0, 0
    for run in UNBROKEN.finditer(line):
        lines, filled = _poured(line[start:run.start()], lines, filled, usable)
        width = text_width(run.group())
        if width > usable:  # longer than a line: from a line of its own, broken where that line ends
            lines, filled = _poured(run.group(), lines + (filled > 0), 0.0, usable)
        elif filled + width > usable:
            lines, filled = lines + 1, width
        else:
            filled += width
        start = run.end()
    return _poured(line[start:], lines, filled, usable)[0]


def _poured(text: str, lines: int, filled: float, usable: float) -> tuple[int, float]:
    """`text` (breakable between any two characters) added to a cell `filled` units into its `lines`th line:
    whole characters a line, each as wide as the text's average."""
    if not text:
        return lines, filled
    width = text_width(text)
    if filled + width <= usable:
        return lines, filled + width
    each = width / len(text)
    fit = int((usable - filled) / each)  # characters still fitting on the current line
    per_line = max(1, int(usable / each))
    rest = len(text) - fit
    more = -(-rest // per_line)
    return lines + more, (rest - (more - 1) * per_line) * each


def fitted_height(values: Sequence[Any], widths: Sequence[float | None], *, padded: bool = False) -> float | None:
    """The height in points a row of wrapped `values` needs (None: one line, the default). Excel and LibreOffice
    do not grow a stored row to fit its wrapped text when the file is opened, so a printed ledger's long
    走访情况 would be cut to its first line. `padded`: a one-line row too gets the margin a wrapped row has;
    LibreOffice prints a row left at the default height with its CJK text against its borders."""
    lines = max((lines_needed(value, width) for value, width in zip(values, widths, strict=False)), default=1)
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + ROW_MARGIN_POINTS) if lines > 1 or padded else None


def _figure(value: Any) -> bool:
    return isinstance(value, str) and FIGURE.fullmatch(value) is not None


def _table_style(value: Any, header: bool, bold: bool) -> dict[str, Any]:
    """How a printed table's cell looks: boxed, wrapped, a header's bold and centred, a figure written as text
    right-aligned, dates as dates."""
    alignment = HEADER if header else FIGURE_TOP if _figure(value) else WRAP_TOP
    style: dict[str, Any] = {"border": GRID, "alignment": alignment}
    if header or bold:
        style["font"] = BOLD
    if type(value) is dt.date:
        style["number_format"] = DAY_FORMAT
    return style


def _as_day(cell: Any) -> None:
    """A date cell nobody formatted prints as people read a day (`DAY_FORMAT`), and stays a date."""
    if type(cell.value) is dt.date and cell.number_format in OPENPYXL_DAY_FORMATS:
        cell.number_format = DAY_FORMAT


class ExportSheet(Widths, Worksheet):
    """A worksheet that drops control characters from text written through append, cell or sheet["A1"]."""

    def table_row(self, row: Sequence[Any], *, header: bool = False, bold: bool = False, padded: bool = False) -> None:
        """As `StreamSheet.table_row`: one printed table row, boxed, wrapped and as tall as its text needs."""
        self.append(row)
        number = self.max_row
        for cell, value in zip(self[number], row, strict=False):
            for name, setting in _table_style(value, header, bold).items():
                setattr(cell, name, setting)
        self.row_dimensions[number].height = fitted_height([_storable(v) for v in row], self.widths, padded=padded)

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
        self.columns_written = 0  # the widest row's cells, for the paper (`fit_paper`)
        self._table_cells: dict[tuple[int, bool, bool, type, bool], Cell] = {}
        # (name, id(setting)) pairs → (the style array they make, the settings kept alive for their ids)
        self._styles: dict[tuple[tuple[str, int], ...], tuple[StyleArray, list[Any]]] = {}

    def append(self, row: Any, *, font: Font | None = None, alignment: Alignment | None = None,
               border: Border | None = None, number_format: str | None = None, height: float | None = None,
               styled: Iterable[int] | None = None) -> None:
        """Write one row; `font`/`alignment`/`border` style its cells (only those in `styled`, from 1, if given);
        `height` sets the row's height in points."""
        style = {"font": font, "alignment": alignment, "border": border, "number_format": number_format}
        style = {key: value for key, value in style.items() if value is not None}
        chosen = set(styled) if styled is not None else None
        self._write([self.stream_cell(value, **(style if chosen is None or at in chosen else {}))
                     for at, value in enumerate(row, start=1)], height)

    def _write(self, cells: list[Any], height: float | None) -> None:
        """The row to disk (openpyxl writes it while appending), with its height if any."""
        self.rows_written += 1
        self.columns_written = max(self.columns_written, len(cells))
        if height:
            self.row_dimensions[self.rows_written].height = height
        try:
            super().append(cells)
        finally:  # the row is on disk: its height is not kept (a million rows' dimensions would fill memory)
            self.row_dimensions.pop(self.rows_written, None)

    def _values_to_row(self, values: Any, row_idx: int) -> Any:
        """As openpyxl's, without its cost for a row of styled cells: openpyxl tries each Cell as a value first
        and takes it only when that fails, formatting the error's message for every cell of the row."""
        plain = WriteOnlyCell(self)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:
                cell = plain
                cell.value = value
                if type(value) is dt.date:
                    cell.number_format = DAY_FORMAT
            cell.column, cell.row = col_idx, row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell
            if cell is plain and (plain.has_style or plain.hyperlink):
                plain = WriteOnlyCell(self)

    def table_row(self, row: Sequence[Any], *, header: bool = False, bold: bool = False, padded: bool = False) -> None:
        """One row of a printed table: every cell boxed and wrapped (a header's bold and centred; a 合计 row
        `bold`), its height grown to the lines its longest text wraps to in the columns `set_widths` gave (with
        `padded`, a one-line row's too: see `fitted_height`)."""
        values = [_storable(value.value if isinstance(value, Cell) else value) for value in row]
        self._write([self._table_cell(at, value, header, bold) for at, value in enumerate(values, start=1)],
                    fitted_height(values, self.widths, padded=padded))

    def _table_cell(self, column: int, value: Any, header: bool, bold: bool) -> Any:
        """A printed table's cell: one styled cell per column and kind of row, reused from row to row (the row is
        written to disk when appended, so the cell is free again), which keeps a styled million-row ledger about
        as fast as a plain one; text that needs guarding gets a cell of its own (neutralise styles it)."""
        if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES):
            return self.stream_cell(value, **_table_style(value, header, bold))
        # By type: setting a date also sets its cell's number format; a figure written as text stands right.
        key = (column, header, bold, type(value), _figure(value))
        cell = self._table_cells.get(key)
        if cell is None:
            cell = self._table_cells[key] = WriteOnlyCell(self)
            for name, setting in _table_style(value, header, bold).items():
                setattr(cell, name, setting)
        cell.value = value
        return cell

    def stream_cell(self, value: Any, **style: Any) -> Any:
        """A value as written: plain values as they are, a cell where text needs guarding or a style is asked."""
        if isinstance(value, Cell):
            neutralise(value)
            for key, setting in style.items():
                setattr(value, key, setting)
            _as_day(value)
            return value
        value = _storable(value)
        guard = isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)
        if not guard and not style:
            return value
        cell = WriteOnlyCell(self, value)
        self._style(cell, style)  # a remembered style carries the number format of the cell it was made on
        if type(value) is dt.date and "number_format" not in style:
            cell.number_format = DAY_FORMAT
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
                array = copy(cell._style)  # noqa: SLF001 - openpyxl's array
                if "number_format" not in style:  # not the date format of the value it was made on
                    array.numFmtId = 0
                self._styles[key] = (array, list(style.values()))
        else:
            cell._style = copy(known[0])  # noqa: SLF001

    def merge_cells(self, range_string: str | None = None, start_row: int | None = None,
                    start_column: int | None = None, end_row: int | None = None, end_column: int | None = None) -> None:
        """As Worksheet.merge_cells; merges are written when the sheet closes, so written rows may be merged."""
        self.merged_cells.add(CellRange(range_string=range_string, min_row=start_row, min_col=start_column,
                                        max_row=end_row, max_col=end_column))

    def close(self) -> None:
        """Written out: its print settings first (`finish_sheet`), whether the workbook's save closes it or its
        maker does to free its memory (a walk list's sheet per visitor)."""
        finish_sheet(self)
        super().close()



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
            self._sheets = [ExportSheet(self, str(SHEET_TITLE))]
            self._sheets[0].page_margins = copy(MARGINS)
            print_on_a4(self._sheets[0])

    @property
    def streaming(self) -> bool:
        return bool(self.write_only)

    def create_sheet(self, title: str | None = None, index: int | None = None) -> Any:
        title = title or str(SHEET_TITLE)  # openpyxl numbers a repeated one: 工作表1
        sheet: Any = StreamSheet(self, title) if self.streaming else ExportSheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        sheet.page_margins = copy(MARGINS)
        print_on_a4(sheet)  # before the first row, as a streamed sheet needs
        return sheet

    def save(self, filename: Any) -> None:
        for sheet in self.worksheets:
            if isinstance(sheet, StreamSheet):
                continue  # finished as it is closed, by its maker or by openpyxl's save
            narrow = set()
            for row in sheet.iter_rows():
                for cell in row:
                    neutralise(cell)
                    _as_day(cell)
                    if type(cell.value) is dt.date:
                        narrow.add(cell.column_letter)
            for letter in narrow:  # a date does not wrap: Excel shows #### where its column is narrower
                dimension = sheet.column_dimensions[letter]
                dimension.width = max(dimension.width or DEFAULT_WIDTH, DAY_WIDTH)
            finish_sheet(sheet)
        super().save(filename)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.save(out)
        return out.getvalue()


def titled_table(sheet: Any, title: str, headers: Sequence[Any], widths: Iterable[float | None], *,
                 freeze: str = "A3") -> None:
    """A printed table's start, before its rows (`table_row`): its columns' widths, its title in TITLE over its boxed
    headers, both kept in view and repeated on every printed page (the rows above `freeze`)."""
    sheet.set_widths(widths)
    sheet.freeze_panes = freeze
    if isinstance(sheet, StreamSheet):
        sheet.append([title], font=TITLE)
    else:
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = TITLE
    sheet.table_row([str(header) for header in headers], header=True)


def finish_sheet(sheet: Any) -> None:
    """What every sheet gets before it is written: 本表无记录 under headers over nothing, its title and header rows
    on every page, its paper (`fit_paper`) and its page numbers."""
    _say_when_empty(sheet)
    if not sheet.print_title_rows and sheet.freeze_panes:
        # The rows kept in view on screen (the title and the headers) are repeated on every printed page.
        frozen, _column = coordinate_to_tuple(sheet.freeze_panes)
        if frozen > 1:
            sheet.print_title_rows = f"1:{frozen - 1}"
    fit_paper(sheet)
    if not sheet.oddFooter.center.text:
        sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _say_when_empty(sheet: Any) -> None:
    """A table with its headers and no row under them (the rows above its frozen pane are its title and headers)
    says so in one boxed line across its columns: printed, a bare header reads as a page lost."""
    frozen = coordinate_to_tuple(sheet.freeze_panes)[0] if sheet.freeze_panes else 1
    written = sheet.rows_written if isinstance(sheet, StreamSheet) else sheet.max_row
    if frozen < 2 or written != frozen - 1:
        return
    columns = max(1, sheet.columns_written if isinstance(sheet, StreamSheet) else sheet.max_column)
    sheet.table_row([str(NO_ROWS)] + [None] * (columns - 1))
    sheet.merge_cells(start_row=frozen, start_column=1, end_row=frozen, end_column=columns)


def print_on_a4(sheet: Any, *, landscape: bool = True, title_rows: str | None = None) -> None:
    """How a sheet prints: on A4 (across unless `landscape=False`), every column on the page's width and as many
    pages down as the rows need; `title_rows` ("1:2") repeated on each page. Every sheet of an `ExportWorkbook`
    starts so; on save it repeats the rows above its frozen pane, numbers its pages and goes on larger paper where
    its columns are too wide to print readably on A4 (`fit_paper`)."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if title_rows:
        sheet.print_title_rows = title_rows


def printed_width(width: float) -> float:
    """How wide a column `width` units wide prints at 100 %, in points: the wider of Excel's and LibreOffice's."""
    return max(5.25 * width + 3.75, 5.55 * width)


def _printed_columns(sheet: Any) -> list[tuple[int, float]]:
    """(column, points at 100 %) of every column printed: up to the last written or sized, hidden ones left out."""
    sized: dict[int, tuple[float, bool]] = {}
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.max and dimension.max - dimension.min < 1024:  # a group to XFD is not printed
            for index in range(dimension.min, dimension.max + 1):
                sized[index] = (dimension.width or DEFAULT_WIDTH, bool(dimension.hidden))
    written = sheet.columns_written if isinstance(sheet, StreamSheet) else sheet.max_column
    last = max([written, *(index for index, (_w, hidden) in sized.items() if not hidden)], default=0)
    return [(index, printed_width(sized.get(index, (DEFAULT_WIDTH, False))[0])) for index in range(1, last + 1)
            if not sized.get(index, (0, False))[1]]


def fit_paper(sheet: Any) -> None:
    """The paper a sheet prints on, its body text no smaller than READABLE_POINTS (decision 0030): A4 as its maker
    set it if the columns fit across at that size, else A4 across, else A3 across; wider than that, A3 across with the
    columns over as many pages across as they need, the frozen columns (or the first) repeated on each, a page's
    right part printed after its left. Set on save: the paper and page order are written after a streamed sheet's
    rows."""
    columns = _printed_columns(sheet)
    wide = sum(points for _index, points in columns)
    least = READABLE_POINTS / BODY_POINTS  # the smallest scale
    side = (sheet.page_margins.left + sheet.page_margins.right) * 72
    portrait = sheet.page_setup.orientation == "portrait"
    for paper, landscape in ((Worksheet.PAPERSIZE_A4, not portrait), (Worksheet.PAPERSIZE_A4, True),
                             (Worksheet.PAPERSIZE_A3, True)):
        if wide * least <= PAPERS[paper][landscape] - side:
            break
    sheet.page_setup.paperSize = paper
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    room = PAPERS[paper][landscape] - side
    if wide * least <= room:
        return
    frozen = coordinate_to_tuple(sheet.freeze_panes)[1] - 1 if sheet.freeze_panes else 0
    repeated = max(1, frozen)
    sheet.print_title_cols = f"A:{get_column_letter(repeated)}"
    titles = sum(points for index, points in columns if index <= repeated)
    pages, used = 1, 0.0
    for _index, points in columns:  # filled as the spreadsheet breaks them: whole columns, at the smallest scale
        if used and (used + points) * least > room:
            pages, used = pages + 1, titles
        used += points
    sheet.page_setup.fitToWidth = pages
    sheet.page_setup.pageOrder = "overThenDown"


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
                   merges: Iterable[str] = (), notes: Sequence[str] = (), instructions_title: str = "",
                   notes_heading: str = "", data_rows: Iterable[Sequence[Any]] = ()) -> None:
    """An xlsx with the data sheet (bold header, widths, text columns) and a “说明” sheet describing each column
    (`write_instructions`: `instructions_title`, the columns, `notes_heading` over the `notes`).

    `data_rows` fill the data sheet below the header: an export in the same layout as its template."""
    workbook = ExportWorkbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = title[:31]
    rows = header_rows or [[c.header for c in columns]]
    for row in rows:
        sheet.append(list(row))
    for row_cells in sheet.iter_rows(min_row=1, max_row=len(rows)):
        for cell in row_cells:
            cell.font = BOLD
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
    write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), columns, notes,
                       title=instructions_title or _("%(sheet)s填写说明") % {"sheet": title},
                       notes_heading=notes_heading)
    workbook.save(out)


# The “说明” sheet's columns (列名, 是否必填, 填写规则, 示例): upright on A4 at 100 % (decision 0030's paper).
INSTRUCTION_WIDTHS = (16, 10, 42, 22)


def write_instructions(sheet: Any, columns: Sequence[Column], notes: Sequence[str], *, title: str,
                       notes_heading: str = "") -> None:
    """The “说明” sheet, read from the top: `title`, a boxed table of each column's header, whether it is required,
    its rule and an example, then `notes_heading` over the `notes`, each wrapped across the page. Printed upright on
    A4, the title and the table's headers on every page. A sheet of a streaming workbook as well."""
    print_on_a4(sheet, landscape=False)
    sheet.set_widths(INSTRUCTION_WIDTHS)
    sheet.freeze_panes = "A3"
    _line_across(sheet, title, font=TITLE)  # a long kind's title wraps within the page
    sheet.table_row([_("列名"), _("是否必填"), _("填写规则"), _("示例")], header=True, padded=True)
    for column in columns:
        sheet.table_row([column.header, _("必填") if column.required else _("选填"), str(column.rule), column.example],
                        padded=True)
    if not notes:
        return
    sheet.append([])
    if notes_heading:
        _line_across(sheet, notes_heading, font=BOLD)
    for note in notes:
        _line_across(sheet, str(note))


def _line_across(sheet: Any, text: str, *, font: Font | None = None) -> None:
    """One line of text under a table, merged across its columns and wrapped there, as tall as its lines and the
    margin below them (a one-line note's too, as the table's rows)."""
    scale = (font.sz if font and font.sz else BODY_POINTS) / BODY_POINTS  # a title's 14 pt takes more room
    lines = lines_needed(text, sum(width or DEFAULT_WIDTH for width in sheet.widths) / scale)
    height = lines * LINE_POINTS * scale + ROW_MARGIN_POINTS
    if isinstance(sheet, StreamSheet):
        sheet.append([text], font=font, alignment=WRAP_TOP, height=height)
        row = sheet.rows_written
    else:
        sheet.append([text])
        row = sheet.max_row
        cell = sheet.cell(row=row, column=1)
        cell.alignment = WRAP_TOP
        if font:
            cell.font = font
        sheet.row_dimensions[row].height = height
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(sheet.widths))
