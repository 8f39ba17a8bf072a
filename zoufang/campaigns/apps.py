from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "zoufang.campaigns"
    verbose_name = _("走访活动")
