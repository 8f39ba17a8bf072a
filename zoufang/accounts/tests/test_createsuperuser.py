"""The first account, made at the server with `zoufang createsuperuser`: asked and answered in Chinese, at a terminal
or from answers piped in without one, each wrong answer named and asked again, nothing made from answers cut short."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.db import connection

from zoufang.accounts.models import AuditEvent
from zoufang.accounts.tests.test_admin_in_chinese import english

ZOUFANG = Path(sys.executable).with_name("zoufang")
STRONG = "Zf-first-2017"


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def run(*args: str, answers: str = "", password: str = "") -> subprocess.CompletedProcess[str]:
    """`zoufang createsuperuser` as a clerk runs it on the server, on the test's database, its stdin a pipe."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the command runs in a process of its own: it needs the test database in a file")
    env = {**os.environ, "DATABASE_URL": _database_url()}
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("DJANGO_SUPERUSER_PASSWORD", None)
    if password:
        env["DJANGO_SUPERUSER_PASSWORD"] = password
    return subprocess.run([str(ZOUFANG), "createsuperuser", *args], input=answers, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def _latin(text: str) -> list[str]:
    """English words a reader would meet, once commands, options and variables (kept as typed) are taken out."""
    text = re.sub(r"zoufang createsuperuser|--?[a-z][a-z-]*|\b[A-Z][A-Z_]{3,}\b|zoufang\.settings|README|Python", " ",
                  text)
    return english(text)


@pytest.mark.django_db(transaction=True)
def test_it_makes_the_first_account_from_answers_piped_without_a_terminal(settings):
    get_user_model().objects.create_user("root", password=STRONG)  # taken: the clerk is asked for another
    answers = "\n".join(["root", "root-2017", "root@", "", "short", STRONG, "Zf-other-2017", STRONG, STRONG]) + "\n"
    done = run(answers=answers)
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    assert _latin(said.replace("root-2017", "").replace("root@", "").replace("root", "")) == [], said
    for prompt in ("账号（", "电子邮件（可不填", "密码：", "再次输入密码："):
        assert prompt in done.stdout, prompt
    refusals = done.stderr.splitlines()
    assert refusals[0] == "错误：账号“root”已有人用，请换一个。"
    assert refusals[1].startswith("错误：电子邮件“root@”格式不对")
    assert refusals[2].startswith("错误：密码不符合要求：密码太短，至少要有 8 个字符。")
    assert refusals[3] == "错误：两次输入的密码不一致，请重新输入。"
    assert len(refusals) == 4
    assert done.stdout.strip().splitlines()[-1] == "超级用户创建成功。用它登录 /admin/，首次登录时绑定手机验证器。"
    made = get_user_model().objects.get(username="root-2017")
    assert made.is_superuser
    assert made.is_staff
    assert made.email == ""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's, not the tests' fast one
    assert made.check_password(STRONG)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="auth.User")
    assert event.summary == "命令行创建超级用户 root-2017"


@pytest.mark.django_db(transaction=True)
def test_it_makes_nothing_when_the_answers_end_before_the_account_is_complete():
    done = run(answers="root\nroot@example.cn\n" + STRONG + "\n")
    assert done.returncode == 1
    assert "输入在账号填完之前结束，未创建超级用户。" in done.stderr
    assert _latin(done.stderr.replace("root", "")) == [], done.stderr
    assert not get_user_model().objects.exists()


@pytest.mark.django_db(transaction=True)
def test_its_help_and_its_refusal_of_an_unknown_option_are_chinese():
    helped = run("--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("用法：zoufang createsuperuser")
    assert "创建超级用户（应急账号）" in helped.stdout
    assert _latin(helped.stdout) == [], helped.stdout
    refused = run("--bogus")
    assert refused.returncode == 2
    assert "参数有误：不认识的参数：--bogus" in refused.stderr
    assert _latin(refused.stderr) == [], refused.stderr


@pytest.mark.django_db(transaction=True)
def test_unattended_it_takes_the_password_from_the_environment_and_refuses_a_weak_one():
    done = run("--noinput", "--username", "root")
    assert done.returncode == 1
    assert "--noinput 时须在环境变量 DJANGO_SUPERUSER_PASSWORD 中给出密码。" in done.stderr
    done = run("--noinput", "--username", "root", password="short")
    assert done.returncode == 1
    assert "密码不符合要求：密码太短，至少要有 8 个字符。" in done.stderr
    assert not get_user_model().objects.exists()
    assert run("--noinput", "--username", "root", "--email", "root@example.cn", password=STRONG).returncode == 0
    assert get_user_model().objects.get(username="root").is_superuser
