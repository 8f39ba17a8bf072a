"""Who sees the flags, and the one write: the office clears a flag with its reason (audited)."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.core import limits
from zoufang.integrity import flags
from zoufang.integrity.models import FlagClearance
from zoufang.web.dashboard import sees_campaign_stats


class ClearRefused(Exception):
    pass


def campaign_for(user: Any, slug: str) -> Campaign:
    """The campaign whose flags `user` reads: office, leaders, assessors and the city office over its area
    (never a cadre, a unit's handler or the third party); Http404 otherwise."""
    campaign = scope.visible_campaigns(user).filter(slug=slug).first()
    if campaign is None or not sees_campaign_stats(user, campaign):
        raise Http404
    return campaign


def may_clear(user: Any, campaign: Campaign) -> bool:
    """The office over the campaign's area clears flags; leaders and assessors only read them."""
    return scope.holds_campaign_area(user, campaign)


def clear_flag(user: Any, campaign: Campaign, key: str, reason: str, period: flags.Period = None) -> FlagClearance:
    reason = reason.strip()
    if not may_clear(user, campaign):
        raise ClearRefused(_("只有走访办可以核实排除真实性提示"))
    if not reason:
        raise ClearRefused(_("排除理由：必填，写明核实了什么"))
    if len(reason) > limits.TEXT:
        raise ClearRefused(_("排除理由：不能超过 %(n)d 个字符") % {"n": limits.TEXT})
    flag = next((f for f in flags.compute(campaign, period) if f.key == key), None)
    if flag is None:
        raise ClearRefused(_("找不到这条提示（数据可能已变化），请刷新页面"))
    if flag.clearance is not None:
        raise ClearRefused(_("这条提示已于 %(at)s 核实排除") % {"at": f"{clock.local(flag.clearance.created_at):%Y-%m-%d}"})
    try:
        with transaction.atomic():
            clearance = FlagClearance.objects.create(
                campaign=campaign, key=key, kind=flag.kind, cadre_id=flag.cadre_id, reason=reason, cleared_by=user,
                created_by=user)
            audit.record(user, AuditEvent.Action.UPDATE, clearance,
                         summary=f"核实排除真实性提示：{flag.label}（{key}）",
                         changes={"evidence": flag.evidence, "reason": reason, "visits": flag.visit_ids})
    except IntegrityError:
        raise ClearRefused(_("这条提示刚刚已被核实排除")) from None
    return clearance


def parse_period(params: Any) -> tuple[dt.date | None, dt.date | None] | None:
    """?from=2017-06-01&to=2017-06-30 (either may be left out); None for the whole campaign."""
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(params.get(name, "")[:10])
        except ValueError:
            return None

    first, last = day("from"), day("to")
    return None if first is None and last is None else (first, last)
