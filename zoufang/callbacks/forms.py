"""The office's draw form, the call form built from the campaign's script, and the verification form."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang.callbacks.models import CallbackAttempt
from zoufang.callbacks.script import Script
from zoufang.callbacks.services import configured_shares
from zoufang.core import limits, request_keys
from zoufang.core.widgets import DayInput
from zoufang.registry.models import Unit


def configured_percents(campaign: Any) -> tuple[Decimal | None, Decimal | None]:
    """(抽查比例, 疑点走访占比) in per cent as the campaign's `callbacks` block sets them; None where it sets none."""
    rate, flagged = (None if share is None else Decimal(share.numerator * 100) / Decimal(share.denominator)
                     for share in configured_shares(campaign))
    return rate, flagged


def _shown(percent: Decimal | None) -> str:
    return "—" if percent is None else f"{percent.normalize():f}"


class DrawForm(forms.Form):
    configured = ""  # each campaign's configured rate and flagged share, in words
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
        # Each campaign's configured rate and flagged share (seed 000's file: 5 %, 30 %), named above the fields;
        # a field left empty takes them. Shown in the fields too when every campaign offered sets the same.
        configured = {c.name: configured_percents(c) for c in campaigns}
        self.configured = "；".join(str(_("%(campaign)s：抽查比例 %(rate)s%%，疑点走访占比 %(flagged)s%%") % {
            "campaign": name, "rate": _shown(rate), "flagged": _shown(flagged)})
            for name, (rate, flagged) in configured.items() if rate is not None)
        if len(set(configured.values())) == 1:
            for name, value in zip(("percent", "flagged_percent"), next(iter(configured.values())), strict=True):
                if value is not None:
                    self.fields[name].widget.attrs["placeholder"] = _shown(value)
        self.fields["percent"].help_text = _("留空按活动配置的比例；或只填抽查数量")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("percent") is not None and data.get("count") is not None:
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


# 核实, 重新交办 and 不满意跟进 share a sample's page with fields of the same names: each form's prefix names and ids its
# own fields (verify-note, id_verify-note), so no two elements of the page share an id and each POST reads its own.
class VerifyForm(forms.Form):
    prefix = "verify"
    upheld = forms.TypedChoiceField(label=_("核实结论"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                    choices=[("yes", _("属实：未走访")), ("no", _("不属实：确已走访"))])
    explanation = forms.CharField(label=_("走访干部的说明"), max_length=limits.NOTE,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("核实情况"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    prefix = "reopen"
    note = forms.CharField(label=_("处理情况"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}),
                           initial="")


class FollowUpForm(forms.Form):
    prefix = "follow_up"
    note = forms.CharField(label=_("跟进情况"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("如：已再次电话沟通、已转走访干部所在单位整改、已当面解释等"))
