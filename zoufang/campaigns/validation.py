"""Validating a campaign configuration: the schema, then the rules between values.

Every error is one line of Chinese naming the key path and the rule, e.g.
``quotas.party_member.per_person.resident_household：最小值 9 大于最大值 8``.
"""

import datetime as dt
from pathlib import Path as FilePath
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from zoufang.campaigns.checks import check_semantics
from zoufang.campaigns.errors import ConfigError, translate, type_name
from zoufang.campaigns.schema import CAMPAIGN_SCHEMA
from zoufang.campaigns.yamlfile import ParsedYaml, parse_yaml

_validator = Draft202012Validator(CAMPAIGN_SCHEMA)


def normalise(data: Any) -> Any:
    """Dates as ISO text, so a dict built in Python validates and stores like one read from YAML."""
    if isinstance(data, dict):
        return {key: normalise(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [normalise(value) for value in data]
    if isinstance(data, dt.date) and not isinstance(data, dt.datetime):
        return data.isoformat()
    return data


def config_errors(data: Any) -> list[ConfigError]:
    """Structure, then the rules between values of every section whose structure is sound."""
    data = normalise(data)
    if not isinstance(data, dict):
        return [ConfigError.at((), _("配置文件应为“键: 值”的映射，而不是%(what)s") % {
            "what": _("空文件") if data is None else type_name(data)})]
    errors: list[ConfigError] = []
    for error in _validator.iter_errors(data):
        for translated in translate(error):
            if translated not in errors:
                errors.append(translated)
    broken = {str(error.path[0]) if error.path else "" for error in errors}
    if "" in broken:
        return errors
    return errors + check_semantics(data, broken)


def validate_config(data: Any) -> list[str]:
    """Chinese error messages for a configuration (a dict as read from YAML); empty when valid."""
    return [error.format() for error in config_errors(data)]


def read_campaign_file(path: str | FilePath) -> ParsedYaml:
    """The file parsed, with a Chinese error when it cannot be read or is not valid YAML."""
    try:
        text = FilePath(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ParsedYaml(errors=[_("找不到配置文件：%(path)s") % {"path": path}])
    except UnicodeDecodeError:
        return ParsedYaml(errors=[_("配置文件 %(path)s 不是 UTF-8 编码的文本") % {"path": path}])
    except OSError as exc:
        return ParsedYaml(errors=[_("无法读取配置文件 %(path)s：%(reason)s") % {"path": path, "reason": exc.strerror}])
    return parse_yaml(text)


def file_errors(parsed: ParsedYaml) -> list[str]:
    if parsed.errors:
        return parsed.errors
    located = [(parsed.line_of(error.path), error) for error in config_errors(parsed.data)]
    located.sort(key=lambda pair: pair[0] or 0)
    return [error.format(line) for line, error in located]


def validate_campaign_file(path: str | FilePath) -> list[str]:
    """Chinese error messages for a YAML file, each with its line number; empty when valid."""
    return file_errors(read_campaign_file(path))
