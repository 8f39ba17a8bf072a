from django.urls import path

from zoufang.web import import_views, target_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("regions/", views.regions, name="regions"),
    path("targets/", target_views.target_list, name="targets"),
    path("targets/<uuid:public_id>/", target_views.target_detail, name="target"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/checked/<uuid:public_id>/", import_views.confirm_checked, name="import_checked"),
    path("imports/templates/<slug:kind>.xlsx", import_views.import_template, name="import_template"),
]
