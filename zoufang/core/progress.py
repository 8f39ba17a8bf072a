"""How long work tells how far it has come: the one signature every slow builder (exports, imports, the
planner) accepts, so a background job can show a progress bar and a command line a rich bar.

A builder takes `progress: Progress | None = None` and calls it with (done, total) as it goes, in units it
chooses (rows, units, pages); total may be 0 when unknown. Calls should be cheap to make often: the caller
decides how often to store them.
"""

from collections.abc import Callable

Progress = Callable[[int, int], None]


def report(progress: Progress | None, done: int, total: int) -> None:
    """Tell `progress`, if there is one, how far the work has come."""
    if progress is not None:
        progress(done, total)
