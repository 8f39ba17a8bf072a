"""`zoufang jobs schedule|sweep`: start the worker's periodic chain (`make run` does), or sweep downloads now."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from zoufang.core.commands import ZoufangCommand
from zoufang.jobs import services, tasks


class Command(ZoufangCommand):
    help = "后台任务：schedule 启动定时工作（zoufang cases tick、清理过期下载），sweep 立即清理过期下载和中断的任务"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        schedule = sub.add_parser("schedule", help="让后台任务进程定时运行 zoufang cases tick 和过期清理（已在运行则不重复）")
        schedule.add_argument("--now", action="store_true", help="立即运行一次（重新开始定时链）")
        sub.add_parser("sweep", help="删除过期的下载文件，把中断的任务标为失败")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "schedule":
            started = tasks.ensure_scheduled(now=options["now"])
            self.stdout.write(_("已安排定时工作") if started else _("定时工作已在运行"))
        else:
            swept = services.sweep()
            self.stdout.write(_("已清理：过期下载文件 %(expired)s 个，中断的任务 %(interrupted)s 个标为失败，"
                                "残留的临时文件 %(removed)s 个。") % swept)
