from django.urls import path

from zoufang.visits import office_views, views

app_name = "visits"
urlpatterns = [
    path("me/", views.my_list, name="my_list"),
    path("me/visits/", views.submit_visit, name="submit"),
    path("me/summary/", views.my_summary, name="my_summary"),
    path("me/card/", views.contact_cards, name="cards"),
    path("me/diary/", views.diary, name="diary"),
    path("me/ledger.xlsx", views.my_ledger, name="my_ledger"),
    path("me/sw.js", views.service_worker, name="service_worker"),
    path("me/manifest.webmanifest", views.manifest, name="manifest"),
    path("visits/", office_views.visit_list, name="office"),
    path("forms/upload/", office_views.form_upload, name="form_upload"),
    path("forms/<slug:key>/", views.form_preview, name="form_preview"),
    path("forms/<slug:key>.xlsx", office_views.form_template, name="form_template"),
    path("forms/<slug:key>/answers.xlsx", office_views.form_answers, name="form_answers"),
    path("visits/<uuid:public_id>/", views.visit_detail, name="visit"),
    path("visits/<uuid:public_id>/photos/", views.upload_photo, name="upload_photo"),
    path("visits/<uuid:public_id>/photos/<uuid:photo_id>.jpg", views.photo, name="photo"),
    path("units/<uuid:public_id>/ledger.xlsx", views.unit_ledger, name="unit_ledger"),
]
