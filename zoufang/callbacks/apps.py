from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "zoufang.callbacks"
    verbose_name = _("第三方回访抽查")

    def ready(self) -> None:
        # A failed callback is an integrity flag of the visit (the office sees it beside the computed ones).
        from zoufang.callbacks.findings import callback_failures
        from zoufang.integrity.flags import register_flag_source

        register_flag_source(callback_failures)
