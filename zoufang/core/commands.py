"""The base of every `zoufang` command of ours: its help, argparse's headings and refusals, and its errors in Chinese.

Django's standard options (--verbosity, --settings …) are helped in Chinese here; argparse says its headings
("usage:", "options") and refusals through gettext's `_`, which for our parsers is Django's gettext, so the Chinese
is in the locale's django.po with the other dependencies' strings. Django's own commands (migrate, runserver …)
are left as Django writes them. At the shell a refusal reads “错误：…”, not “CommandError: …”.
"""

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
    SystemCheckError,
)
from django.utils.translation import gettext, gettext_lazy, ngettext

# Django's options on every command, by their long name.
BASE_OPTIONS = {
    "--version": gettext_lazy("显示版本号并退出"),
    "--verbosity": gettext_lazy("输出多少：0 只报错误，1 正常（默认），2、3 更详细"),
    "--settings": gettext_lazy("设置模块，如 zoufang.settings；不写时取环境变量 DJANGO_SETTINGS_MODULE"),
    "--pythonpath": gettext_lazy("加入 Python 搜索路径的目录"),
    "--traceback": gettext_lazy("出错时显示完整的调用栈"),
    "--no-color": gettext_lazy("输出不加颜色"),
    "--force-color": gettext_lazy("输出总加颜色"),
    "--skip-checks": gettext_lazy("不做启动前的系统检查"),
}
BASE_METAVARS = {"--settings": gettext_lazy("模块"), "--pythonpath": gettext_lazy("目录")}
# How a refused value's expected type is named (argparse names it by the Python type: "invalid int value").
TYPE_NAMES = {int: gettext_lazy("整数"), float: gettext_lazy("数"), Path: gettext_lazy("文件路径")}


@contextmanager
def argparse_in_chinese() -> Iterator[None]:
    """For the block argparse translates through Django's gettext (its own `_` and `ngettext` are the standard
    library's, which has no Chinese for it)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class ChineseParser(CommandParser):
    """Django's parser, formatting and parsing with argparse in Chinese; its refusals named in Chinese too."""

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # refuses what is left over itself
        with argparse_in_chinese():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        with argparse_in_chinese():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with argparse_in_chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with argparse_in_chinese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        if not self.called_from_command_line:  # call_command: the caller gets the error (Django's says "Error: …")
            raise CommandError(gettext("参数有误：%(message)s") % {"message": message}, returncode=2)
        with argparse_in_chinese():
            super().error(message)
        raise AssertionError("argparse exits")  # pragma: no cover

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        if action.type in TYPE_NAMES:
            try:
                return action.type(arg_string)
            except (TypeError, ValueError):
                raise argparse.ArgumentError(action, gettext("“%(value)s”不是%(type)s") % {
                    "value": arg_string, "type": TYPE_NAMES[action.type]}) from None
        return super()._get_value(action, arg_string)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """A value outside the choices is refused with the choices as they are typed: 可选：run、check (argparse
        quotes them as Python does: 'run', 'check')."""
        if action.choices is not None and value not in action.choices:
            raise argparse.ArgumentError(action, gettext("“%(value)s”不在可选范围内（可选：%(choices)s）") % {
                "value": value, "choices": "、".join(map(str, action.choices))})


class ChineseHelpFormatter(DjangoHelpFormatter):
    """Django's order (its standard options last), each heading ending in a full-width colon: “选项：”."""

    class _Section(argparse.HelpFormatter._Section):
        def format_help(self) -> str:
            text: str = super().format_help()
            if self.heading:
                text = text.replace(f"{self.heading}:\n", f"{self.heading}：\n", 1)
            return text


def _in_chinese(parser: argparse.ArgumentParser) -> None:
    """Make a command's parser and its subcommands' parsers ChineseParser (Django's create_parser builds a
    CommandParser and offers no hook for the class), Django's standard options helped in Chinese; a subcommand
    choice refused is named by its choices, not by its variable's English name."""
    parser.__class__ = ChineseParser
    if parser.formatter_class is argparse.HelpFormatter:  # a subcommand's: argparse does not pass the command's on
        parser.formatter_class = ChineseHelpFormatter
    for action in parser._actions:
        name = next((option for option in action.option_strings if option.startswith("--")), "")
        if name in BASE_OPTIONS and action.help != argparse.SUPPRESS:
            action.help = str(BASE_OPTIONS[name])
        if name in BASE_METAVARS:
            action.metavar = str(BASE_METAVARS[name])
        if isinstance(action, argparse._SubParsersAction):
            if action.metavar is None:
                action.metavar = "{" + ",".join(action.choices) + "}"
            for sub in dict.fromkeys(action.choices.values()):
                _in_chinese(sub)


class ZoufangCommand(BaseCommand):
    """What every command of ours subclasses instead of Django's BaseCommand."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with argparse_in_chinese():  # argparse names its headings and the -h option as the parser is made
            parser = super().create_parser(prog_name, subcommand, **kwargs)
        _in_chinese(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        """At the shell a refusal reads “错误：…” and exits with its code; call_command still gets the error."""
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if (not getattr(self, "_called_from_command_line", False) or options.get("traceback")
                    or isinstance(error, SystemCheckError)):
                raise
            self.stderr.write(gettext("错误：%(problem)s") % {"problem": error})
            sys.exit(error.returncode)
