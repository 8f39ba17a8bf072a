"""Kinds for the jobs' own tests, importable by a worker process too: a slow one (to kill a worker in the middle
of it) and one that fails."""

import time
from typing import IO, Any

from django.core.exceptions import PermissionDenied

from zoufang.core.progress import Progress
from zoufang.jobs import kinds


def _resolve(user: Any, params: dict[str, Any]) -> kinds.Resolved:
    if not user.is_authenticated or user.username == "outsider":
        raise PermissionDenied
    clean = {"chunks": int(params.get("chunks", 3)), "delay": float(params.get("delay", 0)),
             "fail": bool(params.get("fail", False)), "fmt": "xlsx"}
    return kinds.Resolved(clean, "测试文件", "测试文件.xlsx")


def _build(user: Any, resolved: kinds.Resolved, out: IO[bytes], progress: Progress) -> str:
    chunks = resolved.params["chunks"]
    for done in range(chunks):
        out.write(bytes([65 + done % 26]) * 65536)
        out.flush()
        progress(done + 1, chunks)
        if resolved.params["fail"] and done == 1:
            raise ValueError("planted failure")
        time.sleep(resolved.params["delay"])
    return "测试导出"


kinds.register(kinds.Kind("test_slow", _resolve, _build))


def _build_reading(user: Any, resolved: kinds.Resolved, out: IO[bytes], progress: Progress) -> str:
    """A file written from a server-side cursor, its progress told on every row, as the ledger does a chunk at a
    time; `meanwhile` (set by the test) runs after the first row, as a cadre's visit would."""
    from zoufang.regions.models import Region

    rows = Region.objects.order_by("id").values_list("name", flat=True)
    total = rows.count()
    for done, name in enumerate(rows.iterator(chunk_size=1), start=1):
        out.write(f"{name}\n".encode())
        progress(done, total + 1)  # never the last call: stored at once only past the throttle's second
        if done == 1:
            MEANWHILE[0]()
    return "测试导出"


MEANWHILE: list[Any] = [lambda: None]
kinds.register(kinds.Kind("test_reading", _resolve, _build_reading))
