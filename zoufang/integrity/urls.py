from django.urls import path

from zoufang.integrity import views

app_name = "integrity"
urlpatterns = [
    path("<slug:slug>/", views.flag_list, name="flags"),
    path("<slug:slug>/clear/", views.clear, name="clear"),
    path("<slug:slug>/scan/", views.scan, name="scan"),
    path("<slug:slug>/flags.xlsx", views.flag_xlsx, name="xlsx"),
]
