"""Validating a campaign configuration: the schema, then the rules between values.

Every error is one line of Chinese naming the key path and the rule, e.g.
``quotas.party_member.per_person.resident_household：最小值 9 大于最大值 8``.
"""

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from zoufang.campaigns.checks import check_semantics
from zoufang.campaigns.errors import ConfigError, translate, type_name
from zoufang.campaigns.schema import CAMPAIGN_SCHEMA
from zoufang.campaigns.yamlfile import ParsedYaml, parse_yaml

_validator = Draft202012Validator(CAMPAIGN_SCHEMA)
# The shipped files are about 30 KB; a campaign file a thousand times that is not one.
MAX_FILE_BYTES = 2 * 1024 * 1024


def normalise(data: Any) -> Any:
    """Dates as ISO text, so a dict built in Python validates and stores like one read from YAML."""
    if isinstance(data, dict):
        return {key: normalise(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [normalise(value) for value in data]
    if isinstance(data, dt.date) and not isinstance(data, dt.datetime):
        return data.isoformat()
    return data


def _not_finite(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[ConfigError]:
    """YAML's .nan and .inf (and 1e999) are numbers that compare false with every bound the schema sets."""
    if isinstance(data, float) and not math.isfinite(data):
        yield ConfigError.at(path, _("“%(value)s”不是有效的数字") % {"value": data})
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _not_finite(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _not_finite(value, (*path, index))


def config_errors(data: Any) -> list[ConfigError]:
    """Structure, then the rules between values of every section whose structure is sound."""
    data = normalise(data)
    if not isinstance(data, dict):
        return [ConfigError.at((), _("配置文件应为“键: 值”的映射，而不是%(what)s") % {
            "what": _("空文件") if data is None else type_name(data)})]
    errors: list[ConfigError] = list(_not_finite(data))
    if errors:
        return errors
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
        with FilePath(path).open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return ParsedYaml(errors=[_("找不到配置文件：%(path)s") % {"path": path}])
    except OSError as exc:
        return ParsedYaml(errors=[_("无法读取配置文件 %(path)s：%(reason)s") % {"path": path, "reason": exc.strerror}])
    if len(raw) > MAX_FILE_BYTES:
        return ParsedYaml(errors=[_("配置文件 %(path)s 超过 %(mb)s MB，不是一个走访活动的配置文件") % {
            "path": path, "mb": MAX_FILE_BYTES // (1024 * 1024)}])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ParsedYaml(errors=[_encoding_error(path, raw, exc)])
    return parse_yaml(text)


def _encoding_error(path: str | FilePath, raw: bytes, exc: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 lies, and what the file probably is: Notepad's “ANSI” on a Chinese
    Windows is GBK, Excel's “Unicode 文本” is UTF-16."""
    line = raw.count(b"\n", 0, exc.start) + 1
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = _("是 UTF-16（“Unicode”）编码")
    else:
        try:
            raw.decode("gb18030")
            guess = _("像是 GBK（记事本的“ANSI”）编码")
        except UnicodeDecodeError:
            guess = _("不是 UTF-8 编码")
    return _("第 %(line)s 行：配置文件 %(path)s %(guess)s，请在编辑器中“另存为”UTF-8 编码后再加载") % {
        "line": line, "path": path, "guess": guess}


def file_errors(parsed: ParsedYaml) -> list[str]:
    if parsed.errors:
        return parsed.errors
    located = [(parsed.line_of(error.path), error) for error in config_errors(parsed.data)]
    located.sort(key=lambda pair: pair[0] or 0)
    return [error.format(line) for line, error in located]


def validate_campaign_file(path: str | FilePath) -> list[str]:
    """Chinese error messages for a YAML file, each with its line number; empty when valid."""
    return file_errors(read_campaign_file(path))
