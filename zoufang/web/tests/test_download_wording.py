"""A table's workbook is offered by one name on every page: 下载xlsx (全部下载xlsx for all of a page's tables), as
the dashboard, the rows and most lists say it, not 导出 Excel on one page, 下载 xlsx on another and 导出 xlsx on a
third: a clerk looks for the same words."""

import re
from pathlib import Path

import zoufang

ROOT = Path(zoufang.__file__).parent
OTHER_WORDS = re.compile(r"导出 ?Excel|导出 ?xlsx|下载 xlsx")


def test_every_page_offers_a_workbook_as_download_xlsx():
    found = [f"{path.relative_to(ROOT.parent)}: {match.group()}" for path in sorted(ROOT.rglob("*.html"))
             for match in OTHER_WORDS.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
