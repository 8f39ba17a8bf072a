"""Django's createsuperuser, answering in Chinese: its success line is a fixed English sentence, not a translation."""

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.utils.translation import gettext as _


class Command(createsuperuser.Command):
    help = "创建超级用户（应急账号）：之后在管理后台为走访办等账号添加用户和角色授权。"

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        super().handle(*args, **{**options, "verbosity": 0})  # the verbosity only decides the English line
        if verbosity >= 1:
            self.stdout.write(_("超级用户创建成功。"))
