"""The third party's desk and what a result does: the phone shown only to the caller of an open batch, every reveal
audited; outcomes from the script's answers; unreachable only after no answer on three different days; a "not
visited" verified by the office; upheld findings counted; an unanswered problem reopens its case."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zoufang.accounts.models import AuditEvent
from zoufang.callbacks import findings, services
from zoufang.callbacks.models import CallbackAttempt, CallbackSample
from zoufang.callbacks.tests.conftest import MAY
from zoufang.cases import actions, answers
from zoufang.cases.models import Case, CaseCallback
from zoufang.cases.services import draft_case

pytestmark = pytest.mark.django_db

Outcome = CallbackSample.Outcome
CONFIRMING = {"visited": "yes", "same_visitor": "yes", "mode": "home", "when": "五月初", "answered": "yes",
              "satisfaction": "satisfied"}


@pytest.fixture
def batch(sampling: Any) -> Any:
    return services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=4, seed=2,
                               caller=sampling.company)


def _sample(batch: Any, mode: str = "home") -> CallbackSample:
    return next(s for s in batch.samples.select_related("visit__target") if s.visit.mode == mode)


def _on(settings: Any, day: int) -> None:
    settings.ZOUFANG_TODAY = f"2017-06-{day:02d}"


def test_the_caller_reads_the_phone_of_a_sampled_target_and_each_reveal_is_audited(sampling, batch):
    sample = _sample(batch)
    phone = services.reveal_phone(sample, by=sampling.users["caller"])
    assert phone == sample.visit.target.phone
    assert len(phone) == 11
    services.reveal_phone(sample, by=sampling.users["caller"])
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(sample.visit.target.public_id))
    assert reads.count() == 2
    assert {e.actor_username for e in reads} == {"caller"}


def test_no_one_else_reveals_and_no_one_after_the_batch_closes(sampling, batch):
    sample = _sample(batch)
    for name in ("auditor", "office", "leader", "dept", "outsider"):  # `auditor` calls for no unit's batches
        with pytest.raises(PermissionDenied):
            services.reveal_phone(sample, by=sampling.users[name])
    services.close_batch(batch, by=sampling.users["office"])
    sample.refresh_from_db()
    with pytest.raises(services.CallbackError):
        services.reveal_phone(sample, by=sampling.users["caller"])
    with pytest.raises(services.CallbackError):
        services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.NO_ANSWER)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


@pytest.mark.parametrize(("given", "outcome"), [
    (CONFIRMING, Outcome.CONFIRMED),
    ({"visited": "no"}, Outcome.NOT_VISITED),
    ({**CONFIRMING, "mode": "phone"}, Outcome.DIFFERENT),
    ({**CONFIRMING, "mode": "not_home"}, Outcome.DIFFERENT),
    ({**CONFIRMING, "same_visitor": "no"}, Outcome.DIFFERENT),
    ({**CONFIRMING, "same_visitor": "unsure"}, Outcome.CONFIRMED),
])
def test_a_completed_call_settles_the_sample_by_the_answers(sampling, batch, given, outcome):
    sample = _sample(batch)
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED, answers=given)
    sample.refresh_from_db()
    assert sample.outcome == outcome
    assert sample.verification == ("pending" if outcome == Outcome.NOT_VISITED else "")


def test_a_phone_visit_confirmed_by_phone_is_confirmed(sampling, batch):
    sample = _sample(batch, "phone")
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                            answers={**CONFIRMING, "mode": "phone"})
    sample.refresh_from_db()
    assert sample.outcome == Outcome.CONFIRMED


def test_answers_are_checked_against_the_script(sampling, batch):
    sample = _sample(batch)
    with pytest.raises(services.CallbackError, match="必填"):
        services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                                answers={"visited": "yes"})
    with pytest.raises(services.CallbackError, match="不在选项中"):
        services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                                answers={**CONFIRMING, "mode": "carrier_pigeon"})
    assert not sample.attempts.exists()


def test_unreachable_only_after_no_answer_on_three_different_days(sampling, batch, settings):
    sample = _sample(batch)
    caller = sampling.users["caller"]
    for day in (1, 1, 2, 2):
        _on(settings, day)
        services.record_attempt(sample, by=caller, kind=CallbackAttempt.Kind.NO_ANSWER)
        sample.refresh_from_db()
        assert sample.outcome == ""
    _on(settings, 5)
    services.record_attempt(sample, by=caller, kind=CallbackAttempt.Kind.NO_ANSWER, note="无人接听")
    sample.refresh_from_db()
    assert sample.outcome == Outcome.UNREACHABLE
    assert sample.attempts.count() == 5  # every attempt kept
    with pytest.raises(services.CallbackError):
        services.record_attempt(sample, by=caller, kind=CallbackAttempt.Kind.COMPLETED, answers=CONFIRMING)


def test_a_refusal_is_an_outcome(sampling, batch):
    sample = _sample(batch)
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.REFUSED)
    sample.refresh_from_db()
    assert sample.outcome == Outcome.REFUSED


def _not_visited(sampling: Any, batch: Any) -> CallbackSample:
    sample = _sample(batch)
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                            answers={"visited": "no", "opinion": "没有人来过"})
    sample.refresh_from_db()
    return sample


@pytest.mark.parametrize("upheld", [True, False])
def test_the_office_verifies_a_not_visited_and_upheld_ones_count_against_cadre_and_unit(sampling, batch, upheld):
    sample = _not_visited(sampling, batch)
    with pytest.raises(PermissionDenied):
        services.verify(sample, by=sampling.users["caller"], upheld=True, explanation="x", note="y")
    with pytest.raises(services.CallbackError):
        services.verify(sample, by=sampling.users["office"], upheld=upheld, explanation="", note="")
    services.verify(sample, by=sampling.users["office"], upheld=upheld, explanation="干部称当天去过，家中无人",
                    note="调阅记录，无佐证")
    sample.refresh_from_db()
    assert sample.verification == ("upheld" if upheld else "overturned")
    assert AuditEvent.objects.filter(object_id=str(sample.public_id), summary__contains="核实").count() == 1
    found = findings.upheld_against(sampling.town.campaign, MAY)
    cadre = sample.visit.cadre
    assert findings.upheld_counts(found, "cadre_id") == ({cadre.pk: 1} if upheld else {})
    assert findings.upheld_counts(found, "unit_id") == ({cadre.unit_id: 1} if upheld else {})
    assert findings.upheld_against(sampling.town.campaign, type(MAY)(dt.date(2017, 6, 1), dt.date(2017, 6, 30))) == []
    with pytest.raises(services.CallbackError):
        services.verify(sample, by=sampling.users["office"], upheld=not upheld, explanation="再议", note="再议")
    # The same decision sent again (a double click, a resend: decision 0058): recorded once, no error.
    services.verify(sample, by=sampling.users["office"], upheld=upheld, explanation="干部称当天去过，家中无人",
                    note="调阅记录，无佐证")
    assert AuditEvent.objects.filter(object_id=str(sample.public_id), summary__contains="核实").count() == 1


def _closed_case(cases_town: Any, visit: Any) -> Case:
    office, handler = cases_town.users["office"], cases_town.users["handler"]
    case = draft_case(campaign=cases_town.campaign, kind=Case.Kind.PROBLEM, description="门前路灯不亮",
                      raised_at=visit.visited_at, target=visit.target, source_visit=visit, by=cases_town.users["dept"])
    case = actions.register_case(case, by=office, version=case.version, category=cases_town.category)
    case = actions.dispatch_case(case, cases_town.police, by=office, version=case.version)
    case = actions.accept_case(case, by=handler, version=case.version)
    case = actions.resolve_case(case, by=handler, version=case.version, result="已更换灯泡")
    case = answers.reply_case(case, by=handler, version=case.version, channel="phone", content="已修好")
    case = answers.record_callback(case, by=office, version=case.version, satisfaction="satisfied")
    return answers.close_case(case, by=office, version=case.version)


def test_a_problem_the_person_says_was_never_answered_reopens_its_case(cases_town, sampling, batch):
    sample = _sample(batch)
    case = _closed_case(cases_town, sample.visit)
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                            answers={**CONFIRMING, "answered": "no"})
    sample.refresh_from_db()
    assert sample.outcome == Outcome.CONFIRMED
    assert sample.says_unanswered
    assert list(findings.answered_cases(sample)) == [case]
    with pytest.raises(PermissionDenied):
        findings.reopen_unanswered(sample, by=sampling.users["caller"], note="x")
    reopened = findings.reopen_unanswered(sample, by=sampling.users["office"], note="请派出所重新答复")
    case.refresh_from_db()
    assert reopened == [case]
    assert case.status == Case.Status.DISPATCHED
    assert case.reopen_count == 1
    assert case.unit == cases_town.police
    assert CaseCallback.objects.filter(case=case, satisfaction="unsatisfied", note__contains="第三方回访").exists()
    assert list(case.events.values_list("action", flat=True))[-2:] == ["callback", "reopen"]
    sample.refresh_from_db()
    assert sample.unanswered_handled_at is not None
    with pytest.raises(services.CallbackError):
        findings.reopen_unanswered(sample, by=sampling.users["office"], note="again")


def test_the_city_office_reopens_what_its_callback_found_unanswered(cases_town, sampling, batch):
    """Decision 0057: the city office runs its towns' callbacks and answers for their findings, 重办 included
    (decision 0064: the oracle found its 重办 refused with a 404, the case's own table giving 重办 to the office)."""
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    city = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=sampling.town.town.parent.parent)
    sample = _sample(batch)
    case = _closed_case(cases_town, sample.visit)
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                            answers={**CONFIRMING, "answered": "no"})
    sample.refresh_from_db()
    assert findings.reopen_unanswered(sample, by=city, note="请派出所重新答复") == [case]
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.modified_by) == (Case.Status.DISPATCHED, 1, city)


def test_a_failed_call_is_an_integrity_flag_and_an_upheld_one_counts_in_the_assessment(sampling, batch):
    from zoufang.assessment.indicators import provider
    from zoufang.integrity import flags as integrity_flags

    campaign = sampling.town.campaign
    sample = _not_visited(sampling, batch)
    cadre = sample.visit.cadre
    # The person says nobody came: the office sees it among the visit's integrity flags at once (serious) ...
    failed = [f for f in integrity_flags.compute(campaign) if f.kind == "callbacks"]
    assert [(f.cadre_id, f.visit_ids, f.weight) for f in failed] == [(cadre.pk, [sample.visit_id], integrity_flags.SERIOUS)]
    assert sample.visit_id in integrity_flags.open_flag_visit_ids(campaign, MAY)
    upheld_by = provider("callback")
    assert upheld_by is not None  # the assessment's callback indicator is connected
    assert upheld_by(campaign, "cadre", MAY.starts_on, MAY.ends_on) == {}  # not yet checked by the office
    services.verify(sample, by=sampling.users["office"], upheld=True, explanation="干部称当天去过", note="无佐证")
    assert upheld_by(campaign, "cadre", MAY.starts_on, MAY.ends_on) == {cadre.pk: 1}
    assert upheld_by(campaign, "unit", MAY.starts_on, MAY.ends_on) == {cadre.unit_id: 1}
    village = sample.visit.target.region
    while village.level != village.Level.VILLAGE:
        village = village.parent
    assert upheld_by(campaign, "village", MAY.starts_on, MAY.ends_on) == {village.pk: 1}
    assert upheld_by(campaign, "cadre", dt.date(2017, 6, 1), dt.date(2017, 6, 30)) == {}


def test_an_overturned_finding_is_no_flag(sampling, batch):
    from zoufang.integrity import flags as integrity_flags

    sample = _not_visited(sampling, batch)
    services.verify(sample, by=sampling.users["office"], upheld=False, explanation="有走访照片", note="照片为证")
    assert not [f for f in integrity_flags.compute(sampling.town.campaign) if f.kind == "callbacks"]


def test_the_circular_reports_the_period_s_callbacks_and_names_the_upheld(sampling, batch):
    from zoufang.documents import content

    campaign = sampling.town.campaign
    assert content.callback_results(campaign, dt.date(2017, 6, 1), dt.date(2017, 6, 30)) is None  # none sampled
    sample = _not_visited(sampling, batch)
    services.verify(sample, by=sampling.users["office"], upheld=True, explanation="干部称当天去过", note="无佐证")
    found = content.callback_results(campaign, MAY.starts_on, MAY.ends_on)
    assert found is not None
    assert found["heading"] == "回访抽查情况"
    sampled = batch.samples.filter(visit__visited_at__date__lte=MAY.ends_on).count()
    assert f"本期第三方回访抽查走访{sampled}次" in found["text"]
    assert f"经走访办核实确未走访1次：{sample.visit.cadre.unit.name}{sample.visit.cadre.name}" in found["text"]
    table = found["blocks"][0]
    assert (table["rows"][-1][0], table["rows"][-1][1], table["rows"][-1][-1]) == ("合计", sampled, 1)
    circular = content.circular(campaign, MAY.starts_on, MAY.ends_on, MAY.ends_on)
    assert any(s["key"] == "callbacks" for s in circular.sections)


def test_a_second_click_on_reopen_from_the_same_page_reopens_nothing_again(cases_town, sampling, batch):
    sample = _sample(batch)
    case = _closed_case(cases_town, sample.visit)
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                            answers={**CONFIRMING, "answered": "no"})
    first, second = CallbackSample.objects.get(pk=sample.pk), CallbackSample.objects.get(pk=sample.pk)  # two requests
    findings.reopen_unanswered(first, by=sampling.users["office"], note="请派出所重新答复")
    with pytest.raises(services.CallbackError, match="已于 .* 处理（请派出所重新答复），未重复重办"):
        findings.reopen_unanswered(second, by=sampling.users["office"], note="再点一次")
    sample.refresh_from_db()
    assert sample.unanswered_note == "请派出所重新答复"  # the first note stands
    case.refresh_from_db()
    assert case.reopen_count == 1
