"""Open311 partner keys: issued, scoped to a region, rotated and revoked by the security administrator.

A key is shown once, when issued or rotated; only its SHA-256 is stored. Every issue, rotation,
revocation and use writes an audit row (`zoufang open311 keys …` is the command line for it).
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Open311Key
from zoufang.regions.models import Region


class KeyRefused(Exception):
    """A key operation the actor may not do or the input does not allow; the message is for the user."""


@dataclass(frozen=True)
class Issued:
    key: Open311Key
    secret: str


def _require_security_admin(actor: Any) -> None:
    if actor is None or not (getattr(actor, "is_superuser", False)
                             or RoleGrant.Role.SECURITY_ADMIN in scope.roles(actor)):
        raise KeyRefused(_("只有安全管理员可以签发、轮换或停用 Open311 接入密钥"))


def _region(name: str) -> Region:
    matches = list(Region.objects.filter(name=name.strip())[:2])
    if not matches:
        raise KeyRefused(_("没有名为“%(name)s”的区域") % {"name": name})
    if len(matches) > 1:
        raise KeyRefused(_("名为“%(name)s”的区域不止一个，请用上级区域下唯一的名称") % {"name": name})
    return matches[0]


def _campaign_for(region: Region, slug: str = "") -> Campaign:
    """The named campaign, or the latest one whose area holds the region; it must cover the region."""
    if slug:
        campaign = Campaign.objects.filter(slug=slug).select_related("scope").first()
        if campaign is None:
            raise KeyRefused(_("没有代号为 %(slug)s 的走访活动") % {"slug": slug})
    else:
        ancestors = [int(part) for part in region.path.split(".") if part]
        campaign = (Campaign.objects.filter(scope_id__in=ancestors).select_related("scope")
                    .order_by("-starts_on").first())
        if campaign is None:
            raise KeyRefused(_("“%(region)s”不在任何走访活动的区域内") % {"region": region.name})
    if not region.path.startswith(campaign.scope.path):
        raise KeyRefused(_("“%(region)s”不在走访活动“%(campaign)s”的区域内") % {
            "region": region.name, "campaign": campaign.name})
    return campaign


@transaction.atomic
def add_key(actor: Any, *, name: str, region: str, campaign: str = "") -> Issued:
    _require_security_admin(actor)
    name = name.strip()
    if not name:
        raise KeyRefused(_("平台名称：必填"))
    limit = Open311Key._meta.get_field("name").max_length or 0
    if len(name) > limit:  # never cut to fit
        raise KeyRefused(_("平台名称：不能超过%(max)d个字，输入为%(length)d个字") % {"max": limit, "length": len(name)})
    area = _region(region)
    key, secret = Open311Key.issue(name, _campaign_for(area, campaign), region=area, by=actor)
    audit.record(actor, AuditEvent.Action.CREATE, key, summary=_("签发 Open311 接入密钥：%(key)s（%(area)s）") % {
        "key": key.name, "area": area.name,
    })
    return Issued(key, secret)


def _active(key_id: int) -> Open311Key:
    key = Open311Key.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise KeyRefused(_("没有编号为 %(id)s 的接入密钥") % {"id": key_id})
    if key.disabled_on is not None:
        raise KeyRefused(_("接入密钥 %(id)s（%(name)s）已停用") % {"id": key_id, "name": key.name})
    return key


@transaction.atomic
def revoke_key(actor: Any, key_id: int) -> Open311Key:
    _require_security_admin(actor)
    key = _active(key_id)
    key.disabled_on, key.revoked_by = clock.today(), actor
    key.save(update_fields=["disabled_on", "revoked_by"])
    audit.record(actor, AuditEvent.Action.UPDATE, key, summary=_("停用 Open311 接入密钥：%(key)s") % {"key": key.name})
    return key


@transaction.atomic
def rotate_key(actor: Any, key_id: int) -> Issued:
    """A new secret for the same platform and region; the old one stops working at once."""
    old = revoke_key(actor, key_id)
    key, secret = Open311Key.issue(old.name, old.campaign, region=old.region, by=actor)
    audit.record(actor, AuditEvent.Action.CREATE, key, summary=_("轮换 Open311 接入密钥：%(key)s（替换 %(pk)s）") % {
        "key": key.name, "pk": old.pk,
    })
    return Issued(key, secret)


def list_keys() -> QuerySet[Open311Key]:
    return Open311Key.objects.select_related("region", "campaign", "issued_by", "revoked_by").order_by("pk")


def key_for(secret: str) -> Open311Key | None:
    """The active key with this secret, or None."""
    if not secret:
        return None
    return (Open311Key.objects.filter(digest=Open311Key.digest_of(secret), disabled_on__isnull=True)
            .select_related("region", "campaign__scope").first())


def record_use(key: Open311Key, what: str) -> None:
    """Every use of a key is audited: who (the platform), when, what was read or handed in."""
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=clock.now())
    audit.record(None, AuditEvent.Action.READ, key, summary=_("Open311 接入密钥“%(key)s”%(what)s") % {
        "key": key.name, "what": what,
    })
