"""Hand-written SELECTs read the same instances and values as the querysets they stand in for (core.rawrows), and
statements sent together (core.pipeline) commit or roll back with their transaction."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from zoufang.core.bulk import add_to_rows
from zoufang.core.pipeline import sent_together
from zoufang.core.rawrows import Columns, CompiledValues, prepared_rows
from zoufang.oversight.models import CaseTally
from zoufang.regions.models import Region
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import TargetFactory, factory_id_number

pytestmark = pytest.mark.django_db

_TARGET = Columns(Target, "t", ["public_id", "name", "phone", "id_number", "region_id"])
_REGION = Columns.every(Region, "r")


def _read(target_id: int) -> tuple[Target, Region | None]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_TARGET.sql}, {_REGION.sql} FROM {quote(Target._meta.db_table)} t "  # noqa: S608
                       f"LEFT JOIN {quote(Region._meta.db_table)} r ON r.id = t.region_id WHERE t.id = %s",
                       [target_id])
        row = cursor.fetchone()
    return _TARGET.load(row), _REGION.load_joined(row, _TARGET.width)


def test_it_reads_the_values_the_orm_reads_converted_alike(town):
    household = TargetFactory(region=town.households["shangxiatang"][0].region, phone="13800001234",
                              id_number=factory_id_number(4242))
    target, region = _read(household.pk)
    stored = Target.objects.select_related("region").get(pk=household.pk)
    assert (target.pk, target.public_id, target.name, target.phone, target.id_number) == (
        stored.pk, stored.public_id, stored.name, "13800001234", stored.id_number)
    assert region == stored.region
    assert region is not None
    assert region.path == stored.region.path
    assert target._state.adding is False
    assert target._state.db == "default"


def test_a_column_left_out_is_deferred_and_read_when_asked(town):
    household = TargetFactory(region=town.households["shangxiatang"][0].region, address="上下塘 5 号")
    target, _region = _read(household.pk)
    assert "address" in target.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert target.address == "上下塘 5 号"
    assert len(queries.captured_queries) == 1


def test_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="no column"):
        Columns(Target, "t", ["nickname"])


def test_a_compiled_values_query_answers_as_its_queryset_for_each_value(town):
    def build(pk: int):
        return Target.objects.filter(pk=pk).values_list("pk", "public_id", "region__path", "phone")

    compiled = CompiledValues(build, arity=1)
    first, second = town.households["shangxiatang"][:2]
    for target in (first, second, first):
        assert compiled.rows(target.pk) == list(build(target.pk))
    assert compiled.rows(-1) == []


def test_a_build_that_hides_its_marker_is_refused():
    compiled = CompiledValues(lambda pk: Target.objects.filter(pk__gt=0).values_list("pk"), arity=1)
    with pytest.raises(ValueError, match="marker"):
        compiled.rows(1)


def test_statements_sent_together_commit_and_roll_back_with_their_transaction(town):
    region = town.households["shangxiatang"][0].region
    with transaction.atomic(), sent_together():
        Region.objects.filter(pk=region.pk).update(name="改名一")
        Region.objects.filter(pk=region.pk).update(sort_order=7)
    region.refresh_from_db()
    assert (region.name, region.sort_order) == ("改名一", 7)

    def renamed_then_failed() -> None:
        with transaction.atomic():
            with sent_together():
                Region.objects.filter(pk=region.pk).update(name="改名二")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        renamed_then_failed()
    region.refresh_from_db()
    assert region.name == "改名一"


def _prepared(statement: str) -> int:
    """How many times the connection holds the statement prepared (from_sql false: by the protocol, not PREPARE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE from_sql = false AND statement = %s",
                       [statement])
        return cursor.fetchone()[0]  # type: ignore[no-any-return]


def test_a_prepared_read_answers_as_a_plain_one_and_is_planned_once_per_connection(town, settings):
    """The same rows as the statement sent plainly, one query logged per read; on PostgreSQL the statement is
    prepared on the connection once and reused, Django's own statements are not, and with
    ZOUFANG_DB_PREPARED_READS off it is sent plainly."""
    quote = connection.ops.quote_name
    sql = (f"SELECT id, name, path FROM {quote(Region._meta.db_table)} "  # noqa: S608
           "WHERE path LIKE %s AND level = %s ORDER BY id")
    params = [f"{town.town.path}%", "village"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        plain = cursor.fetchall()
    assert plain
    grids = list(Region.objects.filter(path__startswith=town.town.path, level="grid").order_by("id")
                 .values_list("id", "name", "path"))
    with CaptureQueriesContext(connection) as reads:
        assert prepared_rows(connection, sql, params) == plain
        assert prepared_rows(connection, sql, [f"{town.town.path}%", "grid"]) == grids
    assert len(reads) == 2
    assert all("FROM" in query["sql"] for query in reads.captured_queries)  # logged with its text
    if connection.vendor != "postgresql":
        return
    numbered = sql.replace("%s", "$1", 1).replace("%s", "$2", 1)
    assert _prepared(numbered) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%regions_region%"])
        assert cursor.fetchone()[0] == 1  # Django's own statements (the grids above) are not prepared
    settings.ZOUFANG_DB_PREPARED_READS = False
    other = sql.replace("ORDER BY id", "ORDER BY path")
    assert prepared_rows(connection, other, params) == sorted(plain, key=lambda row: row[2])
    assert _prepared(other.replace("%s", "$1", 1).replace("%s", "$2", 1)) == 0


def test_added_rows_are_written_by_one_prepared_statement_sent_with_the_others(town):
    """`add_to_rows` (the kept counts every submission writes) sends one statement text whatever the number of rows:
    on PostgreSQL it is prepared once per connection; inside `sent_together()` its rows are added as before, and an
    error in it still fails its transaction with Django's exception, rolling back what the block wrote."""
    campaign = town.campaign
    keys = ["campaign", "unit", "grouping", "key", "day"]
    sums = [f.name for f in CaseTally._meta.concrete_fields if f.name not in ("id", *keys)]
    day = CaseTally._meta.get_field("day").default

    def rows(*counts: tuple[str, int | None]) -> list[tuple[object, ...]]:
        return [(campaign.pk, 0, "status", key, day, *(total if name in ("total", "open") else 0 for name in sums))
                for key, total in counts]

    def kept() -> dict[str, tuple[int, int]]:
        return {row.key: (row.total, row.open) for row in CaseTally.objects.filter(campaign=campaign, grouping="status")}

    with transaction.atomic(), sent_together():
        add_to_rows(CaseTally, keys, sums, rows(("a", 1)))
        add_to_rows(CaseTally, keys, sums, rows(("a", 2), ("b", 5)))
    assert kept() == {"a": (3, 3), "b": (5, 5)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE from_sql = false AND statement LIKE %s",
                           [f"INSERT INTO {connection.ops.quote_name(CaseTally._meta.db_table)}%"])
            assert cursor.fetchone()[0] == 1  # one text for one row and for two

    def added_then_refused() -> None:
        with transaction.atomic(), sent_together():
            add_to_rows(CaseTally, keys, sums, rows(("a", 10)))
            add_to_rows(CaseTally, keys, sums, rows(("c", None)))  # a count its column refuses

    with pytest.raises(IntegrityError):  # Django's, on PostgreSQL too: raised as the pipeline syncs
        added_then_refused()
    assert kept() == {"a": (3, 3), "b": (5, 5)}
