"""A web worker's heap after start-up is out of the cyclic collector's way (zoufang/core/heap.py): checked in a
process of its own, as gunicorn loads the WSGI module, so the test run's own collector is left alone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The WSGI module is loaded with the run's database settings: both halves of `make test`.
pytestmark = pytest.mark.every_database

ROOT = Path(__file__).resolve().parents[3]


def _started(code: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zoufang.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_loading_the_wsgi_application_imports_every_view_and_freezes_the_heap():
    out = _started("import gc, sys; before = gc.get_threshold()[0]; import zoufang.wsgi; "
                   "print(before, gc.get_threshold()[0], gc.get_freeze_count() > 0, len(gc.get_objects()) < 1000, "
                   "'zoufang.oversight.views' in sys.modules)")
    assert out.split() == ["700", "20000", "True", "True", "True"]


def test_settling_twice_freezes_once():
    # Objects made after the first settle stay collectable: a second call (the first task of a worker that also
    # loaded the WSGI module) must not freeze them for the process's life.
    out = _started("import django; django.setup(); import gc; from zoufang.core import heap; heap.settle(); "
                   "n = gc.get_freeze_count(); garbage = [[] for _ in range(100)]; heap.settle(); "
                   "print(gc.get_freeze_count() == n)")
    assert out.split() == ["True"]
