"""The admin's writes are actions too: every add, change and delete writes an AuditEvent with old → new values.

Personal identifiers are recorded masked (the trail must not become a second copy of the registry),
passwords and token digests only as “changed”. TimeStampedModel rows get created_by/modified_by and
a bumped `version`, as every other write path does.
"""

import datetime as dt
import decimal
import uuid
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core.crypto import BlindIndexField
from zoufang.core.models import TimeStampedModel
from zoufang.registry.identifiers import mask_id_number, mask_phone

MASKERS = {"id_number": mask_id_number, "phone": mask_phone}
SECRET_FIELDS = {"password", "digest"}
SKIPPED_FIELDS = {"id", "public_id", "created_at", "modified_at", "created_by", "modified_by", "version", "path",
                  "last_login"}
CHANGED = "（已修改）"


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return clock.local(value).isoformat(sep=" ")  # Beijing time, whichever zone the value came in
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | dict):
        return value
    return str(value)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every editable value of `obj`: foreign keys by name, many-to-many as sorted names, identifiers masked."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or isinstance(field, BlindIndexField):  # an index is no value to read
            continue
        value = getattr(obj, field.name) if field.is_relation else field.value_from_object(obj)
        values[field.name] = _mask(field.name, _plain(value))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    return values


def _mask(name: str, value: Any) -> Any:
    if name in SECRET_FIELDS:
        return "***" if value else ""
    if name in MASKERS and isinstance(value, str) and value:
        return MASKERS[name](value)
    return value


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    changed = audit.diff(before, after)
    for name in SECRET_FIELDS & changed.keys():
        changed[name] = [CHANGED, CHANGED]
    return changed


STAMP_FIELDS = ("created_at", "created_by", "modified_at", "modified_by", "version")


VERSION_FIELD = "_loaded_version"


class AuditedAdminMixin:
    """Mix into a ModelAdmin (before admin.ModelAdmin) to audit and version every write it makes.

    Saving a form opened before someone else saved the same record is refused: the page carries
    the version it was opened at, and a newer version in the database means a lost update.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The change form carries the version it was opened at (a hidden input in this template).
        # Set per instance: the stubs declare it a ClassVar of ModelAdmin that a mixin cannot redeclare.
        setattr(self, "change_form_template", "admin/zoufang/change_form.html")  # noqa: B010

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        if obj is None or not isinstance(obj, TimeStampedModel):
            return form
        return type(form.__name__, (VersionCheckedForm, form), {})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Who and when are written by the save, never typed in; shown read-only on existing rows."""
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        model = self.model  # type: ignore[attr-defined]
        if not issubclass(model, TimeStampedModel):
            return fields
        return fields + (STAMP_FIELDS if obj is not None else ())

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        exclude = tuple(super().get_exclude(request, obj) or ())  # type: ignore[misc]
        model = self.model  # type: ignore[attr-defined]
        if obj is None and issubclass(model, TimeStampedModel):
            return exclude + STAMP_FIELDS
        return exclude or None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else {}
        if isinstance(obj, TimeStampedModel):
            user: Any = request.user
            obj.modified_by = user
            if change:
                obj.version += 1
            else:
                obj.created_by = user
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        request._zoufang_audit_before = (obj.pk, before, change)  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        pk, before, was_change = getattr(request, "_zoufang_audit_before", (None, {}, change))
        if pk != obj.pk:
            before, was_change = {}, change
        after = snapshot(obj)
        if was_change:
            changed = changes_between(before, after)
            if changed:
                audit.record(request.user, AuditEvent.Action.UPDATE, obj, changes=changed,
                             summary=_("管理后台修改：%(obj)s") % {"obj": obj})
        else:
            created = {name: [None, value] for name, value in after.items() if value not in (None, "", [], False)}
            audit.record(request.user, AuditEvent.Action.CREATE, obj, changes=created, summary=_("管理后台新增：%(obj)s") % {"obj": obj})

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        """Inline rows (a campaign's phases, a user's role grants) are audited one row each."""
        deleted = [(f.instance, snapshot(f.instance)) for f in formset.deleted_forms if f.instance.pk]
        edited = [
            (f, snapshot(type(f.instance)._default_manager.get(pk=f.instance.pk)) if f.instance.pk else None)
            for f in formset.forms
            if f not in formset.deleted_forms and f.has_changed()
        ]
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for instance, values in deleted:
            audit.record(request.user, AuditEvent.Action.DELETE, instance,
                         changes={n: [v, None] for n, v in values.items()}, summary=_("管理后台删除：%(instance)s") % {"instance": instance})
        for inline_form, before in edited:
            instance = inline_form.instance
            if instance.pk is None:
                continue
            after = snapshot(instance)
            if before is None:
                audit.record(request.user, AuditEvent.Action.CREATE, instance,
                             changes={n: [None, v] for n, v in after.items() if v not in (None, "", [], False)},
                             summary=_("管理后台新增：%(instance)s") % {"instance": instance})
            elif changed := changes_between(before, after):
                audit.record(request.user, AuditEvent.Action.UPDATE, instance, changes=changed,
                             summary=_("管理后台修改：%(instance)s") % {"instance": instance})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_delete(request, obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            _record_delete(request, obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class VersionCheckedForm(forms.ModelForm):
    def clean(self) -> Any:
        cleaned = super().clean()
        loaded = self.data.get(VERSION_FIELD, "")
        current = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
        if loaded and current is not None and str(current) != loaded:
            raise forms.ValidationError(
                _("这条记录在您打开之后已被他人修改（第 %(loaded)s 版 → 第 %(current)s 版）。"
                  "为避免覆盖他人的修改，本次未保存；请重新打开，核对后再改。")
                % {"loaded": loaded, "current": current}
            )
        return cleaned


def _record_delete(request: HttpRequest, obj: Any) -> None:
    values = snapshot(obj)
    audit.record(request.user, AuditEvent.Action.DELETE, obj, changes={n: [v, None] for n, v in values.items()},
                 summary=_("管理后台删除：%(obj)s") % {"obj": obj})


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin whose writes are audited and versioned."""


class ReadOnlyAdminMixin:
    """Records that only the system writes: viewable, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
