from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang.core import request_keys
from zoufang.core.widgets import DayInput, PickedFileInput
from zoufang.documents.models import Document, Issuer


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("种类"), choices=Document.Kind.choices)
    starts_on = forms.DateField(label=_("统计起始日"), required=False, widget=DayInput(),
                                help_text=_("留空：通报为本季度，简报为近7天，会商材料为本月"))
    ends_on = forms.DateField(label=_("统计截止日"), required=False, widget=DayInput(),
                              help_text=_("留空为今天"))
    # One key a rendered form: submitting it twice, or the job retried, makes one draft (Document.request_key).
    key = request_keys.RequestKeyField()


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
