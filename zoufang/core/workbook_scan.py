"""A zipped workbook (xlsx, xlsm) looked over before calamine opens it: how far each sheet's cells reach, which
cells hold Excel error values, and how large the file is once inflated.

calamine lays out a sheet as one dense grid from its first to its last cell: a 5 KB file holding A1 and
XFD1048576 asks it for 17 billion cells, and the allocation failure aborts the whole process (Rust cannot
raise it as a Python exception). A few megabytes of deflate can also inflate to gigabytes of XML. So every
part is inflated here by our own bounded reader (the sizes a zip declares may lie), and each worksheet's cell
references are scanned, before anything else reads the file. calamine also reads an error cell (#N/A, #REF!)
as an empty one; the scan keeps them, so an import can name them instead of taking them for blanks. It keeps
the rows and columns the sheet hides too, which calamine reads like any other.
"""

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from itertools import chain
from xml.etree import ElementTree

# A sheet of 100,000 rows by 50 columns: far beyond a town's or a county's registry, and what a worker can hold.
MAX_CELLS = 5_000_000
# Inflated size of all the parts of a workbook: a 20 MB upload of plain cells inflates to a few hundred MB.
MAX_INFLATED = 512 * 1024 * 1024
_CHUNK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# A row or cell start tag; `<col` and `<cols` do not match.
_TAG = re.compile(rb"<(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]{0,3})(\d*)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
# A cell with a value (not self-closing, not closed at once) whose reference comes first, and one holding an error.
_VALUED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>/]*>(?!</c>)')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*\bt="e"[^>]*>')
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
# A row or a run of columns the user hid (by hand, or rows by an AutoFilter): Excel writes "1", others "true".
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_HIDDEN_ROW = re.compile(rb'<row\b[^>]*\bhidden="(?:1|true)"[^>]*>')
_COLUMN_RUN = re.compile(rb"<col\b([^>]*)>")
_MIN_MAX = re.compile(rb'\b(min|max)="(\d+)"')
# A cell with a value and a style (its index in styles.xml's cellXfs), looked at when some style strikes text through.
_STYLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>/]*?\bs="(\d+)"[^>/]*>(?!</c>)')
_STYLE_ID = re.compile(rb'\bs="(\d+)"')
_STYLES = "xl/styles.xml"
_SHARED_STRINGS = "xl/sharedstrings.xml"  # compared lower-cased: some writers capitalise it
# Rich text: a shared string item, and a cell holding a shared string's index or an inline string of its own.
_STRING_ITEM = re.compile(rb"<si\b[^>]*?(?:/>|>.*?</si>)", re.S)
_ITEM_START = re.compile(rb"<si[\s/>]")
_SHARED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>/]*\bt="s"[^>/]*)>\s*<v>(\d+)</v>')
_INLINE_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>/]*\bt="inlineStr"[^>/]*)>\s*(<is>.*?</is>)', re.S)
_SHARED_VALUE = re.compile(rb"\s*<v>(\d+)</v>")
_INLINE_VALUE = re.compile(rb"\s*(<is>.*?</is>)", re.S)
_OFF = ("0", "false")
# A formula whose result was not saved (a file written by a program, not by Excel or WPS): calamine reads a blank.
_FORMULA_ONLY = re.compile(rb"\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>")
_UNCOMPUTED = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>/]*>' + _FORMULA_ONLY.pattern)
_LONGEST_CELL = 16 * 1024 * 1024
_ERROR_VALUE = re.compile(rb"\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?\s*<v>([^<]*)</v>")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/package/2006/relationships"}
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


# A rich text's runs: whether each strikes its text through (None: no properties of its own, the cell's font's)
# and whether it holds any text but white space.
Runs = tuple[tuple[bool | None, bool], ...]


@dataclass(frozen=True)
class _Strikes:
    """What the workbook strikes through: cell styles (indexes into cellXfs), and shared strings' rich text runs
    (by the string's index), kept only where a run may differ from its cell's font."""

    styles: frozenset[int] = frozenset()
    strings: dict[int, Runs] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.styles or self.strings)

    def style_strikes(self, attributes: bytes) -> bool:
        """Whether the style of a cell with these attributes (`s="5"`) strikes its text through."""
        style = _STYLE_ID.search(attributes)
        return style is not None and int(style.group(1)) in self.styles


class WorkbookTooLarge(Exception):
    """The workbook would take more memory to read than an import may use; `str()` says which limit, in figures."""

    def __init__(self, *, sheet: str = "", rows: int = 0, columns: int = 0, inflated: int = 0) -> None:
        super().__init__(sheet, rows, columns, inflated)
        self.sheet, self.rows, self.columns, self.inflated = sheet, rows, columns, inflated


class OpenDocument(Exception):
    """An OpenDocument spreadsheet (.ods): its repeated rows and columns would need a reader of their own to bound,
    so it is refused and the user asked to save it as xlsx."""


class NotAZip(Exception):
    """The bytes start like a zip but are not a readable one (truncated, damaged, or another format)."""


@dataclass
class SheetScan:
    """What a worksheet's XML holds: its extent (1-based last row and column with a value) and its error cells."""

    rows: int = 0
    columns: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 0-based → “#N/A”
    uncomputed: set[tuple[int, int]] = field(default_factory=set)  # formulas saved without their result
    hidden_rows: set[int] = field(default_factory=set)  # 0-based rows hidden by hand or by a filter
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)  # 0-based first and last of each hidden run
    struck: set[tuple[int, int]] = field(default_factory=set)  # cells whose text is struck through: 划掉, void
    partly_struck: set[tuple[int, int]] = field(default_factory=set)  # rich text with some runs struck, some not

    def column_hidden(self, column: int) -> bool:
        return any(first <= column <= last for first, last in self.hidden_columns)


def scan_workbook(data: bytes) -> dict[str, SheetScan]:
    """Each worksheet's scan by sheet name; raises WorkbookTooLarge past MAX_INFLATED or MAX_CELLS, OpenDocument for
    an .ods, NotAZip for anything unreadable."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise NotAZip from exc
    names = {info.filename for info in infos}
    if "content.xml" in names and "xl/workbook.xml" not in names:
        raise OpenDocument
    budget = [MAX_INFLATED]
    parts: dict[str, bytes] = {}
    scans: dict[str, SheetScan] = {}
    # Read first, as the sheets refer to them: the styles, and the shared strings (which Excel writes after the sheets).
    styles = next((info for info in infos if info.filename == _STYLES), None)
    struck = _struck_styles(b"".join(_inflate(data, styles, budget))) if styles is not None else frozenset()
    shared = next((info for info in infos if info.filename.lower() == _SHARED_STRINGS), None)
    strikes = _Strikes(struck, _rich_strings(_inflate(data, shared, budget), bool(struck)) if shared else {})
    for info in infos:
        if info in (styles, shared):
            continue
        if _WORKSHEET.match(info.filename):
            try:
                scans[info.filename] = _scan_sheet(_inflate(data, info, budget), info.filename, strikes)
            except WorkbookTooLarge as refused:  # named as on its tab, not as the part (xl/worksheets/sheet1.xml)
                if not refused.sheet or refused.inflated:
                    raise
                name = _names_of(data, infos, budget).get(refused.sheet) or refused.sheet
                raise WorkbookTooLarge(sheet=name, rows=refused.rows, columns=refused.columns) from refused
        elif info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            parts[info.filename] = b"".join(_inflate(data, info, budget))
        else:
            for _chunk in _inflate(data, info, budget):
                pass
    sheets = _sheet_names(parts)
    return {sheets.get(part, part): scan for part, scan in scans.items()}


def _names_of(data: bytes, infos: list[zipfile.ZipInfo], budget: list[int]) -> dict[str, str]:
    """The sheets' names, read out of order (a worksheet refused before the workbook part came in the zip)."""
    wanted = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    try:
        return _sheet_names({info.filename: b"".join(_inflate(data, info, budget))
                             for info in infos if info.filename in wanted})
    except WorkbookTooLarge:
        return {}


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: list[int]) -> Iterator[bytes]:
    """The part's bytes as they really inflate, whatever sizes the zip declares; charged to the shared `budget`."""
    try:
        header = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    except struct.error as exc:
        raise NotAZip from exc
    if header[0] != b"PK\x03\x04":
        raise NotAZip
    start = info.header_offset + _LOCAL_HEADER.size + header[-2] + header[-1]
    compressed = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        chunks: Iterator[bytes] = (bytes(compressed[at:at + _CHUNK]) for at in range(0, len(compressed), _CHUNK))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _deflated(compressed)
    else:
        raise NotAZip
    for chunk in chunks:
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise WorkbookTooLarge(inflated=MAX_INFLATED)
        yield chunk


def _deflated(compressed: memoryview) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for at in range(0, len(compressed), _CHUNK // 16):
            pending = bytes(compressed[at:at + _CHUNK // 16])
            while pending:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                yield chunk
            if inflater.eof:
                return
        yield inflater.flush()
    except zlib.error as exc:
        raise NotAZip from exc


def _scan_sheet(chunks: Iterator[bytes], part: str, struck: _Strikes = _Strikes()) -> SheetScan:
    """The extent and error cells of one worksheet, read a chunk at a time (each cut after a whole cell or row)."""
    scan = SheetScan()
    at = (0, 0)  # the row and column of the last tag read, for a cell written without its reference
    tail = b""
    for chunk in chunks:
        buffer = tail + chunk
        cut = max(buffer.rfind(b"</c>") + 4, buffer.rfind(b"</row>") + 6)
        if cut < 6 and len(buffer) > _LONGEST_CELL:  # no cell ends in megabytes of text: read on past it
            cut = len(buffer) - 1024
        body, tail = buffer[:cut], buffer[cut:]
        at = _scan_body(body, scan, at, part, struck)
    _scan_body(tail, scan, at, part, struck)
    return scan


def _scan_body(body: bytes, scan: SheetScan, at: tuple[int, int], part: str, struck: _Strikes) -> tuple[int, int]:
    """Cells written with their reference first (Excel, WPS, LibreOffice, openpyxl) by one regular expression;
    any other writing tag by tag."""
    if b"<col " in body:
        _scan_columns(body, scan)
    if body.count(b"<c ") + body.count(b"<c>") != body.count(b'<c r="'):
        return _scan_tags(body, scan, at, part, struck)
    cells = _VALUED_CELL.findall(body)
    if cells:
        last_column = max({letters for letters, _row in cells}, key=lambda letters: (len(letters), letters))
        _extend(scan, max(int(number) for _letters, number in cells), _column_number(last_column), part)
    for error in _ERROR_CELL.finditer(body) if b't="e"' in body else ():
        value = _ERROR_VALUE.match(body, error.end())
        scan.errors[(int(error.group(2)) - 1, _column_number(error.group(1)) - 1)] = (
            value.group(1).decode("ascii", "replace") if value else "#VALUE!")
    for formula in _UNCOMPUTED.finditer(body) if b"<f" in body else ():
        scan.uncomputed.add((int(formula.group(2)) - 1, _column_number(formula.group(1)) - 1))
    for tag in _HIDDEN_ROW.finditer(body) if b"hidden=" in body else ():
        ref = _REF.search(tag.group(0))
        if ref and ref.group(2):
            scan.hidden_rows.add(int(ref.group(2)) - 1)
    for styled in _STYLED_CELL.finditer(body) if struck.styles else ():
        if int(styled.group(3)) in struck.styles:
            scan.struck.add((int(styled.group(2)) - 1, _column_number(styled.group(1)) - 1))
    for rich, runs in _rich_cells(body, struck):
        mark_rich(scan, (int(rich.group(2)) - 1, _column_number(rich.group(1)) - 1), runs,
                  struck.style_strikes(rich.group(3)))
    row, cell = _ROW_NUMBER.match(body, max(body.rfind(b"<row "), 0)), _REF.match(body, body.rfind(b'<c r="') + 3)
    return (int(row.group(1)) if row else at[0], _column_number(cell.group(1)) if cell else at[1])


def _scan_tags(body: bytes, scan: SheetScan, at: tuple[int, int], part: str, struck: _Strikes) -> tuple[int, int]:
    """Tag by tag: a row or cell tag without `r` is the one after the previous, as Excel and calamine read it."""
    row, column = at
    for tag in _TAG.finditer(body):
        kind, attributes = tag.group(1), tag.group(2)
        ref = _REF.search(attributes)
        if kind == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            column = 0
            if _HIDDEN.search(attributes):
                scan.hidden_rows.add(row - 1)
            continue
        if ref and ref.group(1):
            column = _column_number(ref.group(1))
            row = int(ref.group(2)) if ref.group(2) else row
        else:
            column += 1
        if attributes.endswith(b"/") or body.startswith(b"</c>", tag.end()):
            continue  # a styled cell without a value: calamine leaves it out
        _extend(scan, row, column, part)
        if struck.styles and (style := _STYLE_ID.search(attributes)) and int(style.group(1)) in struck.styles:
            scan.struck.add((row - 1, column - 1))
        if runs := _tag_runs(body, tag.end(), attributes, struck):
            mark_rich(scan, (row - 1, column - 1), runs, struck.style_strikes(attributes))
        if _FORMULA_ONLY.match(body, tag.end()):
            scan.uncomputed.add((row - 1, column - 1))
        if _ERROR_TYPE.search(attributes):
            value = _ERROR_VALUE.match(body, tag.end())
            scan.errors[(row - 1, column - 1)] = value.group(1).decode("ascii", "replace") if value else "#VALUE!"
    return row, column


def _scan_columns(body: bytes, scan: SheetScan) -> None:
    """The runs of columns the sheet hides (`<col min="4" max="4" hidden="1"/>`), 0-based."""
    for run in _COLUMN_RUN.finditer(body):
        attributes = run.group(1)
        bounds = {name: int(number) for name, number in _MIN_MAX.findall(attributes)}
        if _HIDDEN.search(attributes) and b"min" in bounds:
            scan.hidden_columns.append((bounds[b"min"] - 1, bounds.get(b"max", bounds[b"min"]) - 1))


def _extend(scan: SheetScan, row: int, column: int, part: str) -> None:
    scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
    if scan.rows * scan.columns > MAX_CELLS:
        raise WorkbookTooLarge(sheet=part, rows=scan.rows, columns=scan.columns)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _struck_styles(styles: bytes) -> frozenset[int]:
    """The cell styles (indexes into cellXfs) whose font strikes the text through: an office's way to void a line."""
    if b"<strike" not in styles:
        return frozenset()
    try:
        root = ElementTree.fromstring(styles)  # noqa: S314 - inflated within the budget
    except ElementTree.ParseError:
        return frozenset()
    fonts = {index for index, font in enumerate(root.iterfind("m:fonts/m:font", _NS))
             if (strike := font.find("m:strike", _NS)) is not None and strike.get("val", "1") not in ("0", "false")}
    return frozenset(index for index, xf in enumerate(root.iterfind("m:cellXfs/m:xf", _NS))
                     if int(xf.get("fontId", "0")) in fonts)


def _rich_strings(chunks: Iterator[bytes], styles_strike: bool) -> dict[int, Runs]:
    """The shared strings (by index) in rich text whose runs may be struck otherwise than their cell: a run struck
    through, or (when some cell style strikes) a run with a font of its own. Read a chunk at a time, each cut after
    a whole item; an item is parsed only in a chunk that holds rich text at all."""
    found: dict[int, Runs] = {}
    index = 0
    tail = b""
    for chunk in chain(chunks, (b"",)):
        buffer = tail + chunk
        end = buffer.rfind(b"</si>")
        cut = len(buffer) if not chunk else end + 5 if end >= 0 else 0
        body, tail = buffer[:cut], buffer[cut:]
        if b"<rPr" not in body:
            index += len(_ITEM_START.findall(body))
            continue
        for item in _STRING_ITEM.finditer(body):
            text = item.group(0)
            if b"<rPr" in text and (b"<strike" in text or styles_strike) and (runs := _runs(text)) is not None:
                found[index] = runs
            index += 1
    return found


def _runs(item: bytes) -> Runs | None:
    """A rich text's runs (`<si>` or `<is>` holding `<r>` elements); None for plain text or XML that does not parse."""
    try:
        element = ElementTree.fromstring(item)  # noqa: S314 - one string item, inflated within the budget
    except ElementTree.ParseError:
        return None
    runs = []
    for run in element.iterfind("r"):  # not rPh: the phonetic guide above East Asian text is not the cell's text
        properties = run.find("rPr")
        strike = None if properties is None else properties.find("strike")
        struck = None if properties is None else strike is not None and strike.get("val", "1") not in _OFF
        runs.append((struck, bool("".join(run.itertext()).strip())))
    return tuple(runs) or None


def _rich_cells(body: bytes, struck: _Strikes) -> Iterator[tuple[re.Match[bytes], Runs]]:
    """The cells written with their reference first that hold rich text, shared or inline, with its runs."""
    for cell in _SHARED_CELL.finditer(body) if struck.strings else ():
        if (runs := struck.strings.get(int(cell.group(4)))) is not None:
            yield cell, runs
    for cell in _INLINE_CELL.finditer(body) if b"<rPr" in body else ():
        if (runs := _runs(cell.group(4))) is not None:
            yield cell, runs


def _tag_runs(body: bytes, end: int, attributes: bytes, struck: _Strikes) -> Runs | None:
    """The rich text runs of a cell read tag by tag (its tag ends at `end`), shared or inline."""
    if b't="s"' in attributes and struck.strings and (value := _SHARED_VALUE.match(body, end)):
        return struck.strings.get(int(value.group(1)))
    if b't="inlineStr"' in attributes and (inline := _INLINE_VALUE.match(body, end)) and b"<rPr" in inline.group(1):
        return _runs(inline.group(1))
    return None


def mark_rich(scan: SheetScan, cell: tuple[int, int], runs: Runs, cell_struck: bool) -> None:
    """A rich text cell is struck as its runs with text are: all of them (as a cell struck whole), some of them
    (`partly_struck`), or none (whatever its cell style says: every run sets its own font). A run without a font
    of its own has the cell's, which strikes when `cell_struck`."""
    marks = [cell_struck if own is None else own for own, has_text in runs if has_text]
    scan.struck.discard(cell)
    if marks and all(marks):
        scan.struck.add(cell)
    elif any(marks):
        scan.partly_struck.add(cell)


def _sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Worksheet part → the sheet's name as the user sees it on its tab."""
    try:
        workbook = ElementTree.fromstring(parts["xl/workbook.xml"])  # noqa: S314 - inflated within the budget
        relations = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations.findall("r:Relationship", _NS)}
    names: dict[str, str] = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(_REL_ID), "").lstrip("/")
        names[target if target.startswith("xl/") else f"xl/{target}"] = sheet.get("name", "")
    return names
