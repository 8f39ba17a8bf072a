from django.urls import path

from zoufang.exemplars import views

app_name = "exemplars"
urlpatterns = [
    path("", views.index, name="index"),
    path("nominate/visit/<uuid:public_id>/", views.nominate_visit, name="nominate_visit"),
    path("nominate/case/<uuid:public_id>/", views.nominate_case, name="nominate_case"),
    path("<slug:slug>/", views.published_list, name="list"),
    path("<slug:slug>/xlsx/", views.xlsx, name="xlsx"),
    path("<slug:slug>/review/", views.queue, name="queue"),
    path("<slug:slug>/<uuid:public_id>/", views.detail, name="detail"),
    path("<slug:slug>/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<slug:slug>/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("<slug:slug>/<uuid:public_id>/decline/", views.decline, name="decline"),
    path("<slug:slug>/<uuid:public_id>/consent/", views.consent, name="consent"),
]
