from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    # The manifest exists only after `collectstatic`; pages under test need not depend on it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
