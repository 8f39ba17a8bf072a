from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zoufang.accounts import views as account_views
from zoufang.api import api
from zoufang.web import views as web_views

admin.site.site_header = "走访管理后台"
admin.site.site_title = "走访"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("account/", include("zoufang.accounts.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("zoufang.cases.open311_urls")),
    path("cases/", include("zoufang.cases.urls")),
    path("plan/", include("zoufang.planning.urls")),
    path("audit/", include("zoufang.accounts.audit_urls")),
    path("cadre-accounts/", include("zoufang.accounts.cadre_urls")),
    path("oversight/", include("zoufang.oversight.urls")),
    path("documents/", include("zoufang.documents.urls")),
    path("callbacks/", include("zoufang.callbacks.urls")),
    path("assessment/", include("zoufang.assessment.urls")),
    path("integrity/", include("zoufang.integrity.urls")),
    path("downloads/", include("zoufang.jobs.urls")),
    path("exemplars/", include("zoufang.exemplars.urls")),
    path("ratings/", include("zoufang.ratings.urls")),
    path("privacy/", include("zoufang.privacy.urls")),
    path("campaigns/", include("zoufang.campaigns.urls")),
    path("", include("zoufang.visits.urls")),
    path("", include("zoufang.web.urls")),
]
