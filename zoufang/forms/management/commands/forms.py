"""`zoufang forms load FILE…|--shipped` and `zoufang forms template KEY OUT.xlsx` (XLSForm columns)."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.core.commands import ZoufangCommand
from zoufang.forms import services, xlsform
from zoufang.forms.models import Form


class Command(ZoufangCommand):
    help = _("调查表：加载定义（YAML 或 XLSForm xlsx），导出可编辑的 xlsx")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help=_("加载调查表定义；措辞有变化时发布新版本"))
        load.add_argument("files", nargs="*", type=Path, metavar=_("文件"), help=_("调查表定义文件（YAML 或 XLSForm xlsx），可写多个"))
        load.add_argument("--shipped", action="store_true", help=_("加载随附的六张调查表"))
        template = sub.add_parser("template", help=_("把调查表当前版本写成 XLSForm xlsx，供走访办修改后再加载"))
        template.add_argument("key", metavar=_("调查表代号"), help=_("调查表的代号（见调查表的定义文件）"))
        template.add_argument("output", type=Path, metavar=_("输出文件"), help=_("写出的 xlsx 文件"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "template":
            form = Form.objects.filter(key=options["key"]).first()
            version = form.current_version() if form else None
            if version is None:
                raise CommandError(_("没有调查表 %(key)s") % {"key": options['key']})
            options["output"].write_bytes(xlsform.write_xlsx(version.rows))
            self.stdout.write(_("已写入 %(output)s（%(form)s，第 %(version_number)s 版）") % {
                "output": options['output'], "form": form, "version_number": version.number,
            })
            return
        paths = list(options["files"]) + (services.shipped_form_paths() if options["shipped"] else [])
        if not paths:
            raise CommandError(_("请给出文件，或用 --shipped"))
        failed = False
        for path in paths:
            try:
                version, created = services.load_form_file(path)
            except services.FormDefinitionError as error:
                failed = True
                for line in error.errors:
                    self.stderr.write(f"{path.name}：{line}")
                continue
            state = _("发布第 %(version_number)s 版") % {"version_number": version.number} if created else _("未变（第 %(version_number)s 版）") % {"version_number": version.number}
            self.stdout.write(f"{path.name}：{version.form.title} {state}")
        if failed:
            raise CommandError(_("有调查表未能加载"))
