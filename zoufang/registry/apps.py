from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "zoufang.registry"
    verbose_name = _("走访对象与单位")
