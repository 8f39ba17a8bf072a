"""The planner's statistics on the PostgreSQL test databases (zoufang/core/testdb.py, `refresh_statistics`): the
demo's tables are analysed inside its transaction, and autovacuum never touches a test database's tables."""

import pytest
from django.db import connection

from zoufang.core.testdb import ANALYZE_AFTER, refresh_statistics, table_changes
from zoufang.regions.models import Region

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")


def _estimate(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


def test_the_demo_s_tables_are_estimated_as_they_are_filled(demo, db):
    from zoufang.planning.models import Assignment

    assigned = Assignment.objects.filter(campaign=demo).count()
    assert assigned > 10_000
    # Without statistics, PostgreSQL guessed 0.5 % of the table for an equality: a hundred rows of 18,000.
    estimate = _estimate(f"SELECT id FROM planning_assignment WHERE campaign_id = {int(demo.pk)}")  # noqa: S608
    assert estimate > assigned / 2


def _statistics(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE schemaname = 'public' AND tablename = %s", [table])
        return cursor.fetchone()[0]


def test_a_table_changed_by_many_rows_since_is_analysed_and_others_not(db):
    from zoufang.registry.models import Unit

    before, units = table_changes(connection), _statistics("registry_unit")
    Region.objects.bulk_create([Region(name=f"村{n}", level=Region.Level.VILLAGE, path=f"9{n:07d}")
                                for n in range(ANALYZE_AFTER + 1)])
    Unit.objects.bulk_create([Unit(name=f"单位{n}", kind=Unit.Kind.TOWN_DEPARTMENT) for n in range(10)])
    refresh_statistics(connection, before)
    assert _statistics("regions_region") > 0  # gathered inside this transaction (rolled back with it)
    assert _statistics("registry_unit") == units  # ten rows: not analysed again
    assert _estimate("SELECT id FROM regions_region WHERE level = 'village'") > ANALYZE_AFTER / 2


def test_no_test_database_table_is_left_to_autovacuum(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
                       "AND NOT coalesce('autovacuum_enabled=off' = ANY(reloptions), false)")
        assert cursor.fetchall() == []
