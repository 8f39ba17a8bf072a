from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "zoufang.planning"
    verbose_name = _("分配")

    def ready(self) -> None:
        from zoufang.planning import proof

        proof.connect()
