import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from zoufang.accounts.admin_area import AreaAdminMixin
from zoufang.accounts.admin_audit import AuditedAdminMixin, AuditedModelAdmin
from zoufang.campaigns.models import Campaign, CaseCategory, Phase

# Inline rows stay within the page width: short inputs, two-line text areas.
COMPACT_TEXT: dict[type[models.Field], dict[str, Any]] = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})},
    models.CharField: {"widget": forms.TextInput(attrs={"size": 12})},
    models.PositiveIntegerField: {"widget": forms.NumberInput(attrs={"style": "width: 4em"})},
}


class PhaseInline(AuditedAdminMixin, admin.TabularInline):
    model = Phase
    extra = 0
    formfield_overrides = COMPACT_TEXT
    fields = ("sort_order", "key", "name", "starts_on", "ends_on", "description")


class CaseCategoryInline(AuditedAdminMixin, admin.TabularInline):
    model = CaseCategory
    extra = 0
    formfield_overrides = COMPACT_TEXT
    fields = ("sort_order", "code", "title", "parent", "disabled_on")
    fk_name = "campaign"


@admin.register(Campaign)
class CampaignAdmin(AreaAdminMixin, AuditedModelAdmin):
    region_field, shared_when_null = "scope", False
    list_display = ("name", "slug", "scope", "starts_on", "ends_on")
    search_fields = ("name", "slug")
    autocomplete_fields = ("scope",)
    readonly_fields = ("source_name", "configuration")
    exclude = ("config",)
    inlines = (PhaseInline, CaseCategoryInline)

    @admin.display(description="配置（由配置文件导入，只读）")
    def configuration(self, campaign: Campaign) -> str:
        return format_html("<pre style='white-space:pre-wrap;max-height:30em;overflow:auto'>{}</pre>",
                           json.dumps(campaign.config, ensure_ascii=False, indent=2))


@admin.register(CaseCategory)
class CaseCategoryAdmin(AreaAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    region_field, shared_when_null = "campaign__scope", False
    list_display = ("code", "title", "campaign", "parent", "disabled_on")
    list_filter = ("campaign",)
    search_fields = ("code", "title")
    list_select_related = ("campaign", "parent")
