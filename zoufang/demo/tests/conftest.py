from typing import Any

import pytest


@pytest.fixture(scope="module")
def both_towns(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The whole demo as `zoufang loaddemo` loads it, 锦溪镇 then 孟河镇: once per module, rolled back."""
    from django.db import transaction

    from zoufang.demo.loader import load_demo
    from zoufang.demo.menghe import load_menghe_demo

    with django_db_blocker.unblock(), transaction.atomic():
        jinxi = load_demo()
        menghe = load_menghe_demo()
        yield jinxi, menghe
        transaction.set_rollback(True)
