from django.urls import path

from zoufang.documents import summary_views, views

app_name = "documents"
urlpatterns = [
    # Before the campaign's pages: two segments no campaign page has (a 专报's picked cases, decision 0079).
    path("special/picked/", views.picked, name="picked"),
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/new/", views.generate, name="generate"),
    path("<slug:slug>/issuer/", views.issuer, name="issuer"),
    path("<slug:slug>/summaries/", summary_views.index, name="summaries"),
    path("<slug:slug>/summaries/xlsx/", summary_views.xlsx, name="summaries_xlsx"),
    path("<slug:slug>/summaries/units/<uuid:unit_id>/", summary_views.unit, name="summary_unit"),
    path("<slug:slug>/summaries/units/<uuid:unit_id>/hand-in/", summary_views.hand_in, name="summary_hand_in"),
    path("<slug:slug>/summaries/units/<uuid:unit_id>/return/", summary_views.return_summary, name="summary_return"),
    path("<slug:slug>/summaries/units/<uuid:unit_id>/withdraw-return/", summary_views.withdraw_return,
         name="summary_withdraw_return"),
    path("<slug:slug>/summaries/files/<uuid:public_id>/", summary_views.file, name="summary_file"),
    path("<slug:slug>/<uuid:public_id>/", views.detail, name="detail"),
    path("<slug:slug>/<uuid:public_id>/issue/", views.issue, name="issue"),
    path("<slug:slug>/<uuid:public_id>/docx/", views.download, name="download"),
    path("<slug:slug>/<uuid:public_id>/delete/", views.delete, name="delete"),
    path("<slug:slug>/<uuid:public_id>/preview/", views.preview, name="preview"),
]
