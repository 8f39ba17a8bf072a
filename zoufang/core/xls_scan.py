"""A legacy workbook (.xls) looked over before calamine opens it: the size of its Workbook stream and how far each
sheet reaches, against the limits of the xlsx scan (core.workbook_scan).

An .xls is an OLE2 compound file holding one BIFF8 `Workbook` stream (BIFF5: `Book`). calamine lays a sheet out
as one dense grid up to its last cell record: a 6 KB file holding A1 and IV65536 costs it about 1 GB at once.
So the stream's records are walked here first: each sheet's DIMENSIONS record (the extent the file declares),
its cell records (the extent they really reach), how many there are, which hold an Excel error value (which
calamine reads as blank), and which rows and columns are hidden (calamine does not say). The compound file is
read with olefile, the maintained reader of the format, which checks its sector chains; the BIFF records are the
documented [MS-XLS] layout: a 2-byte type, a 2-byte length, then the record's bytes.
"""

import struct
from io import BytesIO

import olefile

from zoufang.core import workbook_scan
from zoufang.core.workbook_scan import Runs, SheetScan, WorkbookTooLarge, mark_rich

_RECORD = struct.Struct("<HH")
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x0200, 0x002F
# Records holding one cell's value at (row, column) in their first four bytes; MULRK holds several.
_CELLS = {0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x0006, 0x00D6}  # NUMBER LABEL LABELSST RK BOOLERR FORMULA RSTRING
_MULRK = 0x00BD
# ROW: fDyZero (0x20 of the flags at offset 12) marks a hidden row; COLINFO: fHidden (bit 0 of the flags at 8).
_ROW, _COLINFO = 0x0208, 0x007D
# FONT: fStrikeOut (0x08 of the flags at offset 2); XF: its font's index at offset 0 (index 4 is never written, so
# the fifth FONT record is font 5). A cell record's style (XF index) is at offset 4, after its row and column.
_FONT, _XF = 0x0031, 0x00E0
_BOOLERR, _FORMULA = 0x0205, 0x0006
# The shared strings (SST, continued in CONTINUE records) and a cell holding one's index (LABELSST, at offset 6).
# A string in rich text lists its runs: from which character (ich) which font (ifnt) sets it.
_SST, _CONTINUE, _LABELSST = 0x00FC, 0x003C, 0x00FD
# BErr codes [MS-XLS 2.5.10]: calamine reads an error cell as an empty one, so the scan keeps them, as for xlsx.
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
           0x2A: "#N/A"}
_STREAMS = ("Workbook", "Book")  # BIFF8, BIFF5


class NotAWorkbook(Exception):
    """The bytes start like an OLE2 file but hold no readable workbook (damaged, encrypted, or a Word file)."""


class Encrypted(NotAWorkbook):
    """A workbook saved with an open password (打开密码): an .xls whose records are encrypted (FILEPASS), or an
    .xlsx, which Excel and WPS then wrap in an OLE2 file as its EncryptedPackage stream. A sheet or the workbook's
    structure protected (工作表保护, 工作簿保护) encrypts nothing and reads as any other file."""


def scan_xls(data: bytes) -> dict[str, SheetScan]:
    """Each sheet's extent by name; raises WorkbookTooLarge past workbook_scan's MAX_INFLATED or MAX_CELLS (declared or reached)
    and NotAWorkbook for anything that is not a readable, unencrypted workbook."""
    try:
        compound = olefile.OleFileIO(BytesIO(data))
        if compound.exists("EncryptedPackage"):
            raise Encrypted
        name = next((n for n in _STREAMS if compound.exists(n)), None)
        if name is None:
            raise NotAWorkbook
        size = compound.get_size(name)
        if size > workbook_scan.MAX_INFLATED:
            raise WorkbookTooLarge(inflated=workbook_scan.MAX_INFLATED)
        if size > len(data):  # a stream larger than its file reuses sectors: no program writes one
            raise NotAWorkbook
        stream = compound.openstream(name).getbuffer()
    except (WorkbookTooLarge, NotAWorkbook):
        raise
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError … for damaged files
        raise NotAWorkbook from exc
    return _scan_stream(stream, biff8=name == "Workbook")


def _scan_stream(stream: memoryview, *, biff8: bool) -> dict[str, SheetScan]:
    """The globals' BOUNDSHEET records name each sheet and where its records start; each sheet is walked from
    there to its EOF record."""
    sheets: list[tuple[str, int]] = []
    struck_fonts: set[int] = set()
    fonts = 0
    xf_fonts: list[int] = []
    sst: list[memoryview] = []
    previous = 0
    at = 0
    while at + 4 <= len(stream):
        kind, length = _RECORD.unpack_from(stream, at)
        body = stream[at + 4:at + 4 + length]
        if kind == _FILEPASS:
            raise Encrypted  # the records past here cannot be read
        if kind == _SST or (kind == _CONTINUE and previous in (_SST, _CONTINUE) and sst):
            sst.append(body)
            kind = _SST
        elif kind == _BOUNDSHEET and len(body) >= 8:
            sheets.append((_sheet_name(body, biff8), struct.unpack_from("<I", body)[0]))
        elif kind == _FONT and len(body) >= 4:
            if body[2] & 0x08:
                struck_fonts.add(fonts)
            fonts += 2 if fonts == 3 else 1
        elif kind == _XF and len(body) >= 2:
            xf_fonts.append(struct.unpack_from("<H", body)[0])
        at += 4 + length
        previous = kind
        if kind == _EOF:
            break
    struck = frozenset(index for index, font in enumerate(xf_fonts) if font in struck_fonts)
    # No font that strikes, no run that does: the string table is walked only when one does.
    strings = _rich_strings(sst, frozenset(struck_fonts), bool(struck)) if sst and biff8 and struck_fonts else {}
    return {name: _scan_sheet(stream, start, name, struck, strings) for name, start in sheets}


class _Parts:
    """The SST record and its CONTINUE records read as one: where characters run on into the next record, it
    starts with a byte saying whether they are stored in one byte or two."""

    def __init__(self, parts: list[memoryview]) -> None:
        self.parts, self.part, self.at = parts, 0, 0

    def _next(self) -> memoryview:
        self.part, self.at = self.part + 1, 0
        return self.parts[self.part]  # IndexError past the last: the table is cut short

    def take(self, count: int) -> bytes:
        out = b""
        while count:
            part = self.parts[self.part]
            if self.at >= len(part):
                part = self._next()
            piece = bytes(part[self.at:self.at + count])
            self.at, count, out = self.at + len(piece), count - len(piece), out + piece
        return out

    def text(self, count: int, wide: bool) -> str:
        out = []
        while count:
            part = self.parts[self.part]
            if self.at >= len(part):
                part = self._next()
                wide, self.at = bool(part[0] & 1), 1
            width = 2 if wide else 1
            taken = min(count, (len(part) - self.at) // width)
            if not taken:  # an odd byte left at the end of a record: the table is damaged, read on in the next
                self.at = len(part)
                continue
            out.append(bytes(part[self.at:self.at + taken * width]).decode("utf-16-le" if wide else "latin-1"))
            self.at, count = self.at + taken * width, count - taken
        return "".join(out)


def _rich_strings(sst: list[memoryview], struck_fonts: frozenset[int], styles_strike: bool) -> dict[int, Runs]:
    """The shared strings (by index) in rich text whose runs may be struck otherwise than their cell: a run in a
    font that strikes, or (when some cell style strikes) any run. XLUnicodeRichExtendedString [MS-XLS 2.5.293]: the
    count of characters, flags (two-byte characters, runs, phonetic data), the characters, the runs (a character
    index and a font index each), the phonetic data. A table cut short keeps what was read before the cut."""
    found: dict[int, Runs] = {}
    parts = _Parts(sst)
    try:
        unique = struct.unpack("<4xI", parts.take(8))[0]
        for index in range(unique):
            count, flags = struct.unpack("<HB", parts.take(3))
            runs = struct.unpack("<H", parts.take(2))[0] if flags & 0x08 else 0
            extra = struct.unpack("<I", parts.take(4))[0] if flags & 0x04 else 0
            text = parts.text(count, bool(flags & 0x01))
            starts = [struct.unpack_from("<HH", parts.take(4)) for _run in range(runs)]
            parts.take(extra)
            if starts and (styles_strike or any(font in struck_fonts for _at, font in starts)):
                found[index] = _runs(text, starts, struck_fonts)
    except (IndexError, struct.error):
        pass
    return found


def _runs(text: str, starts: list[tuple[int, int]], struck_fonts: frozenset[int]) -> Runs:
    """The string's runs as the xlsx scan has them: the text before the first run in the cell's font (None)."""
    bounds = [(0, None), *((at, font in struck_fonts) for at, font in starts)]
    return tuple((struck, bool(text[at:end].strip()))
                 for (at, struck), (end, _font) in zip(bounds, [*bounds[1:], (len(text), None)], strict=True)
                 if end > at)


def _sheet_name(body: memoryview, biff8: bool) -> str:
    """BoundSheet8's ShortXLUnicodeString (BIFF8: a byte of length, a byte of flags, the characters in Latin-1 or
    UTF-16LE); BIFF5 names are in the file's code page, which for a Chinese office is GBK."""
    count = body[6]
    if not biff8:
        return bytes(body[7:7 + count]).decode("gb18030", "replace")
    if body[7] & 1:
        return bytes(body[8:8 + 2 * count]).decode("utf-16-le", "replace")
    return bytes(body[8:8 + count]).decode("latin-1")


def _scan_sheet(stream: memoryview, start: int, name: str, struck: frozenset[int] = frozenset(),
                strings: dict[int, Runs] | None = None) -> SheetScan:
    scan = SheetScan()
    cells = 0
    at = start
    if at + 4 > len(stream) or _RECORD.unpack_from(stream, at)[0] != _BOF:
        raise NotAWorkbook
    while at + 4 <= len(stream):
        kind, length = _RECORD.unpack_from(stream, at)
        body = at + 4
        at = body + length
        if kind == _EOF:
            break
        if kind in _CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            cells += 1
            if struck and length >= 6 and struct.unpack_from("<H", stream, body + 4)[0] in struck:
                scan.struck.add((row, column))
            if strings and kind == _LABELSST and length >= 10:
                style, string = struct.unpack_from("<HI", stream, body + 4)
                if (runs := strings.get(string)) is not None:
                    mark_rich(scan, (row, column), runs, style in struck)
            code = _error_code(stream, kind, body, length)
            if code is not None:
                scan.errors[(row, column)] = _ERRORS.get(code, "#VALUE!")
        elif kind == _MULRK and length >= 6:
            row, column = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            for offset in range(4, length - 2 if struck else 0, 6):  # an XF index and an RK value per cell
                if struct.unpack_from("<H", stream, body + offset)[0] in struck:
                    scan.struck.add((row, column + (offset - 4) // 6))
            cells += max(last - column + 1, 1)
            column = max(column, last)
        elif kind == _ROW and length >= 16:
            if struct.unpack_from("<H", stream, body + 12)[0] & 0x20:
                scan.hidden_rows.add(struct.unpack_from("<H", stream, body)[0])
            continue
        elif kind == _COLINFO and length >= 10:
            first, last, _width, _style, flags = struct.unpack_from("<5H", stream, body)
            if flags & 1:
                scan.hidden_columns.append((first, last))
            continue
        elif kind == _DIMENSIONS and length >= 10:
            # BIFF8: rows as 4 bytes (first, last + 1), then columns as 2; BIFF5: all four as 2 bytes.
            rows, columns = (struct.unpack_from("<4xI2xH", stream, body) if length >= 14
                             else struct.unpack_from("<2xH2xH", stream, body))
            if rows * columns > workbook_scan.MAX_CELLS:
                raise WorkbookTooLarge(sheet=name, rows=rows, columns=columns)
            continue
        else:
            continue
        scan.rows, scan.columns = max(scan.rows, row + 1), max(scan.columns, column + 1)
        if scan.rows * scan.columns > workbook_scan.MAX_CELLS or cells > workbook_scan.MAX_CELLS:
            raise WorkbookTooLarge(sheet=name, rows=scan.rows, columns=scan.columns)
    return scan


def _error_code(stream: memoryview, kind: int, body: int, length: int) -> int | None:
    """The error a BOOLERR cell holds (fError set), or a FORMULA's saved result when it is an error."""
    if kind == _BOOLERR and length >= 8 and stream[body + 7] == 1:
        return stream[body + 6]
    if kind == _FORMULA and length >= 14 and stream[body + 6] == 2 and stream[body + 12:body + 14] == b"\xff\xff":
        return stream[body + 8]
    return None
