"""Text as XML 1.0 can hold it. A cadre's note pasted with a control character must not stop the files written as
XML (docx, Open311's XML) for everyone else: lxml refuses such text, so the writers drop those characters."""

import re

# Characters XML 1.0 forbids (§2.2): C0 controls other than tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)
