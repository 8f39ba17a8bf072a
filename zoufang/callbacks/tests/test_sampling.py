"""Drawing a batch: every unit, village and not-yet-covered cadre in it; flagged visits weighted; the same seed
and inputs give the same sample; a drawn batch is never redrawn; only the office draws."""

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.callbacks import sampling, services
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.callbacks.sampling import VisitRow, draw_visits
from zoufang.callbacks.tests.conftest import MAY
from zoufang.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _draw(sampling_town: Any, **kwargs: Any) -> CallbackBatch:
    kwargs.setdefault("count", 1)
    return services.draw_batch(sampling_town.town.campaign, MAY, by=sampling_town.users["office"], **kwargs)


def _covered(batch: CallbackBatch) -> tuple[set[int], set[int], set[int]]:
    samples = batch.samples.select_related("visit__cadre", "visit__target__region")
    return ({s.visit.cadre.unit_id for s in samples}, {s.visit.target.region.parent_id for s in samples},
            {s.visit.cadre_id for s in samples})


def test_it_covers_every_unit_village_and_cadre_even_when_the_count_is_smaller(sampling):
    batch = _draw(sampling, count=1, seed=7)
    units, villages, cadres = _covered(batch)
    assert units == {c.unit_id for c in sampling.cadres}
    assert villages >= {sampling.town.shangxiatang.pk, sampling.town.jijiadun.pk}
    assert cadres == {c.pk for c in sampling.cadres}
    assert batch.samples.count() == 4
    assert batch.inputs["size"] == 1


def test_it_leaves_no_cadre_out_over_the_campaign_across_batches(sampling):
    first = services.draw_batch(sampling.town.campaign, sampling_period(3, 5), by=sampling.users["office"], count=1,
                                seed=1)
    assert {s.visit.cadre.name for s in first.samples.all()} == {"派出所党员甲"}
    second = _draw(sampling, count=1, seed=1)
    names = {s.visit.cadre.name for s in second.samples.all()}
    assert {"派出所党员乙", "居委会干部甲", "王文"} <= names
    assert not set(first.samples.values_list("visit_id", flat=True)) & set(second.samples.values_list("visit_id", flat=True))
    assert second.inputs["covered_cadres"] == [sampling.cadres[1].pk]


def sampling_period(first: int, last: int) -> sampling.Period:
    return sampling.Period(dt.date(2017, 5, first), dt.date(2017, 5, last))


def test_it_fills_the_rate_and_gives_flagged_visits_their_share(sampling, monkeypatch):
    flagged = {sampling.visits[4].pk, sampling.visits[7].pk}
    monkeypatch.setattr(sampling_module(), "flagged_visit_ids", lambda campaign, period: flagged)
    batch = _draw(sampling, count=None, rate=Fraction(1), flagged_share=Fraction(1, 2), seed=3)
    assert batch.samples.count() == len(sampling.visits)
    assert set(batch.inputs["flagged"]) == flagged
    rows = [VisitRow(v, c, u, g) for v, c, u, g in batch.inputs["rows"]]
    picked = draw_visits(rows, size=6, flagged=flagged, covered_cadres=set(), flagged_share=Fraction(1, 2), seed=3)
    assert flagged <= {visit_id for visit_id, _reason in picked}


def sampling_module() -> Any:
    return sampling


def test_flagged_share_follows_the_stated_share_on_a_large_population():
    rows = [VisitRow(i, i % 5, i % 2, i % 3) for i in range(1, 2001)]
    flagged = set(range(1, 2001, 10))
    picked = draw_visits(rows, size=100, flagged=flagged, covered_cadres=set(range(5)),
                         flagged_share=Fraction(3, 10), seed=11)
    assert len(picked) == 100
    # The stated share is reached before the random fill, which may add flagged visits at their own rate.
    assert sum(1 for visit_id, reason in picked if visit_id in flagged and reason != "random") == 30
    plain = draw_visits(rows, size=100, flagged=set(), covered_cadres=set(range(5)), flagged_share=Fraction(3, 10),
                        seed=11)
    assert sum(1 for visit_id, _r in plain if visit_id in flagged) < 30



def test_it_is_reproducible_from_its_recorded_seed_and_inputs(sampling):
    batch = _draw(sampling, count=6, seed=12345)
    assert sampling_module().redraw_matches(batch)
    again = draw_visits([VisitRow(*row) for row in batch.inputs["rows"]], size=6, flagged=set(batch.inputs["flagged"]),
                        covered_cadres=set(), flagged_share=Fraction(batch.inputs["flagged_share"]), seed=12345)
    assert [v for v, _r in again] == list(batch.samples.values_list("visit_id", flat=True))
    first = batch.samples.get(position=1)
    other = next(r for r in CallbackSample.Reason.values if r != first.reason)
    CallbackSample.objects.filter(pk=first.pk).update(reason=other)  # a sample that its inputs do not draw
    assert not sampling_module().redraw_matches(batch)
    event = AuditEvent.objects.get(object_id=str(batch.public_id), action=AuditEvent.Action.CREATE)
    assert event.changes["seed"] == 12345
    assert event.actor.username == "office"


def test_drawing_again_makes_a_new_batch_and_leaves_the_first_as_drawn(sampling):
    first = _draw(sampling, count=2, seed=5)
    drawn = list(first.samples.values_list("visit_id", "reason", "position"))
    second = _draw(sampling, count=2, seed=5)
    assert (first.number, second.number) == (1, 2)
    assert list(first.samples.values_list("visit_id", "reason", "position")) == drawn
    with pytest.raises(IntegrityError), transaction.atomic():
        CallbackBatch.objects.create(campaign=first.campaign, number=1, period_starts_on=MAY.starts_on,
                                     period_ends_on=MAY.ends_on, seed=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL")
def test_the_database_refuses_to_change_a_draw_or_delete_a_sample(sampling):
    batch = _draw(sampling, count=2, seed=5)
    with pytest.raises(Exception, match="Cannot update"), transaction.atomic():
        CallbackBatch.objects.filter(pk=batch.pk).update(seed=6)
    with pytest.raises(Exception, match="Cannot delete"), transaction.atomic():
        CallbackSample.objects.filter(batch=batch).delete()


def test_only_the_office_draws(sampling):
    for name in ("auditor", "caller", "leader", "dept", "outsider"):
        with pytest.raises(PermissionDenied):
            services.draw_batch(sampling.town.campaign, MAY, by=sampling.users[name], count=1)
    assert not CallbackBatch.objects.exists()


def test_it_refuses_a_period_without_visits_and_both_rate_and_count(sampling):
    with pytest.raises(services.CallbackError):
        services.draw_batch(sampling.town.campaign, sampling_period(20, 25), by=sampling.users["office"], count=1)
    with pytest.raises(services.CallbackError):
        _draw(sampling, count=2, rate=Fraction(1, 10))


def test_flagged_visits_are_the_integrity_flags_open_ones(sampling):
    from zoufang.integrity import flags

    campaign = sampling.town.campaign
    assert sampling_module().flagged_visit_ids(campaign, MAY) == flags.open_flag_visit_ids(campaign, MAY)


def test_without_the_integrity_app_no_visit_is_flagged(sampling, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "zoufang.integrity.flags", None)  # the import fails, as without the app
    assert sampling_module().flagged_visit_ids(sampling.town.campaign, MAY) == set()


def test_the_city_office_draws_for_its_towns(sampling):
    city = sampling.town.town.parent.parent
    city_office = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=city)
    batch = services.draw_batch(sampling.town.campaign, MAY, by=city_office, count=1, seed=4)
    assert batch.created_by == city_office
