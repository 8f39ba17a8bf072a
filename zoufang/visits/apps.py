from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "zoufang.visits"
    verbose_name = _("走访记录")
