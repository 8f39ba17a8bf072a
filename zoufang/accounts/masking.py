"""The one place that masks personal data: (viewer, kind of field, value) → what the viewer may read.

Every presenter, page, API response, export and document passes its personal fields through a `Masker`
built for the viewer. Whether a value shows in full is a property of the viewer's role and the record the
value belongs to (scope.PersonalDataPolicy for a target and what hangs off it, cases.access for a case);
how it is masked is a property of the field's kind:

- ID_NUMBER, PHONE: 320583********5476, 138****1290.
- NAME: 周**.
- FREE_TEXT (a visit's summary, an opinion, an answer, a diary entry): every number that could be a phone,
  an ID or a card is masked, in any spacing, with separators or full-width digits; the names (and
  addresses) the caller knows belong to the record are masked wherever they recur.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from zoufang.accounts.scope import PersonalDataPolicy
from zoufang.registry.identifiers import mask_id_number, mask_phone


class Kind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    FREE_TEXT = "free_text"


# What people type between groups of digits, however many: spaces and line breaks, dashes, dots, slashes, brackets,
# ellipses (138……1234……5678). Characters that show nothing (zero-width spaces and joiners, the soft hyphen, direction
# marks) count too: a number split by them reads whole on the page; so do emoji, their variation selectors and the
# keycap mark (1️⃣). Not ，、：; nor words: 转 (an extension), 至 (a range) and the like end a number.
_INVISIBLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_PICTURES = "\u2600-\u2775\u2794-\u27bf\ufe00-\ufe0f\u20e3\U0001f300-\U0001faff"  # not the dingbat digits ❶➀➊
_SEPARATOR = rf"[\s\u3000\-‐‑‒–—―－_.．·・/／()（）+＋…‥⋯{_INVISIBLE}{_PICTURES}]"
# One character read as one digit: a decimal digit in any script (\d: ASCII, full-width, 𝟏 mathematical), the other
# Unicode digit forms (superscripts ¹, subscripts ₁, circled ①⓵❶➀➊, parenthesised ⑴, with a full stop ⒈ or comma 🄁),
# and the Chinese numerals people read a number out with, one character a digit (幺 and 两 as said on the phone, 〇
# and ○ as typed in years, the financial 壹貳…). 十百千万 are not digits: a number with them is an amount or a count.
_CHINESE_DIGITS = {
    **dict.fromkeys("〇○零", "0"), **dict.fromkeys("一幺壹", "1"), **dict.fromkeys("二两兩贰貳", "2"),
    **dict.fromkeys("三叁參", "3"), **dict.fromkeys("四肆", "4"), **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"), **dict.fromkeys("七柒", "7"), **dict.fromkeys("八捌", "8"), **dict.fromkeys("九玖", "9"),
}
_OTHER_DIGITS = ("\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468"
                 "\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792"
                 "\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a")
_DIGIT = rf"[\d{_OTHER_DIGITS}{''.join(_CHINESE_DIGITS)}]"
_CHECK = "XxＸｘ×"  # an ID's check character, as typed
_ALNUM = rf"[A-Za-zＡ-Ｚａ-ｚ\d{_OTHER_DIGITS}{''.join(_CHINESE_DIGITS)}]"
# Digits of a run this long or longer are a personal number (a local landline has 7).
MIN_DIGITS = 7
# A run of at least MIN_DIGITS digits (shorter ones never reach Python: it runs on every list row), then an ID's
# check character, then a last keycap's marks (0️⃣).
_NUMBER = re.compile(rf"(?<!{_ALNUM}){_DIGIT}(?:{_SEPARATOR}*{_DIGIT}){{{MIN_DIGITS - 1},}}+"
                     rf"(?:{_SEPARATOR}*[{_CHECK}])?[\ufe00-\ufe0f\u20e3]*(?!{_ALNUM})")
# 2017一2018: a lone 一 between Arabic digits is a dash
_GROUP_BREAK = re.compile(rf"{_SEPARATOR}+|(?<=\d)一(?=\d)")  # untranslated: a pattern, not text
CASE_LABEL = "问题"  # how pages write a case's number (cases.models.Case.number): 问题 3F2A91B0
ADDRESS_MASK = "（地址已隐去）"


def _digit(ch: str) -> str | None:
    value = unicodedata.digit(ch, None)
    return str(value) if value is not None else _CHINESE_DIGITS.get(ch)


def _digits(run: str) -> str:
    """The run's digits in ASCII, X for an ID's check character; separators dropped."""
    out = []
    for ch in run:
        digit = _digit(ch)
        if digit is not None:
            out.append(digit)
        elif ch in _CHECK:
            out.append("x" if ch in "xｘ" else "X")
    return "".join(out)


def _day(year: str, month: str, day: str) -> dt.date | None:
    if len(year) != 4 or len(month) > 2 or len(day) > 2:
        return None
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return date if 1900 <= date.year <= 2100 else None


def _leading_day(groups: list[str]) -> tuple[dt.date, int] | None:
    """The date the groups start with (2017 6 15, or 20170615) and how many groups it takes."""
    if groups and len(groups[0]) == 8 and (day := _day(groups[0][:4], groups[0][4:6], groups[0][6:])):
        return day, 1
    if len(groups) >= 3 and (day := _day(*groups[:3])):
        return day, 3
    return None


def _is_year(group: str) -> bool:
    return len(group) == 4 and 1900 <= int(group) <= 2100


def _is_month(group: str) -> bool:
    return len(group) <= 2 and 1 <= int(group) <= 12


def _is_dates(groups: list[str]) -> bool:
    """A date, or a span of dates, months or years as a notice writes it: 2017-06-15, 2017.6.15-2017.6.20,
    2017.6.15-6.20, 2017.6.15-20, 2017.06-2017.09, 2017.06-09, 2016—2017."""
    start = _leading_day(groups)
    if start is not None:
        first, used = start
        rest = groups[used:]
        end = _leading_day(rest)
        if end is not None:
            return end[1] == len(rest) and end[0] >= first
        if len(rest) == 2:
            return (last := _day(str(first.year), *rest)) is not None and last >= first
        if len(rest) == 1:
            return (last := _day(str(first.year), str(first.month), rest[0])) is not None and last > first
        return not rest
    if len(groups) == 2:
        return _is_year(groups[0]) and _is_year(groups[1]) and int(groups[0]) < int(groups[1])
    if len(groups) in (3, 4) and _is_year(groups[0]) and _is_month(groups[1]) and _is_month(groups[-1]):
        return len(groups) == 3 or (_is_year(groups[2]) and [int(g) for g in groups[2:]] > [int(g) for g in groups[:2]])
    return False


def _is_ordinary(run: str, text: str, start: int, end: int) -> bool:
    """Whether a run of 7 or more digits reads as something other than a personal number: dates and spans of them (a
    time's hour may follow: “2017-05-28 22” before the colon of 22:40), an amount with a fraction of a yuan
    (123456.78), a document's year and serial (苏政发(2017)123号), a case's number after its label (问题 20481937)."""
    pieces = [p for p in _GROUP_BREAK.split(run) if p]
    between = _GROUP_BREAK.findall(run)  # between[i] follows pieces[i]
    groups = [_digits(p) for p in pieces]
    if not all(g.isdigit() for g in groups):
        return False
    if _is_dates(groups):
        return True
    hour = len(groups) > 1 and len(groups[-1]) <= 2 and between[len(groups) - 2][-1].isspace()
    if hour and text[end:end + 1] in (":", "：") and _is_dates(groups[:-1]):
        return True
    if len(groups) == 2 and between[0] in (".", "．") and len(groups[0]) <= 6 and len(groups[1]) <= 2:
        return True
    if (len(groups) == 2 and start > 0 and text[start - 1] in "(（" and _is_year(groups[0])
            and between[0].startswith((")", "）")) and len(groups[1]) <= 5):
        return True
    return (len(run) == 8 and run.isascii() and run.isdigit()
            and text[max(start - 3, 0):start].endswith((CASE_LABEL, CASE_LABEL + " ")))


def _personal(match: re.Match[str]) -> str:
    """The digits of a run that is a personal number ("" for one that reads as something ordinary)."""
    run = match.group(0)
    digits = _digits(run)
    if len(digits) < MIN_DIGITS or _is_ordinary(run, match.string, match.start(), match.end()):
        return ""
    return digits


def _mask_number(match: re.Match[str]) -> str:
    digits = _personal(match)
    if not digits:
        return match.group(0)
    if len(digits) in (15, 18) and digits[:-1].isdigit():
        return mask_id_number(digits)
    if len(digits) >= 11:
        return mask_phone(digits)
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]  # a local landline: hide at least half


def mask_name(name: str) -> str:
    """周梅 → 周*; a company or a single character keeps no more than its first character."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


_SHOWS_NOTHING = re.compile(f"[{_INVISIBLE}]+")


def visible(text: str) -> str:
    """`text` without the characters that show nothing: a name split by one (周\u200b梅) reads 周梅 on the page."""
    return _SHOWS_NOTHING.sub("", text)


def compact(text: str) -> str:
    """`text` as compared for a name or an address in it: what shows, without the spaces a clerk may leave inside."""
    return "".join(visible(text).split())


def scrub(text: str, names: Iterable[str] = (), addresses: Iterable[str] = ()) -> str:
    """Free text with every personal number masked, and the given names and addresses wherever they recur (the
    characters that show nothing dropped first, so that none keeps a name or a number from being found).

    “我是周梅，身份证 3205 8319 8102 1554 76，电话１３８－６８８４－１２９０” →
    “我是周*，身份证 320583********5476，电话138****1290”.
    """
    if not text:
        return text
    text = visible(text)
    for address in sorted({a.strip() for a in addresses if a and len(a.strip()) >= 4}, key=len, reverse=True):
        text = text.replace(address, ADDRESS_MASK)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return _NUMBER.sub(_mask_number, text)


def numbers_in(text: str) -> set[str]:
    """The personal numbers `scrub` masks in free text, as they are stored (ASCII digits, an ID's check character
    upper case; a phone after the country code 86 also as dialled at home), to compare with a stored number however
    it was typed: “+86 138-1234-0001”, “１３８ １２３４ ０００１” → 13812340001."""
    found = set()
    for match in _NUMBER.finditer(visible(text or "")):
        digits = _personal(match).upper()
        found.add(digits)
        for code in ("0086", "86"):
            rest = digits[len(code):]
            if digits.startswith(code) and len(rest) in (10, 11) and rest.isdigit():
                found.add(rest if len(rest) == 11 and rest.startswith("1") else "0" + rest)  # a mobile, else a landline
                break
    found.discard("")
    return found


def has_personal_number(text: str) -> bool:
    """Whether free text still carries a number the scrubber would mask."""
    return bool(text) and scrub(text) != visible(text)


class Masker:
    """What one viewer may read of personal fields. Build it once per request: it caches the viewer's scope."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.policy = PersonalDataPolicy(user)
        self._cases: dict[tuple[int, int | None], bool] = {}  # per case and handling unit: asked once, not per field

    def full_for(self, record: Any) -> bool:
        """Whether the viewer reads this record's personal data in full. Unknown records: superuser only."""
        from zoufang.cases.models import Case
        from zoufang.registry.models import Target

        if isinstance(record, Target):
            return self.policy.full_identity(record)
        if isinstance(record, Case):
            from zoufang.cases import access

            key = (record.pk, record.unit_id)
            if key not in self._cases:
                self._cases[key] = access.sees_raiser_in_full(self.user, record)
            return self._cases[key]
        target = getattr(record, "target", None)  # a visit, a form answer's visit, a diary's target
        if isinstance(target, Target):
            return self.policy.full_identity(target)
        return self.policy.superuser

    def show(self, kind: Kind, value: Any, record: Any = None, *, names: Iterable[str] = (),
             full: bool | None = None) -> Any:
        """`value` as the viewer may read it. `full` overrides the record's rule when the caller has decided."""
        if not value or not isinstance(value, str):
            return value
        from zoufang.registry.models import Target

        if full is None and kind == Kind.PHONE and isinstance(record, Target):
            full = self.policy.full_phone(record)  # a target's phone: its visitor reads it too, to arrange the visit
        if full if full is not None else self.full_for(record):
            return value
        return mask(kind, value, names=names)

    def text(self, value: Any, record: Any = None) -> Any:
        return self.show(Kind.FREE_TEXT, value, record)

    def data(self, value: Any, record: Any = None) -> Any:
        """A questionnaire's answers (nested dicts and lists): every string is free text."""
        full = self.full_for(record)
        return _walk(value, lambda s: s if full else scrub(s))


def mask(kind: Kind, value: str, *, names: Iterable[str] = (), addresses: Iterable[str] = ()) -> str:
    """`value` masked for a viewer who may not read it in full."""
    if kind == Kind.ID_NUMBER:
        return mask_id_number(value)
    if kind == Kind.PHONE:
        return mask_phone(value)
    if kind == Kind.NAME:
        return mask_name(value)
    return scrub(value, names, addresses)


def _walk(value: Any, convert: Any) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= MIN_DIGITS:
        shown = convert(str(value))  # a phone number typed into a number question
        return value if shown == str(value) else shown
    if isinstance(value, dict):
        return {key: _walk(item, convert) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, convert) for item in value]
    return value
