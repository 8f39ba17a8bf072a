"""The kept rating tallies (decision 0012) equal the recount after every kind of change, under concurrent answers,
through verify/--repair and the migration's backfill; the pages cost the same whatever the answers."""

import datetime as dt
import importlib
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zoufang.forms.models import Form
from zoufang.oversight.tests.conftest import in_threads
from zoufang.ratings import figures, tallies
from zoufang.ratings.models import RatedAnswer, RatingTally
from zoufang.ratings.tests.conftest import answer
from zoufang.registry.models import Cadre

pytestmark = pytest.mark.django_db


def assert_kept_equals_recount(campaign):
    verdict = tallies.verify(campaign.pk)
    assert verdict.ok, (verdict.differences[:10], verdict.answers[:10])


def by_name(campaign):
    return {u.unit.name: u for u in figures.campaign_ratings(campaign).units}


def test_the_fixture_is_kept_as_counted_by_hand(rated):
    campaign = rated.town.campaign
    assert_kept_equals_recount(campaign)
    kept = {(r.unit, r.aspect, r.month, r.grade): r.n for r in RatingTally.objects.filter(campaign=campaign, unit=0)}
    assert kept[(0, "", "", tallies.FORMS)] == 5
    assert kept[(0, "", "", tallies.ANSWERS)] == 4
    assert kept[(0, "", "", tallies.OLD_ANSWERS)] == 1
    assert kept[(0, "", "2017-06", "poor")] == 2
    assert kept[(0, "服务意识", "", "~不满意")] == 1
    assert RatedAnswer.objects.filter(campaign=campaign).count() == 5
    police = by_name(campaign)["派出所"]
    assert [label for label, _words in police.old_scale_rows()] == ["服务意识", "服务效率", "廉洁履职"]  # as asked


def test_an_answer_edited_deleted_or_moved_with_its_visit_keeps_the_tallies_exact(rated):
    campaign = rated.town.campaign
    first, _second, committee, _leader = rated.answers
    first.data = {**first.data, "service_awareness": "average"}  # 好 → 一般
    first.save()
    assert_kept_equals_recount(campaign)
    police = by_name(campaign)["派出所"]
    assert dict(police.aspect("服务意识").counts) == {"average": 1, "poor": 1}
    assert police.overall.score == 66.7  # (2×100 + 80 + 60 + 60 + 0) / 6
    visit = first.visit
    visit.visited_at = dt.datetime(2017, 7, 1, 2, tzinfo=dt.UTC)  # recorded for another month
    visit.save()
    assert_kept_equals_recount(campaign)
    assert [m for m, _t in by_name(campaign)["派出所"].month_rows()] == ["2017-06", "2017-07"]
    committee.delete()
    assert_kept_equals_recount(campaign)
    assert "上下塘社区居委会" not in by_name(campaign)
    first.visit.delete()  # a visit withdrawn takes its answer, and its counts, with it
    assert_kept_equals_recount(campaign)
    assert by_name(campaign)["派出所"].answers == 1
    assert figures.campaign_total(campaign).overall.total == 6  # two answers of three grades left


def test_a_cadre_moved_to_another_unit_takes_its_answers_figures_along(rated):
    """The figures read the cadre's unit as it is now (docs/ratings.md): its answers are recounted there."""
    campaign = rated.town.campaign
    officer = Cadre.objects.get(pk=rated.answers[0].visit.cadre_id)
    officer.unit = rated.units["镇党政班子"]
    officer.save()
    assert_kept_equals_recount(campaign)
    names = by_name(campaign)
    assert "派出所" not in names
    leaders = names["镇党政班子"]
    assert (leaders.answers, leaders.old_answers, leaders.overall.total) == (3, 1, 9)
    assert figures.campaign_total(campaign).overall.total == 12  # the campaign's own figures do not move


def test_a_writer_that_bypasses_the_signal_moves_the_cadres_answers_with_cadres_moved(rated):
    """The cadres import writes with bulk_update and then calls tallies.cadres_moved in its transaction."""
    campaign = rated.town.campaign
    officer = rated.answers[0].visit.cadre_id
    Cadre.objects.filter(pk=officer).update(unit=rated.units["镇党政班子"])
    assert not tallies.verify(campaign.pk).ok
    tallies.cadres_moved([officer])
    assert_kept_equals_recount(campaign)
    assert "派出所" not in by_name(campaign)


def test_verify_reports_a_wrong_count_exits_1_and_repair_rewrites_it(rated):
    campaign = rated.town.campaign
    RatingTally.objects.filter(campaign=campaign, unit=0, aspect="", month="", grade="poor").update(n=7)
    RatingTally.objects.filter(campaign=campaign, unit=0, aspect="", grade="poor").exclude(month="").update(n=9)
    RatedAnswer.objects.filter(answer=rated.answers[2].pk).delete()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ratings", "verify", "--campaign", campaign.slug, stdout=out, stderr=err)
    assert exited.value.code == 1
    text = out.getvalue()
    assert "全活动·综合·全部月份·差：应为 2 实为 7" in text
    assert re.search(r"全活动·综合·\d{4}年\d{1,2}月·差：应为 \d+ 实为 9", text), text  # a month as staff write it
    assert "与重新统计不一致" in text
    out = io.StringIO()
    call_command("ratings", "verify", "--campaign", campaign.slug, "--repair", stdout=out, stderr=io.StringIO())
    assert "已按重新统计改正，复核一致" in out.getvalue()
    assert_kept_equals_recount(campaign)
    out = io.StringIO()
    call_command("ratings", "verify", stdout=out)
    assert "企业评价计数与重新统计一致" in out.getvalue()


def test_the_migrations_backfill_counts_the_answers_already_there(rated):
    campaign = rated.town.campaign
    RatingTally.objects.all().delete()
    RatedAnswer.objects.all().delete()
    migration = importlib.import_module("zoufang.ratings.migrations.0003_kept_tallies")
    migration.backfill(apps, None)
    assert_kept_equals_recount(campaign)
    assert by_name(campaign)["派出所"].overall.score == 73.3


def _more_answers(rated, count):
    version = Form.objects.get(key="enterprise_survey").current_version()
    cadres = [Cadre.objects.get(pk=a.visit.cadre_id) for a in rated.answers]
    picks = [("good", "good", "poor"), ("average", "fairly_good", "good"), ("good", "fairly_good", "average")]
    for i in range(count):
        answer(rated.town, cadres[i % len(cadres)], rated.town.enterprise, dt.date(2017, 5 + i % 2, 1 + i % 28),
               picks[i % 3], version, rating_reason=f"第{i}条")


def test_the_overview_the_unit_page_and_their_comments_cost_the_same_whatever_the_answers(
        rated, login, django_assert_num_queries):
    client = login(rated.users["office"])
    slug = rated.town.campaign.slug
    police = rated.units["派出所"].public_id
    pages = [f"/ratings/{slug}/", f"/ratings/{slug}/units/{police}/"]
    for url in pages:
        client.get(url)
    before = {}
    for url in pages:
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url).status_code == 200
        before[url] = len(counted.captured_queries)
    _more_answers(rated, 40)
    assert_kept_equals_recount(rated.town.campaign)
    for url in pages:
        with django_assert_num_queries(before[url]):
            text = client.get(url).content.decode()
    # 30 comments a page of the 44 (4 in the fixture), 差 first: the next page follows by cursor.
    text = client.get(pages[0]).content.decode()
    assert "共 44 条" in text
    assert text.count('<li><div class="small muted">') == 30
    assert "comments_after=" in text


def test_the_departments_twenty_a_page_worst_first_as_the_whole_list(rated, login):
    campaign = rated.town.campaign
    whole = [u.unit.name for u in figures.campaign_ratings(campaign).units]
    assert whole == ["镇党政班子", "派出所", "上下塘社区居委会"]
    assert [u.unit.name for u in figures.campaign_ratings(campaign, offset=1, size=1).units] == ["派出所"]
    assert figures.unit_count(campaign) == 3
    text = login(rated.users["office"]).get(f"/ratings/{campaign.slug}/?p=9").content.decode()
    assert "3 个部门" in text
    assert text.index("镇党政班子") < text.index("上下塘社区居委会")


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_lose_no_count(rated):
    """Eight enterprises answer at once for the same department: every answer shares the campaign's and the
    unit's rows; none of their increments is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nothing runs concurrently to race")
    version = Form.objects.get(key="enterprise_survey").current_version()
    officer = Cadre.objects.get(pk=rated.answers[0].visit.cadre_id)
    count = 8

    def work(i: int) -> None:
        with transaction.atomic():
            answer(rated.town, officer, rated.town.enterprise, dt.date(2017, 6, 10), ("good", "poor", "average"),
                   version, rating_reason=f"并发{i}")

    errors = in_threads(count, work)
    assert not errors, errors
    assert_kept_equals_recount(rated.town.campaign)
    police = by_name(rated.town.campaign)["派出所"]
    assert (police.answers, police.overall.count("poor")) == (2 + count, 1 + count)
