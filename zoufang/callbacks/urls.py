from django.urls import path

from zoufang.callbacks import views

app_name = "callbacks"
urlpatterns = [
    path("", views.index, name="index"),
    path("dissatisfied/", views.dissatisfied, name="dissatisfied"),
    path("<uuid:public_id>/", views.batch, name="batch"),
    path("<uuid:public_id>/xlsx/", views.xlsx, name="xlsx"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("samples/<uuid:public_id>/", views.sample, name="sample"),
    path("samples/<uuid:public_id>/phone/", views.reveal, name="reveal"),
]
