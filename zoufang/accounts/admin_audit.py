"""The admin's writes are actions too: every add, change and delete writes an AuditEvent with old → new values.

Personal identifiers are recorded masked (the trail must not become a second copy of the registry),
passwords and token digests only as “changed”. TimeStampedModel rows get created_by/modified_by and
a bumped `version`, as every other write path does.
"""

import datetime as dt
import decimal
import uuid
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router, transaction
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import admin_guard, audit
from zoufang.accounts.audit_present import summary_name
from zoufang.accounts.models import AuditEvent
from zoufang.core.crypto import BlindIndexField
from zoufang.core.models import TimeStampedModel
from zoufang.core.natural import NaturalKeyField

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
        # An index or a sort key is no value to read: each is derived from a field recorded beside it.
        if field.name in SKIPPED_FIELDS or isinstance(field, BlindIndexField | NaturalKeyField):
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
    return audit.masked(name, value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    changed = audit.diff(before, after)
    for name in SECRET_FIELDS & changed.keys():
        changed[name] = [CHANGED, CHANGED]
    return changed


STAMP_FIELDS = ("created_at", "created_by", "modified_at", "modified_by", "version")


class AuditedAdminMixin:
    """Mix into every ModelAdmin and inline (before admin.ModelAdmin / TabularInline): every write it makes is
    audited and versioned, and none silently overwrites another administrator's (zoufang.accounts.admin_guard).

    A change form carries each field as shown and is compared under the row lock; a delete (one row or the bulk
    action) carries the row as shown; a changelist's bulk edit (`list_editable`) is not offered.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(self, "list_editable", ()):
            raise ImproperlyConfigured(f"{type(self).__name__}.list_editable: a changelist's bulk edit carries no "
                                       "state as shown; edit rows one at a time on their change forms")
        # Set per instance: the stubs declare these ClassVars of ModelAdmin that a mixin cannot redeclare.
        setattr(self, "change_form_template", "admin/zoufang/change_form.html")  # noqa: B010
        setattr(self, "delete_confirmation_template", "admin/zoufang/delete_confirmation.html")  # noqa: B010
        setattr(self, "delete_selected_confirmation_template",  # noqa: B010
                "admin/zoufang/delete_selected_confirmation.html")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        return type(form.__name__, (admin_guard.ShownStateForm, form), {})

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        """An inline's rows: each carries its fields as shown; rows locked on save; none deleted if changed."""
        base_form, base_formset = kwargs.pop("form", self.form), kwargs.pop("formset", self.formset)  # type: ignore[attr-defined]
        return super().get_formset(  # type: ignore[misc]
            request, obj, form=type(base_form.__name__, (admin_guard.InlineRowForm, base_form), {}),
            formset=type(base_formset.__name__, (admin_guard.ShownStateFormSet, base_formset), {}), **kwargs)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """Saving or deleting: the row locked until the request's transaction ends, so two saves take turns."""
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None or request.method != "POST" or not transaction.get_connection(
                router.db_for_write(type(obj))).in_atomic_block:
            return obj
        return type(obj)._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        context[admin_guard.SHOWN_SEQ.lstrip("_")] = _posted_or_now_seq(request)
        if kwargs.get("add"):  # a form sent back with errors keeps its key: nothing was added under it
            context[ADD_KEY.lstrip("_")] = _add_key(request) or uuid.uuid4()
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        """An add form carries a request key (core.request_keys): sent again (a double click, a resend), it opens
        the row that key added instead of adding a second one. The key is kept in the creation's audit row."""
        key = _add_key(request) if request.method == "POST" else None
        if key is None:
            return super().add_view(request, form_url, extra_context)  # type: ignore[misc]
        model = self.model  # type: ignore[attr-defined]
        with transaction.atomic(using=router.db_for_write(model)):
            # One add of the user's at a time from the check to the insert (as jobs.services.request does).
            user: Any = request.user
            list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
            earlier = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type=model._meta.label,
                                                changes__request_key=[None, str(key)]).order_by("-seq").first()
            if earlier is not None:
                return self._added_already(request, earlier)
            request._zoufang_add_key = key  # type: ignore[attr-defined]
            return super().add_view(request, form_url, extra_context)  # type: ignore[misc]

    def _added_already(self, request: HttpRequest, earlier: AuditEvent) -> HttpResponseRedirect:
        """The row the first sending added, opened (as Django opens a row just added), with a word that this sending
        added nothing; the list when that row is gone since."""
        model = self.model  # type: ignore[attr-defined]
        by_public_id = any(field.name == "public_id" for field in model._meta.get_fields())
        row = model._default_manager.filter(**{"public_id" if by_public_id else "pk": earlier.object_id}).first()
        self.message_user(request, _("这张表单刚才已经保存过，没有再添加一次%(what)s。") % {  # type: ignore[attr-defined]
            "what": _("；下面就是那时添加的%(kind)s") % {"kind": model._meta.verbose_name} if row is not None else ""},
            messages.WARNING)
        if row is None:
            return HttpResponseRedirect(request.path.removesuffix("add/"))
        return HttpResponseRedirect(request.path.removesuffix("add/") + f"{row.pk}/change/")

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> Any:
        context.update({admin_guard.SHOWN.lstrip("_"): admin_guard.row_token(context["object"]),
                        admin_guard.SHOWN_SEQ.lstrip("_"): admin_guard.shown_seq()})
        return super().render_delete_form(request, context)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        model = self.model  # type: ignore[attr-defined]
        with transaction.atomic(using=router.db_for_write(model)):
            to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
            allowed = to_field is None or self.to_field_allowed(request, to_field)  # type: ignore[attr-defined]
            obj = self.get_object(request, unquote(object_id), to_field) if allowed else None
            if obj is not None and self.has_delete_permission(request, obj):  # type: ignore[attr-defined]
                refusal = admin_guard.delete_refusal(obj, request.POST.get(admin_guard.SHOWN),
                                                     request.POST.get(admin_guard.SHOWN_SEQ))
                if refusal:
                    self.message_user(request, refusal, messages.ERROR)  # type: ignore[attr-defined]
                    return HttpResponseRedirect(request.get_full_path())
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)  # type: ignore[misc]
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (guarded_delete_selected, name, description)
        return actions

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
        for shown in [form, *(row for formset in formsets for row in formset.forms)]:
            if note := getattr(shown, "kept_note", lambda: "")():
                self.message_user(request, note, messages.WARNING)  # type: ignore[attr-defined]
        obj = form.instance
        pk, before, was_change = getattr(request, "_zoufang_audit_before", (None, {}, change))
        if pk != obj.pk:
            before, was_change = {}, change
        after = snapshot(obj)
        if was_change:
            changed = changes_between(before, after)
            if changed:
                audit.record(request.user, AuditEvent.Action.UPDATE, obj, changes=changed,
                             summary=_("管理后台修改：%(obj)s") % {"obj": summary_name(obj)})
        else:
            created = {name: [None, value] for name, value in after.items() if value not in (None, "", [], False)}
            if key := getattr(request, "_zoufang_add_key", None):
                created["request_key"] = [None, str(key)]
            audit.record(request.user, AuditEvent.Action.CREATE, obj, changes=created, summary=_("管理后台新增：%(obj)s") % {"obj": summary_name(obj)})

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
                         changes={n: [v, None] for n, v in values.items()}, summary=_("管理后台删除：%(instance)s") % {"instance": summary_name(instance)})
        for inline_form, before in edited:
            instance = inline_form.instance
            if instance.pk is None:
                continue
            after = snapshot(instance)
            if before is None:
                audit.record(request.user, AuditEvent.Action.CREATE, instance,
                             changes={n: [None, v] for n, v in after.items() if v not in (None, "", [], False)},
                             summary=_("管理后台新增：%(instance)s") % {"instance": summary_name(instance)})
            elif changed := changes_between(before, after):
                audit.record(request.user, AuditEvent.Action.UPDATE, instance, changes=changed,
                             summary=_("管理后台修改：%(instance)s") % {"instance": summary_name(instance)})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_delete(request, obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            _record_delete(request, obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


ADD_KEY = "_zoufang_add_key"  # an add form's request key (core.request_keys)


def _add_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(ADD_KEY, ""))
    except ValueError:
        return None  # a form drawn before it carried a key: added, but not matched


def _posted_or_now_seq(request: HttpRequest) -> Any:
    """A form sent back keeps the position it was first drawn at; a new page takes the trail's newest."""
    return request.POST.get(admin_guard.SHOWN_SEQ) or admin_guard.shown_seq()


def guarded_delete_selected(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
    """Django's bulk delete, with each row as its confirmation page showed it: if any selected row changed since,
    none is deleted and the refusal names them."""
    if not request.POST.get("post"):
        response = delete_selected(modeladmin, request, queryset)
        if isinstance(response, TemplateResponse) and response.context_data is not None:
            response.context_data["zoufang_rows"] = [(obj.pk, admin_guard.row_token(obj)) for obj in queryset]
            response.context_data[admin_guard.SHOWN_SEQ.lstrip("_")] = admin_guard.shown_seq()
        return response
    with transaction.atomic(using=router.db_for_write(queryset.model)):
        since = request.POST.get(admin_guard.SHOWN_SEQ)
        refusals = [refusal for obj in queryset.select_for_update(of=("self",))
                    if (refusal := admin_guard.delete_refusal(obj, request.POST.get(f"{admin_guard.SHOWN}_{obj.pk}"),
                                                              since))]
        if refusals:
            modeladmin.message_user(request, _("所选记录均未删除：%(rows)s") % {"rows": "；".join(refusals)},
                                    messages.ERROR)
            return None
        return delete_selected(modeladmin, request, queryset)


def _record_delete(request: HttpRequest, obj: Any) -> None:
    values = snapshot(obj)
    audit.record(request.user, AuditEvent.Action.DELETE, obj, changes={n: [v, None] for n, v in values.items()},
                 summary=_("管理后台删除：%(obj)s") % {"obj": summary_name(obj)})


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin whose writes are audited and versioned."""


def adopt_third_party_admins(site: admin.AdminSite) -> None:
    """The admins that installed packages register (auth's groups, django-axes' logs, django-tasks' results) get
    the mixin too: their classes are not ours to edit. Our own admins name it themselves (web/tests/test_admin.py
    walks the site and fails for any that does not)."""
    for model, model_admin in list(site._registry.items()):  # noqa: SLF001 - the site's own table of admins
        cls = type(model_admin)
        if isinstance(model_admin, AuditedAdminMixin) or cls.__module__.startswith("zoufang."):
            continue
        site.unregister(model)
        site.register(model, type(cls.__name__, (AuditedAdminMixin, cls), {"__module__": __name__}))


class ReadOnlyAdminMixin:
    """Records that only the system writes: viewable, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
