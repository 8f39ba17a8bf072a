from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from zoufang.accounts.models import RoleGrant
from zoufang.demo import menghe
from zoufang.demo.loader import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"演示账号（密码均为 {settings.ZOUFANG_DEMO_PASSWORD}）：")
        self.stdout.write("锦溪镇（2017 年“六个一”基层走访调研）：")
        for username, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<16}{label}")
        handlers = (
            RoleGrant.objects.filter(role=RoleGrant.Role.UNIT_HANDLER, unit__isnull=False)
            .select_related("user", "unit")
            .order_by("unit__sort_order", "user__username")
        )
        for grant in handlers.exclude(user__username__in=menghe.HANDLERS.values()):
            unit = grant.unit.name if grant.unit else ""
            self.stdout.write(f"  {grant.user.username:<16}承办部门：{unit}")
        loaded = set(get_user_model().objects.filter(username__in=[u for u, _label in menghe.DEMO_ACCOUNTS])
                     .values_list("username", flat=True))
        if loaded:
            self.stdout.write("孟河镇（“走田头、进车间、求良策”大走访，分配页 /plan/?campaign=menghe-dazoufang）：")
            for username, label in menghe.DEMO_ACCOUNTS:
                if username in loaded:
                    self.stdout.write(f"  {username:<16}{label}")
