"""HEAD is answered with GET's status and headers and no body (RFC 9110, 9.3.2).

Django builds the whole GET response for a HEAD and leaves dropping its body to the server; gunicorn (since
23) drops it but logs an English warning for every such request, so each uptime probe or link checker that asks
HEAD put a line in the log. The first middleware, it empties the body last, after CommonMiddleware has set the
GET's Content-Length, which a HEAD may carry.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class HeadWithoutBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []  # type: ignore[attr-defined]  # its file is still closed with it
            else:
                response.content = b""  # type: ignore[attr-defined]
        return response
