"""Chinese text a user sees goes through gettext (the project rule): no module builds it with an f-string.

Every non-test, non-migration module is parsed with `ast`; an f-string is refused when its own text has a Chinese
character, or when a Chinese string inside it is not the argument of a gettext call. Write
`_("第%(row)d行") % {"row": row}` instead. A Chinese f-string that is data, not text for the user (an identifier, a
key matched against a spreadsheet header, a generated name or row of demo data), carries on one of its lines a
marker with the reason: `# untranslated: <reason>`.
"""

import ast
import functools
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MARKER = re.compile(r"#\s*untranslated:\s*\S")
FSTRING = re.compile(r"(?<![\w])(?:[rR]?[fF]|[fF][rR])[\"']")
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "_l", "_lazy", "pgettext", "pgettext_lazy"}

# Files not converted yet, with the reason. Remove a file from here once its f-strings are converted: the test then
# guards it too (and fails while a converted file is still listed).
ALLOWLIST: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if "tests" not in path.parts and "migrations" not in path.parts and path.name != "conftest.py")


def _is_gettext_argument(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    while parent is not None and not isinstance(parent, ast.JoinedStr):
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in GETTEXT:
            return True
        parent = parents.get(parent)
    return False


def _untranslated(source: str) -> list[int]:
    """The lines of the f-strings in `source` that build Chinese text outside gettext and carry no marker."""
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        parents = {child: parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
        own = any(isinstance(part, ast.Constant) and CJK.search(part.value) for part in node.values)
        inner = any(isinstance(const, ast.Constant) and isinstance(const.value, str) and CJK.search(const.value)
                    and not isinstance(parents.get(const), ast.JoinedStr) and not _is_gettext_argument(const, parents)
                    for const in ast.walk(node))
        marked = any(MARKER.search(lines[n - 1]) for n in range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if (own or inner) and not marked:
            found.add(node.lineno)
    return sorted(found)


@functools.cache
def _findings() -> dict[str, list[int]]:
    findings = {}
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        if not (CJK.search(source) and FSTRING.search(source)):  # nothing to parse
            continue
        lines = _untranslated(source)
        if lines:
            findings[path.relative_to(PACKAGE).as_posix()] = lines
    return findings


def test_it_refuses_chinese_text_built_with_an_f_string():
    findings = _findings()
    refused = [f"zoufang/{name}:{line}" for name, lines in findings.items() if name not in ALLOWLIST for line in lines]
    assert not refused, ("Chinese text built with an f-string, not gettext (write _(\"…%(name)s…\") % {…}, or mark "
                         "data with `# untranslated: <reason>`):\n" + "\n".join(refused))


def test_it_lists_only_files_that_still_need_converting():
    findings = _findings()
    stale = [name for name in ALLOWLIST if name not in findings]
    assert not stale, f"converted, remove from ALLOWLIST: {stale}"


def test_it_finds_what_it_refuses():
    source = ('a = f"第{n}行"\n'
              'b = f"{x or \'草稿\'}"\n'
              'c = f"{_(\'草稿\'):6}"\n'
              'd = f"{x}：{y}"\n'
              'e = f"第{n}行"  # untranslated: a key of the import file\n'
              'g = f"{d:%Y年}"\n')
    assert _untranslated(source) == [1, 2, 6]


# Where a plain string goes straight to the user: an API refusal, a command's error, a form's or a page's message.
SINKS = {"HttpError", "SystemExit", "CommandError", "ValidationError", "PermissionDenied"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}


def _sent_untranslated(source: str) -> list[int]:
    """The lines where a Chinese string constant is handed, as is, to a refusal or a page message: not through
    gettext, so not in the catalogue (an f-string there is caught by the f-string test)."""
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        sink = (isinstance(func, ast.Name) and func.id in SINKS) or (
            isinstance(func, ast.Attribute) and (func.attr in SINKS or (
                func.attr in MESSAGE_LEVELS and isinstance(func.value, ast.Name) and func.value.id == "messages")))
        if not sink:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CJK.search(arg.value) \
                    and not any(MARKER.search(lines[n - 1]) for n in range(node.lineno, (node.end_lineno or 0) + 1)):
                found.add(arg.lineno)
    return sorted(found)


def test_it_refuses_chinese_text_sent_to_the_user_without_gettext():
    refused = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        if CJK.search(source):
            refused += [f"zoufang/{path.relative_to(PACKAGE).as_posix()}:{line}" for line in _sent_untranslated(source)]
    assert not refused, "Chinese text sent to the user without gettext (write _(\"…\")):\n" + "\n".join(refused)


def test_it_finds_the_text_it_refuses_to_send():
    source = ('raise HttpError(401, "密码不正确")\n'
              'raise HttpError(401, _("密码不正确"))\n'
              'messages.error(request, "保存失败")\n'
              'raise CommandError("没有文件")  # untranslated: a developer\'s command\n'
              'logger.info("短信 %s", x)\n'
              'raise SystemExit("未就绪")\n')
    assert _sent_untranslated(source) == [1, 3, 6]
