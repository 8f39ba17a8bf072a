"""Encryption at rest of residents' identifiers: AES-256-GCM per value, and an HMAC blind index to find them.

A stored value reads `v1:<key id>:<base64 of nonce + ciphertext + tag>`; the key id names one of the
data keys (ZOUFANG_DATA_KEYS, the first encrypts, every one decrypts), so old keys keep working until
`zoufang crypto rotate` has re-encrypted everything under the current one. The column's name is the
associated data, so a ciphertext copied into another column does not decrypt. The empty value is
stored as itself: "no number" is not a secret, and uniqueness rules skip it.

Ciphertext cannot be compared, so every exact look-up (`filter(id_number=...)`, `__in`) is rewritten to
compare the companion blind index column: HMAC-SHA256 under a separate key (ZOUFANG_INDEX_KEY) over the
normalised value. Partial matches (`contains`, `startswith`) are refused rather than silently wrong.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import lookups
from django.db.models.query_utils import DeferredAttribute

from zoufang.core.keys import decode_key, parse_data_keys

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value that does not decrypt: unknown key id, wrong key, or changed bytes."""


class Keyring:
    """The data keys (the first is current) and the index key, with their ciphers made once."""

    def __init__(self, data_keys: tuple[tuple[str, bytes], ...], index_key: bytes) -> None:
        self.current_id = data_keys[0][0]
        self.ciphers = {key_id: AESGCM(key) for key_id, key in data_keys}
        self.current = self.ciphers[self.current_id]
        self.macs = {kind: hmac.new(index_key, f"{kind}\x00".encode(), hashlib.sha256) for kind in NORMALISERS}


@lru_cache(maxsize=8)
def _keyring(data_keys: str, index_key: str) -> Keyring:
    return Keyring(parse_data_keys(data_keys), decode_key("ZOUFANG_INDEX_KEY", index_key))


def keyring() -> Keyring:
    return _keyring(settings.DATA_KEYS, settings.INDEX_KEY)


# --- values ----------------------------------------------------------------------------------------------


def encrypt(plaintext: str, context: str, ring: Keyring | None = None) -> str:
    if plaintext == "":
        return ""
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.current.encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{ring.current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(stored: str) -> str:
    """The key id a stored value was encrypted under ("" for the empty value)."""
    parts = stored.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else ""


def decrypt(stored: str, context: str, ring: Keyring | None = None) -> str:
    if stored == "":
        return ""
    ring = ring or keyring()
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("not an encrypted value")
    cipher = ring.ciphers.get(parts[1])
    if cipher is None:
        raise DecryptionError(f"unknown key id {parts[1]!r}")
    try:
        raw = base64.urlsafe_b64decode(parts[2].encode())
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except (ValueError, binascii.Error, InvalidTag, UnicodeDecodeError):
        raise DecryptionError("the value does not decrypt (changed or encrypted under another key)") from None


# --- blind index -----------------------------------------------------------------------------------------


def normalise_id(value: str) -> str:
    """An ID number or code as compared: half-width, no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def normalise_phone(value: str) -> str:
    """A phone number as compared: its digits only (0512-5723 1234 and 051257231234 are one number)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())


NORMALISERS: dict[str, Callable[[str], str]] = {"id": normalise_id, "phone": normalise_phone}


def blind_index(value: str, kind: str, ring: Keyring | None = None) -> str:
    """HMAC-SHA256 (hex) of the normalised value; "" for a value with nothing left to compare.

    Keyed by the kind of value, not the column, so one phone number has one index wherever it is kept.
    """
    normalised = NORMALISERS[kind](value)
    if not normalised:
        return ""
    mac = (ring or keyring()).macs[kind].copy()
    mac.update(normalised.encode())
    return mac.hexdigest()


# --- model fields ----------------------------------------------------------------------------------------


class _IndexedLookup:
    """An exact look-up on an encrypted field, made against its blind index column instead."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        field = lhs.target
        if not isinstance(field, EncryptedCharField) or not hasattr(lhs, "alias"):
            raise FieldError(f"{field} can only be looked up by exact value on the column itself")
        index: Any = field.model._meta.get_field(field.index_field)
        super().__init__(index.get_col(lhs.alias), self._hash(field, rhs))  # type: ignore[call-arg]

    @staticmethod
    def _one(field: "EncryptedCharField", value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError(f"{field} can only be compared with a text value")
        return field.index_of(value)

    def _hash(self, field: "EncryptedCharField", rhs: Any) -> Any:
        return self._one(field, rhs)


class IndexedExact(_IndexedLookup, lookups.Exact):
    pass


class IndexedIn(_IndexedLookup, lookups.In):
    def _hash(self, field: "EncryptedCharField", rhs: Any) -> Any:
        if isinstance(rhs, str) or not isinstance(rhs, Iterable):
            raise FieldError(f"{field}__in takes a list of text values")
        return [self._one(field, value) for value in rhs]


STALE = "\x00stale"  # in place of a blind index not computed yet (picklable, never a real index)


class _IndexedValue(DeferredAttribute):
    """The descriptor of an encrypted field: setting the value marks its blind index to be recomputed.

    The index is computed when it is first read (a save, a bulk update, a constraint check), so rows only
    loaded and shown never pay for it.
    """

    field: "EncryptedCharField"

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value
        if self.field.index_field:
            instance.__dict__[self.field.index_field] = STALE


class _IndexValue(DeferredAttribute):
    """The descriptor of a blind index: computed from its encrypted field when marked stale."""

    field: "BlindIndexField"

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is not None and instance.__dict__.get(self.field.attname) == STALE:
            source = self.field.source
            value = getattr(instance, source.attname)
            instance.__dict__[self.field.attname] = source.index_of(str(value)) if value else ""
        return super().__get__(instance, cls)

    def __set__(self, instance: Any, value: Any) -> None:  # a data descriptor, so __get__ always runs
        instance.__dict__[self.field.attname] = value


class EncryptedCharField(models.CharField):
    """Text kept encrypted in the database, plain in Python; `max_length` limits the plain text.

    `index_field` names the companion BlindIndexField, kept in step whenever the value is set;
    `normaliser` is "id" or "phone".
    """

    description = "Encrypted text (AES-256-GCM) with a blind index"
    descriptor_class = _IndexedValue
    ALLOWED_LOOKUPS = {"exact": IndexedExact, "iexact": IndexedExact, "in": IndexedIn}

    def __init__(self, *args: Any, index_field: str = "", normaliser: str = "id", **kwargs: Any) -> None:
        self.index_field = index_field
        self.normaliser = normaliser
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["index_field"] = self.index_field
        kwargs["normaliser"] = self.normaliser
        return name, path, args, kwargs

    def db_type(self, connection: Any) -> str:
        return str(connection.data_types["TextField"])  # ciphertext is longer than the value

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def index_of(self, value: str) -> str:
        return blind_index(value, self.normaliser)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else decrypt(value, self.context)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        return value if value is None else encrypt(str(value), self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        found = self.ALLOWED_LOOKUPS.get(lookup_name)
        if found is None:
            raise FieldError(f"{self.name} is encrypted: only exact look-ups (through its blind index) work, "
                             f"not {lookup_name!r}")
        return found

    def get_transform(self, lookup_name: str) -> Any:
        return None


class BlindIndexField(models.CharField):
    """The HMAC of an encrypted field's normalised value (never edited by hand)."""

    descriptor_class = _IndexValue

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    @cached_property
    def source(self) -> EncryptedCharField:  # read for every row written: looked up once
        return next(f for f in encrypted_fields(self.model) if f.index_field == self.name)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.get_fields() if isinstance(f, EncryptedCharField)]


def checked_indexes(model: type[models.Model], exclude: Iterable[str] | None) -> set[str] | None:
    """`exclude` for validate_constraints without the blind index of any encrypted field a form edits.

    The index is not editable, so a ModelForm would leave it out and skip the uniqueness rules built on it.
    """
    if exclude is None:
        return None
    result = set(exclude)
    for field in encrypted_fields(model):
        if field.name not in result:
            result.discard(field.index_field)
    return result


def with_indexes(model: type[models.Model], names: Iterable[str]) -> set[str]:
    """Field names to write (`update_fields`, `bulk_update`) plus the blind index of each encrypted one."""
    result = set(names)
    for field in encrypted_fields(model):
        if field.name in result and field.index_field:
            result.add(field.index_field)
    return result


# --- whole columns: the data migration, rotation and verification ----------------------------------------

BATCH = 1000


@dataclass(frozen=True)
class Column:
    """One encrypted column and its blind index, as raw SQL sees them."""

    label: str  # app_label.model_name
    table: str
    pk: str
    column: str
    index: str
    context: str
    normaliser: str
    verbose: str

    def count(self, cursor: Any) -> int:
        cursor.execute(f"SELECT COUNT(*) FROM {self._q(self.table)}")  # noqa: S608 - names from the model
        return int(cursor.fetchone()[0])

    def rows(self, cursor: Any, after: Any, limit: int) -> list[tuple[Any, str, str]]:
        """(pk, stored value, stored index) of the next `limit` rows after pk `after`."""
        cursor.execute(
            f"SELECT {self._q(self.pk)}, {self._q(self.column)}, {self._q(self.index)} "  # noqa: S608
            f"FROM {self._q(self.table)} WHERE {self._q(self.pk)} > %s ORDER BY {self._q(self.pk)} LIMIT %s",
            [after, limit])
        return list(cursor.fetchall())

    def write(self, cursor: Any, updates: list[tuple[str, str, Any]]) -> None:
        cursor.executemany(
            f"UPDATE {self._q(self.table)} SET {self._q(self.column)} = %s, {self._q(self.index)} = %s "  # noqa: S608
            f"WHERE {self._q(self.pk)} = %s", updates)

    @staticmethod
    def _q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'


def columns_of(model: Any) -> list[Column]:
    """The encrypted columns of a model (a historical one inside a migration works the same)."""
    meta = model._meta
    return [Column(meta.label_lower, meta.db_table, meta.pk.column, f.column,
                   meta.get_field(f.index_field).column, f"{meta.label_lower}.{f.name}", f.normaliser,
                   f"{meta.verbose_name}·{f.verbose_name}")
            for f in encrypted_fields(model)]


def all_columns() -> list[Column]:
    from django.apps import apps

    return [column for model in apps.get_models() for column in columns_of(model)]


def _plain_of(stored: str, column: Column, ring: Keyring) -> str:
    return decrypt(stored, column.context, ring) if key_id_of(stored) else stored


def rewrite(column: Column, mode: str, cursor: Any, ring: Keyring | None = None, batch: int = BATCH) -> Any:
    """Rewrite a column in batches of `batch` rows, yielding (rows examined, rows written) after each.

    "encrypt": plain text → ciphertext under the current key (values already encrypted are kept);
    "rotate": every value under the current key and every index recomputed with the current index key;
    "decrypt": back to plain text (reversing the data migration). A row already right is not written,
    so a run that stops half-way is finished by running it again.
    """
    ring = ring or keyring()
    for chunk in _batches(column, cursor, batch):
        updates = []
        for pk, stored, index in chunk:
            stored = stored or ""
            if mode == "decrypt":
                new_stored, new_index = _plain_of(stored, column, ring), ""
            else:
                plain = _plain_of(stored, column, ring)
                current = key_id_of(stored) == ring.current_id or stored == ""
                new_stored = stored if current else encrypt(plain, column.context, ring)
                new_index = blind_index(plain, column.normaliser, ring)
            if (new_stored, new_index) != (stored, index or ""):
                updates.append((new_stored, new_index, pk))
        if updates:
            column.write(cursor, updates)
        yield len(chunk), len(updates)


def _batches(column: Column, cursor: Any, batch: int) -> Any:
    """The column's rows in primary-key order, a batch at a time (each batch read after the last one's writes)."""
    after: Any = 0
    while chunk := column.rows(cursor, after, batch):
        yield chunk
        after = chunk[-1][0]


@dataclass(frozen=True)
class Problem:
    column: Column
    pk: Any
    reason: str


def verify(column: Column, cursor: Any, ring: Keyring | None = None, batch: int = BATCH) -> Any:
    """Yield (rows examined, problems) per batch: a value not encrypted, not decrypting, or a wrong index."""
    from django.utils.translation import gettext as _

    ring = ring or keyring()
    for chunk in _batches(column, cursor, batch):
        problems = []
        for pk, stored, index in chunk:
            stored = stored or ""
            if stored and not key_id_of(stored):
                problems.append(Problem(column, pk, _("未加密（明文）")))
                continue
            try:
                plain = decrypt(stored, column.context, ring)
            except DecryptionError:
                problems.append(Problem(column, pk, _("无法解密（密文被改动，或所用密钥 %(k)s 不在 ZOUFANG_DATA_KEYS 中）")
                                        % {"k": key_id_of(stored)}))
                continue
            if blind_index(plain, column.normaliser, ring) != (index or ""):
                problems.append(Problem(column, pk, _("检索索引与内容不符")))
        yield len(chunk), problems


def migrate_model(app_label: str, model_name: str, mode: str) -> Callable[[Any, Any], None]:
    """A RunPython function that encrypts (or decrypts) one model's encrypted columns in place."""

    def run(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        with schema_editor.connection.cursor() as cursor:
            for column in columns_of(model):
                for _batch in rewrite(column, mode, cursor):
                    pass
            if schema_editor.connection.vendor == "postgresql":
                # The updates queue deferred foreign-key checks, and PostgreSQL refuses the ALTER TABLE
                # that follows in the same migration while any are pending: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    return run
