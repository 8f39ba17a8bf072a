"""Every `zoufang` command of ours helps and refuses in Chinese, whole: its own options, Django's standard ones
(--verbosity, --settings …) and argparse's headings (用法、位置参数、选项) and refusals; so do `zoufang`'s own
screens (the list of commands, a mistyped command). Django's own commands
(migrate, runserver …) are Django's and stay as Django writes them."""

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from zoufang.accounts.tests.test_admin_in_chinese import english
from zoufang.cli import one_line

ZOUFANG = Path(sys.executable).with_name("zoufang")
# Names of formats, standards and programs, written as their makers write them.
PROPER_NAMES = {"JSON", "Schema", "YAML", "XLSForm", "OpenAPI", "Python", "README", "SQLite", "PostgreSQL"}
FILE_NAME = re.compile(r"[\w./-]+\.(?:xlsx|xls|csv|docx|yaml|yml|json|md|zfbak|settings)\b")
COMMAND_LINE = re.compile(r"\bzoufang\b(?: [a-z][a-z0-9-]*)*")
OPTION = re.compile(r"(?<![\w-])--?[a-z][\w-]*")
CODE = re.compile(r"\b[a-z]+(?:-[a-z0-9]+)+\b")  # a campaign's code (jinxi-2017, menghe-dazoufang)
VARIABLE = re.compile(r"\b[A-Z][A-Z0-9_]{2,}\b")


def ours() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app.startswith("zoufang"))


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The command's parser and its subcommands' (`zoufang plan run`), depth first."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from parsers(sub)


def typed(command: argparse.ArgumentParser) -> list[str]:
    """What a user types as it is written, in the command and its subcommands: option names, metavars, the choices
    (subcommands, kinds), the program's name."""
    words = [command.prog]
    for action in (action for parser in parsers(command) for action in parser._actions):
        words += action.option_strings
        metavar = action.metavar
        words += [str(m) for m in metavar] if isinstance(metavar, tuple) else [str(metavar or action.dest)]
        if not action.option_strings:
            words.append(str(action.dest))
        words += [str(choice) for choice in action.choices or ()]
        if action.option_strings and action.metavar is None:
            words.append(action.dest.upper())
    return sorted(set(words), key=len, reverse=True)


def untranslated(text: str, command: argparse.ArgumentParser) -> list[str]:
    """English words in what a command says once what is typed as written, file and variable names are taken out."""
    for word in typed(command):
        text = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", text)
    for pattern in (FILE_NAME, COMMAND_LINE, OPTION, CODE, VARIABLE):
        text = pattern.sub(" ", text)
    return [word for word in english(text) if word not in PROPER_NAMES]


def test_every_command_of_ours_is_found():
    names = [name for name, _app in ours()]
    assert {"campaign", "plan", "import", "cases", "oversight", "backup", "createsuperuser"} <= set(names)
    assert "migrate" not in names


@pytest.mark.parametrize(("name", "app"), ours())
def test_its_help_and_its_subcommands_help_are_chinese(name, app):
    parser = load_command_class(app, name).create_parser("zoufang", name)
    for each in parsers(parser):
        text = each.format_help()
        assert text.startswith(f"用法：{each.prog}"), text
        assert "options:" not in text, text
        assert "选项：" in text, text
        if any(not action.option_strings for action in each._actions):
            assert "位置参数：" in text, text
        assert untranslated(text, parser) == [], text
        unexplained = [action.option_strings or action.dest for action in each._actions
                       if not action.help and not isinstance(action, argparse._SubParsersAction)]
        assert unexplained == [], text


def _zoufang(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"ZOUFANG_TODAY"}}
    return subprocess.run([str(ZOUFANG), *args], env=env, capture_output=True, text=True, timeout=120,  # noqa: S603
                          check=False)


def test_at_the_shell_the_help_and_a_refused_argument_are_chinese():
    helped = _zoufang("plan", "run", "--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("用法：zoufang plan run"), helped.stdout
    assert "显示本帮助并退出" in helped.stdout
    missing = _zoufang("plan", "run")
    assert missing.returncode == 2
    assert "缺少必需的参数：--campaign" in missing.stderr, missing.stderr
    assert untranslated(missing.stderr, load_command_class("zoufang.planning", "plan").create_parser("zoufang", "plan")) == [], missing.stderr
    wrong = _zoufang("workdays", "add", "2017-06-15", "三")
    assert wrong.returncode == 2
    assert "“三”不是整数" in wrong.stderr, wrong.stderr


def test_a_refused_argument_through_call_command_is_a_chinese_command_error():
    with pytest.raises(CommandError, match="参数有误：.*“kinds”不在可选范围内") as refused:
        call_command("import-template", "kinds", "--out", "x.xlsx")
    assert "（可选：regions、units、departments、" in str(refused.value)  # as typed, not Python's 'regions', 'units'
    assert "'" not in str(refused.value)


def test_zoufang_alone_lists_our_commands_by_app_with_their_line_in_chinese():
    listed = _zoufang()
    assert listed.returncode == 0, listed.stderr
    text = listed.stdout
    assert text.startswith("用法：zoufang <命令> [选项] [参数]\n\n输入“zoufang help <命令>”查看某条命令的说明和选项。"), text
    assert "Type '" not in text
    assert "Available subcommands" not in text
    ours_part, _sep, theirs_part = text.partition("Django 及其组件的命令（说明为英文）：")
    assert "[账户与审计]\n    audit            审计记录：verify 校验审计链，prune 清理保存期之前的审计记录\n" \
        "    createsuperuser  创建超级用户：依次输入账号、电子邮件和两次密码\n" in ours_part  # accounts.superuser's too
    for name, app in ours():
        parser = load_command_class(app, name).create_parser("zoufang", name)
        line = next((line for line in ours_part.splitlines() if line.split()[:1] == [name]), "")
        said = line.split(maxsplit=1)[1:]
        assert said == [one_line(parser.description)], (name, line)
        assert untranslated(said[0], parser) == [], line
    assert "\n[django]\n" in theirs_part  # Django's own, by name
    assert "    migrate\n" in theirs_part


def test_a_mistyped_command_is_refused_in_chinese_with_the_nearest_one():
    mistyped = _zoufang("plna")
    assert mistyped.returncode == 1
    assert mistyped.stderr == "没有“plna”这个命令。是不是要输入 zoufang plan？\n输入“zoufang help”查看全部命令。\n"


def test_a_commands_line_is_its_first_sentence_without_asides():
    assert one_line("备份数据库（服务运行中也可备份）。密钥取自环境变量") == "备份数据库"
    assert one_line("审计记录：verify 校验审计链（发现修改），prune 清理；第二句") == "审计记录：verify 校验审计链，prune 清理"
