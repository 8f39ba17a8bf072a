"""A long-running process's heap, kept out of the cyclic garbage collector's way once it has started.

A web or task worker imports Django, every app and every view once; those objects live as long as the process.
CPython's collector still walks all of them on each full (oldest-generation) collection, which a request that
builds a few thousand objects — a 2,000-row table, a page of a document — sets off now and then: measured on the
oversight bench, an 86 ms pause inside a 40 ms read, and the whole table's p95 at twice its median
(docs/oversight.md, "The collector's pauses"). `settle()` imports what a first request would import, collects
once, and freezes the survivors (`gc.freeze`: never collected, never walked again), then lets the youngest
generation grow to YOUNG objects before a collection, so that a request's own short-lived rows are freed by
reference counting rather than walked several times.
"""

import gc

from django.urls import get_resolver

YOUNG = 20_000  # CPython's default is 700: a 2,000-row table set off dozens of young collections per read

_settled = False


def settle() -> None:
    """Freeze the started process's heap and raise the young generation's threshold; once per process."""
    global _settled  # noqa: PLW0603 - once per process, whoever asks first (the WSGI module or the first task)
    if _settled:
        return
    _settled = True
    get_resolver().url_patterns  # noqa: B018 - every view module imported now, not inside a first request
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])


def settle_worker(sender: object, **kwargs: object) -> None:
    """`task_started`: a task worker (the database's or rq's) settles as the web worker does. Not for the
    immediate backend, whose tasks run inside the process that enqueued them (a request, a test). The sender is
    the backend's class or, from django-tasks-db's worker, the backend itself."""
    from django_tasks.backends.immediate import ImmediateBackend

    backend = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend, ImmediateBackend):
        settle()
