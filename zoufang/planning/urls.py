from django.urls import path, re_path

from zoufang.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_overview, name="overview"),
    path("apply/", views.plan_apply, name="apply"),
    path("check/", views.plan_check, name="check"),
    re_path(r"^export\.(?P<fmt>xlsx|docx)$", views.plan_export, name="export"),
    path("units/<uuid:public_id>/", views.plan_unit, name="unit"),
    re_path(r"^units/(?P<public_id>[0-9a-f-]{36})/walk-lists\.(?P<fmt>xlsx|docx)$", views.plan_unit_walk_lists,
            name="unit_walk_lists"),
    path("assignments/<uuid:public_id>/pin/", views.plan_pin, name="pin"),
]
