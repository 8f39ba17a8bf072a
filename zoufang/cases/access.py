"""Who sees which case and who acts as what on it. Built on `accounts.scope`; errors never reveal existence.

- office, leader, assessor, city_office, village: the cases of their region (region of the case,
  or the campaign's scope when the case has none).
- unit_handler: the cases dispatched to their unit, as the responsible unit or a co-handler.
- the supervising leader named to sign an escalation sees that case.
- city_office (上一级活动办): as an area role it reads its towns' cases (raisers masked); it acts only on what a
  town signed up to it (`upper_queue`, the CITY actor).
- superuser: everything. Everyone else: nothing (404).
"""

import re
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from zoufang.accounts import scope
from zoufang.accounts.masking import Kind, Masker
from zoufang.accounts.models import RoleGrant
from zoufang.callbacks.models import CallbackBatch
from zoufang.cases import workflow
from zoufang.cases.models import Case, CaseEvent
from zoufang.cases.workflow import UPPER_QUEUE, Action, Actor, actors_of
from zoufang.core.names import name_contains
from zoufang.regions.models import Region
from zoufang.registry import unitnames
from zoufang.registry.models import Cadre, Unit

Role = RoleGrant.Role
AREA_ROLES = {Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE, Role.VILLAGE}


def _paths(user: Any, roles: set[Any]) -> list[str]:
    return [g.region.path for g in scope.grants(user) if g.role in roles and g.region is not None]


def _in_area(paths: list[str]) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(
        or_,
        (
            Q(region__path__startswith=p) | Q(region__isnull=True, campaign__scope__path__startswith=p)
            for p in paths
        ),
    )


def visible_cases(user: Any) -> QuerySet[Case]:
    if getattr(user, "is_superuser", False):
        return Case.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    condition = _in_area(_paths(user, AREA_ROLES))
    unit_ids = scope.handled_unit_ids(user)
    if unit_ids:
        # The unit's cases, its own and those it co-handles, as one subquery of ids read from the two tables' unit
        # indexes (decision 0015): a page of them is those rows sorted. Before, a join to the co-handlers (which
        # repeats a case per co-handler) inside a subquery over every case of the installation: a unit's case list
        # spent 1.1 s in the database in a city of 100k cases; an OR of the two conditions walked every case.
        own = Case.objects.filter(unit_id__in=unit_ids).order_by().values("pk")
        co_handled = Case.co_handlers.through.objects.filter(unit_id__in=unit_ids).order_by().values("case_id")
        condition |= Q(pk__in=own.union(co_handled, all=True))
    cadre = scope.cadre_of(user)
    if cadre is not None:
        condition |= Q(signoff_leader=cadre)
    return Case.objects.filter(condition)


def sole_village(user: Any) -> str:
    """The name of the one village (or community) whose cases the user reads by area, "" for a wider reader (a town,
    several villages, a unit's handler, a superuser): its case list names it once, in the heading (decision 0084).
    From the cached grants; a grant below a village (a group) reads up to it."""
    if getattr(user, "is_superuser", False) or scope.handled_unit_ids(user):
        return ""
    villages = set()
    for grant in scope.grants(user):
        if grant.role not in AREA_ROLES:
            continue  # reads no case by area
        region = grant.region
        while region is not None and region.level in (Region.Level.GROUP, Region.Level.GRID):
            region = region.parent
        if region is None or region.level != Region.Level.VILLAGE:
            return ""  # an area role above a village (or with none): more than one village's cases
        villages.add((region.pk, region.name))
    return villages.pop()[1] if len(villages) == 1 else ""


def _collected(user: Any, visit: Any) -> bool:
    """Whether the user reads every opinion this visit collected: its own cadre (and a superuser)."""
    cadre = scope.cadre_of(user)
    return getattr(user, "is_superuser", False) or (cadre is not None and cadre.pk == visit.cadre_id)


def cases_of_visit(user: Any, visit: Any) -> QuerySet[Case]:
    """The opinions a visit collected that this user may see: the visit's own cadre sees all they collected;
    anyone else sees those visible_cases allows (a unit: only those dispatched to it)."""
    cases = Case.objects.filter(source_visit=visit).select_related("category", "unit", "region", "campaign__scope")
    if _collected(user, visit):
        return cases.order_by("id")
    return cases.filter(pk__in=visible_cases(user).values("pk")).order_by("id")


def read_on_their_visit(user: Any, cases: list[Case]) -> set[int]:
    """Of these cases (their source_visit loaded), those the user reads on the page of the visit that collected
    them, as cases_of_visit shows them: one query at most."""
    collected = {case.pk for case in cases if case.source_visit is not None and _collected(user, case.source_visit)}
    others = [case.pk for case in cases if case.source_visit is not None and case.pk not in collected]
    if others:
        collected |= set(visible_cases(user).filter(pk__in=others).values_list("pk", flat=True))
    return collected


def get_visible_case(user: Any, public_id: Any) -> Case:
    try:
        return visible_cases(user).select_related(
            "campaign", "category", "unit", "region", "target__region", "signoff_leader", "merged_into", "follows"
        ).get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def _case_path(case: Case) -> str:
    return case.region.path if case.region_id and case.region else case.campaign.scope.path


def is_office_for(user: Any, case: Case) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(_case_path(case).startswith(p) for p in _paths(user, {Role.OFFICE}))


def is_city_office_for(user: Any, case: Case) -> bool:
    """The city office whose region holds the case's town (上一级活动办)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(_case_path(case).startswith(p) for p in _paths(user, {Role.CITY_OFFICE}))


def is_city_office(user: Any) -> bool:
    return scope.has_role(user, Role.CITY_OFFICE)


def upper_queue(user: Any, *, done: bool = False) -> QuerySet[Case]:
    """The city office's queue: cases of its towns signed up to it (上报上一级活动办, leader's signature) and not
    yet answered or sent back; with `done`, those it has answered or sent back. Nothing else ever."""
    if getattr(user, "is_superuser", False):
        area = Q()
    else:
        area = _in_area(_paths(user, {Role.CITY_OFFICE}))
    signed = Case.objects.filter(area, escalation_route=Case.Route.UPPER_OFFICE, signed_at__isnull=False)
    if not done:
        return signed.filter(status__in=UPPER_QUEUE)
    # Taken on or sent back by the city office, whatever happened since (the town may have dispatched it again).
    handled = CaseEvent.objects.filter(action__in=(Action.UPPER_ACCEPT, Action.UPPER_RETURN)).values("case_id")
    return Case.objects.filter(area, pk__in=handled).exclude(status__in=UPPER_QUEUE)


def actor_kinds(user: Any, case: Case, *, finding: bool = False) -> set[Actor]:
    """What this user is for this case: one condition per line. `finding`: acting on a third party's finding
    (回访抽查), where the city office, which runs its towns' callbacks (decision 0057), is the office."""
    kinds: set[Actor] = set()
    if is_office_for(user, case):
        kinds.add(Actor.OFFICE)
    if case.unit_id and case.unit_id in scope.handled_unit_ids(user):
        kinds.add(Actor.UNIT)
    if getattr(user, "is_superuser", False):
        kinds.add(Actor.UNIT)
    if case.signoff_leader_id and _signs_for(user, case):
        kinds.add(Actor.SIGNER)
    # The city office acts only on what a town signed up to it; on every other case of its towns it only reads.
    if case.escalation_route == Case.Route.UPPER_OFFICE and case.signed_at and is_city_office_for(user, case):
        kinds.add(Actor.CITY)
    if finding and is_city_office_for(user, case):
        kinds.add(Actor.OFFICE)
    return kinds


def may_take(user: Any, case: Case, action: str) -> bool:
    """Whether the user is one who takes `action` on this case (in some status; transition.run checks the status's
    own rule): asked before a form or body is read, so a refused user learns nothing from its errors."""
    return bool(actor_kinds(user, case) & actors_of(action))


def refused_now(user: Any, case: Case, action: str) -> str:
    """Why the case as it stands refuses `action` to a user who takes it (may_take): "" when the user may take it
    now. The page asks before it reads the form (decision 0044); transition.run asks again under the lock."""
    rule = workflow.rule(case.status, action)
    if rule is None:
        return workflow.not_in_status(case, action)
    if not rule.actors & actor_kinds(user, case):
        raise PermissionDenied  # one who takes it in another status only (the office on a unit's 办结)
    return workflow.why_not(rule, case)


def _signs_for(user: Any, case: Case) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    cadre = scope.cadre_of(user)
    return cadre is not None and cadre.pk == case.signoff_leader_id


def sees_raiser_in_full(user: Any, case: Case) -> bool:
    """Full name and phone of a hotline caller: the office of the area and the handling unit, who call back."""
    return bool(actor_kinds(user, case) & {Actor.OFFICE, Actor.UNIT})


def read_in_full(user: Any) -> Q:
    """The cases whose raiser and free text the user reads in full, as a condition (sees_raiser_in_full's rule)."""
    if getattr(user, "is_superuser", False):
        return Q()
    condition = _in_area(_paths(user, {Role.OFFICE}))
    unit_ids = scope.handled_unit_ids(user)
    if unit_ids:
        condition |= Q(unit_id__in=unit_ids)
    return condition


_DIGIT = re.compile(r"\d")  # any script's decimal digit: the masker reads full-width ones too
# A searched number is checked against the masked text of at most this many cases the user reads masked.
MASKED_SEARCH_CAP = 10_000


def description_search(user: Any, cases: QuerySet[Case], q: str) -> Q:
    """The cases among `cases` whose description holds `q` as the user reads it.

    Where the user reads a case masked (a leader, an assessor, a co-handling unit), a query with a digit is matched
    against the text as shown: matched against the stored text, “1391” found and “1390” not would reveal a masked
    139****5678 one digit at a time. Those few candidates are masked and checked here; the rest is one condition.
    """
    found = name_contains("description", q)  # a name's dot matches any dot (decision 0069)
    if not _DIGIT.search(q) or getattr(user, "is_superuser", False):
        return found
    full = read_in_full(user)
    masker, needle = Masker(user), q.casefold()
    candidates = cases.filter(found).exclude(full).order_by().values_list("pk", "description")
    shown = [pk for pk, text in candidates[:MASKED_SEARCH_CAP]
             if needle in masker.show(Kind.FREE_TEXT, text, full=False).casefold()]
    return found & (full | Q(pk__in=shown))


# The units a case is handed to, in the order a clerk looks for them: the town's departments, the villages, then the
# city's departments and the outside bodies. Never the 镇党政班子: its leaders sign and supervise, they do not handle.
HANDLING_KINDS = (Unit.Kind.TOWN_DEPARTMENT, Unit.Kind.VILLAGE_COMMITTEE, Unit.Kind.CITY_DEPARTMENT,
                  Unit.Kind.OUTSIDE_BODY)


def serving_units(campaign: Any) -> QuerySet[Unit]:
    """The units a case of the campaign may be handed to: those of its area, those whose reach holds it (placed
    at 昆山市 for 锦溪镇; regionless only in a one-city installation) and any unit holding a fixed quota in it; never
    another town's or another city's (decision 0032, addendum h8)."""
    return Unit.objects.filter(unitnames.reaching(campaign.scope) | Q(pk__in=campaign.fixed_quotas.values("units")))


def callback_companies(region: Any) -> QuerySet[Unit]:
    """The third parties that call residents back (第三方回访) among the units reaching `region` (a campaign's
    scope): they check how a case was handled, so they never handle one — a unit of a callback account's grant, or
    one that called a batch. Another town's are not named here: to this town they are units out of its reach."""
    return Unit.objects.filter(unitnames.reaching(region)).filter(
        Q(pk__in=RoleGrant.objects.filter(role=Role.AUDITOR, unit__isnull=False).values("unit"))
        | Q(pk__in=CallbackBatch.objects.filter(caller__isnull=False).values("caller"))
    )


def signing_leaders(campaign: Any) -> QuerySet[Cadre]:
    """The town leaders with an account who may sign an escalation of the campaign's cases."""
    return Cadre.objects.filter(role=Cadre.Role.TOWN_LEADER, user__isnull=False, archived_on__isnull=True,
                                unit__in=serving_units(campaign))


def is_unit_handler(user: Any) -> bool:
    return bool(scope.handled_unit_ids(user))


def is_case_office(user: Any) -> bool:
    return scope.has_role(user, Role.OFFICE)


def may_list_cases(user: Any) -> bool:
    """问题办理 (the list, and the menu's link to the user's desk): those visible_cases shows any case to: the roles
    of an area, a unit's handlers, a leader who signs escalations. From the request's grants: no query."""
    return (bool(getattr(user, "is_superuser", False)) or bool(_paths(user, AREA_ROLES))
            or is_unit_handler(user) or is_signing_leader(user))


def is_signing_leader(user: Any) -> bool:
    return scope.cadre_of(user) is not None and scope.cadre_of(user).role == "town_leader"  # type: ignore[union-attr]
