from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zoufang.accounts"
    verbose_name = _("账户与审计")

    def ready(self) -> None:
        from django.contrib import admin
        from django.core import checks

        from zoufang.accounts import admin_audit, signals
        from zoufang.accounts.checks import permissions_only_from_roles

        signals.connect()
        checks.register(permissions_only_from_roles, checks.Tags.security)
        # After the admin's autodiscovery (django.contrib.admin's ready() runs first: it is listed first).
        admin_audit.adopt_third_party_admins(admin.site)
