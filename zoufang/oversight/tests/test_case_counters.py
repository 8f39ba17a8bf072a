"""The kept case results (oversight.case_counters) against a full recount: hand-counted on the small fixture on
several days, through every kind of change (transitions, tick, saves, merge, deletion), on the demo, under
concurrent transitions, and `zoufang oversight verify` catching a tampered count."""

import datetime as dt
import importlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases import actions
from zoufang.cases.models import Case, CaseEvent
from zoufang.cases.tick import tick
from zoufang.conftest import PASSWORD
from zoufang.oversight import case_counters, figures
from zoufang.oversight.models import TIMELESS_DAY, CaseCounted, CaseTally
from zoufang.oversight.tests.conftest import at, in_threads
from zoufang.registry.models import Unit

from .test_figures import TODAY

DAYS = (dt.date(2017, 6, 1), dt.date(2017, 6, 9), dt.date(2017, 6, 12), dt.date(2017, 6, 13), TODAY,
        dt.date(2017, 7, 1))


def shown(result: figures.CaseFigures) -> list[tuple[Any, ...]]:
    return [(row.label, getattr(row.key, "pk", row.key), *(v for k, v in vars(row).items() if k not in ("key", "label")))
            for row in [*result.rows, result.total]]


def assert_case_kept_equals_recount(campaign: Any, days: tuple[dt.date, ...] = DAYS) -> int:
    """Every kept grouping, for the campaign and each unit with cases, on each day, shows the recount's figures;
    and verify agrees."""
    compared = 0
    units = Unit.objects.filter(cases__campaign=campaign).distinct()
    for unit in [None, *units]:
        cases = figures.case_rows(campaign, unit=unit)
        for by in figures.KEPT_CASE_GROUPINGS:
            for day in days:
                kept = figures.case_figures(campaign, by, day, cases)
                assert shown(kept) == shown(figures.recounted_case_figures(campaign, by, day, cases)), (unit, by, day)
                compared += 1
        for day in days:
            assert figures.case_totals(campaign, day, cases) == figures.recounted_case_figures(
                campaign, "unit", day, cases).total
    verdict = case_counters.verify(campaign.pk)
    assert verdict.ok, (verdict.nodes, verdict.cases)
    return compared


def test_the_kept_results_equal_the_hand_count_and_the_recount_on_every_day(counted: Any) -> None:
    campaign = counted.campaign
    assert assert_case_kept_equals_recount(campaign) >= 6 * 6 * 3
    # Counted by hand (conftest): c2 is due 6/12 and being handled; c6 (escalated, not handled) due 6/30.
    on = {day: figures.case_totals(campaign, day) for day in DAYS}
    assert (on[dt.date(2017, 6, 12)].due_or_done, on[dt.date(2017, 6, 12)].overdue) == (2, 0)  # c1, c3 answered
    assert (on[dt.date(2017, 6, 13)].due_or_done, on[dt.date(2017, 6, 13)].overdue) == (3, 1)  # c2 is late now
    assert (on[dt.date(2017, 7, 1)].due_or_done, on[dt.date(2017, 7, 1)].overdue) == (4, 1)  # c6 due, not handled
    police = figures.case_figures(campaign, "month", TODAY, figures.case_rows(campaign, unit=counted.police))
    assert [(row.label, row.total, row.overdue, row.escalated) for row in police.rows] == [("2017年6月", 3, 1, 1)]
    # A case seven nodes deep, twice (the campaign and its unit); the merged c5 and the draft c4's unit are not.
    assert CaseCounted.objects.filter(campaign=campaign).count() == 5
    assert CaseTally.objects.get(campaign=campaign, unit=0, grouping="total", day=TIMELESS_DAY).total == 5
    assert CaseTally.objects.get(campaign=campaign, unit=counted.police.pk, grouping="status",
                                 key=Case.Status.ACCEPTED, day=TIMELESS_DAY).total == 1
    # A node's dated counts are its rows of their deadline days, whose timeless counts are 0 (and the reverse).
    dated = CaseTally.objects.get(campaign=campaign, unit=0, grouping="total", day=dt.date(2017, 6, 12))
    assert (dated.overdue, dated.total, dated.answered) == (1, 0, 0)
    assert not CaseTally.objects.filter(day=TIMELESS_DAY).exclude(pending=0, overdue=0).exists()
    assert not CaseTally.objects.exclude(day=TIMELESS_DAY).exclude(total=0).exists()


def test_the_figures_read_the_kept_counts_only_for_a_marked_queryset(counted: Any) -> None:
    campaign = counted.campaign
    CaseTally.objects.filter(campaign=campaign).update(total=0)
    assert figures.case_totals(campaign, TODAY).total == 0  # read from the (emptied) counts
    assert figures.case_rows(campaign).filter(unit=counted.police).count() == 3
    narrowed = figures.case_figures(campaign, "unit", TODAY, figures.case_rows(campaign).filter(unit=counted.police))
    assert narrowed.total.total == 3  # a filtered queryset is recounted
    assert figures.case_figures(campaign, "cadre", TODAY).total.total == 5  # a grouping not kept is recounted


def test_transitions_tick_saves_merge_and_deletion_move_the_kept_results(counted: Any, settings: Any) -> None:
    campaign, police, cases = counted.campaign, counted.police, counted.cases
    office, handler = counted.users["office"], counted.users["handler"]
    top, second = counted.categories
    draft = cases["c4"]
    draft = actions.register_case(draft, by=office, version=draft.version, category=second)
    assert_case_kept_equals_recount(campaign)
    draft = actions.dispatch_case(draft, police, by=office, version=draft.version)
    assert_case_kept_equals_recount(campaign)
    draft = actions.accept_case(draft, by=handler, version=draft.version)
    settings.ZOUFANG_TODAY = "2017-07-20"  # past its deadline: the tick marks it
    report = tick(dt.date(2017, 7, 20))
    assert report.overdue >= 1
    assert_case_kept_equals_recount(campaign, (*DAYS, dt.date(2017, 7, 20)))
    draft = actions.resolve_case(draft, by=handler, version=draft.version, result="已解决")
    assert_case_kept_equals_recount(campaign, (*DAYS, dt.date(2017, 7, 20)))
    # Saved through the ORM (an admin's edit): another unit, region and category; an event removed.
    c6 = cases["c6"]
    c6.unit, c6.region, c6.category = counted.wangwen.unit, counted.households["jijiadun"][0].region, top
    c6.save()
    CaseEvent.objects.filter(case=cases["c3"]).delete()  # c3's answer day falls back to none: 按时办结 changes
    assert_case_kept_equals_recount(campaign)
    # Merged: no longer counted; deleted: uncounted with its events.
    c2 = cases["c2"]
    c2.status = Case.Status.MERGED
    c2.save()
    assert not CaseCounted.objects.filter(case=c2.pk).exists()
    cases["c1"].delete()
    assert_case_kept_equals_recount(campaign)
    assert CaseTally.objects.get(campaign=campaign, unit=0, grouping="total", day=TIMELESS_DAY).total == 3


def test_a_page_of_the_unit_and_village_tables_is_the_slice_of_the_whole_table(counted: Any) -> None:
    """Cut in the database (the dashboard's 200 rows of 2,000 units): the same rows, order, count and total as
    the whole table sliced, the row without a key (未交办, 未填村) last, on every page of one and two rows."""
    campaign = counted.campaign
    Case.objects.create(campaign=campaign, kind=Case.Kind.PROBLEM, description="no village", raised_at=at("2017-06-03"))
    for unit in (None, counted.police):
        cases = figures.case_rows(campaign, unit=unit)
        for by in figures.PAGED_CASE_GROUPINGS:
            whole = figures.case_figures(campaign, by, TODAY, cases)
            assert shown(whole) == shown(figures.recounted_case_figures(campaign, by, TODAY, cases))
            assert any(row.key is None for row in whole.rows) or unit is not None, by
            *rows, total = shown(whole)
            for size in (1, 2):
                for start in range(0, len(rows) + 2):
                    page = figures.case_figures(campaign, by, TODAY, cases, page=(start, size))
                    assert page.count == len(rows), (by, start, size)
                    assert shown(page) == [*rows[start:start + size], total], (by, start, size)


def test_a_block_of_transitions_moves_each_case_s_contribution_once_as_it_ends(counted: Any) -> None:
    """case_counters.refreshed_last (the demo's days of cases): the same kept results as a refresh after every save,
    written as the block ends; inside it the kept rows still show the day before."""
    campaign, police, cases = counted.campaign, counted.police, counted.cases
    office, handler = counted.users["office"], counted.users["handler"]
    before = list(CaseCounted.objects.filter(case=cases["c4"].pk).values_list("status", flat=True))
    with case_counters.refreshed_last():
        draft = actions.register_case(cases["c4"], by=office, version=cases["c4"].version,
                                      category=counted.categories[1])
        draft = actions.dispatch_case(draft, police, by=office, version=draft.version)
        draft = actions.accept_case(draft, by=handler, version=draft.version)
        assert list(CaseCounted.objects.filter(case=draft.pk).values_list("status", flat=True)) == before
        made = Case.objects.create(campaign=campaign, kind=Case.Kind.PROBLEM, description="块内新建",
                                   raised_at=cases["c1"].raised_at, region=cases["c1"].region)
    assert CaseCounted.objects.get(case=draft.pk).status == Case.Status.ACCEPTED
    assert CaseCounted.objects.filter(case=made.pk).exists()
    assert_case_kept_equals_recount(campaign)


def test_bulk_writes_of_cases_and_events_move_the_kept_results_in_one_pass(counted: Any) -> None:
    campaign, police, cases = counted.campaign, counted.police, counted.cases
    top, second = counted.categories
    # QuerySet.update: the cases it moves out of its own filter are refreshed too.
    moved = Case.objects.filter(unit=police).count()
    assert Case.objects.filter(unit=police).update(unit=counted.wangwen.unit, satisfaction="") == moved > 0
    assert_case_kept_equals_recount(campaign)
    # bulk_create: counted at once (no save signal).
    made = Case.objects.bulk_create([
        Case(campaign=campaign, kind=Case.Kind.PROBLEM, description=f"b{n}", raised_at=cases["c1"].raised_at,
             region=cases["c1"].region, status=Case.Status.DISPATCHED, unit=police, category=second,
             registered_on=dt.date(2017, 6, 2), dispatched_on=dt.date(2017, 6, 2), handling_due=dt.date(2017, 6, 9))
        for n in range(3)])
    assert CaseCounted.objects.filter(case__in=[case.pk for case in made]).count() == 3
    assert_case_kept_equals_recount(campaign)
    # bulk_update: answered; and a whole campaign's cases in a bounded number of queries.
    for case in made:
        case.status, case.resolution = Case.Status.RESOLVED, "已解决"
    with CaptureQueriesContext(connection) as queries:
        Case.objects.bulk_update(made, ["status", "resolution"])
    assert len(queries) <= 12
    assert_case_kept_equals_recount(campaign)
    # The events name the answer day: moved in bulk, created in bulk, updated in bulk.
    CaseEvent.objects.bulk_create([
        CaseEvent(case=case, action="resolve", from_status=Case.Status.ACCEPTED, to_status=Case.Status.RESOLVED,
                  at=at("2017-06-20"), version=case.version + 1) for case in made])
    assert_case_kept_equals_recount(campaign)
    assert CaseEvent.objects.filter(case__in=made).update(at=at("2017-06-05")) == 3
    assert_case_kept_equals_recount(campaign)
    events = list(CaseEvent.objects.filter(case__in=made))
    for event in events:
        event.at = at("2017-06-30")
    CaseEvent.objects.bulk_update(events, ["at"])
    assert_case_kept_equals_recount(campaign)
    with pytest.raises(TypeError):
        Case.objects.bulk_create([Case(campaign=campaign, raised_at=cases["c1"].raised_at)], ignore_conflicts=True)


def test_verify_finds_a_tampered_case_count_in_chinese_and_repair_rewrites_it(counted: Any) -> None:
    campaign = counted.campaign
    CaseTally.objects.filter(campaign=campaign, unit=0, grouping="unit", key=str(counted.police.pk)) \
        .update(answered=7)
    CaseTally.objects.filter(campaign=campaign, unit=0, grouping="total").exclude(day=TIMELESS_DAY).delete()
    CaseTally.objects.filter(campaign=campaign, unit=0, grouping="village", day=TIMELESS_DAY).update(overdue=2)
    CaseCounted.objects.filter(case=counted.cases["c3"].pk).update(flags=0)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("oversight", "verify", "--campaign", campaign.slug, stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "问题办理计数" in text
    assert "全活动·按单位" in text
    assert "已答复 应为 1 实为 7" in text
    assert "已交办未答复" in text
    assert "全活动·按村" in text
    assert "办理中（可能超期） 应为 0 实为 2" in text  # a dated count on a timeless row
    assert f"计入记录不符的问题（编号）：{counted.cases['c3'].pk}" in text
    out = StringIO()
    call_command("oversight", "verify", "--campaign", campaign.slug, "--repair", stdout=out, stderr=StringIO())
    assert "复核一致" in out.getvalue()
    assert_case_kept_equals_recount(campaign)


def test_the_migration_backfills_cases_counted_before_the_kept_counts(counted: Any) -> None:
    from django.apps import apps

    backfill = importlib.import_module("zoufang.oversight.migrations.0006_one_case_tally").count_uncounted
    for model in (CaseCounted, CaseTally):
        model.objects.all().delete()
    assert not case_counters.verify(counted.campaign.pk).ok
    backfill(apps, None)
    assert_case_kept_equals_recount(counted.campaign)


def test_the_dashboard_and_unit_page_read_the_case_results_in_a_bounded_number_of_queries(
        counted: Any, login: Any) -> None:
    """More cases over more units ask no more queries (the case tables read the kept counts)."""
    client = login(counted.users["office"])
    slug, police = counted.campaign.slug, counted.police
    pages = ["/", f"/oversight/{slug}/units/{police.public_id}/"]

    def grow(count: int) -> None:
        for n in range(count):
            Case.objects.create(campaign=counted.campaign, kind=Case.Kind.PROBLEM, description=f"more {n}",
                                raised_at=counted.cases["c1"].raised_at + dt.timedelta(days=n), unit=police,
                                region=counted.cases["c1"].region, status=Case.Status.DISPATCHED,
                                dispatched_on=dt.date(2017, 6, 1), handling_due=dt.date(2017, 6, 1 + n))

    grow(1)
    for page in pages:
        client.get(page)
    asked = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        asked.append(len(queries))
    grow(25)
    for page, before in zip(pages, asked, strict=True):
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        assert len(queries) == before, page
    assert_case_kept_equals_recount(counted.campaign, (TODAY,))


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_keep_the_counts_equal_to_the_recount(town: Any) -> None:
    """Twelve handlers of one unit answer twelve cases at once: every case shares the campaign's, the unit's,
    the village's, the week's and the status's rows; none of their changes is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nothing runs concurrently to race")
    campaign = town.campaign
    handler = ensure_user("handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police, region=town.town)
    region = town.households["shangxiatang"][0].region
    count = 12
    cases = [Case.objects.create(
        campaign=campaign, kind=Case.Kind.PROBLEM, description=f"c{i}", raised_at=dt.datetime(
            2017, 6, 1, 2, tzinfo=dt.UTC), region=region, unit=town.police, status=Case.Status.DISPATCHED,
        registered_on=dt.date(2017, 6, 1), dispatched_on=dt.date(2017, 6, 1), handling_days=5 + i % 3)
        for i in range(count)]

    def work(i: int) -> None:
        case = actions.accept_case(cases[i], by=handler, version=cases[i].version)
        if i % 2:
            actions.resolve_case(case, by=handler, version=case.version, result="已解决")

    errors = in_threads(count, work)
    assert not errors, errors
    total = figures.case_totals(campaign, dt.date(2017, 6, 30))
    assert (total.total, total.dispatched, total.answered, total.open, total.overdue) == (12, 12, 6, 6, 6)
    assert_case_kept_equals_recount(campaign, (dt.date(2017, 6, 15), dt.date(2017, 6, 30)))


def test_the_counted_cases_are_filtered_as_written_though_the_filter_is_built_late(counted: Any) -> None:
    """`case_rows` defers building its filter (the kept read never needs it): evaluated or narrowed, it is the
    campaign's (or the unit's) cases but the merged, the same statement as the filter written out."""
    campaign = counted.campaign
    for unit in (None, counted.police):
        written = Case.objects.filter(campaign=campaign).exclude(status=Case.Status.MERGED)
        written = written if unit is None else written.filter(unit=unit)
        rows = figures.case_rows(campaign, unit=unit)
        assert str(rows.query) == str(written.query)
        assert list(rows) == list(written)
        assert {case.description for case in rows.filter(status=Case.Status.ACCEPTED)} == {"c2"}
    assert sorted(figures.case_rows(campaign, unit=counted.police).values_list("description", flat=True)) == [
        "c1", "c2", "c6"]


def test_the_node_key_carries_every_count_on_postgresql(db: Any) -> None:
    """A unit's kept case read is an index-only scan of one range (migrations 0005, 0006): the tally's unique node
    key holds, besides the key, every count the read takes; a count column added to the model must be added to its
    INCLUDE too."""
    model = CaseTally
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps the plain unique constraints (no INCLUDE)")
    constraint = model._meta.constraints[0]
    keys = [model._meta.get_field(name).column for name in constraint.fields]
    counts = [f.column for f in model._meta.concrete_fields if f.column not in ("id", *keys)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT i.indisunique, i.indnkeyatts, array_agg(a.attname ORDER BY k.n) FROM pg_index i "
                       "JOIN pg_class c ON c.oid = i.indexrelid CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY "
                       "AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                       "WHERE c.relname = %s GROUP BY i.indisunique, i.indnkeyatts", [constraint.name])
        unique, key_count, columns = cursor.fetchone()
        assert unique
        assert columns[:key_count] == keys
        assert sorted(columns[key_count:]) == sorted(counts)
        cursor.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [model._meta.db_table])
        assert cursor.fetchone()[0] == 2  # the primary key and the node key: the campaign's own index is gone
