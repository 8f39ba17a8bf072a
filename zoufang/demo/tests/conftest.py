from typing import Any

import pytest


@pytest.fixture(scope="module")
def both_towns(demo: Any, django_db_blocker: Any) -> Any:
    """The whole demo as `zoufang loaddemo` loads it, 锦溪镇 then 孟河镇: 孟河镇 added to the module's demo
    (zoufang/conftest.py), and rolled back with it at the module's end."""
    from zoufang.conftest import menghe_campaign

    with django_db_blocker.unblock():
        return demo, menghe_campaign()
