import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.core.commands import ZoufangCommand
from zoufang.core.tabular import DATE_FORMS, parse_date
from zoufang.workdays.calendar import Calendar, WorkdayResult, add_working_days
from zoufang.workdays.services import import_schedule


def _date(text: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise CommandError(_("日期应写成 %(date_forms)s，而不是 %(text)s") % {"date_forms": DATE_FORMS, "text": text})
    return day


class Command(ZoufangCommand):
    help = "工作日历：按法定节假日和调休计算工作日；导入某年的放假安排"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=_("打印某日之后第几个工作日"))
        add.add_argument("date", metavar=_("日期"), help=_("起算日，如 2017-06-15"))
        add.add_argument("days", type=int, metavar=_("天数"), help=_("第几个工作日"))
        check = sub.add_parser("check", help=_("某日是否为工作日"))
        check.add_argument("date", metavar=_("日期"), help=_("如 2017-06-15"))
        imp = sub.add_parser("import", help="导入放假安排（列：日期、类型〔放假/上班〕、说明）")
        imp.add_argument("file", metavar=_("文件"), help=_("放假安排（xlsx 或 csv）"))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            result = add_working_days(_date(options["date"]), options["days"])
            self.stdout.write(clock.day(result.date))
            if result.used_fallback:
                self.stderr.write(result.warning())
        elif action == "check":
            day = _date(options["date"])
            calendar = Calendar({day.year})
            self.stdout.write("工作日" if calendar.is_workday(day) else "休息日")
            if calendar.fallback_years:
                self.stderr.write(WorkdayResult(day, calendar.fallback_years).warning())
        else:
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(_("找不到文件 %(path)s") % {"path": path})
            report = import_schedule(path, filename=path.name)
            if not report.ok:
                for error in report.errors:
                    self.stdout.write(str(error))
                raise CommandError(_("放假安排未导入：请改正以上问题后重试，未写入任何数据。"))
            for note in report.notes:
                self.stdout.write(note)
            self.stdout.write(_("已导入 %(map)s 年放假安排，共 %(days)s 天。") % {
                "map": '、'.join(map(str, report.years)), "days": report.days,
            })
