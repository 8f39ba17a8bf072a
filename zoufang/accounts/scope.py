"""What a user may see. Every view and API endpoint asks here; nowhere else decides.

Rules (by role grant; a user may hold several and sees the union):
- office, leader, assessor, city_office: every region and target under their granted region.
- village: the targets of their village (or group); full ID and phone numbers, they know residents.
- unit_handler: their unit's cadres; targets only through assignments (as visitors do), and the regions of those
  targets in region lists (listed_regions), not in the regions that open campaigns; the visits of their unit's
  cadres and the cases dispatched to their unit, nothing else of other units' work. An upper-level unit
  (市级机关部门, 苏州市妇联 …) has no region: its handlers see the campaigns of every town where it holds a quota.
- every cadre with a login: the targets assigned to them in any campaign.
- auditor: the regions of their scope; the visits a callback batch of theirs sampled, on the callbacks pages only
  (zoufang/callbacks/access.py builds on the grants here); a sampled target's phone only by an audited reveal
  while the batch is open.
- publicity (宣传报道组): the region tree of its scope and the 典型 (zoufang/exemplars/access.py); no target.
- sysadmin: master data through the admin; no resident is visible in lists by that role alone.
- superuser: everything.
Denials never reveal whether an object exists: the caller gets 404.
"""

from collections.abc import Iterable
from functools import cached_property, reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from zoufang.accounts.models import RoleGrant
from zoufang.core.rawrows import Columns, prepared_rows

if TYPE_CHECKING:
    from zoufang.campaigns.models import Campaign
    from zoufang.visits.models import Visit
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

Role = RoleGrant.Role

# Roles that see every target in their region.
AREA_ROLES = {Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE, Role.VILLAGE}
# Roles that see full ID and phone numbers of the targets they can see (reads are audited).
IDENTITY_ROLES = {Role.OFFICE, Role.VILLAGE}
# Roles that see the whole region tree of their scope, even without targets in it.
REGION_ROLES = AREA_ROLES | {Role.AUDITOR, Role.UNIT_HANDLER, Role.PUBLICITY}


# The user's grants with their region and unit, and the cadre the account belongs to, read by (nearly) every request
# (the second-factor check, scope, the top bar's name and roles): one statement written once per process
# (zoufang.core.rawrows), not a queryset compiled each time.
_GRANT = Columns(RoleGrant, "g", ["user_id", "role", "region_id", "unit_id"])
_GRANT_REGION = Columns.every(Region, "r")
_GRANT_UNIT = Columns.every(Unit, "u")
_CADRE = Columns.every(Cadre, "c")
_CADRE_OF_USER = Cadre._meta.get_field("user").remote_field  # user.cadre, the reverse one-to-one


def grants(user: Any) -> list[RoleGrant]:
    """The user's role grants with their regions and units, read once per user object (so once per request); the
    account's cadre (or its absence) comes in the same statement and is kept on the user, so `user.cadre` asks
    nothing more."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_zoufang_grants", None)
    if cached is None:
        db = connections[router.db_for_read(RoleGrant)]  # the replica inside a dashboard's request, as the ORM
        table = {model: db.ops.quote_name(model._meta.db_table) for model in (RoleGrant, Region, Unit, Cadre)}
        accounts = db.ops.quote_name(user._meta.db_table)  # the request's user is a lazy object, not its model
        # Every request that checks scope asks: planned once per connection (decision 0013). From the account, so
        # that one without grants still reads whether it is a cadre's.
        rows = prepared_rows(
            db, f"SELECT {_GRANT.sql}, {_GRANT_REGION.sql}, {_GRANT_UNIT.sql}, {_CADRE.sql} "  # noqa: S608
            f"FROM {accounts} a LEFT JOIN {table[RoleGrant]} g ON g.user_id = a.id "
            f"LEFT JOIN {table[Region]} r ON r.id = g.region_id LEFT JOIN {table[Unit]} u ON u.id = g.unit_id "
            f"LEFT JOIN {table[Cadre]} c ON c.user_id = a.id WHERE a.id = %s ORDER BY g.id", [user.pk])
        cached = []
        for row in rows:
            if _GRANT.matched(row):
                grant = _GRANT.load(row, using=db)
                grant.region = _GRANT_REGION.load_joined(row, _GRANT.width, using=db)
                grant.unit = _GRANT_UNIT.load_joined(row, _GRANT.width + _GRANT_REGION.width, using=db)
                cached.append(grant)
        if rows and not _CADRE_OF_USER.is_cached(user):  # the API's token brought it with the user already
            at = _GRANT.width + _GRANT_REGION.width + _GRANT_UNIT.width
            _CADRE_OF_USER.set_cached_value(user, _CADRE.load_joined(rows[0], at, using=db))
        user._zoufang_grants = cached
    return cached


def roles(user: Any) -> set[str]:
    return {grant.role for grant in grants(user)}


def has_role(user: Any, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted)) or bool(getattr(user, "is_superuser", False))


def cadre_of(user: Any) -> Cadre | None:
    """The cadre the account belongs to, None for none: read with the grants (no query of its own) unless the user
    object brought it already."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not _CADRE_OF_USER.is_cached(user):
        grants(user)
    try:
        return user.cadre
    except Cadre.DoesNotExist:
        return None


def _region_paths(user: Any, role_set: Iterable[str]) -> list[str]:
    return [g.region.path for g in grants(user) if g.role in role_set and g.region is not None]


def covers(user: Any, region: Region, role_set: Iterable[str]) -> bool:
    """Whether one of the user's grants of these roles is for `region` or an area above it (the grants the
    request has read already: no query)."""
    return any(region.path.startswith(path) for path in _region_paths(user, set(role_set)))


def _under_any(paths: list[str], field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def visible_regions(user: Any) -> QuerySet[Region]:
    """Regions in scope, and their ancestors so a tree can be drawn down to them."""
    if getattr(user, "is_superuser", False):
        return Region.objects.all()
    return _regions_down_to(_scope_paths(user))


def listed_regions(user: Any) -> QuerySet[Region]:
    """The regions the pages and answers that list regions show (区划, the targets' region filter): the visible
    regions, and for a unit handler also those of the targets assigned to its units, with their ancestors, as a
    cadre sees the regions of its own targets. Not part of visible_regions, which also decides campaigns: a
    handled target's town there would open every campaign of that town (decision 0028)."""
    unit_ids = handled_unit_ids(user)
    if not unit_ids or getattr(user, "is_superuser", False):
        return visible_regions(user)
    from zoufang.planning.models import Assignment

    handled = Target.objects.filter(pk__in=Assignment.objects.filter(unit_id__in=unit_ids).values("target_id"))
    paths = list(Region.objects.filter(pk__in=handled.values("region_id")).values_list("path", flat=True))
    return _regions_down_to(_scope_paths(user) + paths)


def _scope_paths(user: Any) -> list[str]:
    """The paths of the regions a user's grants cover, and of the regions of the targets assigned to them."""
    paths = _region_paths(user, REGION_ROLES)
    cadre = cadre_of(user)
    if cadre is not None:
        paths += list(
            Region.objects.filter(targets__assignments__cadre=cadre).values_list("path", flat=True).distinct()
        )
    return paths


def _regions_down_to(paths: list[str]) -> QuerySet[Region]:
    """The regions at and under `paths`, and their ancestors so a tree can be drawn down to them."""
    if not paths:
        return Region.objects.none()
    ancestor_ids = {int(part) for p in paths for part in p.split(".") if part}
    return Region.objects.filter(_under_any(paths, "path") | Q(pk__in=ancestor_ids))


def visible_targets(user: Any) -> QuerySet[Target]:
    if getattr(user, "is_superuser", False):
        return Target.objects.all()
    from zoufang.planning.models import Assignment

    condition = _under_any(_region_paths(user, AREA_ROLES), "region__path")
    cadre = cadre_of(user)
    if cadre is not None:
        condition |= Q(pk__in=Assignment.objects.filter(cadre=cadre).values("target_id"))
    unit_ids = handled_unit_ids(user)
    if unit_ids:
        condition |= Q(pk__in=Assignment.objects.filter(unit_id__in=unit_ids).values("target_id"))
    # A subquery of target ids rather than a join to the assignments and DISTINCT: no target is repeated, so a
    # page in the list's order is read from the indexes (before, every visible target was joined, made distinct
    # and sorted to show 50: 195 ms on the demo on PostgreSQL for a leader who is also a cadre, against 0.5 ms).
    # Not a correlated EXISTS: SQLite would run it once per target of the installation.
    return Target.objects.filter(condition)


def visible_visits(user: Any) -> "QuerySet[Visit]":
    """Visits in the user's area; a cadre's own and those of the targets assigned to them; a unit handler's
    unit's cadres' visits. A visit of another unit's cadre is not a unit handler's, even to a shared target."""
    from zoufang.visits.models import Visit

    if getattr(user, "is_superuser", False):
        return Visit.objects.all()
    condition = _under_any(_region_paths(user, AREA_ROLES), "target__region__path")
    cadre = cadre_of(user)
    if cadre is not None:
        from zoufang.planning.models import Assignment

        # One person's visits as a subquery of ids read from the cadre's indexes: a page of them is those few
        # rows sorted. As an OR of the two conditions, a cadre's list walked every visit of the installation
        # newest first (535 ms in a city of 1 M visits, for a page of 20).
        own = Visit.objects.filter(cadre=cadre).order_by().values("pk")
        assigned = Assignment.objects.filter(cadre=cadre).values("target_id")
        of_assigned = Visit.objects.filter(target_id__in=assigned).order_by().values("pk")
        condition |= Q(pk__in=own.union(of_assigned, all=True))
    unit_ids = handled_unit_ids(user)
    if unit_ids:
        condition |= Q(cadre_id__in=Cadre.objects.filter(unit_id__in=unit_ids).values("pk"))
    # Only joins along foreign keys and an EXISTS: no visit is repeated, so a page of visits in the order of an
    # index reads that page (no subquery over every visible visit first).
    return Visit.objects.filter(condition)


def visible_units(user: Any) -> QuerySet[Unit]:
    """Units are public bodies: those of the user's area and those whose reach holds it (the city's and outside
    bodies placed above its towns; decision 0032, addendum h8)."""
    from zoufang.registry.unitnames import shared

    if getattr(user, "is_superuser", False):
        return Unit.objects.all()
    paths = _region_paths(user, REGION_ROLES)
    condition = _under_any(paths, "region__path")
    if paths:
        above = {int(part) for path in paths for part in path.split(".") if part}
        condition |= Q(region_id__in=above) | shared()
    cadre = cadre_of(user)
    if cadre is not None:
        condition |= Q(pk=cadre.unit_id)
    unit_ids = [g.unit_id for g in grants(user) if g.unit_id]
    if unit_ids:
        condition |= Q(pk__in=unit_ids)
    return Unit.objects.filter(condition)


def city_office_regions(user: Any) -> list[Region]:
    """The regions a city office (市“六个一”办公室) oversees, its towns side by side: those of its grants."""
    return [g.region for g in grants(user) if g.role == Role.CITY_OFFICE and g.region is not None]


def handled_unit_ids(user: Any) -> list[int]:
    """The units whose cases (and records) a unit handler answers for."""
    return [g.unit_id for g in grants(user) if g.role == Role.UNIT_HANDLER and g.unit_id]


def unit_records(user: Any, public_id: Any) -> Unit:
    """A unit's own records (its ledger, its walk lists): for the office, leaders and assessors of its area,
    and for the unit's own handlers. Http404 for everyone else, as if the unit were not there."""
    unit = visible_units(user).filter(public_id=public_id).first()
    if unit is None or not (getattr(user, "is_superuser", False) or unit.pk in handled_unit_ids(user)
                            or has_role(user, Role.OFFICE, Role.LEADER, Role.ASSESSOR)):
        raise Http404
    return unit


def visible_cadres(user: Any) -> QuerySet[Cadre]:
    if getattr(user, "is_superuser", False):
        return Cadre.objects.all()
    if has_role(user, Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE):
        return Cadre.objects.filter(unit__in=visible_units(user))
    condition = Q(pk__in=[])
    cadre = cadre_of(user)
    if cadre is not None:
        condition |= Q(pk=cadre.pk)
    unit_ids = [g.unit_id for g in grants(user) if g.unit_id]
    if unit_ids:
        condition |= Q(unit_id__in=unit_ids)
    village_paths = _region_paths(user, {Role.VILLAGE})
    if village_paths:
        condition |= _under_any(village_paths, "unit__region__path")
    return Cadre.objects.filter(condition)


def get_visible_target(user: Any, public_id: Any) -> Target:
    """The target, or 404 whether it does not exist or is out of scope."""
    try:
        return visible_targets(user).select_related("region").get(public_id=public_id)
    except (Target.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


class PersonalDataPolicy:
    """Who sees full ID and phone numbers; built once per request so a page of 50 rows asks no more queries."""

    def __init__(self, user: Any) -> None:
        self.superuser = bool(getattr(user, "is_superuser", False))
        self.identity_paths = _region_paths(user, IDENTITY_ROLES)
        self._cadre = cadre_of(user)

    @cached_property
    def assigned_ids(self) -> set[int]:
        """The cadre's assigned targets: read when a phone is asked for, not for every masked page or answer."""
        if self._cadre is None:
            return set()
        return set(self._cadre.assignments.values_list("target_id", flat=True))

    def full_identity(self, target: Target) -> bool:
        """Full ID numbers: only roles that need them, only for targets in their area."""
        return self.superuser or any(target.region.path.startswith(p) for p in self.identity_paths)

    def full_phone(self, target: Target) -> bool:
        """A visitor also needs the phone number of a target assigned to them, to arrange the visit."""
        return self.full_identity(target) or target.pk in self.assigned_ids


def visible_campaigns(user: Any) -> "QuerySet[Campaign]":
    """Campaigns whose region the user can see (their own region, or one above it), and those where a unit they
    handle holds a quota or assignments (an upper-level unit across towns); latest first."""
    from zoufang.campaigns.models import Campaign

    condition = Q(scope__in=visible_regions(user))
    unit_ids = handled_unit_ids(user)
    if unit_ids:
        condition |= _holds_quota(unit_ids)
    return Campaign.objects.filter(condition).select_related("scope").order_by("-starts_on", "slug")


def _holds_quota(unit_ids: list[int]) -> Q:
    """A campaign where any of these units holds a fixed quota (附件1/附件2) or assigned targets."""
    from zoufang.planning.models import Assignment, FixedQuota

    return Q(Exists(FixedQuota.objects.filter(campaign=OuterRef("pk"), units__in=unit_ids))) | Q(
        Exists(Assignment.objects.filter(campaign=OuterRef("pk"), unit_id__in=unit_ids)))


def unit_campaigns(user: Any, unit: Unit) -> "QuerySet[Campaign]":
    """The campaigns (towns) where a unit the user handles holds quotas, by town; none for another unit."""
    from zoufang.campaigns.models import Campaign

    if unit.pk not in handled_unit_ids(user) and not getattr(user, "is_superuser", False):
        return Campaign.objects.none()
    return Campaign.objects.filter(_holds_quota([unit.pk])).select_related("scope").order_by("scope__path", "slug")


def managed_campaigns(user: Any) -> "QuerySet[Campaign]":
    """Campaigns the user may plan and configure: the office's (or sysadmin's) region contains the campaign's."""
    from zoufang.campaigns.models import Campaign

    campaigns = Campaign.objects.select_related("scope").order_by("-starts_on", "slug")
    if getattr(user, "is_superuser", False):
        return campaigns
    return campaigns.filter(_under_any(_region_paths(user, {Role.OFFICE, Role.SYSADMIN}), "scope__path"))


def holds_campaign_area(user: Any, campaign: "Campaign", roles: set[RoleGrant.Role] | None = None) -> bool:
    """Does the user hold one of `roles` (default: the office) on a region holding the campaign's scope? Superusers
    always do. Read from the cached grants: no query."""
    if getattr(user, "is_superuser", False):
        return True
    return any(campaign.scope.path.startswith(path) for path in _region_paths(user, roles or {Role.OFFICE}))


def may_manage(user: Any) -> bool:
    """Import, configure campaigns, load tables: the office and administrators."""
    return has_role(user, Role.OFFICE, Role.SYSADMIN)


# Which of the main pages a user has. The page's own access check and the menu (zoufang/web/menu.py) ask the same
# predicate, so the menu never leads to a page that only tells its user to ask the office for a scope. From the
# request's grants and cadre: no query.

def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def may_list_regions(user: Any) -> bool:
    """区划: the roles that see their scope's region tree, a unit's handlers and a cadre (where their targets are)."""
    return (_superuser(user) or bool(_region_paths(user, REGION_ROLES)) or bool(handled_unit_ids(user))
            or cadre_of(user) is not None)


def may_list_targets(user: Any) -> bool:
    """走访对象: the roles of an area, a unit's handlers (its assigned targets), a cadre (their own)."""
    return (_superuser(user) or bool(_region_paths(user, AREA_ROLES)) or bool(handled_unit_ids(user))
            or cadre_of(user) is not None)


def may_list_visits(user: Any) -> bool:
    """走访记录: the roles of an area and a unit's handlers. A cadre's own visits are on 我的走访; 系统管理员 keeps
    the questionnaires in the admin."""
    return _superuser(user) or bool(_region_paths(user, AREA_ROLES)) or bool(handled_unit_ids(user))


def may_record_visits(user: Any) -> bool:
    """我的走访 and the cadre's card, diary and ledger: an account that is a cadre's. Any other (the office, 系统管理员,
    a unit's handler) has nothing to list or record there, and is answered 404 as on the other pages it has no use
    for; a superuser too, having no cadre whose walk list to show."""
    return cadre_of(user) is not None


def may_import(user: Any) -> bool:
    """导入: the office. 系统管理员 keeps regions and units in the admin (and through the command line); a sheet of
    households or an allocation table is residents' and campaigns' data, which no administrator handles."""
    return has_role(user, Role.OFFICE)


def office_paths(user: Any) -> list[str]:
    """The paths of the regions the user is the office of (from the request's grants: no query)."""
    return _region_paths(user, {Role.OFFICE})


def office_area(user: Any, field: str) -> Q:
    """Rows whose `field` (a region path) lies in a region the user is the office of; none without such a grant."""
    return _under_any(office_paths(user), field)


def may_plan(user: Any) -> bool:
    """分配: the office of a region (the plan is a campaign's, and 系统管理员 holds no campaign)."""
    return _superuser(user) or bool(_region_paths(user, {Role.OFFICE}))
