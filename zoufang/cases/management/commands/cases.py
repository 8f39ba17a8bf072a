"""`zoufang cases tick` (the scheduled deadline run, see docs/cases.md) and `zoufang cases open311-key`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Open311Key
from zoufang.cases.tick import tick


class Command(BaseCommand):
    help = "问题办理：tick 标记超期件并发送催办提醒（可重复、可并发运行）；open311-key 为热线平台签发接入密钥"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("tick", help="标记超期件，提醒承办单位和走访办；同一天重复运行不会重复提醒")
        key = sub.add_parser("open311-key", help="签发 Open311 接入密钥（只显示一次）")
        key.add_argument("name", help="平台名称，如 12345热线平台")
        key.add_argument("--campaign", required=True, help="走访活动代号，如 jinxi-2017")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "tick":
            report = tick()
            self.stdout.write(_("超期 %(overdue)s 件（新增 %(new)s 件），逾期未登记 %(late)s 件，发送提醒 %(sent)s 条") % {
                "overdue": report.overdue, "new": report.newly_overdue, "late": report.late_drafts,
                "sent": report.reminders,
            })
        elif options["subcommand"] == "open311-key":
            campaign = Campaign.objects.filter(slug=options["campaign"]).first()
            if campaign is None:
                raise CommandError(_("没有代号为 %(slug)s 的走访活动") % {"slug": options["campaign"]})
            _key, secret = Open311Key.issue(options["name"], campaign)
            self.stdout.write(secret)
            self.stderr.write(_("请妥善保存该密钥：系统只保存其摘要，无法再次显示。"))
