"""`zoufang open311 keys add|list|revoke|rotate`: the security administrator's Open311 partner keys."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.cases import open311_keys
from zoufang.core.commands import ZoufangCommand


class Command(ZoufangCommand):
    help = "Open311 接入密钥：安全管理员为合作平台（如 12345 热线）签发、列出、停用、轮换密钥"

    def add_arguments(self, parser: CommandParser) -> None:
        groups = parser.add_subparsers(dest="group", required=True)
        keys = groups.add_parser("keys", help="接入密钥").add_subparsers(dest="subcommand", required=True)
        add = keys.add_parser("add", help="签发密钥（只显示一次）")
        add.add_argument("--name", required=True, help="平台名称，如 12345热线")
        add.add_argument("--region", required=True, help="可读取的区域名称，如 锦溪镇")
        add.add_argument("--campaign", default="", help="走访活动代号；留空则取包含该区域的最新活动")
        keys.add_parser("list", help="列出全部密钥（不显示密钥本身）")
        for name, text in (("revoke", "停用密钥，立即失效"), ("rotate", "轮换密钥：停用旧密钥并签发新密钥（只显示一次）")):
            one = keys.add_parser(name, help=text)
            one.add_argument("key_id", type=int, metavar="密钥编号", help="密钥编号（见 zoufang open311 keys list）")
        for sub in (add, *(keys.choices[n] for n in ("revoke", "rotate"))):
            sub.add_argument("--by", required=True, help="执行操作的安全管理员账号")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "list":
            self._list()
            return
        actor = get_user_model().objects.filter(username=options["by"]).first()
        if actor is None:
            raise CommandError(_("没有账号 %(name)s") % {"name": options["by"]})
        try:
            if command == "add":
                issued = open311_keys.add_key(actor, name=options["name"], region=options["region"],
                                              campaign=options["campaign"])
            elif command == "rotate":
                issued = open311_keys.rotate_key(actor, options["key_id"])
            else:
                key = open311_keys.revoke_key(actor, options["key_id"])
                self.stdout.write(_("已停用密钥 %(id)s（%(name)s）") % {"id": key.pk, "name": key.name})
                return
        except open311_keys.KeyRefused as refused:
            raise CommandError(str(refused)) from None
        self.stderr.write(_("密钥 %(id)s（%(name)s，区域 %(region)s）已签发。请妥善保存：系统只保存其摘要，无法再次显示。") % {
            "id": issued.key.pk, "name": issued.key.name, "region": issued.key.region.name if issued.key.region else ""})
        self.stdout.write(issued.secret)

    def _list(self) -> None:
        self.stdout.write("\t".join([_("编号"), _("平台"), _("区域"), _("前缀"), _("签发"), _("签发人"), _("状态"), _("最近使用")]))
        for key in open311_keys.list_keys():
            state = _("%(day)s 停用（%(by)s）") % {"day": clock.day(key.disabled_on), "by": key.revoked_by or "—"} \
                if key.disabled_on else _("有效")
            used = clock.minute(key.last_used_at) if key.last_used_at else "—"
            self.stdout.write("\t".join([
                str(key.pk), key.name, key.region.name if key.region else key.campaign.scope.name, key.prefix + "…",
                clock.day(key.created_at), str(key.issued_by or "—"), str(state), used,
            ]))
