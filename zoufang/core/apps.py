import os
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zoufang.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django_tasks.signals import task_started

        from zoufang.core.heap import settle_worker

        connection_created.connect(owner_only_sqlite, dispatch_uid="zoufang.core.owner_only_sqlite")
        task_started.connect(settle_worker, dispatch_uid="zoufang.core.settle_worker")
        checks.register(keys_from_environment, checks.Tags.security, deploy=True)


def keys_from_environment(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: data keys generated beside the database protect nothing if both are taken."""
    from django.conf import settings

    if not settings.DATA_KEYS_FROM_FILE:
        return []
    return [checks.Warning(
        str(_("未设置 ZOUFANG_DATA_KEYS 和 ZOUFANG_INDEX_KEY：身份证号码、电话号码正用自动生成在 var/data_keys 中的密钥加密，"
            "密钥与数据放在一起。")),
        hint=str(_("生产环境请在环境变量中设置这两个密钥，并与数据库和备份分开保管（见 docs/encryption.md）。")),
        id="zoufang.W001")]


def owner_only_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Residents' data on disk is readable by the service's own user only: the SQLite file and var/."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or not os.path.exists(name):
        return
    path = Path(name)
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)
    from django.conf import settings

    var = Path(settings.VAR_DIR)
    if path.parent.resolve() == var.resolve() and var.stat().st_mode & 0o077:
        var.chmod(0o700)
