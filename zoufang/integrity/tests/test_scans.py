"""Stored flag scans (issue 14): the page and the API read one page of the newest scan for the period asked, in a
constant number of queries, and never compute it in the request; the job computes it (once per key), a decision
moves the stored flag in its own transaction, and the worker's periodic work recomputes a running campaign daily."""

import datetime as dt
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from zoufang import clock
from zoufang.integrity import scans, services, views
from zoufang.integrity.models import FlagScan, ScannedCadre, ScannedFlag
from zoufang.integrity.tests.conftest import BEIJING, _visit
from zoufang.jobs.testing import api_job
from zoufang.registry.models import Cadre

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context


def _late_writer(town: Any, name: str, day: int) -> Cadre:
    """Another cadre who wrote up six May visits in one June evening (one 批量补录 flag each)."""
    cadre = Cadre.objects.create(name=name, unit=town.users["dept"].cadre.unit, role="party_member")
    targets = [*town.households["shangxiatang"], *town.households["jijiadun"]]
    sitting = dt.datetime(2017, 6, day, 21, 0, tzinfo=BEIJING)
    for i in range(6):
        visit = _visit(town, targets[i % len(targets)], dt.datetime(2017, 5, 2 + 3 * i, 10 + day % 5, tzinfo=BEIJING),
                       sitting + dt.timedelta(minutes=3 * i))
        visit.cadre = cadre
        visit.save(update_fields=["cadre"])
    return cadre


def test_pages_of_the_stored_scan_in_constant_queries_and_never_computed_in_the_request(
        login, visiting, desk_entry, django_assert_max_num_queries):
    for n in range(6):
        _late_writer(visiting, f"补录干部{n}", 14 + n)
    office = login(visiting.users["office"])
    url = f"/integrity/{visiting.campaign.slug}/"
    with django_assert_max_num_queries(20) as before:
        assert "尚未计算" in office.get(url).content.decode()
    assert not FlagScan.objects.exists()
    assert not [q for q in before.captured_queries if "visits_visit" in q["sql"]]  # no visit is read
    scan = scans.compute_scan(visiting.campaign)
    assert (scan.cadres, scan.listed, scan.open_counts, scan.upheld) == (7, 7, {"late_bulk": 7}, 0)
    expected = list(ScannedCadre.objects.filter(scan=scan).order_by(*ScannedCadre.ORDER).values_list("name", flat=True))
    assert sorted(expected) == sorted(["派出所党员甲", *[f"补录干部{n}" for n in range(6)]])
    views_size, views.SHOWN_CADRES = views.SHOWN_CADRES, 3
    try:
        with django_assert_max_num_queries(len(before) + 4) as first:
            page = office.get(url)
        seen, text = [], page.content.decode()
        while True:
            seen += [name for name in expected if f"<h2>{name} " in text]
            cursor = page.context["page"].next_cursor
            if not cursor:
                break
            with django_assert_max_num_queries(len(first)):
                page = office.get(f"{url}?after={cursor}")
            text = page.content.decode()
    finally:
        views.SHOWN_CADRES = views_size
    assert seen == expected
    assert "7 名走访人有提示" in text
    assert "事后批量补录 7" in text


def test_the_api_reads_the_stored_scan_page_by_page_and_computes_it_only_by_its_job(
        client, visiting, desk_entry, api_token, django_assert_max_num_queries):
    for n in range(4):
        _late_writer(visiting, f"补录干部{n}", 14 + n)
    slug, office = visiting.campaign.slug, api_token("office")
    url = f"/api/v1/integrity/{slug}/flags"
    assert client.get(url, **office).json() == {"items": [], "count": 0, "next": None, "computed_at": None}
    assert client.get(url + "?after=x", **office).status_code == 400
    assert not FlagScan.objects.exists()
    key = str(uuid.uuid4())
    asked = client.post(f"{url}/scans", {"key": key}, content_type="application/json", **office)
    job = api_job(client, asked, office)
    assert job["made_url"] == url
    client.post(f"{url}/scans", {"key": key}, content_type="application/json", **office)  # a retry: one scan
    assert FlagScan.objects.count() == 1
    with django_assert_max_num_queries(20) as first:
        body = client.get(f"{url}?page_size=2", **office).json()
    assert (body["count"], len(body["items"])) == (5, 2)
    assert body["computed_at"] is not None
    names = [c["name"] for c in body["items"]]
    while body["next"]:
        with django_assert_max_num_queries(len(first)):
            body = client.get(f"{url}?page_size=2&after={body['next']}", **office).json()
        names += [c["name"] for c in body["items"]]
    assert names == list(ScannedCadre.objects.order_by(*ScannedCadre.ORDER).values_list("name", flat=True))
    may = client.post(f"{url}/scans", {"starts_on": "2017-05-01", "ends_on": "2017-05-31"},
                      content_type="application/json", **office)
    assert api_job(client, may, office)["status"] == "done"
    assert client.get(f"{url}?starts_on=2017-05-01&ends_on=2017-05-31", **office).json()["count"] == 5
    assert client.get(f"{url}?starts_on=2017-05-01", **office).json()["computed_at"] is None  # another period
    for name in ("dept", "auditor"):
        assert client.post(f"{url}/scans", {}, content_type="application/json", **api_token(name)).status_code == 404


def test_a_decision_moves_its_stored_flag_and_the_page_s_figures_in_its_transaction(login, visiting, desk_entry):
    campaign, office, key = visiting.campaign, visiting.users["office"], f"late_bulk:{desk_entry[0].pk}"
    whole, june = scans.compute_scan(campaign), scans.compute_scan(campaign, (dt.date(2017, 6, 1), None))
    assert (june.cadres, whole.cadres) == (0, 1)
    decision = services.uphold_flag(office, campaign, key, "入户核实：系补造")
    flag = ScannedFlag.objects.get(key=key)
    whole.refresh_from_db()
    row = flag.row
    assert (flag.outcome, flag.decision, row.score, row.open_count, row.upheld_count, row.listed) == (
        "upheld", decision, 0, 0, 1, True)
    assert (whole.open_counts, whole.upheld, whole.listed) == ({"late_bulk": 0}, 1, 1)
    services.revise(office, campaign, key, "cleared", "复查：属实", expected="upheld")
    whole.refresh_from_db()
    row.refresh_from_db()
    assert (row.upheld_count, row.listed, whole.upheld, whole.listed) == (0, False, 0, 0)
    page = login(office).get(f"/integrity/{campaign.slug}/").content.decode()
    assert "没有待核实的提示" in page
    assert "核实排除：复查：属实" in login(office).get(f"/integrity/{campaign.slug}/?cleared=1").content.decode()
    # A new scan takes the decisions as they stand, and replaces the period's older one.
    again = scans.compute_scan(campaign)
    assert not FlagScan.objects.filter(pk=whole.pk).exists()
    assert (again.listed, again.cadres, again.upheld, again.open_counts) == (0, 1, 0, {})
    assert ScannedFlag.objects.get(scan=again).outcome == "cleared"


def test_the_periodic_work_recomputes_a_running_campaign_s_scan_once_a_day(visiting, desk_entry, settings):
    settings.ZOUFANG_TODAY = "2017-06-20"
    assert scans.refresh_due() == 1
    first = scans.newest(visiting.campaign, None)
    assert first is not None
    assert first.listed == 1
    assert scans.refresh_due() == 0  # fresh: nothing to do
    assert scans.refresh_due(clock.now() + dt.timedelta(days=1, minutes=1)) == 1
    assert FlagScan.objects.get().pk != first.pk
    settings.ZOUFANG_TODAY = "2018-02-01"  # the campaign has ended: its flags stay as last computed
    assert scans.refresh_due(clock.now() + dt.timedelta(days=3)) == 0


def test_on_a_pinned_day_a_scan_is_refreshed_once_the_clock_has_gone_round_midnight(visiting, desk_entry,
                                                                                       settings):
    """A pinned day's clock never reaches a day later: a scan stamped after now (the real day turned) is due."""
    settings.ZOUFANG_TODAY = "2017-06-20"
    with clock.frozen(dt.datetime(2017, 6, 20, 22, 0, tzinfo=BEIJING)):
        assert scans.refresh_due() == 1
    first = scans.newest(visiting.campaign, None)
    assert first is not None
    assert clock.minute(first.computed_at) == "2017年6月20日 22:00"
    with clock.frozen(dt.datetime(2017, 6, 20, 23, 30, tzinfo=BEIJING)):
        assert scans.refresh_due() == 0  # fresh
    with clock.frozen(dt.datetime(2017, 6, 20, 0, 30, tzinfo=BEIJING)):  # the next real day, the same pinned one
        assert scans.refresh_due() == 1
    assert clock.minute(scans.newest(visiting.campaign, None).computed_at) == "2017年6月20日 00:30"


def test_a_chosen_period_s_scan_computed_on_a_pinned_day_is_not_dropped_as_years_old(visiting, desk_entry,
                                                                                     settings):
    settings.ZOUFANG_TODAY = "2017-06-20"
    may = scans.compute_scan(visiting.campaign, (dt.date(2017, 5, 1), dt.date(2017, 5, 31)))
    assert clock.local(may.computed_at).date() == dt.date(2017, 6, 20)
    assert scans.prune() == 0
    assert scans.prune(clock.now() + dt.timedelta(days=31)) == 1


def test_a_prune_cut_short_leaves_every_old_scan_whole(visiting, desk_entry, monkeypatch):
    """A scan's flags, its cadres and the scan go together or stay together: a prune stopped after the flags would
    leave a scan that reads as "no flags" for its period."""
    may = scans.compute_scan(visiting.campaign, (dt.date(2017, 5, 1), dt.date(2017, 5, 31)))
    flags, rows = ScannedFlag.objects.filter(row__scan=may).count(), ScannedCadre.objects.filter(scan=may).count()
    assert flags
    assert rows

    class Stopped:  # the worker stops between the scan's flags and its cadres
        class objects:  # noqa: N801 - a model's manager, as prune reads it
            @staticmethod
            def filter(**kwargs: Any) -> Any:
                raise RuntimeError("worker stopped")

    monkeypatch.setattr(scans, "ScannedCadre", Stopped)
    with pytest.raises(RuntimeError):
        scans.prune(clock.now() + dt.timedelta(days=31))
    assert ScannedFlag.objects.filter(row__scan=may).count() == flags
    assert ScannedCadre.objects.filter(scan=may).count() == rows


def test_the_periodic_work_drops_a_chosen_period_s_scan_a_month_after_it_was_computed(visiting, desk_entry):
    campaign = visiting.campaign
    whole, june = scans.compute_scan(campaign), scans.compute_scan(campaign, (dt.date(2017, 6, 1), None))
    may = scans.compute_scan(campaign, (dt.date(2017, 5, 1), dt.date(2017, 5, 31)))
    assert ScannedCadre.objects.filter(scan=may).exists()
    assert scans.prune(clock.now() + dt.timedelta(days=29)) == 0  # all still recent
    FlagScan.objects.filter(pk=may.pk).update(computed_at=clock.now() - dt.timedelta(days=31))
    assert scans.prune() == 1
    assert set(FlagScan.objects.values_list("pk", flat=True)) == {whole.pk, june.pk}
    assert not ScannedCadre.objects.filter(scan_id=may.pk).exists()
    assert scans.prune(clock.now() + dt.timedelta(days=400)) == 1  # June's; the whole campaign's stays
    assert list(FlagScan.objects.values_list("pk", flat=True)) == [whole.pk]


def test_a_period_without_a_scan_says_so_and_offers_to_compute_it(login, visiting, desk_entry):
    scans.compute_scan(visiting.campaign)
    page = login(visiting.users["leader"]).get(f"/integrity/{visiting.campaign.slug}/?from=2017-05-01&to=2017-05-31")
    text = page.content.decode()
    assert "这段时间的走访真实性提示尚未计算" in text
    assert 'name="from" value="2017-05-01"' in text
    asked = login(visiting.users["leader"]).post(f"/integrity/{visiting.campaign.slug}/scan/",
                                                 {"from": "2017-05-01", "to": "2017-05-31"})
    assert asked.status_code == 302
    scan = scans.newest(visiting.campaign, (dt.date(2017, 5, 1), dt.date(2017, 5, 31)))
    assert scan is not None
    assert scan.listed == 1


def _waits_on_a_lock(timeout: float = 60) -> None:
    """Until another session of this database waits for an advisory lock (the thread started got to it)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                           "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the other session never waited for its turn")


def _in_thread(call: Any) -> tuple[Any, list[Any]]:
    done: list[Any] = []

    def run() -> None:
        try:
            done.append(call())
        except BaseException as error:  # noqa: BLE001 - handed to the test
            done.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done


def _stored_outcome(campaign: Any, key: str) -> str:
    scan = FlagScan.objects.filter(campaign=campaign).latest("computed_at")
    return ScannedFlag.objects.get(scan=scan, key=key).outcome


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers already take turns (IMMEDIATE)")
@pytest.mark.django_db(transaction=True)
def test_a_decision_recorded_while_a_scan_is_stored_is_in_that_scan(visiting, desk_entry):
    """The decision commits while a scan waits to store: the scan reads it, rather than storing the flag open."""
    office, campaign, key = visiting.users["office"], visiting.campaign, f"late_bulk:{desk_entry[0].pk}"
    scans.compute_scan(campaign)
    with transaction.atomic():
        decision = services.decide(office, campaign, key, "电话核实属实", outcome="cleared")  # holds the turn
        thread, done = _in_thread(lambda: scans.compute_scan(campaign))
        _waits_on_a_lock()
    thread.join()
    assert isinstance(done[0], FlagScan), done
    assert _stored_outcome(campaign, key) == decision.outcome == "cleared"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers already take turns (IMMEDIATE)")
@pytest.mark.django_db(transaction=True)
def test_a_decision_recorded_while_a_scan_is_stored_moves_the_new_scan(visiting, desk_entry):
    """The scan commits while a decision waits: the decision then moves the flag of the scan just stored."""
    office, campaign, key = visiting.users["office"], visiting.campaign, f"late_bulk:{desk_entry[0].pk}"
    scans.compute_scan(campaign)
    with transaction.atomic():
        stored = scans.compute_scan(campaign)  # holds the turn until this block commits
        thread, done = _in_thread(lambda: services.decide(office, campaign, key, "入户核实：系补造", outcome="upheld"))
        _waits_on_a_lock()
    thread.join()
    assert getattr(done[0], "outcome", done) == "upheld"
    assert FlagScan.objects.filter(campaign=campaign).get().pk == stored.pk
    assert _stored_outcome(campaign, key) == "upheld"


def test_the_periodic_work_queues_one_scan_job_per_campaign_and_never_a_second_beside_it(visiting, desk_entry,
                                                                                       settings):
    from zoufang.jobs import tasks
    from zoufang.jobs.models import Claim

    settings.ZOUFANG_TODAY = "2017-06-20"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    backend = tasks.refresh_scan.get_backend()
    backend.clear()
    assert scans.refresh_due() == 1  # queued, not computed in the periodic job
    assert scans.newest(visiting.campaign, None) is None
    assert scans.refresh_due() == 0  # already queued: no second job
    assert [(r.task.name, list(r.args)) for r in backend.results] == [("refresh_scan", [visiting.campaign.pk, None])]
    assert tasks.refresh_scan.call(visiting.campaign.pk, None).startswith("computed")
    assert not Claim.objects.exists()  # the job released its claim
    assert scans.newest(visiting.campaign, None) is not None
    assert scans.refresh_due() == 0  # fresh
    # A job found the scan stale, but a newer one was stored before it ran: it leaves that one.
    assert tasks.refresh_scan.call(visiting.campaign.pk, None) == "fresh"
    # A claim whose worker stopped beating is taken over.
    later = clock.now() + dt.timedelta(days=1, minutes=1)
    Claim.objects.create(key=tasks.scan_key(visiting.campaign.pk), queued_at=timezone.now(),
                         heartbeat_at=timezone.now() - dt.timedelta(minutes=settings.ZOUFANG_JOBS_STALE_MINUTES + 1))
    assert scans.refresh_due(later) == 1
    assert scans.refresh_due(later) == 0
    assert len(backend.results) == 2


def test_a_scan_the_office_asked_for_is_not_queued_twice_by_the_periodic_work(visiting, desk_entry, settings):
    from zoufang.jobs import services as jobs

    settings.ZOUFANG_TODAY = "2017-06-20"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    asked = jobs.request(visiting.users["office"], "integrity_scan", {"slug": visiting.campaign.slug})
    assert asked.status == "queued"
    assert scans.refresh_due() == 0
