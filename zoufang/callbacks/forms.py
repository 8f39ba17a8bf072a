"""The office's draw form, the call form built from the campaign's script, and the verification form."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang.callbacks.models import CallbackAttempt
from zoufang.callbacks.script import Script
from zoufang.core import limits, request_keys
from zoufang.core.widgets import DayInput
from zoufang.registry.models import Unit


class DrawForm(forms.Form):
    campaign = forms.ChoiceField(label=_("走访活动"))
    starts_on = forms.DateField(label=_("走访日期自"), widget=DayInput())
    ends_on = forms.DateField(label=_("走访日期至"), widget=DayInput())
    percent = forms.DecimalField(label=_("抽查比例（%）"), required=False, min_value=Decimal("0.01"),
                                 max_value=Decimal(100), decimal_places=2)
    count = forms.IntegerField(label=_("或抽查数量（条）"), required=False, min_value=1, max_value=100000)
    flagged_percent = forms.DecimalField(label=_("疑点走访占比（%）"), required=False, min_value=Decimal(0),
                                         max_value=Decimal(100), decimal_places=2,
                                         help_text=_("留空按活动配置；抽样先保证每个单位、村（社区）和未抽过的干部各有一条"))
    caller = forms.ModelChoiceField(label=_("回访单位（第三方）"), required=False, queryset=Unit.objects.none(),
                                    empty_label=_("（不指定单位）"))
    # One key a rendered form: submitting it twice, or the job retried, draws one batch (CallbackBatch.request_key).
    key = request_keys.RequestKeyField()

    def __init__(self, *args: Any, campaigns: list[Any], callers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]  # type: ignore[attr-defined]
        self.fields["caller"].queryset = callers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("percent") is None) == (data.get("count") is None):
            raise forms.ValidationError(_("请填写抽查比例或抽查数量（二选一）。"))
        return data

    @staticmethod
    def share(percent: Decimal | None) -> Fraction | None:
        return None if percent is None else Fraction(percent) / 100


class CallForm(forms.Form):
    """One attempt: what happened, and the script's answers when the person answered."""

    kind = forms.ChoiceField(label=_("拨打情况"), choices=CallbackAttempt.Kind.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("备注"), required=False, max_length=limits.NOTE,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, script: Script, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.script = script
        for question in script.questions():
            name = f"q_{question['name']}"
            if question["type"] == "note":
                continue
            if question["type"] == "select_one":
                self.fields[name] = forms.ChoiceField(
                    label=question["label"], required=False, widget=forms.RadioSelect,
                    choices=[(value, label) for value, label in script.options(question)])
            else:
                self.fields[name] = forms.CharField(label=question["label"], required=False, max_length=limits.NOTE,
                                                    widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["note"] = self.fields.pop("note")

    def answers(self) -> dict[str, Any]:
        return {key[2:]: value for key, value in self.cleaned_data.items() if key.startswith("q_") and value}

    def opening(self) -> list[str]:
        return [q["label"] for q in self.script.questions() if q["type"] == "note"]


class VerifyForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("核实结论"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                    choices=[("yes", _("属实：未走访")), ("no", _("不属实：确已走访"))])
    explanation = forms.CharField(label=_("走访干部的说明"), max_length=limits.NOTE,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("核实情况"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("处理情况"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}),
                           initial="")
