from zoufang.visits.tests.conftest import visiting  # noqa: F401 - the visiting fixture, shared
