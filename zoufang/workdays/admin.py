from django.contrib import admin

from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.workdays.models import DayOverride, OfficialYear


@admin.register(DayOverride)
class DayOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(OfficialYear)
class OfficialYearAdmin(AuditedModelAdmin):
    list_display = ["year", "source", "imported_at"]
