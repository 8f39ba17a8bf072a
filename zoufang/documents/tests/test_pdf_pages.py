"""The 通报 as LibreOffice prints it (soffice --headless → PDF → pdftotext): the 版记 on the last page, an even one
(GB/T 9704-2012 7.4.1, 10), for bodies ending on an odd page, on an even page with room, on a full even page,
and after three pages. Skipped where LibreOffice or poppler is not installed (docs/documents.md)."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from zoufang.documents import content, services
from zoufang.documents.models import Document
from zoufang.documents.tests.test_layout import DAY, LINE

SOFFICE, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdftotext")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (SOFFICE and PDFTOTEXT),
                       reason="LibreOffice (soffice) and poppler (pdftotext) are not installed"),
]
SIGNED = re.compile(r"^\s*2017\s*年\s*6\s*月\s*15\s*日\s*$", re.MULTILINE)
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")


def _issued(town: Any, lines: int, rows: int = 0) -> bytes:
    """A 通报 of `lines` lines of text; with `rows`, a table of that many units in its 附件."""
    office = town.users["office"]
    draft = services.generate_draft(town.campaign, Document.Kind.CIRCULAR, *services.default_period(
        Document.Kind.CIRCULAR, DAY), by=office)
    blocks = [content.table("各单位走访完成情况", ["单位", "应走访", "已走访"],
                            [[f"单位{n}", n, n] for n in range(rows)], number=1)] if rows else []
    draft.sections = [{"key": "progress", "heading": "一、走访进展情况", "text": "\n".join([LINE] * lines),
                       "blocks": blocks}]
    draft.save()
    return services.file_of(services.issue_document(draft, by=office), by=office)


def _pages(town: Any, bodies: dict[str, Any], folder: Path) -> dict[str, list[str]]:
    """Each body's pages as text, converted in one LibreOffice run (a body: its lines, or its lines and rows)."""
    for name, lines in bodies.items():
        (folder / f"{name}.docx").write_bytes(_issued(town, *(lines if isinstance(lines, tuple) else (lines,))))
    subprocess.run([str(SOFFICE), f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), *[str(folder / f"{name}.docx") for name in bodies]],
                   check=True, capture_output=True, timeout=300)
    return {name: subprocess.run([str(PDFTOTEXT), "-layout", str(folder / f"{name}.pdf"), "-"], check=True,
                                 capture_output=True, text=True).stdout.split("\f")[:-1] for name in bodies}


def test_the_record_is_on_the_last_page_and_it_is_even(office_town: Any, tmp_path: Path) -> None:
    issuer = services.issuer_for(office_town.campaign)
    issuer.copy_to = "市走访办，镇纪委"
    issuer.save()
    # The head takes half of page 1; 22 lines a page after it.
    bodies = {"one_page": 3, "two_pages": 15, "two_full_pages": 25, "three_pages": 35}
    printed = _pages(office_town, bodies, tmp_path)
    for name, pages in printed.items():
        record = [n for n, text in enumerate(pages, 1) if "印发" in text]
        assert record == [len(pages)], name
        assert len(pages) % 2 == 0, name
        assert "抄送：" in pages[-1], name
    signed = {name: next(n for n, text in enumerate(pages, 1) if SIGNED.search(text))
              for name, pages in printed.items()}
    numbers = {name: [PAGE_NUMBER.findall(text) for text in pages] for name, pages in printed.items()}
    # Ends on page 1: the 版记 alone at the foot of page 2, numbered.
    assert (signed["one_page"], len(printed["one_page"])) == (1, 2)
    assert numbers["one_page"] == [["1"], ["2"]]
    # Ends on page 2 with room: the 版记 under the text on that page.
    assert (signed["two_pages"], len(printed["two_pages"])) == (2, 2)
    assert "各单位" in printed["two_pages"][-1]
    # Fills page 2: a blank page 3 and the 版记 on page 4, neither numbered (10).
    assert (signed["two_full_pages"], len(printed["two_full_pages"])) == (2, 4)
    assert numbers["two_full_pages"] == [["1"], ["2"], [], []]
    assert not printed["two_full_pages"][2].strip()
    # Ends on page 3: the 版记 alone on page 4.
    assert (signed["three_pages"], len(printed["three_pages"])) == (3, 4)
    assert numbers["three_pages"] == [["1"], ["2"], ["3"], ["4"]]
    assert "各单位" not in printed["three_pages"][-1]


def test_with_an_attachment_the_record_follows_it_on_the_last_page_an_even_one(office_town: Any,
                                                                             tmp_path: Path) -> None:
    """Decision 0023: the tables in a 附件 after the 落款, on a page of its own (7.3.7), the 版记 after it on the
    last page, an even one: a 附件 ending on an odd page (page 3: the 版记 alone on page 4) and on an even one with
    room (45 rows: the 版记 under them on page 4); 80 rows after a longer text, 6 pages."""
    issuer = services.issuer_for(office_town.campaign)
    issuer.copy_to = "市走访办，镇纪委"
    issuer.save()
    bodies = {"short": (3, 5), "one_page": (3, 25), "two_pages": (3, 45), "three_pages": (10, 80)}
    printed = _pages(office_town, bodies, tmp_path)
    for name, pages in printed.items():
        signed = next(n for n, text in enumerate(pages, 1) if SIGNED.search(text))
        attached = next(n for n, text in enumerate(pages, 1) if text.lstrip().startswith("附件\n"))
        assert attached == signed + 1, name  # the 附件 starts the page after the 落款
        assert "附件：走访进度和问题办理情况统计表" in pages[signed - 1], name  # 7.3.4, above the 落款
        last_row = re.compile(rf"单位\s*{bodies[name][1] - 1}\s")
        assert any(last_row.search(text) for text in pages[attached - 1:]), name  # every row printed
        record = [n for n, text in enumerate(pages, 1) if "印发" in text]
        assert record == [len(pages)], name
        assert len(pages) % 2 == 0, name
    assert {name: len(pages) for name, pages in printed.items()} == {"short": 4, "one_page": 4, "two_pages": 4,
                                                                      "three_pages": 6}
    assert re.search(r"单位\s*44\s", printed["two_pages"][-1])  # the 版记 at the foot of the 附件's last page
