"""`zoufang cases tick`: the scheduled deadline run, see docs/cases.md. Open311 keys: `zoufang open311 keys`."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from zoufang.cases.tick import tick
from zoufang.core.commands import ZoufangCommand
from zoufang.documents.reminders import remind


class Command(ZoufangCommand):
    help = "问题办理：tick 标记超期件并发送催办提醒，并提醒未交工作总结的单位（可重复、可并发运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("tick", help="标记超期件，提醒承办单位和走访办；同一天重复运行不会重复提醒")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "tick":
            report = tick()
            self.stdout.write(_("超期 %(overdue)s 件（新增 %(new)s 件），逾期未登记 %(late)s 件，发送提醒 %(sent)s 条") % {
                "overdue": report.overdue, "new": report.newly_overdue, "late": report.late_drafts,
                "sent": report.reminders,
            })
            summaries = remind()  # the units' 工作总结, on the same daily run (decision 0073)
            self.stdout.write(_("工作总结提醒 %(sent)s 条") % {"sent": summaries.reminders})
