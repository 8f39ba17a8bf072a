from typing import Any

import pytest


@pytest.fixture(scope="module")
def demo_plan_workbook(demo: Any, django_db_blocker: Any) -> bytes:
    """The demo's plan workbook (write_workbook) as a module's demo holds it before its tests write: the same
    bytes for every module that reads it, written once a run (zoufang/core/testsnap.py's `made_once`)."""
    import io

    from zoufang import clock
    from zoufang.conftest import _demo_settings
    from zoufang.core.testsnap import made_once
    from zoufang.planning.export import write_workbook

    def make() -> bytes:
        out = io.BytesIO()
        write_workbook(demo, out)
        return out.getvalue()

    with django_db_blocker.unblock():
        return made_once(f"demo-plan-workbook-{demo.pk}-{clock.today()}-{_demo_settings()}", make)
