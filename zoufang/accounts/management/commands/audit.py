import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoufang.accounts import audit


class Command(BaseCommand):
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
            self.stderr.write(f"  问题：{problem}")
        summary = (f"已校验 {result.checked} 条审计记录（第 {result.first_seq} 至 {result.last_seq} 条），"
                   f"链头校验值 {result.last_hash}")
        if result.ok:
            self.stdout.write(f"审计链完好：{summary}")
            return
        self.stderr.write(f"审计链校验未通过，共发现 {len(result.problems)} 处问题：{summary}")
        sys.exit(1)

    def do_prune(self) -> None:
        try:
            deleted = audit.prune()
        except audit.PruneRefused as exc:
            raise CommandError(f"审计链校验未通过，为保留证据，本次不清理：\n{exc}") from None
        days = audit.retention_days()
        if deleted:
            self.stdout.write(f"已清理保存期（{days} 天）之前的审计记录 {deleted} 条；新起点已记入审计链。")
        else:
            self.stdout.write(f"没有早于保存期（{days} 天）的审计记录，未清理。")
