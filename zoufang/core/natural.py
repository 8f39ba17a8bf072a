"""Text in the order people read numbered names: 幸福路2号 before 幸福路10号, 户主2 before 户主100.

One key serves Python and the database: `natural_key` is a string whose order, character by character (code points),
is the natural order, stored beside the text it sorts (`NaturalKeyField`) so a list pages through it by keyset."""

import re
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

_NUMBERS = re.compile(r"(\d+)")
# Before any character of a text: a number sorts after the text that ends before it (户主 < 户主2 < 户主a).
NUMBER_MARK = "\x01"


def natural_key(text: str) -> str:
    """`text` with each run of digits (full-width too) as NUMBER_MARK, its length in two digits and its value without
    leading zeros, so that comparing keys compares the numbers as numbers and the rest as text (户主02 and 户主2 have
    one key: the caller's next key, the id, orders them)."""
    parts = _NUMBERS.split(text)  # text at even places, digits at odd ones
    key = []
    for i, part in enumerate(parts):
        if i % 2:
            digits = str(int(part))
            key.append(f"{NUMBER_MARK}{min(len(digits), 99):02d}{digits}")
        else:
            key.append("".join(ch for ch in part if ch > NUMBER_MARK))
    return "".join(key)


class _Derived(DeferredAttribute):
    """A natural key's value: always its source's key, whatever was loaded or set, so every write that names the
    field (save, bulk_create, bulk_update, update_fields) stores the key of the text written with it."""

    field: "NaturalKeyField"

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        return natural_key(getattr(instance, self.field.source) or "")

    def __set__(self, instance: Any, value: Any) -> None:
        # Kept only so Django sees the field loaded (not deferred, which would leave it out of a save); never read.
        instance.__dict__[self.field.attname] = value


class NaturalKeyField(models.TextField):
    """The natural key of the field `source`, kept by every write (never edited); compared by code point on
    PostgreSQL too (collation "C"; SQLite compares text by code point already)."""

    descriptor_class = _Derived

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def natural_keys(model: type[models.Model], names: Any) -> set[str]:
    """The natural key fields of `model` whose source is among the field `names` written."""
    names = set(names)
    return {f.name for f in model._meta.concrete_fields if isinstance(f, NaturalKeyField) and f.source in names}
