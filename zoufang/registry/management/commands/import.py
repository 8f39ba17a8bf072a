"""`zoufang import KIND FILE`: all rows or none, every error listed with its row, column and rule."""

from argparse import RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from zoufang.campaigns.models import Campaign
from zoufang.core.commands import ChineseHelpFormatter, ZoufangCommand
from zoufang.registry.imports import KINDS, run_import

PROGRESS_FROM_ROWS = 500
# The path from an empty database to a planned town; README.md “从空库到分配完成” holds the same commands
# (zoufang/registry/tests/test_readme_path.py runs them and checks that both say the same).
GUIDE = """\
从空库到分配完成（在放导入文件的目录中依次运行；jinxi-2017 换成本镇走访活动的代号）：

  zoufang campaign load 活动.yaml
  zoufang import-template regions --out 区划.xlsx
  zoufang import-template units --out 单位.xlsx
  zoufang import-template departments --out 镇部门.xlsx
  zoufang import-template cadres --out 干部.xlsx
  zoufang import-template households --out 居民户.xlsx
  zoufang import-template enterprises --out 企业.xlsx
  zoufang import-template projects --out 项目.xlsx
  zoufang import-template allocation --out 附件1.xlsx
  zoufang import regions 区划.xlsx --campaign jinxi-2017
  zoufang import units 单位.xlsx --campaign jinxi-2017
  zoufang import departments 镇部门.xlsx --campaign jinxi-2017
  zoufang import cadres 干部.xlsx --campaign jinxi-2017
  zoufang import households 居民户.xlsx --campaign jinxi-2017
  zoufang import enterprises 企业.xlsx --campaign jinxi-2017
  zoufang import projects 项目.xlsx --campaign jinxi-2017
  zoufang import allocation 附件1.xlsx --campaign jinxi-2017 --label 附件1
  zoufang plan run --campaign jinxi-2017
  zoufang plan check --campaign jinxi-2017
  zoufang plan export --campaign jinxi-2017 --out 分配表.xlsx

要点：
  - 顺序不能颠倒：区划 → 单位 → 镇部门 → 干部 → 居民户、企业、项目 → 上级分配表；后面的表引用前面登记的内容。
  - 每一名要走访的人都要作为干部导入（镇领导、各部门的每一名党员、村（社区）干部）：
    分配按导入的干部人数计算，不看表中的“党员人数”。
  - 镇部门表（附件4-1 格式）的“走访户数”两列可以留空，由活动的分配规则计算；这一步不存表中的走访数。
    镇里已定好各部门户数的，再以 department_quotas 导入同一张表（--label 附件4-1）存为定案表，
    网页上选“镇各部门定案分配表”。
  - --label 是上级分配表的来源表名称（如“附件1”“附件2”），写进分配结果和导出的表；
    再次导入同名来源表整表替换，同一张表不能以两个名称导入；不写时取表中的“附件1”标注、文件名或表标题。
  - 先加 --dry-run 试运行；有一行出错则整个文件不写入。
  - 已登记的身份证号码、统一社会信用代码或区划代码在表中换了姓名、名称、村或户别时，该行不导入；
    确是更名或迁移的，加 --update（先与 --dry-run 一起运行，核对列出的每一处变更），写入后逐条记入审计。
"""


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


class Command(ZoufangCommand):
    help = _("从 xlsx 或 csv 导入区划、单位、干部、走访对象或分配表；有一行错误则整个文件不写入")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        return super().create_parser(prog_name, subcommand, epilog=_(GUIDE), formatter_class=GuideFormatter,
                                     **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help=_("导入类型"))
        parser.add_argument("file", type=Path, metavar=_("文件"), help=_("xlsx 或 csv 文件"))
        parser.add_argument("--campaign", metavar="SLUG", help=_("走访活动代号，如 jinxi-2017"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查并报告将要发生的变化，不写入"))
        parser.add_argument("--label", help=_("分配表的来源表名称，如“附件1”（不指定时取表中的“附件1”标注、名为“附件1”的文件名或表标题）"))
        parser.add_argument("--update", action="store_true",
                            help=_("按更新导入：允许已登记的身份证号码、信用代码、区划代码改姓名、名称、村或户别；"
                                   "每一处变更都列出并记入审计"))
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
                                mark_demo=options["demo"], source_label=options["label"], update=options["update"])
        finally:
            bar.close()
        for note in report.notes:
            self.stdout.write(_("提示：%(note)s") % {"note": note})
        if not report.ok:
            self.stdout.write(_("%(file)s 有%(n)d处错误，整个文件未写入：")
                              % {"file": path.name, "n": len(report.errors)})
            for error in report.errors:
                self.stdout.write(f"  {error}")
            raise CommandError(_("导入失败：请改正以上错误后重新导入"), returncode=1)
        prefix = _("（试运行，未写入）") if report.dry_run else ""
        if report.changes:
            self.stdout.write((_("将修改以下%(n)d个已登记对象：") if report.dry_run
                               else _("已修改以下%(n)d个已登记对象（已记入审计）：")) % {"n": len(report.changes)})
            for change in report.changes:
                self.stdout.write(f"  {change}")
        self.stdout.write(f"{prefix}{label} {path.name}：{report.summary()}")


class GuideFormatter(ChineseHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, with the guide printed as written."""
