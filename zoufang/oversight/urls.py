from django.urls import path

from zoufang.oversight import views

app_name = "oversight"
urlpatterns = [
    path("city/<uuid:region_id>/", views.city, name="city"),
    path("city/<uuid:region_id>/xlsx/all/", views.city_xlsx_all, name="city_xlsx_all"),  # before the one table's
    path("city/<uuid:region_id>/xlsx/<slug:key>/", views.city_xlsx, name="city_xlsx"),
    # Before the campaign's pages: "units" is no campaign's slug.
    path("units/", views.units, name="units"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/units/<uuid:unit_id>/", views.unit, name="unit"),
    path("<slug:slug>/rows/", views.rows, name="rows"),
    path("<slug:slug>/full-coverage/", views.full_coverage, name="full_coverage"),
    path("<slug:slug>/full-coverage/xlsx/", views.full_coverage_xlsx, name="full_coverage_xlsx"),
    path("<slug:slug>/full-coverage/rows/", views.full_coverage_rows, name="full_coverage_rows"),
    path("<slug:slug>/xlsx/all/", views.table_xlsx_all, name="xlsx_all"),  # before the one table's
    path("<slug:slug>/xlsx/<slug:key>/", views.table_xlsx, name="xlsx"),
]
