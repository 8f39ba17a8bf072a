"""For tests: ask for a file the way the page does (POST), follow the job (run at once by the tests' immediate
backend) and fetch the file, as one plain response with its content in memory."""

from typing import Any

from django.http import HttpResponse


def queued_file(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    asked = client.post(url, data or {})
    if asked.status_code != 302 or "/downloads/" not in asked["Location"]:
        return asked  # refused (404, 403, the login wall): as the synchronous view answered
    state = client.get(asked["Location"] + "status.json").json()
    if state["status"] != "done":
        raise AssertionError(f"the job did not finish: {state}")
    fetched = client.get(state["file_url"])
    if not getattr(fetched, "streaming", False):
        return fetched
    response = HttpResponse(b"".join(fetched.streaming_content), status=fetched.status_code)
    for header in ("Content-Type", "Content-Disposition"):
        response[header] = fetched[header]
    return response


def cells(data: bytes) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """A workbook's sheets and their cell values: what "the same file as the synchronous view gave" compares (the
    bytes differ by the zip's timestamps)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]


def api_job(client: Any, asked: Any, headers: dict[str, str]) -> dict[str, Any]:
    """Follow an API operation that answered 202 to its job (run at once by the tests' backend): the job's body."""
    if asked.status_code != 202:
        raise AssertionError(f"not queued: {asked.status_code} {asked.content!r}")
    job = client.get(asked.json()["status_url"], **headers)
    if job.status_code != 200:
        raise AssertionError(f"the job is not there: {job.status_code} {job.content!r}")
    body: dict[str, Any] = job.json()
    if body["status"] != "done":
        raise AssertionError(f"the job did not finish: {body}")
    return body
