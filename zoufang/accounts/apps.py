from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zoufang.accounts"
    verbose_name = _("账户与审计")

    def ready(self) -> None:
        from django.contrib import admin

        from zoufang.accounts import admin_audit, signals

        signals.connect()
        # After the admin's autodiscovery (django.contrib.admin's ready() runs first: it is listed first).
        admin_audit.adopt_third_party_admins(admin.site)
