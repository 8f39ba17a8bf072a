import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from zoufang.accounts.demo import enrol_demo_accounts
from zoufang.campaigns.models import Campaign
from zoufang.demo.loader import SLUG, DemoError, load_demo


class Command(BaseCommand):
    help = "载入锦溪镇 2017 年“六个一”基层走访调研演示数据（两份走访活动配置、区划、单位、干部、走访对象、分配表和演示账号）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="已载入过演示数据时什么也不做")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Campaign.objects.filter(slug=SLUG).exists():
            self.stdout.write("演示数据已存在，跳过载入。")
            return
        started = time.monotonic()
        self.stdout.write("正在载入锦溪镇 2017 演示数据……")
        with Progress(transient=True, disable=not self.stderr.isatty()) as progress:
            task = progress.add_task("导入", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                campaign = load_demo(say=lambda message: self.stdout.write(f"  {message}"), progress=advance)
            except DemoError as exc:
                raise CommandError(str(exc)) from None
        enrol_demo_accounts()
        self.stdout.write(f"完成：{campaign.name}，用时 {time.monotonic() - started:.0f} 秒。")
