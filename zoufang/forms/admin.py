"""Questionnaires in the admin: read only; a new version comes from `zoufang forms load` or the 走访记录 page."""

from django.contrib import admin

from zoufang.forms.models import Form, FormVersion
from zoufang.visits.admin import ReadOnlyAdmin


@admin.register(Form)
class FormAdmin(ReadOnlyAdmin):
    list_display = ("key", "title", "modified_at")
    search_fields = ("key", "title")


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnlyAdmin):
    list_display = ("form", "number", "label", "created_at")
    list_filter = ("form",)
    list_select_related = ("form",)
