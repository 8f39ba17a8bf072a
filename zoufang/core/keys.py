"""The keys of encryption at rest, read and checked at start-up (no Django models here: settings import it)."""

import base64
import binascii
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def new_key() -> str:
    """A fresh 256-bit key in URL-safe base64, the form ZOUFANG_DATA_KEYS and ZOUFANG_INDEX_KEY take."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def decode_key(name: str, text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: each key must be 32 bytes in URL-safe base64 (zoufang crypto new-key)")
    return key


def parse_data_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    """`id:key,id:key` (the first is current) as (id, bytes) pairs; a bad entry stops start-up."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, sep, key = item.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured("ZOUFANG_DATA_KEYS must be a comma list of <id>:<base64 key>, ids of "
                                       "letters, digits, - or _ (at most 16)")
        if key_id in keys:
            raise ImproperlyConfigured(f"ZOUFANG_DATA_KEYS names key id {key_id!r} twice")
        keys[key_id] = decode_key("ZOUFANG_DATA_KEYS", key)
    if not keys:
        raise ImproperlyConfigured("ZOUFANG_DATA_KEYS holds no key")
    return tuple(keys.items())


def check_keys(data_keys: str, index_key: str) -> None:
    parse_data_keys(data_keys)
    decode_key("ZOUFANG_INDEX_KEY", index_key)


def local_keys(path: Path) -> tuple[str, str]:
    """The keys of a machine without ZOUFANG_DATA_KEYS / ZOUFANG_INDEX_KEY: made once into `path` (0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = f"ZOUFANG_DATA_KEYS=k1:{new_key()}\nZOUFANG_INDEX_KEY={new_key()}\n"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
    values = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return values.get("ZOUFANG_DATA_KEYS", "").strip(), values.get("ZOUFANG_INDEX_KEY", "").strip()
