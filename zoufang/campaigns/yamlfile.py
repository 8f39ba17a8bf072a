"""Reading a campaign YAML file: data, the line of every key, and syntax errors in Chinese."""

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from zoufang.campaigns.errors import Path

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


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
    loader = _Loader(text)
    parsed = ParsedYaml()
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, (), parsed)
            parsed.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        parsed.errors.append(_syntax_error(exc))
    except yaml.YAMLError as exc:
        parsed.errors.append(_("YAML 语法错误：%(problem)s") % {"problem": exc})
    finally:
        loader.dispose()
    return parsed


def _syntax_error(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or ""
    said = next((_(chinese) for english, chinese in _PROBLEMS if english in problem), _("无法解析"))
    mark = exc.problem_mark or exc.context_mark
    where = (_("第 %(line)s 行第 %(column)s 列：") % {"line": mark.line + 1, "column": mark.column + 1}
             if mark else "")
    return _("%(where)sYAML 语法错误：%(said)s（%(problem)s）") % {"where": where, "said": said, "problem": problem}


def _record_lines(node: Node, path: Path, parsed: ParsedYaml) -> None:
    """Walk the composed document: note each key's line and refuse duplicate keys,
    which PyYAML would otherwise silently overwrite."""
    parsed.lines.setdefault(path, node.start_mark.line + 1)
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
            _record_lines(value_node, (*path, key), parsed)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), parsed)
