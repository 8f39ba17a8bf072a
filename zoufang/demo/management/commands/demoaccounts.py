from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from zoufang.accounts.models import RoleGrant
from zoufang.demo.loader import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"演示账号（密码均为 {settings.ZOUFANG_DEMO_PASSWORD}）：")
        for username, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12}{label}")
        handlers = (
            RoleGrant.objects.filter(role=RoleGrant.Role.UNIT_HANDLER, unit__isnull=False)
            .select_related("user", "unit")
            .order_by("unit__sort_order", "user__username")
        )
        for grant in handlers:
            unit = grant.unit.name if grant.unit else ""
            self.stdout.write(f"  {grant.user.username:<12}承办部门：{unit}")
