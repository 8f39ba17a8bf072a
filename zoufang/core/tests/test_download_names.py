"""A file the user saves is named in Chinese, percent-encoded, with an ASCII name beside it for the clients that
cannot read it: every download's header comes from `core.downloads.attachment`."""

import re
from pathlib import Path
from urllib.parse import unquote

import zoufang
from zoufang.core.downloads import attachment

HAND_WRITTEN = re.compile(r"""\[["']Content-Disposition["']\]\s*=\s*(.+)""")


def test_every_download_header_goes_through_one_namer():
    """A hand-written `filename*=UTF-8''{name}` without quote() sent a Chinese name raw (RFC 6266 asks for it
    percent-encoded); English stems (audit-…, …-answers, …-dianxing) were what the office saved; the job downloads and
    the cadre's ledger added an ASCII name that the other downloads did not; Django's `as_attachment` writes none."""
    root = Path(zoufang.__file__).parent
    elsewhere = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = HAND_WRITTEN.search(line)
            if (found and not found.group(1).startswith("attachment(")) or "as_attachment=True" in line:
                elsewhere.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert elsewhere == []


def test_a_chinese_name_is_percent_encoded_after_an_ascii_name_with_its_extension():
    header = attachment("锦溪镇 走访台账（2017）.xlsx", fallback="ledger")
    plain, encoded = header.split("; filename*=")
    assert plain == 'attachment; filename="ledger.xlsx"'
    assert encoded.startswith("UTF-8''")
    assert encoded.isascii()
    assert " " not in encoded
    assert unquote(encoded.removeprefix("UTF-8''")) == "锦溪镇 走访台账（2017）.xlsx"


def test_the_ascii_name_keeps_only_safe_characters_and_is_never_empty():
    assert attachment("名单.docx", fallback='a"b/c\\d').startswith('attachment; filename="abcd.docx"; ')
    assert attachment("名单.docx", fallback="名单").startswith('attachment; filename="download.docx"; ')
    assert attachment("名单").startswith('attachment; filename="download"; ')


def test_an_ascii_name_is_sent_once_and_a_quote_in_it_is_encoded():
    assert attachment("plan-2017.xlsx") == 'attachment; filename="plan-2017.xlsx"'
    header = attachment('a"b.xlsx')
    assert header.startswith('attachment; filename="download.xlsx"; ')
    assert unquote(header.split("''")[1]) == 'a"b.xlsx'
