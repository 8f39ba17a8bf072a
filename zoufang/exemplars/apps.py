from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExemplarsConfig(AppConfig):
    name = "zoufang.exemplars"
    verbose_name = _("典型")
