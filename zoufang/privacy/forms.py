"""The office's forms for a resident's request: the number to look for; the erasure's reason and confirmation."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zoufang.core import limits
from zoufang.privacy.erasure import Reason
from zoufang.privacy.holdings import Number, parse_number


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
