"""The version a client read, for an optimistic write over the API: `version` in the body, or the `If-Match` header
(and, for the pages, the version a form was drawn at).

A header that is not a version (superscript digits that `str.isdigit` takes, thousands of digits that `int` refuses,
a number past the column's range) is a 400 naming the header, never a server error.
"""

import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError, ValidationError

VERSION_MAX = 2_147_483_647  # the largest PositiveIntegerField on every database we run on
_VERSION = re.compile(r"[0-9]{1,10}")


class Versioned(Schema):
    version: int | None = Field(None, ge=0, le=VERSION_MAX, description="读取时的版本；也可用 If-Match 头传递")


def version_read(request: HttpRequest, body: Versioned) -> int | None:
    """The body's version, else the If-Match header's (`"3"`, `W/"3"` or `3`); None when neither gives one."""
    if body.version is not None:
        return body.version
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not header or header == "*":
        return None
    if _VERSION.fullmatch(header) and int(header) <= VERSION_MAX:
        return int(header)
    raise ValidationError([_error(header)])


def version_required_message() -> str:
    """What every write asking for the version read says when none came (the API's 428, the services' refusals)."""
    return _("请提供读取时的版本号（version 或 If-Match）。")


def required_version(request: HttpRequest, body: Versioned) -> int:
    """`version_read`, for a write that must not go over another's edit: none given (nor `If-Match: *`) is a 428 in
    the API's error shape (core.apierrors), the client to read the object first and send the version it read."""
    version = version_read(request, body)
    if version is None:
        raise HttpError(428, version_required_message())
    return version


def posted_version(value: str | None) -> int | None:
    """The version a page's form was drawn at (a hidden field), for the same check on a page; None when the form
    carried none (drawn before it did) or something that is not one."""
    value = (value or "").strip()
    return int(value) if _VERSION.fullmatch(value) and int(value) <= VERSION_MAX else None


def _error(header: str) -> dict[str, Any]:
    return {"type": "value_error", "loc": ("header", "If-Match"), "input": header,
            "msg": _("不是读取时的版本号（如 \"3\"）")}
