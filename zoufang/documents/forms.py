from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang.core import request_keys
from zoufang.core.widgets import DayInput, PickedFileInput
from zoufang.documents.models import Document, Issuer


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("种类"), choices=Document.Kind.choices)
    starts_on = forms.DateField(label=_("统计起始日"), required=False, widget=DayInput(),
                                help_text=_("留空：通报为本季度，简报为近7天，会商材料和专报为本月"))
    ends_on = forms.DateField(label=_("统计截止日"), required=False, widget=DayInput(),
                              help_text=_("留空为今天"))
    # A 专报's subject (decision 0074): the campaign's categories, villages and units (special.choices), or cases
    # named by their numbers.
    subject = forms.ChoiceField(label=_("专报主题"), required=False, help_text=_("选择一个问题类别、村（社区）或单位；通报、简报和会商材料不用填"))
    numbers = forms.CharField(label=_("选定问题的编号"), required=False, max_length=2000,
                              help_text=_("专报主题为“按问题编号选定”时填写，多个编号用空格或逗号隔开"))
    # One key a rendered form: submitting it twice, or the job retried, makes one draft (Document.request_key).
    key = request_keys.RequestKeyField()
    # Shown only while the kind is 专报 (site.js); without script they show, and the other kinds ignore them.
    special_only = ("subject", "numbers")

    def __init__(self, *args: Any, campaign: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from zoufang.documents import special

        picks = special.choices(campaign) if campaign is not None else []
        self.fields["subject"].choices = [("", _("（通报、简报、会商材料不选）")), *picks]  # type: ignore[attr-defined]

    @staticmethod
    def asked(query: Any) -> dict[str, str]:
        """The kind, subject and numbers a link fills in (the case list's 生成专报, decision 0077): initial values
        only; the form is still sent, and checked, as typed."""
        values = {name: str(query.get(name, ""))[:2000] for name in ("kind", "subject", "numbers")}
        return {name: value for name, value in values.items() if value}


class IssuerForm(forms.ModelForm):
    class Meta:
        model = Issuer
        fields = ["name", "abbreviation", "briefing_name", "copy_to", "printed_by"]


class SummaryForm(forms.Form):
    """A unit's 工作总结 (decision 0071): the file is checked by documents.summaries, by its content."""

    file = forms.FileField(label=_("总结文件"), widget=PickedFileInput, help_text=_("Word（.docx、.doc）、WPS 文字（.wps）或 PDF，不超过 20 MB"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200,
                           help_text=_("可不填；如“定稿”“补充典型案例”"))
    # One key a rendered form: the same form sent twice stores one version (Summary.request_key).
    key = request_keys.RequestKeyField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".docx,.doc,.wps,.pdf"


class SummaryReturnForm(forms.Form):
    """The office returns a unit's current 工作总结 for revision (decision 0075): a reason the unit reads."""

    reason = forms.CharField(label=_("退回原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("单位的承办人会收到通知并按此修改，如“缺少典型案例”“数据与台账不符”；不超过 300 字"))
    # The version the page showed: a version handed in meanwhile makes the return stale (decision 0059).
    version = forms.UUIDField(widget=forms.HiddenInput)
    # One key a rendered form: the same form sent twice returns once (SummaryReturn.request_key).
    key = request_keys.RequestKeyField()


class SummaryWithdrawForm(forms.Form):
    """The office withdraws its return of a unit's 工作总结, made in error (decision 0080): nothing typed."""

    # The version the page showed returned: a version handed in meanwhile makes the withdrawal stale (decision 0059).
    version = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("确认撤销：本版恢复为“已提交”，单位的承办人会收到通知"),
                                 error_messages={"required": _("请勾选确认后再撤销退回")})
    # One key a rendered form: the same form sent twice withdraws once (SummaryReturn.withdraw_key).
    key = request_keys.RequestKeyField()
