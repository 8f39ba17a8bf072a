"""`zoufang import KIND FILE`: all rows or none, every error listed with its row, column and rule."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from zoufang.campaigns.models import Campaign
from zoufang.registry.imports import KINDS, run_import

PROGRESS_FROM_ROWS = 500


class ProgressBar:
    """A rich progress bar on stderr, shown only for files of more than PROGRESS_FROM_ROWS rows."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_FROM_ROWS:
            return
        if self.progress is None:
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.description, total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


class Command(BaseCommand):
    help = _("从 xlsx 或 csv 导入区划、单位、干部、走访对象或分配表；有一行错误则整个文件不写入")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help=_("导入类型"))
        parser.add_argument("file", type=Path, help=_("xlsx 或 csv 文件"))
        parser.add_argument("--campaign", metavar="SLUG", help=_("走访活动代号，如 jinxi-2017"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查并报告将要发生的变化，不写入"))
        parser.add_argument("--label", help=_("分配表的来源表名称，如“附件1”（不指定时取表中的“附件1”标注、名为“附件1”的文件名或表标题）"))
        parser.add_argument("--demo", action="store_true", help=_("把新增的区划、干部和走访对象标记为演示数据"))

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path = options["kind"], options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        campaign = None
        if options["campaign"]:
            campaign = Campaign.objects.select_related("scope").filter(slug=options["campaign"]).first()
            if campaign is None:
                raise CommandError(_("没有代号为 %(slug)s 的走访活动") % {"slug": options["campaign"]})
        label = str(KINDS[kind].label)
        bar = ProgressBar(_("检查%(label)s") % {"label": label})
        try:
            report = run_import(kind, path, campaign=campaign, dry_run=options["dry_run"], progress=bar,
                                mark_demo=options["demo"], source_label=options["label"])
        finally:
            bar.close()
        if not report.ok:
            self.stdout.write(_("%(file)s 有%(n)d处错误，整个文件未写入：")
                              % {"file": path.name, "n": len(report.errors)})
            for error in report.errors:
                self.stdout.write(f"  {error}")
            raise CommandError(_("导入失败：请改正以上错误后重新导入"), returncode=1)
        prefix = _("（试运行，未写入）") if report.dry_run else ""
        self.stdout.write(f"{prefix}{label} {path.name}：{report.summary()}")
        for note in report.notes:
            self.stdout.write(_("  说明：%(note)s") % {"note": note})
