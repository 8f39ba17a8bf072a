"""Which half of `make test` runs a test (decision 0046): a crawl marked for one engine runs in that half only, and
only where both halves run; a test that never reaches the database runs on SQLite only; a browser test runs in the
SQLite half unless marked for both (decision 0053)."""

import pytest

from zoufang.conftest import default_half, once_is_enough, runs_in_half


@pytest.mark.parametrize(("only", "engine", "halves", "reaches", "runs"), [
    (None, "sqlite", True, False, True),
    (None, "postgresql", True, False, False),  # decision 0014: the SQLite half ran it
    (None, "postgresql", True, True, True),
    ("postgresql", "sqlite", True, True, False),
    ("postgresql", "postgresql", True, True, True),
    # A check of a PostgreSQL-only module that needs no database (a completeness test): still run, in that half.
    ("postgresql", "postgresql", True, False, True),
    ("sqlite", "postgresql", True, True, False),
    ("sqlite", "sqlite", True, True, True),
    ("postgresql", "sqlite", False, True, True),  # a module run on its own, or make test without PostgreSQL
    ("sqlite", "postgresql", False, True, True),
])
def test_it_runs_a_test_in_the_half_its_mark_names_only_where_both_halves_run(only, engine, halves, reaches, runs):
    assert runs_in_half(only, engine, halves=halves, reaches_database=reaches) is runs


class _Marked:
    """A collected test as `once_is_enough` reads it: its node id and its one_database mark."""

    def __init__(self, *engines: str) -> None:
        self.nodeid = "zoufang/x/tests/test_x.py::test_x"
        self.mark = pytest.mark.one_database(*engines).mark

    def get_closest_marker(self, name: str) -> object:
        return self.mark if name == "one_database" else None


def test_it_refuses_an_engine_it_does_not_know_rather_than_run_the_test_nowhere(monkeypatch, pytestconfig):
    monkeypatch.setenv("ZOUFANG_BOTH_HALVES", "1")
    for engines in (("postgres",), ("sqlite", "postgresql"), ()):
        with pytest.raises(pytest.UsageError, match="one_database takes 'postgresql' or 'sqlite'"):
            once_is_enough(pytestconfig, [_Marked(*engines)])


class _Collected:
    """A collected test as `default_half` reads it: its fixtures and its marks."""

    def __init__(self, fixtures: tuple[str, ...], *marks: str) -> None:
        self.fixturenames = fixtures
        self.marks = marks

    def get_closest_marker(self, name: str) -> object:
        return getattr(pytest.mark, name).mark if name in self.marks else None


@pytest.mark.parametrize(("fixtures", "marks", "half"), [
    (("browser", "live_server", "town"), (), "sqlite"),
    (("full_browser", "browser", "live_server"), (), "sqlite"),  # fixturenames is the closure: browser is in it
    ((), ("browser",), "sqlite"),
    (("browser", "live_server"), ("browser", "every_database"), None),  # kept in both: the engine is its subject
    (("live_server", "town"), (), None),  # a live server without Chromium (Open311's conformance)
    (("town",), (), None),
])
def test_a_browser_test_runs_in_the_sqlite_half_unless_marked_for_both(fixtures, marks, half):
    assert default_half(_Collected(fixtures, *marks)) == half
