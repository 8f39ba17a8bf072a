import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.core.commands import ZoufangCommand
from zoufang.registry.stats import campaign_stats


class Command(ZoufangCommand):
    help = "走访活动的基础数据统计：区划、走访对象、单位、干部"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True, help="走访活动代号，如 jinxi-2017")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            campaign = Campaign.objects.select_related("scope").get(slug=options["campaign"])
        except Campaign.DoesNotExist:
            raise CommandError(_("没有代号为 %(campaign)s 的走访活动") % {"campaign": options['campaign']}) from None
        stats = campaign_stats(campaign)
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False))
            return
        from zoufang.regions.models import Region
        from zoufang.registry.models import Cadre, Target

        self.stdout.write(f"{campaign.name}（{campaign.slug}）")
        for level, n in stats["regions"].items():
            self.stdout.write(f"  {Region.Level(level).label}：{n}")
        for kind, n in stats["targets"].items():
            self.stdout.write(f"  {Target.Kind(kind).label}：{n}")
        self.stdout.write(_("  单位：%(units)s") % {"units": stats['units']})
        for role, n in stats["cadres"].items():
            self.stdout.write(f"  {Cadre.Role(role).label}：{n}")
