"""An import costs what its file holds, not what the registry holds: the same queries and the same rows read
whether the town stores a handful of households or thousands."""

import pytest
from django.db import transaction

from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_households import household_rows
from zoufang.registry.tests.test_import_support import csv_file, id_number, make_town, village

FILE_ROWS = 60
KNOWN = 20  # the file's first rows are already registered: matched, not created
MAX_QUERIES = 25  # whatever the town stores (11 on SQLite today for these 60 rows)


def store(count: int, known: bool = True) -> None:
    """The file's KNOWN first households (unless not `known`), and `count` others the file never names."""
    rows = household_rows(FILE_ROWS)[1:KNOWN + 1]
    places = {name: village(name) for name in ("上下塘社区", "计家墩村")}
    named = [Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=places[row[1]], name=row[4], member_count=3,
                    phone=row[6], id_number=row[7], address=row[8]) for row in rows]
    others = [Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=places["上下塘社区"], name=f"他户{i}",
                     id_number=id_number(i, born=f"1930{1 + i // 1000 % 12:02d}01"), address=f"别路{i}号")
              for i in range(count)]
    Target.objects.bulk_create((named if known else []) + others, batch_size=1000)


def loaded_targets(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every Target the ORM reads from the database from now on."""
    loaded: list[int] = []
    original = Target.from_db.__func__  # type: ignore[attr-defined]

    def counting(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        loaded.append(1)
        return original(cls, db, field_names, values)

    monkeypatch.setattr(Target, "from_db", classmethod(counting))
    return loaded


def import_file(campaign, monkeypatch, django_assert_max_num_queries) -> tuple[int, int]:
    """Import the file once, rolled back: (queries, stored targets read)."""
    loaded = loaded_targets(monkeypatch)
    with transaction.atomic():
        with django_assert_max_num_queries(MAX_QUERIES) as queries:
            report = run_import("households", csv_file(household_rows(FILE_ROWS)), filename="h.csv",
                                campaign=campaign)
        assert report.ok, report.errors
        assert (report.created, report.unchanged) == (FILE_ROWS - KNOWN, KNOWN)
        transaction.set_rollback(True)
    monkeypatch.undo()
    return len(queries), len(loaded)


@pytest.mark.django_db
def test_the_import_costs_the_same_queries_and_reads_whatever_the_town_stores(
        monkeypatch, django_assert_max_num_queries):
    campaign = make_town()
    store(0)
    few = import_file(campaign, monkeypatch, django_assert_max_num_queries)
    store(3000, known=False)
    many = import_file(campaign, monkeypatch, django_assert_max_num_queries)
    assert few == many  # the same statements, and only the KNOWN households the file names are read
    assert few[1] == KNOWN
    assert Target.objects.count() == 3000 + KNOWN


@pytest.mark.django_db
def test_a_row_without_id_number_still_finds_its_stored_household_among_many(monkeypatch):
    campaign = make_town()
    store(500)
    rows = household_rows(3)
    rows[1][7] = ""  # the first known household, named by kind, village, name and address only
    loaded = loaded_targets(monkeypatch)
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert report.ok, report.errors
    assert (report.created, report.unchanged, report.updated) == (0, 3, 0)
    assert len(loaded) <= 3
    assert Target.objects.count() == 500 + KNOWN


@pytest.mark.django_db
def test_a_bad_row_among_stored_thousands_writes_nothing():
    campaign = make_town()
    store(2000)
    rows = household_rows(FILE_ROWS)
    rows[40][6] = "12345"  # 联系电话
    rows[50][7] = rows[2][7]  # the ID number of a known household, twice in the file
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(41, "联系电话"), (51, "身份证号码")]
    assert "第2行" in report.errors[1].message or "第3行" in report.errors[1].message
    assert Target.objects.count() == 2000 + KNOWN
