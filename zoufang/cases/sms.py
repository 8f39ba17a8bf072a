"""Pluggable SMS backends. Settings name one by dotted path (ZOUFANG_SMS_BACKEND); the gateway of a
real deployment plugs in as a class with the same `send(phone, text)` method."""

import logging
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from zoufang import clock

log = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        log.info("短信 → %s：%s", phone, text)


class FileSmsBackend:
    """Appends each message to a file (ZOUFANG_SMS_FILE): what a demo or a test can read back."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        self.path = Path(getattr(settings, "ZOUFANG_SMS_FILE", settings.VAR_DIR / "sms.log"))

    def send(self, phone: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = f"{clock.now().isoformat()}\t{phone}\t{text}\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line)


class MemorySmsBackend:
    """For tests: messages collect in `outbox`, like Django's locmem email backend."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


def get_backend() -> SmsBackend:
    path = getattr(settings, "ZOUFANG_SMS_BACKEND", "zoufang.cases.sms.ConsoleSmsBackend")
    backend: SmsBackend = import_string(path)()
    return backend
