from django.apps import AppConfig


class SuperuserCommandConfig(AppConfig):
    """Only a command: listed before django.contrib.auth, so its `createsuperuser` is the one `zoufang` runs."""

    name = "zoufang.accounts.superuser"
    label = "zoufang_superuser"
    verbose_name = "超级用户命令"
