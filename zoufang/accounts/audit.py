"""Writing the audit trail: one function every action calls."""

from typing import Any

from django.db import models

from zoufang.accounts.models import AuditEvent


def record(
    actor: Any, action: str, obj: models.Model | None = None, *, object_type: str = "", summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = str(getattr(obj, "public_id", None) or obj.pk)
    else:
        object_id = ""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=changes or {},
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}
