from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.core.backup import BackupError, create_backup, new_key
from zoufang.core.commands import ZoufangCommand


class Command(ZoufangCommand):
    help = _(
        "备份数据库和走访照片到一个加密文件（服务运行中也可备份，得到同一时刻的一致快照）。"
        "密钥取自环境变量 ZOUFANG_BACKUP_KEY；--new-key 生成一个新密钥。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help=_("备份文件路径，如 /backup/zoufang-2017-06-15.zfbak"))
        parser.add_argument("--new-key", action="store_true", help=_("只打印一个新的备份密钥，不做备份"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        if not options["out"]:
            raise CommandError(_("请用 --out 指定备份文件路径。"))
        out = Path(options["out"])
        try:
            manifest = create_backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        audit.record(None, "export", object_type="backup", summary=_("备份到 %(f)s") % {"f": out.name},
                     changes={"tables": len(manifest["tables"]), "rows": rows, "media": len(manifest["media"])})
        self.stdout.write(_("已备份：%(t)s 张表，%(r)s 行，%(m)s 张照片 → %(f)s") % {
            "t": len(manifest["tables"]), "r": rows, "m": len(manifest["media"]), "f": out})
