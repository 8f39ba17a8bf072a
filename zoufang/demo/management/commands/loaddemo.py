import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.progress import Progress

from zoufang.accounts.demo import enrol_demo_accounts
from zoufang.campaigns.models import Campaign
from zoufang.core.commands import ZoufangCommand
from zoufang.demo import menghe, zhouzhuang
from zoufang.demo.loader import SLUG, DemoError, load_demo


class Command(ZoufangCommand):
    help = ("载入演示数据：锦溪镇 2017 年“六个一”基层走访调研（区划、单位、干部、走访对象、分配表、走访、问题和演示账号），"
            "以及孟河镇“走田头、进车间、求良策”大走访（合成的孟河镇、分配、四类走访和调查表、问题、孟河镇账号）"
            "和周庄镇 2017 年“六个一”走访（合成的昆山市第二个镇，供市“六个一”办公室并排比较）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="已载入过的部分什么也不做（只补上没有载入的镇）")

    def handle(self, *args: Any, **options: Any) -> None:
        say = lambda message: self.stdout.write(f"  {message}")  # noqa: E731
        if options["if_empty"] and Campaign.objects.filter(slug=SLUG).exists():
            self.stdout.write("锦溪镇演示数据已存在，跳过载入。")
        else:
            started = time.monotonic()
            self.stdout.write("正在载入锦溪镇 2017 演示数据……")
            with Progress(transient=True, disable=not self.stderr.isatty()) as progress:
                task = progress.add_task("导入", total=None)

                def advance(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                try:
                    campaign = load_demo(say=say, progress=advance)
                except DemoError as exc:
                    raise CommandError(str(exc)) from None
            self.stdout.write(_("完成：%(campaign)s，用时 %(monotonic).0f 秒。") % {
                "campaign": campaign.name, "monotonic": time.monotonic() - started,
            })
        # A demo loaded before decision 0032 is skipped below, not loaded again: its units are renamed here.
        menghe.rename_former_units(say=say)
        zhouzhuang.rename_former_units(say=say)
        towns = (("孟河镇", menghe.is_loaded, menghe.load_menghe_demo),
                 ("周庄镇", zhouzhuang.is_loaded, zhouzhuang.load_zhouzhuang_demo))
        for name, is_loaded, load in towns:
            if options["if_empty"] and is_loaded():
                self.stdout.write(_("%(name)s演示数据已存在，跳过载入。") % {"name": name})
                continue
            started = time.monotonic()
            self.stdout.write(_("正在载入%(name)s演示数据……") % {"name": name})
            try:
                campaign = load(say=say)
            except DemoError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(_("完成：%(campaign)s，用时 %(monotonic).0f 秒。") % {
                "campaign": campaign.name, "monotonic": time.monotonic() - started,
            })
        enrol_demo_accounts()
