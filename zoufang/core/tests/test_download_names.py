"""A file the user saves is named in Chinese and percent-encoded: `core.downloads.attachment`, or a header that
quotes its name (the job downloads and the cadre's ledger, which add an ASCII name for old clients)."""

import re
from pathlib import Path

import zoufang

HAND_WRITTEN = re.compile(r"""\[["']Content-Disposition["']\]\s*=\s*(.+)""")


def test_every_download_header_goes_through_one_namer_or_quotes_its_name():
    """A hand-written `filename*=UTF-8''{name}` without quote() sent a Chinese name raw (RFC 6266 asks for it
    percent-encoded), and English stems (audit-…, …-answers, …-dianxing) were what the office saved."""
    root = Path(zoufang.__file__).parent
    unquoted = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = HAND_WRITTEN.search(line)
            if found and not found.group(1).startswith("attachment(") and "quote(" not in line:
                unquoted.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert unquoted == []
