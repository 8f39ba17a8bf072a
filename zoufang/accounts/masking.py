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


# What people type between groups of digits; \d matches a decimal digit in any script (full-width ０-９ too).
# Characters that show nothing (zero-width spaces and joiners, the soft hyphen, direction marks) count too: a
# number split by them reads whole on the page.
_INVISIBLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_SEPARATOR = rf"[\s\u3000\-‐‑‒–—―－_.．·・/／()（）+＋{_INVISIBLE}]"
_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])(?:\d(?:{_SEPARATOR}{{0,3}}\d)*+)(?:{_SEPARATOR}{{0,3}}[XxＸｘ])?"
    rf"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
)
# Digits of a run this long or longer are a personal number (a local landline has 7).
MIN_DIGITS = 7
ADDRESS_MASK = "（地址已隐去）"


def _digits(run: str) -> str:
    """The run's digits in ASCII, X for an ID's check character; separators dropped."""
    out = []
    for ch in run:
        value = unicodedata.decimal(ch, None)
        if value is not None:
            out.append(str(value))
        elif ch in "XxＸｘ":
            out.append("x" if ch in "xｘ" else "X")
    return "".join(out)


def _is_date(run: str, digits: str, hour_follows: bool = False) -> bool:
    """2017-06-15, 2017.6.15, 20170615: a date is not a personal number; nor is one with the hour of a time after
    it (2017-05-28 22:40 reads as the run “2017-05-28 22” before the colon)."""
    parts = [p for p in re.split(_SEPARATOR, run) if p]
    if hour_follows and len(parts) in (2, 4) and len(_digits(parts[-1])) <= 2 and run[-len(parts[-1]) - 1].isspace():
        parts = parts[:-1]
        digits = "".join(_digits(p) for p in parts)
    if len(parts) == 3:
        numbers = [_digits(p) for p in parts]
    elif len(parts) == 1 and len(digits) == 8:
        numbers = [digits[:4], digits[4:6], digits[6:]]
    else:
        return False
    if not all(n.isdigit() for n in numbers) or len(numbers[0]) != 4:
        return False
    try:
        day = dt.date(int(numbers[0]), int(numbers[1]), int(numbers[2]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2100


def _mask_number(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = _digits(run)
    if len(digits) < MIN_DIGITS or _is_date(run, digits, match.string[match.end():match.end() + 1] in ":："):
        return run
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
