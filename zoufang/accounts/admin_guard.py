"""No silent overwrite in the admin: what a page showed goes back with the save, compared under the row lock.

- A change form, and each inline row on it, carries every field's value as shown (Django's own hidden initial,
  `show_hidden_initial`); the page carries the audit trail's position when it was drawn (`_zoufang_shown_seq`).
- Saving locks the row (and the inline rows) and compares. A field another administrator changed meanwhile keeps
  their value where this form left it as shown (merged, as the 发文机关 form does); where this form changed it
  too, to something else, nothing is saved: the form comes back with the typed values and names who changed the
  row and when (from the audit trail), each such field, its value now and the value typed.
- A deletion (one row, an inline row, or the bulk action) carries the row as shown: its version where the model
  has one and a keyed digest of each editable field. A row changed since is not deleted; the refusal names who,
  when and which fields.
"""

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms import BaseInlineFormSet
from django.forms.models import model_to_dict
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.accounts.models import AuditChain, AuditEvent

SHOWN_SEQ = "_zoufang_shown_seq"  # the audit trail's newest row when the page was drawn
SHOWN = "_zoufang_shown"  # a row as its delete confirmation showed it (`_zoufang_shown_<pk>` in the bulk action)
DIGEST_SALT = "zoufang.accounts.admin_guard.shown"
SECRET_FIELDS = {"password", "digest", "refresh_digest"}
STAMPS = {"created_by", "modified_by"}  # who saved last: the refusal names them from the trail, and the version moved
REOPEN = gettext_lazy("本次未保存，您填写的内容仍在本页；请在新窗口重新打开此记录，核对后再改。")


def shown_seq() -> int:
    """The newest audit row's position now: changes recorded after it happened after the page was drawn."""
    return AuditChain.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0


def _seq(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def who_changed(obj: models.Model, since: int | None) -> str:
    """“被张三（zhangsan）于 2017-06-15 10:30 修改” naming each audited change of `obj` after `since`, newest first."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(getattr(obj, "public_id", None)
                                                                                   or obj.pk))
    events = events.exclude(action=AuditEvent.Action.READ)
    if since is not None:
        events = events.filter(seq__gt=since)
    found = [_("%(who)s于 %(when)s") % {"who": event.actor_display, "when": clock.minute(event.at)}
             for event in events.order_by("-seq")[:3]]
    modified_by, modified_at = getattr(obj, "modified_by", None), getattr(obj, "modified_at", None)
    if not found and modified_by is not None and modified_at is not None:
        found = [_("%(who)s于 %(when)s") % {"who": modified_by, "when": clock.minute(modified_at)}]
    return _("被%(who)s 修改") % {"who": "、".join(found)} if found else _("被他人修改")


def _label(model: type[models.Model], name: str, form_field: Any = None) -> str:
    if form_field is not None and form_field.label:
        return str(form_field.label)
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a form-only field: its own name
        return name


def shown_value(value: Any, field: Any = None) -> str:
    """A value as the refusal quotes it: names for related rows, 是/否, （空）; secrets never."""
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field, forms.ModelChoiceField):
        value = {str(key): label for key, label in choices}.get(str(value), value)
    if value is None or value == "" or value == []:
        return str(_("（空）"))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, models.Manager):
        value = value.all()
    if isinstance(value, Iterable) and not isinstance(value, str):
        return "、".join(str(item) for item in value) or str(_("（空）"))
    return str(value)


class ShownStateForm(forms.ModelForm):
    """Mixed into every admin form (the change form and each inline row's): carries each field as shown and, on
    save, keeps another administrator's change where this form left the field alone, refuses where it did not."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_theirs: list[str] = []
        if self.instance.pk is None:
            return
        for field in self.fields.values():
            # A disabled field (the password's hash) is not posted and must not be echoed into the page.
            if not field.disabled and not isinstance(field, forms.FileField):
                field.show_hidden_initial = True

    def _checked(self) -> list[str]:
        return [name for name, field in self.fields.items() if field.show_hidden_initial]

    def moved_fields(self) -> list[str]:
        """Fields whose value in the (locked) row differs from the value this form was shown with."""
        moved = []
        for name in self._checked():
            field = self.fields[name]
            shown = field.hidden_widget().value_from_datadict(self.data, self.files, self.add_initial_prefix(name))
            if field.has_changed(self[name].initial, shown):
                moved.append(name)
        return moved

    def shows_state(self) -> bool:
        return self.instance.pk is not None and SHOWN_SEQ in self.data

    def row_name(self) -> str:
        return ""

    def clean(self) -> Any:
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        if not self.shows_state():
            raise ValidationError(_("此页缺少打开时的记录内容，无法确认是否有他人修改过；本次未保存，请重新打开此记录后再改。"))
        moved = self.moved_fields()
        if not moved:
            return cleaned
        mine = set(self.changed_data)
        clashes = [name for name in moved if name in mine and self.fields[name].has_changed(self[name].initial,
                                                                                             self[name].data)]
        if clashes:
            raise ValidationError(self.clash_message(clashes))
        self.kept_theirs = [name for name in moved if name not in mine]
        for name in self.kept_theirs:
            self.cleaned_data.pop(name, None)  # left out of the save: the row keeps the other administrator's value
        return cleaned

    def clash_message(self, clashes: list[str]) -> str:
        model = type(self.instance)
        fields = "；".join(
            _("%(label)s 现为“%(now)s”，您填写的“%(yours)s”") % {
                "label": _label(model, name, self.fields[name]),
                "now": _("（已修改）") if name in SECRET_FIELDS else shown_value(
                    _current(self.instance, name), self.fields[name]),
                "yours": _("（已修改）") if name in SECRET_FIELDS else shown_value(self.cleaned_data.get(name),
                                                                               self.fields[name])}
            for name in clashes)
        return _("%(row)s在您打开此页后已%(who)s：%(fields)s。%(reopen)s") % {
            "row": self.row_name() or _("这条记录"), "who": who_changed(self.instance, _seq(self.data.get(SHOWN_SEQ))),
            "fields": fields, "reopen": REOPEN}

    def kept_note(self) -> str:
        """After a merged save: whose change was kept, in which fields ("" when none was)."""
        if not self.kept_theirs:
            return ""
        model = type(self.instance)
        return _("%(row)s在您打开此页后已%(who)s，已保留其修改：%(fields)s。") % {
            "row": self.row_name() or _("这条记录"), "who": who_changed(self.instance, _seq(self.data.get(SHOWN_SEQ))),
            "fields": "、".join(_label(model, name, self.fields[name]) for name in self.kept_theirs)}


def _current(instance: models.Model, name: str) -> Any:
    """The row's value of `name` as a person reads it (a related row's name, a choice's label)."""
    try:
        field = instance._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a form-only field
        return getattr(instance, name, "")
    if getattr(field, "choices", None):
        return getattr(instance, f"get_{name}_display")()
    if field.many_to_many:
        return list(getattr(instance, name).all()) if instance.pk else []
    return getattr(instance, name, "")


class InlineRowForm(ShownStateForm):
    def row_name(self) -> str:
        return _("%(kind)s“%(row)s”") % {"kind": self.instance._meta.verbose_name, "row": self.instance}


class ShownStateFormSet(BaseInlineFormSet):
    """Inline rows: locked while the parent's save runs, and none deleted that changed since it was shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.instance.pk is not None and self.queryset is not None:
            self.queryset = self.queryset.select_for_update(of=("self",))

    def clean(self) -> None:
        super().clean()
        refusals = []
        deleted: list[Any] = [form for form in self.forms if form.cleaned_data.get("DELETE")]
        for form in deleted:
            if form.instance.pk is None:
                continue
            if not form.shows_state():
                refusals.append(_("此页缺少打开时的记录内容，未删除；请重新打开此记录后再删。"))
                continue
            moved = form.moved_fields()
            if moved:
                refusals.append(_("%(row)s在您打开此页后已%(who)s（%(fields)s），未删除；%(reopen)s") % {
                    "row": form.row_name(), "who": who_changed(form.instance, _seq(form.data.get(SHOWN_SEQ))),
                    "fields": "、".join(_label(type(form.instance), n, form.fields[n]) for n in moved),
                    "reopen": REOPEN})
        if refusals:
            raise ValidationError(refusals)


def _digest(model: type[models.Model], name: str, value: Any) -> str:
    if isinstance(value, list | tuple):
        value = sorted(str(getattr(item, "pk", item)) for item in value)
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return salted_hmac(DIGEST_SALT, f"{model._meta.label}.{name}={text}").hexdigest()[:16]


def row_token(obj: models.Model) -> str:
    """The row as a delete confirmation shows it: its version (if any) and a keyed digest of each editable field
    (keyed, so a page's digest of an ID number cannot be reversed by trying numbers)."""
    values = {name: value for name, value in model_to_dict(obj).items() if name not in STAMPS}
    return json.dumps({"v": getattr(obj, "version", None),
                       "f": {name: _digest(type(obj), name, value) for name, value in sorted(values.items())}})


def delete_refusal(obj: models.Model, token: str | None, since: Any) -> str:
    """Why `obj` (locked) is not deleted now: it changed since its confirmation page was drawn ("" when it did not)."""
    try:
        shown = json.loads(token or "")
        versions, digests = shown.get("v"), dict(shown["f"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return _("“%(row)s”：此页缺少打开时的记录内容，未删除；请重新打开后再确认删除。") % {"row": obj}
    now = json.loads(row_token(obj))
    moved = [name for name in sorted(set(now["f"]) | set(digests)) if now["f"].get(name) != digests.get(name)]
    if not moved and now["v"] == versions:
        return ""
    fields = "、".join(_label(type(obj), name) for name in moved) or _("其他信息")
    return _("“%(row)s”在您打开此页后已%(who)s（%(fields)s），未删除；请核对后再确认删除。") % {
        "row": obj, "who": who_changed(obj, _seq(since)), "fields": fields}
