import datetime as dt
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.core.backup import BackupError, Target, configured_target, restore_backup


class Command(BaseCommand):
    help = _(
        "把 zoufang backup 生成的加密备份恢复到一个空数据库（默认为当前配置的数据库）和空的照片目录，"
        "并逐表核对行数和校验和。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("备份文件"))
        parser.add_argument("--database-url", help=_("恢复到另一个空数据库，如 postgres://user@host/zoufang_new"))
        parser.add_argument("--media-root", help=_("恢复照片到此目录（默认为当前配置的照片目录）"))

    def handle(self, *args: Any, **options: Any) -> None:
        target = configured_target()
        if options["database_url"]:
            target = Target(database=dict(dj_database_url.parse(options["database_url"])), media_root=target.media_root)
        if options["media_root"]:
            target = Target(database=target.database, media_root=Path(options["media_root"]))
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(_("找不到备份文件 %(f)s") % {"f": source})
        try:
            manifest = restore_backup(source, target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(_(
            "已恢复并逐表核对一致：%(t)s 张表，%(r)s 行，%(m)s 张照片（备份时间 %(at)s）。"
        ) % {"t": len(manifest["tables"]), "r": rows, "m": len(manifest["media"]),
            "at": clock.minute(dt.datetime.fromisoformat(manifest["created_at"]))})
        if str(settings.DATABASES["default"]["NAME"]) == str(target.database["NAME"]):
            self.stdout.write(_("请运行 zoufang migrate 以应用备份之后的新版本迁移（如有）。"))
