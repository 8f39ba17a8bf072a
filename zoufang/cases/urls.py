"""/cases/: the office's board and lists, the unit's desk, the leader's queue, one case."""

from django.urls import path

from zoufang.cases import intake, report_views, upper_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", intake.hotline, name="hotline"),
    path("desk/", views.desk, name="desk"),
    path("signoff/", views.signoff, name="signoff"),
    path("upper/", upper_views.queue, name="upper"),
    path("upper.xlsx", upper_views.queue_xlsx, name="upper_xlsx"),
    path("weekly/", report_views.weekly, name="weekly"),
    path("weekly.xlsx", report_views.weekly_xlsx, name="weekly_xlsx"),
    path("agenda/", report_views.agenda, name="agenda"),
    path("shared/", report_views.shared_problems, name="shared"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/publication/", views.publish, name="publish"),
    path("<uuid:public_id>/<slug:action>/", views.act, name="act"),
]
