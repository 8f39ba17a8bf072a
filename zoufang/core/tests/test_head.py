"""A HEAD request gets GET's status and headers and no body, from the WSGI application itself (gunicorn logged
a warning for each body it had to drop). Django's test client removes HEAD bodies on its own, so these call the
WSGI application as a server does."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from zoufang.core.head import HeadWithoutBodyMiddleware


def _served(method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    request = getattr(RequestFactory(), method)(path)
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    result = WSGIHandler()(request.environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return str(answer["status"]), answer["headers"], body  # type: ignore[return-value]


def test_a_page_asked_by_head_has_gets_headers_and_no_body(db):
    status, headers, body = _served("get", "/login/")
    assert status == "200 OK"
    assert len(body) > 100
    head_status, head_headers, head_body = _served("head", "/login/")
    assert (head_status, head_body) == ("200 OK", b"")
    assert head_headers["Content-Type"] == headers["Content-Type"]
    assert head_headers["Content-Security-Policy"] == headers["Content-Security-Policy"]


@pytest.mark.django_db  # closing a response sends request_finished, which checks an open database connection
def test_a_streamed_answer_to_head_is_emptied_and_its_source_closed():
    closed: list[bool] = []

    class Source:
        def __iter__(self):
            yield b"a row\n"

        def close(self) -> None:
            closed.append(True)

    response = StreamingHttpResponse(Source(), content_type="text/csv")
    served = HeadWithoutBodyMiddleware(lambda request: response)(RequestFactory().head("/x"))
    assert b"".join(served.streaming_content) == b""
    served.close()
    assert closed == [True]
