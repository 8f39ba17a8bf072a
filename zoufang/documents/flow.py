"""Where the text flow of a generated docx ends: pages and the height used on the last one, measured from the
docx's own XML on the standard's page (gbt9704: 22 exact lines of 28 characters, tables of exact lines, images
of known height). GB/T 9704-2012 7.4.1 puts the 版记 at the foot of the last page and wants that page even; the
renderer asks here whether the flow ends on an even page with room for it (docs/documents.md).

It lays out what zoufang generates, not any docx: characters a fixed width (a Chinese one its size, a digit or
Latin letter half) plus the run's character spacing, lines filled greedily, table rows never split, a paragraph
kept with the next moved whole. Word and LibreOffice break lines a little differently (punctuation that may not
begin a line), so the caller measures a few plausible layouts (LAYOUTS) and keeps a margin.
"""

from dataclasses import dataclass
from typing import Any
from unicodedata import east_asian_width

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm

from zoufang.documents import gbt9704 as page

BLOCK_HEIGHT_PT = Mm(page.PAGE_HEIGHT_MM - page.TOP_MM - page.BOTTOM_MM).pt
BLOCK_WIDTH_PT = Mm(page.BLOCK_WIDTH_MM).pt
BODY_LINE_PT = page.LINE_PITCH_TWIPS / 20
CELL_MARGIN_PT = 5.4  # Word's default left and right cell margins (108 twips), which the figures' tables keep
ROW_RULE_PT = 0.5  # a table row's border
EMU_PER_PT = 12700


@dataclass(frozen=True)
class Layout:
    """One way a renderer may lay the text out: what is not an exact line of text (table rows, images, rules,
    spacing) scaled by `stretch`; a digit or Latin letter `latin_em` of its size (0.5 in the office's fonts,
    about 0.64 in the DejaVu Sans LibreOffice falls back to on a server without them)."""

    stretch: float = 1.0
    latin_em: float = 0.5
    autospace_em: float = 0.0  # added where Chinese meets a digit or Latin letter (LibreOffice ignores autoSpaceDE)


# The layouts the 版记's page is decided over: Word or WPS with the office's fonts (digits half a character, no
# space added around them), and LibreOffice 7.4 on a server without them (DejaVu Sans digits, 0.2 em around).
LAYOUTS = (Layout(0.97, 0.5, 0.0), Layout(1.03, 0.636, 0.2))


@dataclass
class End:
    pages: int  # the page the flow ends on (1 for the first)
    used_pt: float  # the height of the text block filled on that page

    @property
    def room_pt(self) -> float:
        return BLOCK_HEIGHT_PT - self.used_pt


def measure(made: DocxDocument, layout: Layout = Layout()) -> End:
    """The end of the flow of `made`'s body as it stands (anchored boxes take no room in the flow)."""
    flow = _Flow(layout)
    blocks = [child for child in made.element.body if child.tag in (qn("w:p"), qn("w:tbl"))]
    for n, block in enumerate(blocks):
        if block.tag == qn("w:tbl"):
            flow.table(block)
            continue
        if _breaks_page(block) and flow.y > 0:
            flow.page, flow.y = flow.page + 1, 0.0
        lines, before = _paragraph(block, BLOCK_WIDTH_PT, layout)
        flow.lines(lines, before=before, kept=_kept(blocks[n + 1:], layout) if _keeps_with_next(block) else 0.0)
    return End(flow.page, flow.y)


def _kept(following: list[Any], layout: Layout) -> float:
    """The height a paragraph kept with the next needs under its last line: the chain of paragraphs kept with
    their next ones, and the first line (or first two rows) of the first that is not."""
    height = 0.0
    for block in following:
        if block.tag == qn("w:p") and _keeps_with_next(block):
            lines, before = _paragraph(block, BLOCK_WIDTH_PT, layout)
            height += before + sum(lines)
            continue
        return height + _first_height(block, layout)
    return height


class _Flow:
    def __init__(self, layout: Layout) -> None:
        self.page, self.y, self.layout = 1, 0.0, layout

    def _fits(self, height: float) -> bool:
        return self.y == 0 or self.y + height <= BLOCK_HEIGHT_PT + 0.01

    def lines(self, lines: list[float], *, before: float, kept: float) -> None:
        self.y += before if self.y > 0 or self.page == 1 else 0
        for n, height in enumerate(lines):
            last = n == len(lines) - 1
            if not self._fits(height + (kept if last and kept + height <= BLOCK_HEIGHT_PT else 0.0)):
                self.page, self.y = self.page + 1, 0.0
            self.y += height

    def table(self, table: Any) -> None:
        """Rows never split; the header row repeated on a new page; rows kept with the next (the table's last
        ones, render.TAIL_ROWS) moved together."""
        header = 0.0
        rows = table.findall(qn("w:tr"))
        kept = [_row_kept(row) for row in rows]
        heights = [_row_height(row, self.layout) for row in rows]
        for n, (row, height) in enumerate(zip(rows, heights, strict=True)):
            trpr = row.find(qn("w:trPr"))
            if trpr is not None and trpr.find(qn("w:tblHeader")) is not None:
                header += height
            together = height
            if n == 0 or not kept[n - 1]:  # the first of a run of rows kept together: all of them must fit
                last = n
                while last < len(rows) - 1 and kept[last]:
                    last += 1
                together = sum(heights[n:last + 1])
            if not self._fits(together if together <= BLOCK_HEIGHT_PT - header else height):
                self.page, self.y = self.page + 1, header  # the header row repeated on the new page
            self.y += height


def _row_kept(row: Any) -> bool:
    """A row whose text keeps with the next: the row after it goes on the same page (the table's last rows)."""
    return any(_keeps_with_next(paragraph) for paragraph in row.iter(qn("w:p")))


def _breaks_page(paragraph: Any) -> bool:
    ppr = paragraph.find(qn("w:pPr"))
    return ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None


def _keeps_with_next(paragraph: Any) -> bool:
    ppr = paragraph.find(qn("w:pPr"))
    return ppr is not None and ppr.find(qn("w:keepNext")) is not None


def _first_height(block: Any, layout: Layout) -> float:
    if block.tag == qn("w:tbl"):
        rows = block.findall(qn("w:tr"))
        return sum(_row_height(row, layout) for row in rows[:2])
    lines, before = _paragraph(block, BLOCK_WIDTH_PT, layout)
    return before + (lines[0] if lines else 0.0)


def _row_height(row: Any, layout: Layout) -> float:
    tallest = 0.0
    for cell in row.findall(qn("w:tc")):
        width = cell.find(qn("w:tcPr")).find(qn("w:tcW"))
        inner = int(width.get(qn("w:w"))) / 20 - 2 * CELL_MARGIN_PT
        height = 0.0
        for paragraph in cell.findall(qn("w:p")):
            lines, before = _paragraph(paragraph, inner, Layout(1.0, layout.latin_em, layout.autospace_em))
            height += before + sum(lines)
        tallest = max(tallest, height)
    return (tallest + ROW_RULE_PT) * layout.stretch


def _twips(element: Any, name: str) -> float:
    value = element.get(qn(name)) if element is not None else None
    return int(value) / 20 if value is not None else 0.0


def _paragraph(paragraph: Any, width: float, layout: Layout) -> tuple[list[float], float]:
    """The heights of a paragraph's lines (the last with what follows it) and the space before it."""
    ppr = paragraph.find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing")) if ppr is not None else None
    indent = ppr.find(qn("w:ind")) if ppr is not None else None
    left, right = _twips(indent, "w:left"), _twips(indent, "w:right")
    first = _twips(indent, "w:firstLine") - _twips(indent, "w:hanging")
    rule = spacing.get(qn("w:lineRule")) if spacing is not None else None
    line = _twips(spacing, "w:line") if spacing is not None and spacing.get(qn("w:line")) else None
    pictures = [int(extent.get("cy")) / EMU_PER_PT for extent in paragraph.iter(qn("wp:extent")) if extent.getparent().tag == qn("wp:inline")]
    if line is None:
        height = BODY_LINE_PT  # the Normal style's exact line
    elif rule in (None, "exact"):
        height = line
    else:  # single or multiple spacing: an image's own height (a line of type when there is none)
        height = min(max(pictures), BLOCK_HEIGHT_PT) * layout.stretch if pictures else line / 240 * BODY_LINE_PT
    count = _line_count(paragraph, width - left - right, first, layout)
    lines = [height] * count
    borders = ppr.find(qn("w:pBdr")) if ppr is not None else None
    bottom = borders.find(qn("w:bottom")) if borders is not None else None
    if bottom is not None:
        lines[-1] += (int(bottom.get(qn("w:space"), "0")) + int(bottom.get(qn("w:sz"), "0")) / 8) * layout.stretch
    lines[-1] += _twips(spacing, "w:after") * layout.stretch
    return lines, _twips(spacing, "w:before") * layout.stretch


def _line_count(paragraph: Any, width: float, first: float, layout: Layout) -> int:
    """Lines filled greedily, a character at a time (an empty paragraph is one line)."""
    lines, x, available, wide_before = 1, 0.0, width - first, None
    for run in paragraph.findall(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        size = int(rpr.find(qn("w:sz")).get(qn("w:val"))) / 2 if rpr is not None and rpr.find(qn("w:sz")) is not None \
            else page.BODY_PT
        spacing = rpr.find(qn("w:spacing")) if rpr is not None else None
        extra = int(spacing.get(qn("w:val"))) / 20 if spacing is not None else page.CHAR_SPACING_TWIPS / 20
        for text in run.iter(qn("w:t")):
            for character in text.text or "":
                wide = east_asian_width(character) in "WFA"
                advance = (size if wide else size * layout.latin_em) + extra
                if wide_before is not None and wide != wide_before and not character.isspace():
                    advance += size * layout.autospace_em
                if x + advance > available + 0.01:
                    lines, x, available = lines + 1, 0.0, width
                x += advance
                wide_before = wide
    return lines
