from django.urls import path

from zoufang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("2fa/", views.two_factor, name="two_factor"),
    path("password/", views.change_password, name="password"),
    path("tokens/", views.my_tokens, name="tokens"),
    path("tokens/<uuid:public_id>/revoke/", views.revoke_token, name="revoke_token"),
]
