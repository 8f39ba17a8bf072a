from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "zoufang.callbacks"
    verbose_name = _("第三方回访抽查")
