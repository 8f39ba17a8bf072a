from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core import crypto
from zoufang.core.commands import ZoufangCommand
from zoufang.core.keys import new_key

SHOWN_PROBLEMS = 50


class Command(ZoufangCommand):
    help = _(
        "加密存储的身份证号码、电话号码：rotate 用当前密钥（ZOUFANG_DATA_KEYS 的第一个）重新加密全部数据并重算检索索引"
        "（可重复运行，中断后再次运行即可续完）；verify 检查每个值都能解密、每个索引都相符；new-key 打印一个新密钥。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate", "verify", "new-key"], help=_("rotate、verify 或 new-key"))
        parser.add_argument("--batch", type=int, default=crypto.BATCH, help=_("每批处理的行数（每批一个事务）"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "new-key":
            self.stdout.write(new_key())
            return
        if options["batch"] < 1:
            raise CommandError(_("--batch 应为正整数"))
        if options["action"] == "rotate":
            self.rotate(options["batch"])
        else:
            self.verify(options["batch"])

    def progress(self) -> Progress:
        return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)

    def rotate(self, batch: int) -> None:
        ring = crypto.keyring()
        written = 0
        with self.progress() as progress, connection.cursor() as cursor:
            for column in crypto.all_columns():
                task = progress.add_task(_("重新加密 %(c)s") % {"c": column.verbose}, total=column.count(cursor))
                rows = crypto.rewrite(column, "rotate", cursor, ring, batch)
                try:
                    while True:
                        with transaction.atomic():  # one batch at a time: a stop loses at most one batch
                            examined, changed = next(rows)
                        written += changed
                        progress.advance(task, examined)
                except StopIteration:
                    pass
                except crypto.DecryptionError as exc:
                    raise CommandError(_("%(c)s 有值无法解密，已停止（已完成的批次已保存）：%(e)s。请先运行 zoufang crypto "
                                         "verify 查明，并确认 ZOUFANG_DATA_KEYS 含有加密时所用的全部密钥。")
                                       % {"c": column.verbose, "e": exc}) from None
        audit.record(None, AuditEvent.Action.SECURITY, object_type="crypto", summary=_("加密数据换用密钥 %(k)s") % {"k": ring.current_id},
                     changes={"rewritten": written})
        self.stdout.write(_("已完成：%(n)s 个值已改用当前密钥 %(k)s 加密或更新了检索索引；其余已是最新。")
                          % {"n": written, "k": ring.current_id})

    def verify(self, batch: int) -> None:
        ring = crypto.keyring()
        problems: list[crypto.Problem] = []
        examined = 0
        with self.progress() as progress, connection.cursor() as cursor:
            for column in crypto.all_columns():
                task = progress.add_task(_("检查 %(c)s") % {"c": column.verbose}, total=column.count(cursor))
                for count, found in crypto.verify(column, cursor, ring, batch):
                    examined += count
                    problems.extend(found)
                    progress.advance(task, count)
        for problem in problems[:SHOWN_PROBLEMS]:
            self.stdout.write(_("%(c)s 第 %(pk)s 条：%(r)s") % {"c": problem.column.verbose, "pk": problem.pk,
                                                               "r": problem.reason})
        if problems:
            raise CommandError(_("检查了 %(n)s 个值，发现 %(p)s 处问题%(more)s。") % {
                "n": examined, "p": len(problems),
                "more": _("（只列出前 %(s)s 处）") % {"s": SHOWN_PROBLEMS} if len(problems) > SHOWN_PROBLEMS else ""})
        self.stdout.write(_("检查了 %(n)s 个值：全部能解密，检索索引全部相符。") % {"n": examined})
