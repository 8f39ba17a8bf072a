"""Who did it, as a page shows it: a person's name, else what the account stands for, never a bare login name.

An event's actor on a case history, a reviewer, a clearance: an account without a full name ("office") is shown
by its role and the unit or region it acts for ("锦溪镇走访办", "派出所"), the login name only when it has neither.
"""

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.accounts.models import RoleGrant
from zoufang.registry.models import Unit

R = RoleGrant.Role

# How an account of each role names itself after the region it holds (a unit handler is its unit's name). The order
# is the choice of the role an account with several grants is named after.
_IN_REGION = {
    R.OFFICE: lambda region: _("%(region)s走访办") % {"region": region},
    R.CITY_OFFICE: lambda region: _("%(region)s活动办") % {"region": region},
    R.LEADER: lambda region: _("%(region)s分管领导") % {"region": region},
    R.UNIT_HANDLER: lambda region: _("%(region)s承办部门") % {"region": region},
    R.VILLAGE: lambda region: _("%(region)s干部") % {"region": region},
    R.AUDITOR: lambda region: _("%(region)s第三方回访") % {"region": region},
    R.ASSESSOR: lambda region: _("%(region)s考核管理组") % {"region": region},
    R.PUBLICITY: lambda region: _("%(region)s宣传报道组") % {"region": region},
}
_ORDER = [*_IN_REGION, R.SYSADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN]

# What the top bar calls each role, as its users call themselves: a role's label, but a handler of an upper-level unit
# (市级机关部门, 苏州市妇联 …: it visits inside towns under 附件1/附件2 and answers what those towns dispatch to it) is a
# 上级走访单位, not one of the town's 承办部门.
UPPER_UNIT_KINDS = frozenset({Unit.Kind.CITY_DEPARTMENT, Unit.Kind.OUTSIDE_BODY})
_UPPER_UNIT_HANDLER = "upper_unit_handler"
_ROLE_NAMES: dict[str, Any] = {**{role: role.label for role in R}, _UPPER_UNIT_HANDLER: gettext_lazy("上级走访单位")}


def named(path: str = "") -> list[Any]:
    """What a list of users (or of rows with a user at `path`, e.g. "actor") prefetches so that naming each of them
    asks the database nothing more: `events.select_related("actor").prefetch_related(*named("actor"))`."""
    prefix = f"{path}__" if path else ""
    return [f"{prefix}cadre",
            Prefetch(f"{prefix}role_grants", queryset=RoleGrant.objects.select_related("region", "unit"))]


def shown_name(user: Any, *, nobody: str | None = None) -> str:
    """The user's full name; else the name of the cadre the account belongs to; else its role with its unit or
    region ("锦溪镇走访办"); else its login name. `nobody` (default "系统") for no user at all."""
    if user is None:
        return nobody if nobody is not None else _("系统")
    full = user.get_full_name().strip()
    if full:
        return str(full)
    cadre = _cadre(user)
    if cadre is not None and cadre.name:
        return str(cadre.name)
    grants = sorted(_grants(user), key=lambda g: _ORDER.index(g.role) if g.role in _ORDER else len(_ORDER))
    if not grants or grants[0].role not in R.values:
        return str(user.get_username())
    grant, role = grants[0], R(grants[0].role)
    if role == R.UNIT_HANDLER and grant.unit is not None:
        return str(grant.unit.name)
    if role in _IN_REGION and grant.region is not None:
        return str(_IN_REGION[role](grant.region.name))
    return str(role.label)


def role_names(user: Any) -> list[str]:
    """The user's roles as the top bar names them (_ROLE_NAMES), each once: the grants', then the cadre's (a village
    cadre holds the village grant and is a village cadre). From the request's grants and cadre: no query."""
    keys = [_UPPER_UNIT_HANDLER if grant.role == R.UNIT_HANDLER and grant.unit is not None
            and grant.unit.kind in UPPER_UNIT_KINDS else grant.role for grant in _grants(user)]
    shown = [str(_ROLE_NAMES[key]) for key in keys if key in _ROLE_NAMES]
    cadre = _cadre(user)
    if cadre is not None:
        shown.append(str(cadre.get_role_display()))
    return list(dict.fromkeys(shown))


def _grants(user: Any) -> list[Any]:
    """The user's grants: prefetched (`named`), else the request's own, read once by scope for every page."""
    from zoufang.accounts import scope

    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("role_grants")
    return list(prefetched) if prefetched is not None else scope.grants(user)


def _cadre(user: Any) -> Any:
    """The account's cadre: prefetched (`named`), else read with the request's grants (scope), no query of its own."""
    from zoufang.accounts import scope

    return scope.cadre_of(user)
