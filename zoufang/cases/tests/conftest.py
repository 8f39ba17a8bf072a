"""Case personas on top of the town: 派出所's case handler (承办部门) and the town's categories."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zoufang import clock
from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import access, workflow
from zoufang.cases.models import Case
from zoufang.cases.services import draft_case
from zoufang.conftest import PASSWORD
from zoufang.registry.models import Unit
from zoufang.workdays.calendar import working_days_between

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Case.Status


@pytest.fixture
def cases_town(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ZOUFANG_SMS_BACKEND = "zoufang.cases.sms.MemorySmsBackend"
    town.campaign.config = {
        "registration_deadline_working_days": 2,
        "case_handling": {"handling_deadlines": {"default": 10, "priorities": {"urgent": 2}}},
    }
    town.campaign.save()
    people = CaseCategory.objects.create(campaign=town.campaign, code="1", title="在收集社情民意方面", sort_order=1)
    CaseCategory.objects.create(
        campaign=town.campaign, code="1.1", parent=people, sort_order=2,
        title="收集群众对社会热点、改革难点、民生重点等方面问题的意见建议；",
    )
    town.users["handler"] = ensure_user(
        "handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police, region=town.town
    )
    town.users["handler"].email = "paichusuo@example.cn"
    town.users["handler"].save()
    town.users["office"].email = "office@example.cn"
    town.users["office"].save()
    town.waterworks = Unit.objects.create(name="水务站", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    town.users["water"] = ensure_user(
        "water", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.waterworks, region=town.town
    )
    town.category = CaseCategory.objects.get(campaign=town.campaign, code="1.1")
    town.wangwen = town.users["leader"].cadre
    return town


@pytest.fixture
def make_case(cases_town: Any) -> Any:
    def make(description: str = "上下塘社区东侧路灯损坏，夜间出行不便", *, raised: dt.date = dt.date(2017, 6, 13),
             target: Any = None, kind: str = Case.Kind.PROBLEM) -> Case:
        return draft_case(
            campaign=cases_town.campaign, kind=kind, description=description,
            raised_at=dt.datetime.combine(raised, dt.time(10), tzinfo=SHANGHAI),
            target=target or cases_town.households["shangxiatang"][0], by=cases_town.users["dept"],
        )

    return make


def _nine_on(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), tzinfo=SHANGHAI)


# Where a case stands after the real transitions (workflow.py): what each status needs, and what it never has.
NEVER_DISPATCHED = (S.DRAFT, S.REGISTERED)
WITHOUT_UNIT = (*NEVER_DISPATCHED, S.RETURNED, S.MERGED)  # 退单 takes the unit off; merged before dispatching
# Handled, escalated or explained (by the unit, or by the office or the city office on what a unit escalated).
# A case 办结 on the spot by the office (待交办 → 已办结) and answered since has none.
WITH_UNIT = (*workflow.HANDLING, S.ESCALATED, S.UPPER_ACCEPTED, S.UPPER_RETURNED, S.EXPLAINED)
ESCALATED = (S.SIGNOFF, S.ESCALATED, S.UPPER_ACCEPTED, S.UPPER_RETURNED)
# 办结 records resolved_at and 重办 keeps it (answers.reopen_case): a case reopened after a 办结 carries it into
# every later status; only one that was never dispatched cannot have it, and a 已办结 case always has it.
ANSWERED_ONCE = (S.RESOLVED, S.REPLIED, S.CALLED_BACK, S.CLOSED)


class ImpossibleState(AssertionError):
    """in_state was asked for a case no sequence of real transitions produces."""


def in_state(make_case: Any, status: str, unit: Any = None, *, due: str | None = None, overdue: bool = False,
             resolved: str | None = None, route: str = "", raised: dt.date = dt.date(2017, 6, 13),
             target: Any = None) -> Case:
    """A case put straight into a state: the agenda reads states, however the cases reached them. It refuses what
    the real transitions never produce: a unit where there is none (or none where there is), a deadline before
    the case was raised, an overdue mark before the deadline passed, a 办结 time on a case never dispatched or
    outside the days between its raising and today, an escalation with no route or leader."""
    today = clock.today()
    if status in WITH_UNIT and unit is None or status in WITHOUT_UNIT and unit is not None:
        raise ImpossibleState(f"{status} {'without' if unit is None else 'with'} a unit")
    handling_due = dt.date.fromisoformat(due or "2017-06-20") if unit is not None else None
    if handling_due is None and (due or overdue):
        raise ImpossibleState(f"a deadline for a case never dispatched ({status})")
    if handling_due is not None and handling_due <= raised:
        raise ImpossibleState(f"due {handling_due}, before the case was raised on {raised}")
    overdue_since = handling_due + dt.timedelta(days=1) if overdue and handling_due else None
    if overdue_since is not None and overdue_since > today:
        raise ImpossibleState(f"overdue since {overdue_since}, after today ({today})")
    resolved_at = _nine_on(resolved) if resolved else None
    if resolved_at is not None and (status in NEVER_DISPATCHED or not raised <= resolved_at.date() <= today):
        raise ImpossibleState(f"{status} resolved on {resolved}")
    if resolved_at is None and status == S.RESOLVED:
        raise ImpossibleState("办结 without its time")
    route = route or (Case.Route.COORDINATION if status in ESCALATED else "")
    if route and status in NEVER_DISPATCHED:
        raise ImpossibleState(f"{status} with the route {route!r}")
    if status in (S.UPPER_ACCEPTED, S.UPPER_RETURNED) and route != Case.Route.UPPER_OFFICE:
        raise ImpossibleState(f"{status} on the route {route!r}")
    case = make_case(f"{status}：{unit.name if unit else '无单位'}", raised=raised, target=target)
    leader = access.signing_leaders(case.campaign).first() if status in ESCALATED else None
    if status in ESCALATED and leader is None:
        raise ImpossibleState("escalated with no town leader to sign")
    dispatched_on = raised if handling_due else None  # dispatched the day it was raised, its limit up to `due`
    Case.objects.filter(pk=case.pk).update(
        status=status, unit=unit, handling_due=handling_due, dispatched_on=dispatched_on,
        handling_days=working_days_between(raised, handling_due).days if handling_due else None,
        registered_on=None if status == S.DRAFT else raised,
        category=None if status == S.DRAFT else CaseCategory.objects.filter(campaign=case.campaign).first(),
        overdue_since=overdue_since, resolved_at=resolved_at,
        # A 办结 time on a case not 办结 (or answered after one) now: reopened after it.
        reopen_count=int(resolved_at is not None and status not in ANSWERED_ONCE),
        escalation_route=route,
        # Escalated: a leader named to sign (signed past SIGNOFF); the unit's clock stopped while it waits.
        signoff_leader=leader,
        signed_at=_nine_on(raised.isoformat()) if status in ESCALATED and status != S.SIGNOFF else None,
        paused_since=today if status == S.SIGNOFF else None)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def agenda_units(cases_town: Any, make_case: Any) -> dict[str, Any]:
    """Five units and cases in every state the agenda counts, and some it must not count."""
    town = cases_town
    sanitation = Unit.objects.create(name="城管中队", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    quiet = Unit.objects.create(name="文体站", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    police, water = town.police, town.waterworks
    elsewhere = town.households["jijiadun"][0]  # a unit's cases come from several villages
    may = dt.date(2017, 5, 15)  # raised in May: a deadline passed by 15 June, an answer in May
    farm = Unit.objects.create(name="农服中心", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    in_state(make_case, S.DISPATCHED, police, overdue=True, due="2017-06-05", raised=may)
    in_state(make_case, S.ACCEPTED, police, target=elsewhere)
    # Ran late, then escalated: the clock stands still, so not overdue now, whatever its mark says.
    in_state(make_case, S.SIGNOFF, police, overdue=True, due="2017-06-01", raised=may, target=elsewhere)
    in_state(make_case, S.ACCEPTED, police, overdue=True, due="2017-06-02", raised=may)
    in_state(make_case, S.RESOLVED, police, resolved="2017-06-10", raised=may)
    in_state(make_case, S.CLOSED, police, resolved="2017-06-14", target=elsewhere)
    in_state(make_case, S.REPLIED, police, resolved="2017-05-31", raised=may)  # the month before: not this month's
    in_state(make_case, S.RESOLVED, police, resolved="2017-05-16", raised=may)  # the month before, at its start
    in_state(make_case, S.ACCEPTED, water, overdue=True, due="2017-06-09", raised=may)
    in_state(make_case, S.DISPATCHED, water, target=elsewhere)
    # Reopened (a 重办 keeps the earlier 办结 time): open and finished this month.
    in_state(make_case, S.DISPATCHED, water, resolved="2017-06-12", raised=may)
    in_state(make_case, S.DISPATCHED, sanitation)
    in_state(make_case, S.DISPATCHED, sanitation)
    in_state(make_case, S.DISPATCHED, sanitation)
    in_state(make_case, S.EXPLAINED, quiet, resolved="2017-06-14")  # explained after a 重办: its 办结 counts
    in_state(make_case, S.REGISTERED)  # not yet dispatched: not open at a unit
    in_state(make_case, S.ESCALATED, police, route=Case.Route.COORDINATION)  # waiting upstairs: not handling
    in_state(make_case, S.ACCEPTED, farm, overdue=True, due="2017-06-07", raised=may)
    in_state(make_case, S.RESOLVED, None, resolved="2017-06-08", raised=may)  # 当场解决: not a unit's finished case
    return {"police": police, "water": water, "sanitation": sanitation, "quiet": quiet, "farm": farm}
