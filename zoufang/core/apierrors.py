"""How /api/v1 answers a request it refuses: one Chinese error body, and every such answer documented.

Bad input is a 400 naming the field and the rule, never ninja's English 422; an unknown or unseen object
is a 404, a missing or expired token a 401, a refusal a 403. `DocumentedAPI` adds those answers to every
operation of the OpenAPI document, so a client (and schemathesis) finds each status code it can get.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser

from zoufang.core.queryparams import BadParameter

# Each pydantic error type as the user reads it; {names} come from the error's context.
_MESSAGES = {
    "missing": "必填",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_type": "必须是文本",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数",
    "int_parsing_size": "数值过大",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "finite_number": "必须是有限的数字",
    "bool_parsing": "必须是 true 或 false",
    "bool_type": "必须是 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "uuid_parsing": "不是有效的编号（UUID）",
    "uuid_type": "不是有效的编号（UUID）",
    "enum": "必须是以下之一：{expected}",
    "literal_error": "必须是以下之一：{expected}",
    "date_parsing": "不是有效的日期（如 2017-06-15）",
    "date_from_datetime_parsing": "不是有效的日期（如 2017-06-15）",
    "date_from_datetime_inexact": "不是有效的日期（如 2017-06-15）",
    "date_type": "不是有效的日期（如 2017-06-15）",
    "datetime_parsing": "不是有效的时间（如 2017-06-15T10:30:00+08:00）",
    "datetime_from_date_parsing": "不是有效的时间（如 2017-06-15T10:30:00+08:00）",
    "datetime_type": "不是有效的时间（如 2017-06-15T10:30:00+08:00）",
    "datetime_object_invalid": "不是有效的时间（如 2017-06-15T10:30:00+08:00）",
    "timezone_aware": "必须带时区（如 +08:00）",
    "dict_type": "必须是对象",
    "model_type": "必须是对象",
    "model_attributes_type": "必须是对象",
    "list_type": "必须是列表",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "extra_forbidden": "不是可用的字段",
    "url_parsing": "不是有效的网址",
}
_INVALID = "invalid"
_SOURCES = {"query", "path", "header", "cookie", "form", "file"}


class ApiErrorOut(Schema):
    """Every refusal: a Chinese sentence, a stable code, and per-field messages when fields were wrong."""

    detail: str
    code: str
    errors: dict[str, str] = {}


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    """`["body", "payload", "opinions", 0, "description"]` → `opinions.0.description`; `["query", "page"]` → `page`."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:]  # the JSON body as a whole is named after the view's parameter: not the user's word
    elif parts and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts) or _("请求内容")


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    template = _MESSAGES.get(kind)
    if template is None:
        message = str(error.get("msg", ""))
        # Our own validators raise ValueError with a Chinese sentence; pydantic prefixes it.
        return message.removeprefix("Value error, ") if kind == "value_error" else _("格式不正确")
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    if "expected" in context:  # pydantic lists choices as "'a', 'b' or 'c'"
        context["expected"] = context["expected"].replace("'", "").replace(" or ", "、").replace(", ", "、")
    try:
        return _(template).format(**context)
    except (KeyError, IndexError):
        return _(template).split("{")[0].rstrip("：: ") or _("格式不正确")


def validation_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Field → first message, in the order pydantic found them."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(_field(error.get("loc") or ()), _message(error))
    return found


def error_body(detail: str, code: str, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or {}}


def refused_fields(errors: dict[str, str]) -> str:
    """“请求内容有误：page：不能大于 1000000；q：不能超过 100 个字符”."""
    shown = list(errors.items())[:5]
    text = "；".join(f"{name}：{message}" for name, message in shown)
    if len(errors) > len(shown):
        text += _("等 %(n)d 处") % {"n": len(errors)}
    return _("请求内容有误：%(fields)s") % {"fields": text}


# ninja's own refusals are English sentences; ours (HttpError raised in views) are Chinese already.
_NINJA_MESSAGES = {
    "Cannot parse request body": ("请求内容不是有效的 JSON", _INVALID),
    "Unauthorized": ("未登录，或令牌无效、已过期", "unauthorized"),
    "Forbidden": ("您无权执行此操作", "forbidden"),
    "Too many requests.": ("请求过于频繁，请稍后再试", "throttled"),
}
_CODES = {400: _INVALID, 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 428: "version_required",
          429: "throttled"}

# What every operation may answer besides what it documents itself.
COMMON_RESPONSES = {
    400: "请求参数或内容有误（字段与原因见 errors）",
    401: "未登录，或令牌无效、已过期",
    403: "您无权执行此操作",
    404: "对象不存在，或不在您的可见范围内",
}


class FieldRefused(HttpError):
    """A refusal that names the field it concerns, answered with `errors` as a refused body's field would be."""

    def __init__(self, status_code: int, message: str, errors: dict[str, str]) -> None:
        super().__init__(status_code, message)
        self.errors = errors


class NotAnObject(ValueError):
    """A JSON body that parses but is not an object (a number, a list, a string, null)."""


class ObjectBodyParser(Parser):
    """Every JSON body of this API is an object. ninja's Schema reads any value's attributes (to take model
    instances), so a list or a number sent as a body whose fields all have defaults passed as {} and ran the action
    with those defaults; it is refused instead."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        return data


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose refusals are Chinese and whose document lists every status code it can answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parser", ObjectBodyParser())
        super().__init__(*args, **kwargs)
        self._openapi_schemas: dict[tuple[Any, ...], Any] = {}
        self.add_exception_handler(ValidationError, self._validation_error)
        self.add_exception_handler(HttpError, self._http_error)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(PermissionDenied, self._forbidden)
        self.add_exception_handler(RawPostDataException, self._not_json)
        self.add_exception_handler(BadParameter, self._bad_parameter)

    def refusal(self, request: HttpRequest, status: int, detail: str, code: str,
                errors: dict[str, str] | None = None) -> HttpResponse:
        return self.create_response(request, error_body(detail, code, errors), status=status)

    def _validation_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        errors = validation_errors(list(exc.errors))
        return self.refusal(request, 400, refused_fields(errors), _INVALID, errors)

    def _http_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc)
        known = _NINJA_MESSAGES.get(message)
        if known is None and isinstance(exc, AuthenticationError):
            known = _NINJA_MESSAGES["Unauthorized"]
        elif known is None and isinstance(exc, AuthorizationError):
            known = _NINJA_MESSAGES["Forbidden"]
        detail, code = (_(known[0]), known[1]) if known else (message, _CODES.get(exc.status_code, "error"))
        if isinstance(exc.__cause__, NotAnObject):  # ninja wraps every parser error in one English sentence
            detail = _("请求内容须是 JSON 对象（{…}），不能是列表、数字、文字或 null")
        return self.refusal(request, exc.status_code, detail, code, getattr(exc, "errors", None))

    def _bad_parameter(self, request: HttpRequest, exc: Any) -> HttpResponse:
        """A query parameter the operation read through core.queryparams (decision 0035)."""
        return self.refusal(request, 400, exc.message, _INVALID, {exc.name: exc.rule})

    def _not_json(self, request: HttpRequest, exc: Any) -> HttpResponse:
        """A multipart form sent where JSON is expected: its stream was read as fields, there is no body left."""
        return self.refusal(request, 400, _("请求内容不是有效的 JSON：此接口只接受 Content-Type: application/json"),
                            _INVALID)

    def _not_found(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self.refusal(request, 404, _(COMMON_RESPONSES[404]), "not_found")

    def _forbidden(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self.refusal(request, 403, _(COMMON_RESPONSES[403]), "forbidden")

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        """The OpenAPI document, built once per process, path prefix and language: the operations are fixed when
        the URLconf is imported, and building the document walks every one of them (about 0.3 s, for each
        GET /api/v1/openapi.json before). Callers read the document; none may change it."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())), get_language())
        if key not in self._openapi_schemas:
            self._openapi_schemas[key] = self._documented_schema(path_prefix, path_params)
        return self._openapi_schemas[key]

    def _documented_schema(self, path_prefix: str | None, path_params: dict[str, Any] | None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ApiErrorOut"] = ApiErrorOut.json_schema()
        reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorOut"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in COMMON_RESPONSES.items():
                    if status in (401, 403) and not operation.get("security"):
                        continue
                    if status == 404 and not any(p.get("in") == "path" for p in operation.get("parameters", [])):
                        continue
                    responses.setdefault(status, {"description": description, **reference})
        return schema
