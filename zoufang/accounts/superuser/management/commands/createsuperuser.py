"""`zoufang createsuperuser`: the first, break-glass account, asked for and answered in Chinese. Django's own command
prompts, refuses and helps in fixed English text, and will not read answers without a terminal; this one replaces it.

At a terminal it asks for the account, the e-mail (may be blank) and the password twice (not echoed); without one it
reads the same answers line by line from stdin (`printf '…' | zoufang createsuperuser`). A wrong answer is said in
Chinese, naming the field and the rule, and asked again; answers ending before the account is complete create
nothing. `--noinput` takes --username and --email (or DJANGO_SUPERUSER_USERNAME / _EMAIL) and the password from
DJANGO_SUPERUSER_PASSWORD, as Django's does.
"""

import argparse
import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core import exceptions
from django.core.management.base import CommandError, CommandParser
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.core.commands import ZoufangCommand

PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105 - the variable's name, Django's

ENDED_EARLY = gettext_lazy("输入在账号填完之前结束，未创建超级用户。")


class Command(ZoufangCommand):
    help = ("创建超级用户（应急账号）：依次输入账号、电子邮件（可不填）和两次密码。之后用它登录管理后台，"
            "为系统管理员、安全管理员、审计管理员和各镇走访办建立账号并授予角色（见 README“第一个账号”）。")
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", metavar=_("账号"), help=_("账号（不写时询问；--noinput 时必填，或设环境变量 DJANGO_SUPERUSER_USERNAME）"))
        parser.add_argument("--email", metavar=_("电子邮件"), help=_("电子邮件（可不填）"))
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help=_("不询问：账号和电子邮件取自上面两项，密码取自环境变量 %(name)s") % {"name": PASSWORD_VARIABLE})
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        self.answers: Any = options.get("stdin") or sys.stdin
        self.database = options["database"]
        username = options["username"] or os.environ.get("DJANGO_SUPERUSER_USERNAME", "")
        email = options["email"] if options["email"] is not None else os.environ.get("DJANGO_SUPERUSER_EMAIL")
        try:
            if options["interactive"]:
                username, email, password = self.ask(username, email)
            else:
                email = email or ""
                password = self.unattended(username, email)
        except KeyboardInterrupt:
            self.stderr.write("\n" + _("已取消，未创建超级用户。"))
            sys.exit(1)
        self.create(username, email, password)
        if options["verbosity"] >= 1:
            self.stdout.write(_("超级用户创建成功。用它登录 /admin/，首次登录时绑定手机验证器。"))

    # The answers, each checked as it is given.

    def ask(self, username: str, email: str | None) -> tuple[str, str, str]:
        self.at_terminal = hasattr(self.answers, "isatty") and self.answers.isatty()
        given = username and self.username_problem(username) or email and self.email_problem(email)
        if given:  # an option's value is not asked again: it is the caller's to correct
            raise CommandError(given)
        while not username:
            username = self.answer(_("账号（字母、数字和 @ . + - _，不超过 150 个字符）："))
            if problem := self.username_problem(username):
                self.refuse(problem)
                username = ""
        while email is None:
            email = self.answer(_("电子邮件（可不填，直接回车）：")).strip()
            if email and (problem := self.email_problem(email)):
                self.refuse(problem)
                email = None
        self.stdout.write("\n".join([_("密码要求："), *(f"  {rule}" for rule in password_validators_help_texts())]))
        while True:
            password = self.answer(_("密码："), secret=True)
            if problem := self.password_problem(password, username, email):
                self.refuse(problem)
                continue
            if self.answer(_("再次输入密码："), secret=True) != password:
                self.refuse(_("两次输入的密码不一致，请重新输入。"))
                continue
            return username, email, password

    def unattended(self, username: str, email: str) -> str:
        if not username:
            raise CommandError(_("--noinput 时须用 --username（或环境变量 DJANGO_SUPERUSER_USERNAME）给出账号。"))
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            raise CommandError(_("--noinput 时须在环境变量 %(name)s 中给出密码。") % {"name": PASSWORD_VARIABLE})
        problem = (self.username_problem(username) or (email and self.email_problem(email))
                   or self.password_problem(password, username, email))
        if problem:
            raise CommandError(problem)
        return password

    def answer(self, prompt: str, *, secret: bool = False) -> str:
        if self.at_terminal:
            try:
                return (getpass.getpass(prompt) if secret else input(prompt)).strip("\r\n")
            except EOFError:  # Ctrl-D
                raise CommandError(ENDED_EARLY) from None
        self.stdout.write(prompt, ending="")
        self.stdout.flush()
        line = self.answers.readline()
        self.stdout.write("")  # the answer came from a pipe, unechoed: end the prompt's line
        if not line:
            raise CommandError(ENDED_EARLY)
        return line.rstrip("\r\n")

    def refuse(self, problem: str) -> None:
        self.stderr.write(_("错误：%(problem)s") % {"problem": problem})

    def username_problem(self, username: str) -> str:
        User = get_user_model()
        field: Any = User._meta.get_field(User.USERNAME_FIELD)
        if not username.strip():
            return _("账号不能为空。")
        try:
            field.clean(username, None)
        except exceptions.ValidationError as error:
            return _("账号“%(username)s”：%(rule)s") % {"username": username, "rule": "".join(error.messages)}
        if User._default_manager.db_manager(self.database).filter(**{User.USERNAME_FIELD: username}).exists():
            return _("账号“%(username)s”已有人用，请换一个。") % {"username": username}
        return ""

    def email_problem(self, email: str) -> str:
        try:
            validate_email(email)
        except exceptions.ValidationError:
            return _("电子邮件“%(email)s”格式不对，应如 zhangsan@example.cn；也可不填。") % {"email": email}
        return ""

    def password_problem(self, password: str, username: str, email: str) -> str:
        if not password:
            return _("密码不能为空。")
        try:
            validate_password(password, get_user_model()(username=username, email=email))
        except exceptions.ValidationError as error:
            return _("密码不符合要求：%(rules)s") % {"rules": "".join(error.messages)}
        return ""

    @transaction.atomic
    def create(self, username: str, email: str, password: str) -> Any:
        from zoufang.accounts import audit
        from zoufang.accounts.models import AuditEvent

        user = get_user_model()._default_manager.db_manager(self.database).create_superuser(
            username=username, email=email, password=password)
        audit.record(None, AuditEvent.Action.CREATE, user, object_type="auth.User",
                     summary=_("命令行创建超级用户 %(username)s") % {"username": username})
        return user
