"""组织机构与工作机制 (seed 000 三(一)(二), seed 002 六1; decision 0076): a campaign's bodies, posts and duties as its
file states them, the product role that does each body's work here, and each mechanism's status (mechanisms.py).

The names are officials' in their public posts, from the campaign's own 公文 sent to every village and unit: every
account that sees the campaign (accounts.scope.visible_campaigns) reads the page, read only; no account is linked
to a name (roles carry permissions, decision 0043). A link is given only where the viewer opens its page.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import scope
from zoufang.accounts.models import RoleGrant
from zoufang.campaigns.mechanisms import Link, Mechanism, mechanisms_of, viewer_links
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.schema import BODY_KINDS
from zoufang.registry.models import Target

Role = RoleGrant.Role

__all__ = ["Body", "Link", "Mechanism", "Organisation", "Post", "may_read", "organisation_of"]


@dataclass(frozen=True)
class Post:
    title: str
    people: list[str]


@dataclass
class Body:
    key: str
    kind: str  # 领导小组, 办公室, 专项工作组, 牵头单位
    name: str
    duties: str
    posts: list[Post]
    target_kinds: list[str]  # a lead unit's: the kinds of targets whose visits it coordinates
    role: str  # the product role that does the body's work here; "" where none does
    links: list[Link] = field(default_factory=list)


@dataclass
class Organisation:
    campaign: Campaign
    note: str
    bodies: list[Body]
    mechanisms: list[Mechanism]
    today: dt.date  # the day the statuses are read on


def may_read(user: Any) -> bool:
    """The menu's 组织机构: an account that may see a campaign at all — a grant over a region, a unit's handlers, a
    cadre (scope.visible_campaigns' three ways in). From the request's grants: no query."""
    return scope.may_list_regions(user)


# The product role doing a body's work, by the body's key as the shipped files write it (or by its kind), and the
# pages where that work is done (mechanisms.viewer_links: only those the viewer opens).
BODY_ROLES = {
    "leading_group": (Role.LEADER, ("dashboard",)),
    "office": (Role.OFFICE, ("dashboard",)),
    "coordination": (Role.OFFICE, ("agenda",)),
    "statistics": (Role.OFFICE, ("documents", "cases")),
    "publicity": (Role.PUBLICITY, ("exemplars",)),
    "assessment": (Role.ASSESSOR, ("assessment",)),
    "supervision": (Role.OFFICE, ("cases",)),
    "lead_unit": (Role.UNIT_HANDLER, ()),
}


def _body(data: dict[str, Any], user: Any, campaign: Campaign, today: dt.date) -> Body:
    role, pages = BODY_ROLES.get(data["key"]) or BODY_ROLES.get(data["kind"]) or (None, ())
    kinds = dict(Target.Kind.choices)
    return Body(
        key=data["key"], kind=_(BODY_KINDS.get(data["kind"], data["kind"])), name=data["name"],
        duties=data.get("duties", ""),
        posts=[Post(post["title"], list(post["people"])) for post in data.get("posts") or []],
        target_kinds=[str(kinds.get(kind, kind)) for kind in data.get("target_kinds") or []],
        role=str(role.label) if role else "", links=viewer_links(user, campaign, pages, today))


def organisation_of(user: Any, campaign: Campaign) -> Organisation:
    """The page's content for this viewer: the same bodies and statuses for everyone, links where they may go."""
    today = clock.today()
    config = campaign.config or {}
    block = config.get("organisation") or {}
    return Organisation(
        campaign=campaign, note=block.get("note", ""),
        bodies=[_body(body, user, campaign, today) for body in block.get("bodies") or []],
        mechanisms=mechanisms_of(user, campaign, config.get("mechanisms") or [], today), today=today,
    )

