from django.urls import path

from zoufang.documents import views

app_name = "documents"
urlpatterns = [
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/new/", views.generate, name="generate"),
    path("<slug:slug>/issuer/", views.issuer, name="issuer"),
    path("<slug:slug>/<uuid:public_id>/", views.detail, name="detail"),
    path("<slug:slug>/<uuid:public_id>/issue/", views.issue, name="issue"),
    path("<slug:slug>/<uuid:public_id>/docx/", views.download, name="download"),
    path("<slug:slug>/<uuid:public_id>/delete/", views.delete, name="delete"),
    path("<slug:slug>/<uuid:public_id>/preview/", views.preview, name="preview"),
]
