"""`zoufang ratings sync [--campaign SLUG]`: create the 督查 items saved answers call for and that are missing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zoufang.campaigns.models import Campaign
from zoufang.ratings import grades, services


class Command(BaseCommand):
    help = "企业评价：sync 为评价为“差”而尚无督查事项的调查表答案补建督查事项（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="补建缺少的督查事项")
        sync.add_argument("--campaign", help="走访活动代号（slug）；不写时处理全部活动")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.order_by("slug")
        if options.get("campaign"):
            campaigns = campaigns.filter(slug=options["campaign"])
            if not campaigns.exists():
                raise CommandError(f"没有代号为 {options['campaign']} 的走访活动")
        for campaign in campaigns:
            if not grades.rating_forms(campaign):
                continue
            created = services.sync_campaign(campaign)
            self.stdout.write(f"{campaign.name}：新建督查事项 {created} 项")
