"""Requests that make one thing however often they arrive (docs/jobs.md): a form or an API call carries a key, the
thing made stores it in a unique `request_key`, and asking again — a resubmitted form, a retried or twice-delivered
background job — gives what that key already made."""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError
from django.db.models import QuerySet

Made = TypeVar("Made")


class RequestKeyField(forms.UUIDField):
    """A form's hidden request key: a fresh one each time the form is rendered, the same one sent back with it; a
    form sent without one (rendered before it carried it) gets a fresh key, so it is made once but not matched."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def clean(self, value: Any) -> uuid.UUID:
        return super().clean(value) or uuid.uuid4()


def parsed(value: Any) -> uuid.UUID | None:
    """A key as sent (a form field, a job's parameter), or None when it is missing or not a UUID."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


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


class KeyReused(Exception):
    """The key already made something with other content: a form sent back after it was changed (the back
    button), or a client that reused its key. Nothing is made; `made` is what the key made first."""

    def __init__(self, made: Any) -> None:
        super().__init__(str(made))
        self.made = made


def once_checked(found: "QuerySet[Any]", key: uuid.UUID | None, make: Callable[[], Made],
                 same: Callable[[Made], bool]) -> tuple[Made, bool]:
    """`once`, telling whether this call made it, for things a person types: the key's earlier result is the
    answer only when `same(it)` (the same content sent again); otherwise KeyReused, so changed text is never
    swallowed by an earlier submission's result."""
    if key is not None and (made := found.filter(request_key=key).first()) is not None:
        if not same(made):
            raise KeyReused(made)
        return made, False
    try:
        return make(), True
    except IntegrityError:
        if key is None:
            raise
        made = found.get(request_key=key)
        if not same(made):
            raise KeyReused(made) from None
        return made, False
