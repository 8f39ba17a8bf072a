"""The forms of the 典型 pages: what each field is called and its rules, in Chinese."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang.core.widgets import DayInput
from zoufang.exemplars.models import TEXT_MAX, TITLE_MAX, Exemplar

CONSENT_HELP = _("居民本人同意在简报和宣传中公开其姓名、住址时填写；不填则发布时隐去其姓名、住址。身份证号、电话号码一律不公开。")


class ConsentFields(forms.Form):
    consent_person = forms.CharField(label=_("同意公开的人（本人姓名）"), max_length=50, required=False)
    consent_method = forms.ChoiceField(label=_("同意方式"), required=False,
                                       choices=[("", _("—— 未同意 ——")), *Exemplar.ConsentMethod.choices])
    consent_on = forms.DateField(label=_("同意日期"), required=False,
                                 widget=DayInput(),
                                 error_messages={"invalid": _("同意日期：请按 2017-06-15 的格式填写。")})


class NominateForm(ConsentFields):
    kind = forms.ChoiceField(label=_("典型类型"), choices=Exemplar.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("典型类型：请选择。")})
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX,
                            error_messages={"required": _("标题：必填。"),
                                            "max_length": _("标题：不能超过 %(limit_value)d 个字。")})
    text = forms.CharField(label=_("事迹简介"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": _("事迹简介：必填。"),
                                           "max_length": _("事迹简介：不能超过 %(limit_value)d 个字。")})
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    field_order = ["kind", "title", "text", "consent_person", "consent_method", "consent_on"]


class EditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = NominateForm.base_fields["title"]
    text = NominateForm.base_fields["text"]
    note = forms.CharField(label=_("修改说明（可选）"), max_length=200, required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput,
                                 error_messages={"required": _("版本：缺少读取时的版本号，请刷新页面。")})


class DeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("未采用理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("未采用理由：必填，推荐人会看到。")})


class ConsentForm(ConsentFields):
    version = forms.IntegerField(widget=forms.HiddenInput)
