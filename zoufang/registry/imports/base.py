"""The pieces every import kind shares: the spec, the context, the outcome, the report, cell parsing."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from zoufang.core.table_reading import SheetReading
from zoufang.core.tabular import Column, RowError, SheetRow, compact
from zoufang.registry.imports.area import ImportArea
from zoufang.registry.unitnames import UnitNames

_TRUE = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔", "☑", "重点"}
_FALSE = {"否", "N", "NO", "FALSE", "0", "×", "✗", "✘", "☐", "非重点"}


@dataclass
class Outcome:
    """What an import would do: counts, and the function that does it (run inside a transaction)."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    write: Callable[[], None] | None = None
    positioned: bool = False  # `write` gives its targets their gazetteer positions: no town-wide pass after it


@dataclass
class Change:
    """A stored record an import changes or deletes: its row, how the file names it, each field's old and new value.

    The one account of it: the report lists it and the audit trail records it (runner._audit_changes), so what the
    office was shown and what the trail holds are the same. Values are as shown, ID and phone numbers masked."""

    row: int
    key: str  # how the file names it, masked: 身份证号码320583********1232
    fields: list[tuple[str, str, str]]  # (column, stored value, value in the file)
    obj: Any = field(default=None, repr=False, compare=False)
    renamed: bool = False  # its name, village or kind changed: what only an update import may do (guard_identity)
    deleted: bool = False  # gone from the file it was stored from (a fixed quota's row)
    covered: set[str] = field(default_factory=set, repr=False, compare=False)  # model fields `fields` already say

    def __str__(self) -> str:
        parts = "；".join(_("%(column)s“%(old)s”→“%(new)s”") % {"column": column, "old": old, "new": new}
                         for column, old, new in self.fields)
        if self.deleted:
            return _("原第%(row)d行 %(key)s：已不在表中，删除（%(parts)s）") % {
                "row": self.row, "key": self.key, "parts": parts}
        return _("第%(row)d行 %(key)s：%(parts)s") % {"row": self.row, "key": self.key, "parts": parts}


@dataclass
class ImportContext(SheetReading):
    """Everything a kind needs besides the rows (the sheet, errors and notes: `SheetReading`): campaign, acting user,
    flags and the progress callback."""

    kind: str
    campaign: Any = None
    by: Any = None
    mark_demo: bool = False
    progress: Callable[[int, int], None] | None = None
    source_label: str | None = None
    filename: str | None = None
    update: bool = False  # known keys may change name, village or kind (as well as their other fields)
    changes: list[Change] = field(default_factory=list)  # one per stored record changed or deleted
    changed: dict[int, Change] = field(default_factory=dict, repr=False)  # the same by id() of the record
    # Foreign keys a change names, to read by name in one query per model: (change, field's place, model, old, new).
    unnamed: list[tuple[Change, int, Any, Any, Any]] = field(default_factory=list, repr=False)
    dotted_names: dict[str, str] = field(default_factory=dict)  # names written with another dot: as read, by cell

    def change_of(self, obj: Any, row: int, key: str) -> Change:
        """The change this import makes to the stored `obj`: one per record, whatever found it changed first."""
        change = self.changed.get(id(obj))
        if change is None:
            change = self.changed[id(obj)] = Change(row, key, [], obj)
            self.changes.append(change)
        return change

    def tick(self, done: int, total: int) -> None:
        if self.progress is not None and (done % 200 == 0 or done == total):
            self.progress(done, total)

    @cached_property
    def area(self) -> ImportArea:
        """What this import's user may create, change or name (registry.imports.area)."""
        return ImportArea.of(self.by)

    def unit_names(self, key: Callable[[str], str] = compact) -> UnitNames:
        """The units a row may name, by name, within the campaign's scope when there is one (decision 0032)."""
        return self.area.unit_names(self.campaign.scope if self.campaign is not None else None, key)

    @property
    def user(self) -> Any:
        """The acting user when it can be stored in created_by/modified_by."""
        return self.by if getattr(self.by, "is_authenticated", False) else None


@dataclass(frozen=True)
class ImportSpec:
    """One import kind: its name, its columns (for headers and the template) and how it prepares an outcome."""

    kind: str
    label: str | Promise
    columns: tuple[Column, ...]
    prepare: Callable[[ImportContext, list[SheetRow]], Outcome]
    model: str = "registry.Target"  # the audit trail's object type
    needs_campaign: bool = False
    header_rows: tuple[tuple[str, ...], ...] | None = None
    merges: tuple[str, ...] = ()
    notes: tuple[str | Promise, ...] = ()


@dataclass
class ImportReport:
    """The result of one import: counts and every error; nothing was written unless `ok` and not `dry_run`."""

    kind: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    deleted: int = 0
    update: bool = False
    notes: list[str] = field(default_factory=list)  # things the user should know even on success
    changes: list[Change] = field(default_factory=list)  # every stored record changed or deleted, by row

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = _("共%(total)d行：新增%(created)d，更新%(updated)d，未变%(unchanged)d") % {
            "total": self.total_rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged}
        if self.deleted:
            text += _("，删除%(deleted)d") % {"deleted": self.deleted}
        if renamed := sum(1 for change in self.changes if change.renamed):
            text += _("（其中按更新修改名称、村或类别%(n)d）") % {"n": renamed}
        return text


def parse_bool(text: str) -> bool | None:
    """是/否 and the usual spreadsheet spellings; None if not one of them."""
    value = compact(text).upper()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def choice_lookup(choices: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accepted spellings of a TextChoices field: labels, values and extra synonyms, all compacted."""
    lookup = {compact(str(label)): value for value, label in choices.choices}
    lookup.update({value: value for value in choices.values})
    for spelling, value in (extra or {}).items():
        lookup[compact(spelling)] = value
    return {key.translate(str.maketrans("()", "（）")): value for key, value in lookup.items()}


def parse_choice(text: str, lookup: dict[str, str]) -> str | None:
    return lookup.get(compact(text).translate(str.maketrans("()", "（）")))


def split_names(text: str) -> list[str]:
    """“上下塘社区、干家甸社区，虬泽村” → three names (separators 、，,;； and whitespace)."""
    return [part for part in re.split(r"[、，,;；\s]+", text) if part]


def chunks(items: Sequence[Any], size: int = 2000) -> list[Sequence[Any]]:
    """Slices small enough for an `__in` query on every database."""
    return [items[start:start + size] for start in range(0, len(items), size)]
