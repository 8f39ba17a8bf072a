"""The phone's visit form shows only words that went through gettext: visits.js holds no Chinese of its own (its
comments aside), and every text it names is one `form_texts` sends."""

import re
from pathlib import Path

from zoufang.visits.form_texts import form_texts

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "visits" / "visits.js"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e]")
COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


def test_the_visit_form_script_holds_no_text_of_its_own():
    code = COMMENTS.sub("", SCRIPT.read_text(encoding="utf-8"))
    assert not [line for line in code.splitlines() if CJK.search(line)]


def test_every_text_the_script_names_is_sent_with_its_placeholders():
    texts = form_texts()
    named = set(re.findall(r"\bT\.(\w+)", SCRIPT.read_text(encoding="utf-8")))
    assert named, "the script reads its words from DATA.texts"
    assert named <= set(texts), named - set(texts)
    filled = dict(re.findall(r"fmt\(T\.(\w+), \{(\w+):", SCRIPT.read_text(encoding="utf-8")))
    for key, name in filled.items():
        assert f"%({name})s" in str(texts[key]), key
