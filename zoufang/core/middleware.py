"""Text no database can store is refused at the door, with a Chinese 400, before any view or login sees it.

PostgreSQL refuses a NUL character in text, and no database stores half of a UTF-16 surrogate pair; either
one in a search, a login name or a description used to reach a query and end in a server error. The path,
the query string, form fields (not uploaded files, which are binary) and JSON bodies are all checked.
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from zoufang.core.apierrors import COMMON_RESPONSES, error_body
from zoufang.core.limits import storable

_JSON_ESCAPES = re.compile(rb"\\u(0000|d[89a-f])", re.IGNORECASE)


def _json_strings(value: Any) -> Iterator[tuple[str, str]]:
    """Every string of a parsed JSON document, keys included, with its dotted path; walked with a stack, not by
    recursion, so a document nested as deep as the parser allows is still read to its last string."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                children += [(name, str(key)), (name, child)]
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{path}.{index}" if path else str(index), child)
                                   for index, child in enumerate(item)]))


def _fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    yield _("网址"), request.path
    for key, values in request.GET.lists():
        yield key, key
        for value in values:
            yield key, value
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            yield key, key
            for value in values:
                yield key, value
    else:
        # Any other body may be JSON whatever its label: django-ninja parses a body as JSON under every content
        # type (text/plain, none at all), so the check may not rest on the label the client chose.
        body = request.body
        if _JSON_ESCAPES.search(body):  # only a \u0000 or \ud800–\udfff escape can carry such text
            try:
                yield from _json_strings(json.loads(body))
            except (ValueError, RecursionError):
                return  # not JSON at all, or nested past any parser's depth: the view's own parser refuses it


class RejectUnstorableTextMiddleware:
    """Runs before the session and login: a forged cookie is dropped, any other such text is a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [name for name, value in request.COOKIES.items() if not storable(value)]:
            del request.COOKIES[name]  # a session key with NUL would otherwise reach the session table
        try:
            bad = next((name for name, text in _fields(request) if not storable(text)), None)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            return refuse(request, "", _("提交的内容过多（文件以外最多 %(mb).1f MB、%(n)d 项），请删减后重新提交。") % {
                "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024,
                "n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
        except MultiPartParserError:  # Django's own answer is its HTML 400 page, under /api/ too
            return refuse(request, "", _("提交的内容无法读取（multipart/form-data 格式有误），请重新提交。"))
        if bad is None:
            return self.get_response(request)
        bad = bad.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")  # the name itself may hold them
        return refuse(request, bad, _("“%(field)s”含有无法保存的字符（空字符 NUL 或不完整的 Unicode 字符），"
                                      "请删除后重新提交。") % {"field": bad})


def refuse(request: HttpRequest, field: str, message: str) -> HttpResponse:
    """A Chinese 400 in the form the caller reads: the API's error body, Open311's, or the error page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, "invalid", {field: message} if field else {}), status=400)
    if request.path.startswith("/open311/"):
        from zoufang.cases import open311_format  # the Open311 endpoint's own error list, in the format asked

        return open311_format.error("xml" if request.path.endswith(".xml") else "json", 400, message)
    return render(request, "400.html", {"message": message}, status=400)


class ApiAnswersInJsonMiddleware:
    """Under /api/, the answers no API operation gives are in the API's Chinese error body too: a path the API does
    not have (Django's HTML 404 page) and a method a path does not take (ninja's English text "Method not allowed",
    whose Allow header is kept)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (not request.path.startswith("/api/") or response.status_code not in (404, 405)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        if response.status_code == 404:
            return JsonResponse(error_body(_(COMMON_RESPONSES[404]), "not_found"), status=404)
        answer = JsonResponse(error_body(_("此接口不接受 %(method)s 请求（可用：%(allowed)s）") % {
            "method": request.method, "allowed": response.get("Allow", "")}, "method_not_allowed"), status=405)
        answer["Allow"] = response.get("Allow", "")
        return answer


class PagesAnswerAMethodInChineseMiddleware:
    """A page address that takes only a form's POST (require_POST, a view's http_method_names) answers any other
    method with Django's empty 405, which a browser shows as its own English error: a stale link or a bookmark to
    a form's address (公开, 退出). It gets the site's Chinese page with a way back, the Allow header kept. The API
    answers in JSON (ApiAnswersInJsonMiddleware); a 405 with a body of its own (Open311's) is left as it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or response.streaming or response.content:
            return response
        answer = render(request, "405.html", status=405)
        answer["Allow"] = response.get("Allow", "")
        return answer


class NoStoreMiddleware:
    """Pages and API answers carry residents' data: no browser or proxy keeps a copy (ASVS V14.3.2), so the back
    button after logging out, or the next user of a shared office computer, finds nothing. Static files are served
    before this by WhiteNoise; a response that chose its own caching (the icon, the service worker) keeps it. The
    phone's offline list is kept by the service worker's own cache, which these headers do not touch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class ForwardedSchemeFromProxiesMiddleware:
    """X-Forwarded-Proto is believed (SECURE_PROXY_SSL_HEADER) only from an address in ZOUFANG_TRUSTED_PROXIES, as
    X-Forwarded-For is (`accounts.lockout.client_address`). Django believes the header from whoever sends it; a client
    that reaches a worker past the proxy could otherwise call plain HTTP secure and be spared the HTTPS redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if "HTTP_X_FORWARDED_PROTO" in meta and meta.get("REMOTE_ADDR") not in settings.ZOUFANG_TRUSTED_PROXIES:
            del meta["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
