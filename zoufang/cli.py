"""The `zoufang` command: Django's management commands under zoufang's settings, its own screens in Chinese.

`zoufang`, `zoufang help` and a mistyped command name speak Chinese like every command of ours
(core/commands.py): ours are listed by app with their one-line help; Django's and its other components' own
commands are listed by name only, as Django writes them.
"""

import os
import re
import sys
from collections import defaultdict
from difflib import get_close_matches
from typing import Any, NoReturn

from django.core.management import ManagementUtility, get_commands, load_command_class
from django.core.management.color import color_style

OURS = "zoufang"
# A command's first sentence without its asides is its line in the list; the rest is for `zoufang help <命令>`.
FIRST_SENTENCE = re.compile(r"^[^\n。；]*")
ASIDE = re.compile(r"（[^（）]*）")


def one_line(help_text: Any) -> str:
    """A command's help up to its first full stop or semicolon (。；), its asides （…） left out."""
    match = FIRST_SENTENCE.match(str(help_text).strip())
    return ASIDE.sub("", match.group() if match else "")


class ChineseUtility(ManagementUtility):
    """Django's ManagementUtility with its screens in Chinese: the list of commands and an unknown command."""

    def main_help_text(self, commands_only: bool = False) -> str:
        if commands_only:
            return super().main_help_text(commands_only=True)
        from django.utils.translation import gettext as _

        prog = {"prog": self.prog_name}
        lines = [_("用法：%(prog)s <命令> [选项] [参数]") % prog, "",
                 _("输入“%(prog)s help <命令>”查看某条命令的说明和选项。") % prog]
        ours, theirs = self.commands_by_app()
        style = color_style()
        if ours:
            width = max(len(name) for names in ours.values() for name in names) + 2
            lines += ["", _("本系统的命令：")]
            for heading, names in ours.items():
                lines += ["", style.NOTICE(f"[{heading}]")]
                lines += [f"    {name.ljust(width)}{one_line(self.fetch_command(name).help)}".rstrip() for name in names]
            lines += ["", _("Django 及其组件的命令（说明为英文）：")]
        for heading, names in theirs.items():
            lines += ["", style.NOTICE(f"[{heading}]"), *(f"    {name}" for name in names)]
        if self.settings_exception is not None:
            lines += ["", style.NOTICE(_("设置有误，只列出了 Django 自带的命令（错误：%(error)s）。") % {
                "error": self.settings_exception})]
        return "\n".join(lines)

    @staticmethod
    def commands_by_app() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Our commands under their app's Chinese name, in the settings' order of apps (createsuperuser, from
        accounts.superuser, under accounts); the others under their app's label, as Django lists them."""
        from django.apps import apps

        configs = {config.name: config for config in apps.get_app_configs()} if apps.ready else {}
        ours: dict[str, list[str]] = defaultdict(list)
        theirs: dict[str, list[str]] = defaultdict(list)
        for name, app in get_commands().items():
            if app.partition(".")[0] == OURS:
                ours[".".join(app.split(".")[:2])].append(name)
            else:
                theirs["django" if app == "django.core" else app.rpartition(".")[-1]].append(name)
        order = list(configs)
        return ({str(configs[app].verbose_name) if app in configs else app: sorted(ours[app])
                 for app in sorted(ours, key=lambda app: order.index(app) if app in order else len(order))},
                {app: sorted(theirs[app]) for app in sorted(theirs)})

    def fetch_command(self, subcommand: str) -> Any:
        commands = get_commands()
        if subcommand not in commands:
            self.unknown(subcommand, commands)
        app = commands[subcommand]
        return app if not isinstance(app, str) else load_command_class(app, subcommand)

    def unknown(self, subcommand: str, commands: dict[str, Any]) -> NoReturn:
        """“没有 plna 这个命令，是不是 plan？”, then where the list is; exits 1 as Django does."""
        from django.conf import settings
        from django.utils.translation import gettext as _

        settings.INSTALLED_APPS  # noqa: B018 - misconfigured settings: raise their ImproperlyConfigured, as Django does
        said = _("没有“%(name)s”这个命令。") % {"name": subcommand}
        close = get_close_matches(subcommand, commands)
        if close:
            said += _("是不是要输入 %(prog)s %(name)s？") % {"prog": self.prog_name, "name": close[0]}
        sys.stderr.write(said + "\n" + _("输入“%(prog)s help”查看全部命令。") % {"prog": self.prog_name} + "\n")
        sys.exit(1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    ChineseUtility(sys.argv).execute()


if __name__ == "__main__":
    main()
