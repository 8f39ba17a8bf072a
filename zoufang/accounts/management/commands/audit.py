import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.core.commands import ZoufangCommand


class Command(ZoufangCommand):
    help = "审计记录：verify 校验审计链（发现修改、删除、插入），prune 清理保存期之前的审计记录"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条校验审计记录的哈希链；发现问题时退出码为 1")
        sub.add_parser("prune", help="删除早于保存期（ZOUFANG_AUDIT_RETENTION_DAYS，至少 180 天）的审计记录，并记录链的新起点")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")()

    def do_verify(self) -> None:
        result = audit.verify()
        for problem in result.problems:
            self.stderr.write(_("  问题：%(problem)s") % {"problem": problem})
        summary = (_("已校验 %(checked)s 条审计记录（第 %(first_seq)s 至 %(last_seq)s 条），"
                     "链头校验值 %(last_hash)s") % {
            "checked": result.checked, "first_seq": result.first_seq, "last_seq": result.last_seq,
            "last_hash": result.last_hash,
        })
        if result.ok:
            self.stdout.write(_("审计链完好：%(summary)s") % {"summary": summary})
            return
        self.stderr.write(_("审计链校验未通过，共发现 %(n_problems)s 处问题：%(summary)s") % {
            "n_problems": len(result.problems), "summary": summary,
        })
        sys.exit(1)

    def do_prune(self) -> None:
        try:
            deleted = audit.prune()
        except audit.PruneRefused as exc:
            raise CommandError(_("审计链校验未通过，为保留证据，本次不清理：\n%(exc)s") % {"exc": exc}) from None
        days = audit.retention_days()
        if deleted:
            self.stdout.write(_("已清理保存期（%(days)s 天）之前的审计记录 %(deleted)s 条；新起点已记入审计链。") % {
                "days": days, "deleted": deleted,
            })
        else:
            self.stdout.write(_("没有早于保存期（%(days)s 天）的审计记录，未清理。") % {"days": days})
