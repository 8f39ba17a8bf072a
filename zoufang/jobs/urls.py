from django.urls import path

from zoufang.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.download_list, name="list"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/status.json", views.status, name="status"),
    path("<uuid:public_id>/file", views.file, name="file"),
    path("<uuid:public_id>/retry/", views.retry, name="retry"),
]
