from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zoufang.accounts"
    verbose_name = _("账户与审计")

    def ready(self) -> None:
        from zoufang.accounts import signals

        signals.connect()
