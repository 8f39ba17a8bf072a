from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "zoufang.oversight"
    verbose_name = _("督查统计")

    def ready(self) -> None:
        from zoufang.oversight import case_counters, counters

        counters.connect()
        case_counters.connect()
