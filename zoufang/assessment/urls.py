from django.urls import path

from zoufang.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("my-scores/", views.my_scores, name="my_scores"),
    path("my-scores/<uuid:score_id>/", views.my_score, name="my_score"),
    path("<slug:slug>/", views.campaign, name="campaign"),
    path("<slug:slug>/run/", views.run, name="run"),
    path("<slug:slug>/<uuid:public_id>/", views.detail, name="detail"),
    path("<slug:slug>/<uuid:public_id>/freeze/", views.freeze, name="freeze"),
    path("<slug:slug>/<uuid:public_id>/xlsx/", views.xlsx, name="xlsx"),
    path("<slug:slug>/<uuid:public_id>/scores/<uuid:score_id>/", views.score, name="score"),
    path("<slug:slug>/<uuid:public_id>/scores/<uuid:score_id>/adjust/", views.adjust, name="adjust"),
]
