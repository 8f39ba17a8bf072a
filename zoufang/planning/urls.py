from django.urls import path, re_path

from zoufang.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_overview, name="overview"),
    path("apply/", views.plan_apply, name="apply"),
    re_path(r"^export\.(?P<fmt>xlsx|docx)$", views.plan_export, name="export"),
    path("units/<uuid:public_id>/", views.plan_unit, name="unit"),
    path("assignments/<uuid:public_id>/pin/", views.plan_pin, name="pin"),
]
