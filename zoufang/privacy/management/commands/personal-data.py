"""`zoufang personal-data expire [--apply]`: residents' personal data past its retention period (docs/security.md
§8.1.4.11, privacy/retention.py). A dry run unless --apply."""

from typing import Any

from django.core.management.base import CommandParser

from zoufang.core.commands import ZoufangCommand
from zoufang.privacy.retention import expire


class Command(ZoufangCommand):
    help = "个人信息保存期限：expire 删除超出保存期限的走访对象个人信息（默认试运行，加 --apply 执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("expire", help="找出活动结束后超过保存期限的走访对象；加 --apply 删除其个人信息，记录保留")
        run.add_argument("--apply", action="store_true", help="执行删除（不加时只统计）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "expire":
            self.stdout.write(expire(apply=options["apply"]).summary())
