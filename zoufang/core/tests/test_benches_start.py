"""Every bench `make bench` runs starts in a fresh process: its first lines are printed through gettext, which
needs Django's settings, and no test ran a bench's `main` before (stop 41 broke the load bench this way).

Each bench runs on a database of its own (SQLite in a temporary folder, or nothing listening), never the suite's:
asking for no database fixture, the module runs in the SQLite half of `make test` only (conftest's
`once_is_enough`)."""

import fcntl
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from zoufang.bench import SQLITE_FROM
from zoufang.core.testsnap import ENV

BENCHES = ["zoufang.bench", "zoufang.planning.bench", "zoufang.oversight.bench", "zoufang.pagebench",
           "zoufang.ratings.bench", "zoufang.visits.loadbench", "zoufang.exportbench"]
NOWHERE = "postgres://postgres@127.0.0.1:1/zoufang_nowhere"  # nothing listens on port 1: no bench gets far


def _migrated() -> Path:
    """An empty SQLite database migrated once a run (under a lock in the run's folder, whichever worker gets there
    first), for the benches that run on SQLite first to start from: each migrated its own before (20 s of CPU)."""
    folder = Path(os.environ.get(ENV) or tempfile.mkdtemp(prefix="zoufang-benches-"))
    path = folder / "benches-migrated.sqlite3"
    with (folder / "benches-migrated.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            work = Path(tempfile.mkdtemp(prefix="zoufang-benches-", dir=folder))
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
            env["ZOUFANG_VAR_DIR"] = str(work)
            subprocess.run([sys.executable, "-m", "zoufang.cli", "migrate", "-v0"], env=env, check=True, timeout=300)
            (work / "zoufang.sqlite3").rename(path)
    return path


def _start(module: str, url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env[SQLITE_FROM] = str(_migrated())
    if url:
        env["DATABASE_URL"] = url
    # Each bench's SQLite run goes to the end on a few rows (the ratings bench's default 20,000 answers took 30 s).
    env.update(ZOUFANG_BENCH_IMPORT_ROWS="10", ZOUFANG_EXPORT_BENCH_ROWS="10", ZOUFANG_BENCH_RATINGS="40")
    return subprocess.run([sys.executable, "-m", module], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("module", BENCHES)
def test_a_bench_gets_as_far_as_the_database(module: str) -> None:
    done = _start(module, NOWHERE)
    assert "ImproperlyConfigured" not in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr or "connection" in done.stderr.lower(), done.stderr[-2000:]


def test_the_load_bench_says_what_it_measures_before_it_connects() -> None:
    done = _start("zoufang.visits.loadbench", NOWHERE)
    assert done.stdout.startswith("走访登记负载基准（PostgreSQL"), (done.stdout, done.stderr[-2000:])


@pytest.mark.parametrize("module", ["zoufang.visits.loadbench", "zoufang.pagebench"])
def test_a_postgresql_bench_on_sqlite_says_so_in_chinese(module: str) -> None:
    done = _start(module, None)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "需要 PostgreSQL" in done.stdout
