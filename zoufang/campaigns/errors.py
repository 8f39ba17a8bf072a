"""Configuration errors: a key path and a rule in Chinese; jsonschema's errors translated."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from jsonschema.exceptions import ValidationError

Path = tuple[str | int, ...]

TYPE_NAMES = {
    "object": gettext_noop("映射（键: 值）"),
    "array": gettext_noop("列表"),
    "string": gettext_noop("文本"),
    "integer": gettext_noop("整数"),
    "number": gettext_noop("数字"),
    "boolean": gettext_noop("true 或 false"),
    "null": gettext_noop("空值"),
}
# What YAML's explicit tags make that the format has no place for (!!set, !!binary, !!timestamp with a time).
UNSUPPORTED_NAMES = {
    "set": gettext_noop("集合"),
    "frozenset": gettext_noop("集合"),
    "bytes": gettext_noop("二进制数据"),
    "datetime": gettext_noop("日期时间"),
}


@dataclass(frozen=True)
class ConfigError:
    """One broken rule at one key path, e.g. quotas.party_member.resident_household."""

    path: Path
    rule: str

    @classmethod
    def at(cls, path: Iterable[str | int], rule: str) -> "ConfigError":
        return cls(tuple(path), rule)

    @property
    def key_path(self) -> str:
        return format_path(self.path)

    def format(self, line: int | None = None) -> str:
        if line is None:
            return f"{self.key_path}：{self.rule}"
        return _("第 %(line)s 行 %(path)s：%(rule)s") % {"line": line, "path": self.key_path, "rule": self.rule}


def format_path(path: Path) -> str:
    """quotas.party_member.resident_household; list items numbered from 1, as people count: phases[1]."""
    text = "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
    return text or _("（文件顶层）")


def show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return _(TYPE_NAMES["boolean"])
    if value is None:
        return _(TYPE_NAMES["null"])
    for python_type, name in ((dict, "object"), (list, "array"), (str, "string"), (int, "integer"),
                              (float, "number")):
        if isinstance(value, python_type):
            return _(TYPE_NAMES[name])
    unsupported = UNSUPPORTED_NAMES.get(type(value).__name__)
    return _("不支持的值（%(tag)s）") % {"tag": _(unsupported) if unsupported else _("其他类型")}


def _with_hint(rule: str, schema: Any) -> str:
    hint = schema.get("description") if isinstance(schema, dict) else None
    return _("%(rule)s（%(hint)s）") % {"rule": rule, "hint": _(hint)} if hint else rule


def _key_text(key: Any) -> str:
    """A key as the file wrote it: `~` or an empty key reads as None in YAML."""
    return "~" if key is None else str(key)


def translate(error: ValidationError) -> list[ConfigError]:
    """jsonschema's English error as one or more Chinese errors, by the validator that failed."""
    path = list(error.absolute_path)
    # jsonschema types these as "maybe unset"; an error from iter_errors always has them.
    instance: Any = error.instance
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    value: Any = error.validator_value
    kind = error.validator
    if "propertyNames" in error.schema_path:
        return [ConfigError.at([*path, str(instance)], _with_hint(_("键名不符合规则"), schema))]
    if kind == "additionalProperties":
        known = schema.get("properties", {})
        allowed = "、".join(known)
        extras = [key for key in instance if key not in known]
        return [ConfigError.at([*path, _key_text(key)], _("未知的键（允许的键：%(allowed)s）") % {"allowed": allowed})
                for key in extras]
    if kind == "required":
        return [ConfigError.at([*path, key], _("缺少必填键")) for key in value if key not in instance]
    return [ConfigError.at(path, _rule(str(kind), instance, schema, value))]


def _rule(kind: str, instance: Any, schema: Any, value: Any) -> str:
    if kind == "type":
        expected = _("或").join(_(TYPE_NAMES.get(name, name)) for name in ([value] if isinstance(value, str) else value))
        return _with_hint(_("类型错误：应为%(expected)s，实际是%(actual)s") % {
            "expected": expected, "actual": type_name(instance)}, schema)
    if kind == "enum":
        return _("取值“%(value)s”无效，可选值：%(choices)s") % {
            "value": show(instance), "choices": "、".join(str(choice) for choice in value)}
    if kind == "const":
        return _("取值应为 %(value)s") % {"value": value}
    if kind == "pattern":
        return _with_hint(_("“%(value)s”格式不正确") % {"value": show(instance)}, schema)
    simple = {
        "minimum": _("不能小于 %(limit)s"),
        "maximum": _("不能大于 %(limit)s"),
        "exclusiveMinimum": _("必须大于 %(limit)s"),
        "exclusiveMaximum": _("必须小于 %(limit)s"),
        "minItems": _("至少需要 %(limit)s 项"),
        "maxItems": _("最多只能有 %(limit)s 项"),
        "maxLength": _("不能超过 %(limit)s 个字符"),
        "minProperties": _("不能为空，至少需要 %(limit)s 个键"),
    }
    if kind in simple:
        return simple[kind] % {"limit": value}
    if kind == "minLength":
        return _("不能为空")
    if kind == "uniqueItems":
        return _("列表中有重复项")
    return _("不符合规则 %(rule)s") % {"rule": kind}
