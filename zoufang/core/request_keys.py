"""Requests that make one thing however often they arrive (docs/jobs.md): a form or an API call carries a key, the
thing made stores it in a unique `request_key`, and asking again — a resubmitted form, a retried or twice-delivered
background job — gives what that key already made."""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError
from django.db.models import QuerySet

Made = TypeVar("Made")


def once(found: "QuerySet[Any]", key: uuid.UUID | None, make: Callable[[], Made]) -> Made:
    """What `key` already made among `found`, or `make()`; when another attempt with the same key stored its
    result meanwhile (the unique constraint refuses the second), that one. Without a key, always `make()`."""
    if key is not None and (made := found.filter(request_key=key).first()) is not None:
        return made
    try:
        return make()
    except IntegrityError:
        if key is None:
            raise
        return found.get(request_key=key)
