"""`zoufang cases tick`: the scheduled deadline run (cron or a systemd timer, see the README)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zoufang.cases.tick import tick


class Command(BaseCommand):
    help = "问题办理：tick 标记超期件并发送催办提醒（可重复运行，可并发运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("tick", help="标记超期件，提醒承办单位和走访办；同一天重复运行不会重复提醒")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "tick":
            report = tick()
            self.stdout.write(
                f"超期 {report.overdue} 件（新增 {report.newly_overdue} 件），逾期未登记 {report.late_drafts} 件，"
                f"发送提醒 {report.reminders} 条"
            )
