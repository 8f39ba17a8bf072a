from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts.demo import demo_code
from zoufang.accounts.models import RoleGrant
from zoufang.core.commands import ZoufangCommand
from zoufang.demo import menghe, zhouzhuang
from zoufang.demo.loader import DEMO_ACCOUNTS


class Command(ZoufangCommand):
    help = "列出演示账号；--otp 账号 打印该演示账号当前的动态验证码（仅演示数据）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--otp", metavar="账号", help="打印该演示账号当前的 6 位动态验证码（30 秒内有效，只能用一次）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["otp"]:
            code = demo_code(options["otp"])
            if code is None:
                raise CommandError(_("%(otp)s 不是启用了双因素认证的演示账号。") % {"otp": options['otp']})
            self.stdout.write(code)
            return
        two_factor = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))

        def line(username: str, label: str) -> str:
            return f" {'*' if username in two_factor else ' '}{username:<19}{label}"

        self.stdout.write(_("演示账号（密码均为 %(zoufang_demo_password)s；标 * 的账号登录时还需动态验证码，"
                            "用 zoufang demoaccounts --otp 账号 取得）：") % {"zoufang_demo_password": settings.ZOUFANG_DEMO_PASSWORD})
        self.stdout.write("锦溪镇（2017 年“六个一”基层走访调研）：")
        for username, label in DEMO_ACCOUNTS:
            self.stdout.write(line(username, label))
        handlers = (
            RoleGrant.objects.filter(role=RoleGrant.Role.UNIT_HANDLER, unit__isnull=False)
            .select_related("user", "unit")
            .order_by("unit__sort_order", "user__username")
        )
        listed = [*menghe.HANDLERS.values(), *zhouzhuang.HANDLERS.values(), *(username for username, _label in DEMO_ACCOUNTS)]
        for grant in handlers.exclude(user__username__in=listed):
            unit = grant.unit.name if grant.unit else ""
            self.stdout.write(line(grant.user.username, _("承办部门：%(unit)s") % {"unit": unit}))
        towns = (("孟河镇（“走田头、进车间、求良策”大走访，分配页 /plan/?campaign=menghe-dazoufang）：", menghe.DEMO_ACCOUNTS),
                 ("周庄镇（2017 年“六个一”走访，昆山市第二个镇，city 账号并排比较）：", zhouzhuang.DEMO_ACCOUNTS))
        for heading, accounts in towns:
            loaded = set(get_user_model().objects.filter(username__in=[u for u, _label in accounts])
                         .values_list("username", flat=True))
            if loaded:
                self.stdout.write(heading)
                for username, label in accounts:
                    if username in loaded:
                        self.stdout.write(line(username, label))
