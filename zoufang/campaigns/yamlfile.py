"""Reading a campaign YAML file: data, the line of every key, and syntax errors in Chinese."""

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from zoufang.campaigns.errors import Path

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# A campaign file has a few thousand values (jinxi-2017: about 1,500) nested a few levels deep. Anchors and aliases
# (&a, *a) are allowed, but every alias counts as the values it stands for: nine aliases of nine aliases of … (the
# “billion laughs”) would otherwise expand to billions of values in memory and hang the validator.
MAX_VALUES = 50_000
MAX_DEPTH = 40


class _TooBig(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: the schema checks their format and
    `checks.py` their value, so 2017-02-30 is a clear error instead of a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# PyYAML's most common complaints, said in Chinese; the original follows in brackets.
_PROBLEMS = [
    ("mapping values are not allowed", gettext_noop("此处不能出现“键: 值”（检查缩进，或给含英文冒号的文本加引号）")),
    ("could not find expected ':'", gettext_noop("缺少英文冒号“:”")),
    ("found character '\\t'", gettext_noop("不能用制表符（Tab）缩进，请改用空格")),
    ("expected <block end>", gettext_noop("缩进不一致")),
    ("did not find expected key", gettext_noop("缩进不一致或缺少键")),
    ("did not find expected '-' indicator", gettext_noop("列表项缺少“-”（检查缩进）")),
    ("found unexpected end of stream", gettext_noop("文件意外结束（检查引号或括号是否闭合）")),
    ("found unknown escape character", gettext_noop("双引号文本中有无效的转义字符")),
    ("expected a single document", gettext_noop("文件只能包含一个 YAML 文档（不要使用 ---）")),
    ("found undefined alias", gettext_noop("引用了未定义的锚点")),
    ("but found another document", gettext_noop("文件只能包含一个 YAML 文档（不要使用 ---）")),
    ("found unhashable key", gettext_noop("键不能是列表或映射")),
    ("found duplicate anchor", gettext_noop("锚点名称重复")),
    ("could not determine a constructor", gettext_noop("不支持的 YAML 标签")),
]


@dataclass
class ParsedYaml:
    data: Any = None
    lines: dict[Path, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of the key at `path`, or of its nearest existing parent (for a missing key)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def parse_yaml(text: str) -> ParsedYaml:
    parsed = ParsedYaml()
    try:
        loader = _Loader(text)
    except ReaderError as exc:  # a control character (NUL …): refused before anything is read
        parsed.errors.append(_control_character(text, exc))
        return parsed
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, (), parsed, [0])
            parsed.data = loader.construct_document(node)
    except _TooBig as exc:
        parsed.errors.append(exc.message)
    except RecursionError:  # PyYAML composes nested brackets recursively: thousands of “[” exhaust the stack
        parsed.errors.append(_("YAML 语法错误：嵌套层数过多（最多 %(depth)s 层）") % {"depth": MAX_DEPTH})
    except yaml.MarkedYAMLError as exc:
        parsed.errors.append(_syntax_error(exc))
    except yaml.YAMLError as exc:
        parsed.errors.append(_("YAML 语法错误：%(problem)s") % {"problem": exc})
    finally:
        loader.dispose()
    return parsed


def _control_character(text: str, exc: ReaderError) -> str:
    line = text.count("\n", 0, exc.position) + 1
    column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    return _("第 %(line)s 行第 %(column)s 列：文件中有不可打印的控制字符（#x%(code)04x），请删除后再保存") % {
        "line": line, "column": column, "code": exc.character if isinstance(exc.character, int) else 0}


def _syntax_error(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or ""
    both = f"{exc.context or ''} {exc.problem or ''}"
    said = next((_(chinese) for english, chinese in _PROBLEMS if english in both), _("无法解析"))
    mark = exc.problem_mark or exc.context_mark
    where = (_("第 %(line)s 行第 %(column)s 列：") % {"line": mark.line + 1, "column": mark.column + 1}
             if mark else "")
    return _("%(where)sYAML 语法错误：%(said)s（%(problem)s）") % {"where": where, "said": said, "problem": problem}


def _record_lines(node: Node, path: Path, parsed: ParsedYaml, values: list[int]) -> None:
    """Walk the composed document: note each key's line and refuse duplicate keys,
    which PyYAML would otherwise silently overwrite. An alias is walked as the values it
    stands for, so the walk stops at MAX_VALUES and MAX_DEPTH before anything is built."""
    values[0] += 1
    line = node.start_mark.line + 1
    if values[0] > MAX_VALUES:
        raise _TooBig(_("第 %(line)s 行：文件展开后超过 %(n)s 个值（锚点“&”和引用“*”层层引用会成倍展开），"
                        "请直接写出需要的内容") % {"line": line, "n": MAX_VALUES})
    if len(path) > MAX_DEPTH:
        raise _TooBig(_("第 %(line)s 行：嵌套层数过多（最多 %(depth)s 层）") % {"line": line, "depth": MAX_DEPTH})
    parsed.lines.setdefault(path, line)
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in seen:
                parsed.errors.append(_("第 %(line)s 行：重复的键“%(key)s”（第 %(first)s 行已出现）")
                                     % {"line": line, "key": key, "first": seen[key]})
                continue
            seen[key] = line
            parsed.lines[(*path, key)] = line
            _record_lines(value_node, (*path, key), parsed, values)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), parsed, values)
