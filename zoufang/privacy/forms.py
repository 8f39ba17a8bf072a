"""The office's forms for a resident's request: the number to look for; the erasure's reason and confirmation."""

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core import limits
from zoufang.privacy.correction import correctable
from zoufang.privacy.erasure import Reason
from zoufang.privacy.holdings import Number, parse_number
from zoufang.registry import identifiers
from zoufang.registry.imports.records import halfwidth, id_number_problem
from zoufang.registry.models import Target


class LookupForm(forms.Form):
    number = forms.CharField(label=_("申请人的身份证号码或电话号码"), max_length=limits.CODE,
                             help_text=_("核实申请人身份后填写；只查本单位管辖范围内的记录。"),
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))

    def clean_number(self) -> Number:
        return parse_number(self.cleaned_data["number"])


class ErasureForm(LookupForm):
    number = forms.CharField(widget=forms.HiddenInput, max_length=limits.CODE)
    reason = forms.ChoiceField(label=_("删除理由（个人信息保护法第四十七条）"), choices=Reason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("理由说明"), required=False, max_length=limits.SHORT,
                           help_text=_("选“其他”时必填，写明法律依据或申请人的请求。"))
    confirm = forms.BooleanField(label=_("我已核实申请人身份，确认删除。删除后不可恢复。"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == Reason.OTHER and not (data.get("note") or "").strip():
            raise ValidationError({"note": _("理由为“其他”时须写明理由说明")})
        return data


class LiftForm(LookupForm):
    """The resident consents again to being registered: the office lifts the erasure's hold on imports."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=limits.CODE)
    note = forms.CharField(label=_("重新同意的依据"), max_length=limits.SHORT,
                           help_text=_("如：本人于某日书面同意重新登记。"))
    confirm = forms.BooleanField(label=_("我已核实申请人身份及本人重新同意登记，确认解除。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "lift_%s")  # its fields' ids apart from the erasure form's on the same page
        super().__init__(*args, **kwargs)


class CorrectionForm(LookupForm):
    """更正 (第四十六条) of one record found: the person's own fields as the office read them, at their version;
    each checked by the registry's rule (GB 11643 with what exactly is wrong, the phone rule)."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=limits.CODE)
    target = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=limits.CODE)

    def __init__(self, target: Target, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"correct_{target.public_id.hex[:12]}_%s")  # one form per record on the page
        kwargs["initial"] = {"target": target.public_id, "version": target.version,
                             **{name: getattr(target, name) for name in correctable(target)}, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.record = target
        self.stale = ""  # why the office's last submission of this form was not saved: the record changed meanwhile
        for name in correctable(target):
            model_field = cast(models.Field, Target._meta.get_field(name))
            self.fields[name] = cast(forms.Field, model_field.formfield(required=name == "name"))
            self.fields[name].widget.attrs["autocomplete"] = "off"
            # The value as the office read it, so that a refusal names only what someone else changed since.
            self.fields[f"read_{name}"] = forms.CharField(widget=forms.HiddenInput, required=False, strip=False,
                                                          max_length=model_field.max_length)
            self.initial.setdefault(f"read_{name}", getattr(target, name))

    def clean_id_number(self) -> str:
        value = identifiers.normalise_id_number(re.sub(r"\s+", "", halfwidth(self.cleaned_data["id_number"])))
        problem = id_number_problem(value) if value else ""
        if problem:
            raise ValidationError(f"{identifiers.ID_NUMBER_RULE}；{problem}")
        return value

    def clean_phone(self) -> str:
        value = re.sub(r"\s+", "", halfwidth(self.cleaned_data["phone"]))
        if identifiers.is_valid_mobile(value.replace("-", "")):
            value = value.replace("-", "")
        if value and not identifiers.is_valid_phone(value):
            raise ValidationError(identifiers.PHONE_RULE)
        return value

    @property
    def read(self) -> dict[str, str] | None:
        """The person's fields as the office read them; None from a form drawn before it carried them."""
        names = correctable(self.record)
        if not all(self.add_prefix(f"read_{name}") in self.data for name in names):
            return None
        return {name: self.cleaned_data[f"read_{name}"] for name in names}

    @property
    def values(self) -> dict[str, Any]:
        """The person's fields as corrected (what `correction.correct` writes)."""
        return {name: self.cleaned_data[name].strip() if name in ("name", "contact_name", "address")
                else self.cleaned_data[name]
                for name in correctable(self.record)}
