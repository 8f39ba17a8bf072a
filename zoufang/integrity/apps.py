from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "zoufang.integrity"
    verbose_name = _("走访真实性提示")
