from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "zoufang.cases"
    verbose_name = _("问题与意见建议")
