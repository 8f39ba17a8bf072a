"""A person's name with its separator dot written one way (decision 0069).

Uyghur, Tibetan, Hui and other names transliterated into Chinese characters are written with a dot between their
parts. The national standard (the 公安部's ID card, GB 18030) writes U+00B7 MIDDLE DOT: 阿卜杜·热合曼. Clerks' files
carry whatever their input method or the Word document gave them: • ・ ‧ ∙ ⋅ ． . 。 and others. Read as written, one
person is two names, and the second, with an ID number, a rename refused. Every way a person's name comes in (the
imports, the forms, the API) and every search of names passes through `canonical_dots`.

A dot is a separator only between two Chinese characters (spaces around it are dropped): a Latin initial (“A. Smith”,
“A.热合曼”), a leading or trailing dot and a name of Latin letters keep what was written. A space alone is never read
as a separator: offices pad two-character names to align them (“王  文”), and whitespace leaves a Chinese name
(core.tabular.person_name)."""

import re
from collections.abc import Iterable

from django.db.models import Q

MIDDLE_DOT = "\u00b7"
# Every dot met between the parts of a name: the standard's own (a run of two is one separator), • bullet, ・ katakana
# middle dot (Japanese input methods, fonts), ‧ hyphenation point (Taiwanese Big5 files), ∙ bullet operator, ⋅ dot
# operator, ． full-width full stop, . full stop, 。 ideographic full stop, ･ half-width katakana middle dot, ﹒ small
# full stop, · Greek ano teleia (Unicode folds it into U+00B7).
SEPARATOR_DOTS = "\u00b7\u2022\u30fb\u2027\u2219\u22c5\uff0e.\u3002\uff65\ufe52\u0387"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEPARATOR = re.compile(rf"(?<=[{_HAN}])\s*[{re.escape(SEPARATOR_DOTS)}]+\s*(?=[{_HAN}])")
_ANY_DOT = f"[{re.escape(SEPARATOR_DOTS)}]"


def canonical_dots(name: str) -> str:
    """`name` with each dot between two Chinese characters written U+00B7: 阿卜杜•热合曼 → 阿卜杜·热合曼."""
    return _SEPARATOR.sub(MIDDLE_DOT, name)


def dotted(name: str) -> bool:
    """Whether `name` writes a separator otherwise than U+00B7 (an import says how many names it read so)."""
    return any(found.group().strip() != MIDDLE_DOT for found in _SEPARATOR.finditer(name))


def separators_written(names: Iterable[str]) -> list[str]:
    """The dots other than U+00B7 that `names` separate their parts with, in the order first met."""
    found = (found.group().strip()[0] for name in names for found in _SEPARATOR.finditer(name))
    return list(dict.fromkeys(dot for dot in found if dot != MIDDLE_DOT))


def name_contains(field: str, query: str) -> Q:
    """The rows whose `field` holds `query`, a name's dot matching any of the dots: stored names are canonical
    (`canonical_dots`), free text (a case's description) is as the clerk or the caller wrote it."""
    query = canonical_dots(query.strip())
    if MIDDLE_DOT not in query:
        return Q(**{f"{field}__icontains": query})
    pattern = _ANY_DOT.join(re.escape(part) for part in query.split(MIDDLE_DOT))
    return Q(**{f"{field}__iregex": pattern})
