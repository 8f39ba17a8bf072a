from django.urls import path

from zoufang.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("organisation/", views.organisation_index, name="organisation_index"),
    path("<slug:slug>/organisation/", views.organisation, name="organisation"),
]
