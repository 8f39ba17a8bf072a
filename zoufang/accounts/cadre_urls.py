from django.urls import path

from zoufang.accounts import cadre_views

app_name = "cadre_accounts"
urlpatterns = [
    path("", cadre_views.cadre_accounts_page, name="list"),
    path("<uuid:public_id>/", cadre_views.cadre_account, name="cadre"),
]
