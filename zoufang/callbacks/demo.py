"""The demo's callback round in progress (锦溪镇, pinned day 2017-06-15): a survey company with its own account
(`minyi`, and `auditor` works for it too), one batch of the visits up to May drawn on 5 June, two thirds of it called:
mostly confirmed, one visited differently, refusals, unanswered calls on different days, two "not visited" (one
upheld by the office, one waiting), and one problem the person says was never answered. Deterministic; skipped
when the campaign already has a batch or has no visits."""

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import demo_password, ensure_user
from zoufang.callbacks import services
from zoufang.callbacks.models import CallbackAttempt, CallbackBatch, CallbackSample
from zoufang.callbacks.sampling import Period
from zoufang.cases import actions, answers
from zoufang.cases.models import Case
from zoufang.registry.models import Unit
from zoufang.registry.unitnames import named

DEMO_COMPANY = "苏州民意调查有限公司"
DEMO_CALLER = "minyi"
DRAWN_ON = "2017-06-05"
SEED = 20170605
RATE = Fraction(1, 20)
Kind = CallbackAttempt.Kind
NOT_VISITED = 2  # people who say nobody came
DIFFERENT_AT = 3  # the one called who says the visit was otherwise than recorded


def load_demo_callbacks(campaign: Any, say: Callable[[str], Any]) -> None:
    office = get_user_model().objects.filter(username="office").first()
    if office is None or CallbackBatch.objects.filter(campaign=campaign).exists() or not campaign.visits.exists():
        return
    if not (campaign.config or {}).get("callbacks"):
        return
    # A 苏州 company: placed at the city it serves, so another city's towns are not offered it (0032, addendum h8).
    city = campaign.scope.ancestors()[0]
    company, _created = Unit.objects.get_or_create(name=DEMO_COMPANY,
                                                   defaults={"kind": Unit.Kind.OUTSIDE_BODY, "region": city})
    password = demo_password()
    caller = ensure_user(DEMO_CALLER, password, full_name="民意调查公司话务员", role=RoleGrant.Role.AUDITOR,
                         region=campaign.scope, unit=company)
    ensure_user("auditor", password, full_name="第三方回访", role=RoleGrant.Role.AUDITOR, region=campaign.scope,
                unit=company)
    with override_settings(ZOUFANG_TODAY=DRAWN_ON):
        batch = services.draw_batch(campaign, Period(campaign.starts_on, dt.date(2017, 5, 31)), by=office,
                                    rate=RATE, seed=SEED, caller=company)
    samples = list(batch.samples.select_related("visit").order_by("position"))
    called = samples[: len(samples) * 2 // 3]
    unanswered = _answered_on_paper(called, office)
    not_visited = _never_visited(campaign, [s for s in called if s is not unanswered])
    for index, sample in enumerate(called):
        _call(sample, index, caller, says_unanswered=sample is unanswered, says_not_visited=sample in not_visited)
    upheld = CallbackSample.objects.filter(batch=batch, verification=CallbackSample.Verification.PENDING).first()
    if upheld is not None:
        with override_settings(ZOUFANG_TODAY="2017-06-14"):
            services.verify(upheld, by=office, upheld=True, explanation="干部称曾电话联系，未能上门",
                            note="对象及邻居均称未见走访干部上门，走访记录为入户，核实属实")
    say(_("回访抽查：%(batch)s，%(n_samples)s 条走访，已拨打 %(n_called)s 条") % {
        "batch": batch, "n_samples": len(samples), "n_called": len(called),
    })


def _answered_on_paper(samples: list[CallbackSample], office: Any) -> CallbackSample | None:
    """A sampled visit's registered problem, handled by 派出所 and marked answered on 1–2 June: the person will
    tell the caller nobody ever answered them (the office then reopens it)."""
    case = (Case.objects.filter(source_visit__in=[s.visit_id for s in samples], status=Case.Status.REGISTERED,
                                kind=Case.Kind.PROBLEM).order_by("id").first())
    handler = get_user_model().objects.filter(username="paichusuo").first()
    unit = named("派出所", case.campaign.scope) if case is not None else None  # this town's (decision 0032)
    if case is None or handler is None or unit is None:
        return None
    with override_settings(ZOUFANG_TODAY="2017-06-01"):
        case = actions.dispatch_case(case, unit, by=office, version=case.version)
        case = actions.accept_case(case, by=handler, version=case.version)
    with override_settings(ZOUFANG_TODAY="2017-06-02"):
        case = actions.resolve_case(case, by=handler, version=case.version, result="已安排民警处理")
        answers.reply_case(case, by=handler, version=case.version, channel="phone", content="已电话告知处理情况")
    return next(s for s in samples if s.visit_id == case.source_visit_id)


def _never_visited(campaign: Any, called: list[CallbackSample]) -> list[CallbackSample]:
    """The two people who say nobody came: of visits the integrity flags point at (the demo's planted
    fabricators, visits/demo.py), as a callback of a visit that never happened mostly answers; the third and
    sixth called when none is."""
    from zoufang.integrity.flags import open_flag_visit_ids

    pointed = open_flag_visit_ids(campaign, (campaign.starts_on, dt.date(2017, 5, 31)))
    found = [s for s in called if s.visit_id in pointed][:NOT_VISITED]
    return found + [s for i, s in enumerate(called) if i in (2, 5) and s not in found][:NOT_VISITED - len(found)]


def _answers(sample: CallbackSample, *, visited: bool = True, mode: str | None = None,
             answered: str = "none_raised") -> dict[str, Any]:
    if not visited:
        return {"visited": "no", "opinion": "没有干部来过"}
    own = sample.visit.mode
    return {"visited": "yes", "same_visitor": "yes", "mode": mode or own, "when": "五月份",
            "answered": "yes" if answered == "none_raised" and sample.visit.cases.exists() else answered,
            "satisfaction": "satisfied"}


def _call(sample: CallbackSample, index: int, caller: Any, *, says_unanswered: bool, says_not_visited: bool) -> None:
    def on(day: int, kind: str, answers: dict[str, Any] | None = None, note: str = "") -> None:
        with override_settings(ZOUFANG_TODAY=f"2017-06-{day:02d}"):
            services.record_attempt(sample, by=caller, kind=kind, answers=answers, note=note)

    if says_unanswered:
        on(7, Kind.COMPLETED, {**_answers(sample), "answered": "no", "satisfaction": "unsatisfied",
                               "opinion": "反映的问题一直没人答复"})
    elif says_not_visited:
        on(6, Kind.NO_ANSWER)
        on(8, Kind.COMPLETED, _answers(sample, visited=False))
    elif index == DIFFERENT_AT:  # a real visit the person remembers as a phone call: a notice for the office
        on(7, Kind.COMPLETED, _answers(sample, mode="phone" if sample.visit.mode != "phone" else "not_home"))
    elif index % 9 == 4:
        on(9, Kind.REFUSED, note="对方称不方便，挂断")
    elif index % 11 == 10:
        for day in (6, 9, 13):
            on(day, Kind.NO_ANSWER, note="无人接听")
    elif index % 6 == 1:
        for day in (8, 12):
            on(day, Kind.NO_ANSWER, note="关机")
    else:
        on(6 + index % 8, Kind.COMPLETED, _answers(sample))
