from django.urls import path

from zoufang.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("copy.xlsx", views.copy_xlsx, name="copy"),
    path("erase/", views.erase, name="erase"),
    path("lift/", views.lift, name="lift"),
    path("correct/", views.correct, name="correct"),
]
