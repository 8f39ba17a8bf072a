"""The audit export as LibreOffice prints it (soffice --headless → PDF → pdftotext -bbox): every row on paper with
its cells' whole text, no row's last line cut, and rows not much taller than their printed text. Rows are found
by the 序号 in the first column; a row's words are those starting between its 序号 and the next. Skipped where
LibreOffice Calc or poppler is not installed (make browser)."""

import collections
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.accounts import audit
from zoufang.accounts.audit_export import write_export
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator, ensure_user
from zoufang.conftest import PASSWORD
from zoufang.core.sheetwriter import MARGINS
from zoufang.core.tests.libreoffice import bbox, fonts, needs_calc, printed

pytestmark = [pytest.mark.django_db, needs_calc]
FOOTER_POINTS = 45.0  # the page number, in the 0.6 in bottom margin
# A row whose last line is cut by a quarter of its height shows its text's box 3 pt or more past where the next row's
# text starts (measured: 397 of 500 rows of the demo's export before the estimate changed); a row that holds its
# text, -1.4 pt at worst (the box's descent reaches below the grid line a little).
CUT_POINTS = -2.0
# Rows' heights over their printed text's, at most, in all: the estimate counts a Chinese character as Excel spaces
# it (2.15 units). LibreOffice printing in Calibri's metrics (Calibri, or its twin Carlito) spaces it in 1.98: 15 %.
# Where DejaVu Sans stands in for Calibri, in 1.57: a long Chinese text's row keeps up to 37 % blank, 40 % with the
# rounding to whole lines (docs/printing.md).
TALLER = {"calibri": 1.15, "fallback": 1.4}
LINE_ROOM = 4.0  # points from one line's text box to the next row's first line when a row fits exactly
PAGE_BOTTOM = 595.3 - MARGINS.bottom * 72  # A4 across, in points


@dataclass
class Row:
    number: int
    top: float
    words: list[tuple[float, float, str]] = field(default_factory=list)  # yMin, yMax, text
    next_top: float | None = None  # the next row's first line on the same page

    def text_bottom(self) -> float:
        return max(bottom for _top, bottom, _text in self.words)


def _printed(pdf: Path, title: str) -> tuple[int, list[Row]]:
    """The pages of the sheet titled `title` and its rows, as pdftotext finds them."""
    count, rows = 0, []
    for page in bbox(pdf).iter("page"):
        words = [(float(w.get("xMin", 0)), float(w.get("yMin", 0)), float(w.get("xMax", 0)), float(w.get("yMax", 0)),
                  w.text or "") for w in page.iter("word")]
        words = [w for w in words if w[1] < float(page.get("height", 0)) - FOOTER_POINTS]
        if not words or min(words, key=lambda w: (w[1], w[0]))[4] != title:
            continue
        count += 1
        second = next(w for w in words if w[4] == "时间")  # the first column's 序号 are left of the second's header
        starts = sorted((w[1], int(w[4])) for w in words if w[2] < second[0] and re.fullmatch(r"\d+", w[4]))
        for i, (top, number) in enumerate(starts):
            following = starts[i + 1][0] if i + 1 < len(starts) else None
            rows.append(Row(number, top, [(w[1], w[3], w[4]) for w in words
                                          if top - 1 <= w[1] < (following or math.inf) - 1], following))
    return count, rows


def _characters(text: str) -> collections.Counter[str]:
    return collections.Counter(re.sub(r"\s", "", text))


@pytest.fixture
def auditadmin(town: Any) -> Any:
    return ensure_administrator("auditadmin", PASSWORD, full_name="审计管理员", role=RoleGrant.Role.AUDIT_ADMIN)


@pytest.fixture
def events(town: Any, auditadmin: Any) -> int:
    """Audit rows of every shape the export prints: long office names with their pinyin accounts in brackets, long
    summaries, several changes a row (line breaks), short ones; 48 updates besides the accounts' own rows."""
    actors = [ensure_user(username, PASSWORD, full_name=name, role=RoleGrant.Role.OFFICE, region=town.town)
              for username, name in [("zhouzhuang_sheshi", "周庄镇社会事业局承办人"), ("office2", "锦溪镇走访办"),
                                     ("li_xiaoming", "李小明")]]
    targets = [*town.households["shangxiatang"], *town.households["jijiadun"]]
    for n in range(16):
        for actor, target in zip(actors, targets, strict=False):
            changes = {"address": [f"吉家墩村第{n}组{n}号", f"吉家墩村第{n + 1}村民小组第{n + 1}网格{n}号"]}
            if n % 2:
                changes["phone"] = ["13912345678", "13812345678"]
                changes["note"] = ["", "入户走访，了解家庭生产生活情况，宣传惠民政策，征求对村务工作的意见建议。" * (n % 3)]
            audit.record(actor, AuditEvent.Action.UPDATE, target, summary="修改走访对象信息：" + "地址、电话、备注" * (n % 4),
                         changes=changes)
    return AuditEvent.objects.count()


def test_the_audit_export_prints_every_line_of_every_row_and_no_more(auditadmin: Any, events: int,
                                                                    tmp_path: Path) -> None:
    out = io.BytesIO()
    chosen = AuditEvent.objects.select_related("actor").order_by("-seq", "-id")
    write_export(out, auditadmin, chosen, total=events, filters="")
    pdf = printed(out.getvalue(), tmp_path, "audit")
    taller = TALLER["calibri" if re.search(r"Calibri|Carlito", fonts(pdf)) else "fallback"]
    book = load_workbook(io.BytesIO(out.getvalue()))
    for title in ("审计记录", "编号与校验值"):
        expected = {row[0]: "".join(str(value) for value in row if value is not None)
                    for row in book[title].iter_rows(min_row=4, values_only=True) if row[0]}
        pages, rows = _printed(pdf, title)
        assert len(expected) == events
        assert sorted(row.number for row in rows) == sorted(expected), title
        for row in rows:
            shown = " ".join(text for _top, _bottom, text in row.words)
            assert _characters(shown) == _characters(expected[row.number]), (title, row.number, shown)
        followed = [row for row in rows if row.next_top is not None]
        assert len(followed) >= len(rows) - pages  # every row but a page's last is measured against the next
        cut = [(row.number, round(row.next_top - row.text_bottom(), 1)) for row in followed
               if row.next_top - row.text_bottom() < CUT_POINTS]  # type: ignore[operator]
        assert not cut, title
        heights = sum(row.next_top - row.top for row in followed)  # type: ignore[operator]
        needed = sum(row.text_bottom() - row.top + LINE_ROOM for row in followed)
        assert heights <= taller * needed, (title, heights / needed)
        # And so the pages: 14 where rows as tall as their text would take 13 (Carlito), 11 for 9 (DejaVu Sans).
        assert pages <= math.ceil(taller * _tight_pages(rows)), title


def _tight_pages(rows: list[Row]) -> int:
    """The pages the rows would take were each exactly as tall as its printed text (and the room to the next row's
    first line): filled in order, a row never split, down to the sheet's bottom margin."""
    body = PAGE_BOTTOM - min(row.top for row in rows)
    pages, used = 1, 0.0
    for row in rows:
        need = row.text_bottom() - row.top + LINE_ROOM
        if used and used + need > body:
            pages, used = pages + 1, 0.0
        used += need
    return pages
