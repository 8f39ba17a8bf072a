from django.urls import path

from zoufang.ratings import views

app_name = "ratings"
urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/ratings.xlsx", views.ratings_xlsx, name="xlsx"),
    path("<slug:slug>/units/<uuid:unit_id>/", views.unit_page, name="unit"),
    path("<slug:slug>/items/<uuid:public_id>/", views.item_page, name="item"),
]
