"""`zoufang import-template KIND --out FILE.xlsx`: the blank spreadsheet for one import kind."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from zoufang.core.commands import ZoufangCommand
from zoufang.registry.imports import KINDS, write_template


class Command(ZoufangCommand):
    help = _("生成某类导入的 xlsx 模板（含“说明”页：每列是否必填、填写规则、示例）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help=_("导入类型"))
        parser.add_argument("--out", type=Path, required=True, help=_("输出的 xlsx 文件"))

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        write_template(options["kind"], out)
        self.stdout.write(_("已生成%(label)s导入模板：%(path)s") % {"label": KINDS[options["kind"]].label, "path": out})
