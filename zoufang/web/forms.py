"""Forms of the web pages: the target list's filters and the import upload."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from zoufang.campaigns.models import Campaign
from zoufang.core.tabular import WPS_SUFFIXES, wps_format_message
from zoufang.core.widgets import PickedFileInput
from zoufang.regions.models import Region
from zoufang.registry.models import Target

MAX_UPLOAD_MB = 20
UPLOAD_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".csv")  # what core.tabular reads; .ods is refused there


class TargetFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100, widget=forms.SearchInput,
                        help_text=_("身份证号、电话须输入完整号码"))
    kind = forms.ChoiceField(label=_("对象类型"), required=False)
    region = forms.ChoiceField(label=_("区划"), required=False)

    def __init__(self, data: Any, *, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # Short enough to show whole in a phone's search box (360 px); the rule for numbers is the help below it.
        self.fields["q"].widget.attrs.update({"placeholder": str(_("户主、企业、地址、身份证号或电话"))})
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        region_field = cast(forms.ChoiceField, self.fields["region"])
        kind_field.choices = [("", _("全部类型")), *Target.Kind.choices]
        indent = {"village": "\u3000", "group": "\u3000\u3000", "grid": "\u3000\u3000"}
        region_choices: list[tuple[str, Any]] = [("", _("全部区划"))]
        region_choices += [(str(r.public_id), f"{indent.get(r.level, '')}{r.name}") for r in regions]
        region_field.choices = region_choices


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"))
    file = forms.FileField(
        label=_("文件"), widget=PickedFileInput, help_text=_("Excel（.xlsx、.xls）或 CSV 文件，表头之上可以有标题行，不超过 20 MB")
    )
    campaign = forms.ModelChoiceField(
        label=_("走访活动"), queryset=Campaign.objects.none(), required=False, empty_label=_("（不涉及具体活动）"),
        to_field_name="public_id",
    )
    dry_run = forms.BooleanField(label=_("仅检查（不写入）"), required=False, initial=True)
    update = forms.BooleanField(
        label=_("按更新导入"), required=False,
        help_text=_("允许已登记的身份证号码、统一社会信用代码、区划代码改姓名（名称）、村或户别：先列出每一处变更，确认后才写入，并记入审计"),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        campaign_field = cast(forms.ModelChoiceField, self.fields["campaign"])
        kind_field.choices = kinds
        campaign_field.queryset = campaigns
        self.fields["file"].widget.attrs["accept"] = ",".join(UPLOAD_SUFFIXES)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.name.lower().endswith(WPS_SUFFIXES):
            raise forms.ValidationError(wps_format_message())
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("只能上传 Excel（.xlsx、.xls、.xlsm）或 CSV 文件"))
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("文件超过 %(mb)s MB，请拆分后分批导入") % {"mb": MAX_UPLOAD_MB})
        return upload
