"""Who sees the flags, and the office's decisions: it clears (排除) or upholds (查实) a flag with its reason, and
changes a decision only by a new recorded one (audited)."""

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
from zoufang.core.queryparams import Asked
from zoufang.integrity import flags, scans
from zoufang.integrity.models import FlagClearance
from zoufang.visits.models import Visit
from zoufang.web.dashboard import sees_campaign_stats


class ClearRefused(Exception):
    pass


class DecisionConflict(ClearRefused):
    """Someone decided the flag, or changed its decision, since the caller read it: refused, never overwritten."""

    def __init__(self, message: str, current: FlagClearance | None) -> None:
        super().__init__(message)
        self.current = current


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


def office_only() -> str:
    """Why a reader who does not decide is refused: the page, the API and the actions say it alike."""
    return _("只有走访办可以核实真实性提示")


OUTCOME_WORDS = {FlagClearance.Outcome.CLEARED: ("排除", "核实排除"), FlagClearance.Outcome.UPHELD: ("查实", "核实查实")}


def _checked_reason(user: Any, campaign: Campaign, outcome: str, reason: str) -> str:
    if not may_clear(user, campaign):  # the caller first, then what they sent (decision 0044)
        raise ClearRefused(office_only())
    if outcome not in OUTCOME_WORDS:
        raise ClearRefused(_("核实结论：只能是排除或查实"))
    verb = OUTCOME_WORDS[FlagClearance.Outcome(outcome)][0]
    reason = reason.strip()
    if not reason:
        raise ClearRefused(_("%(verb)s理由：必填，写明核实了什么") % {"verb": verb})
    if len(reason) > limits.TEXT:
        raise ClearRefused(_("%(verb)s理由：不能超过 %(n)d 个字符") % {"verb": verb, "n": limits.TEXT})
    return reason


def is_resent(decision: FlagClearance | None, user: Any, outcome: str, reason: str) -> bool:
    """Whether a first decision asked again is the one `user` already made: the same outcome and reason by them."""
    return decision is not None and decision.cleared_by_id == user.pk and decision.outcome == outcome \
        and decision.reason == reason.strip()


def decide(user: Any, campaign: Campaign, key: str, reason: str, period: flags.Period = None,
           outcome: str = FlagClearance.Outcome.CLEARED) -> FlagClearance:
    """The office's first decision on an open flag: cleared (排除) or upheld (查实), with its reason; audited.
    The flag is read from the stored scans (the period's first), as the page showed it. One decision per flag key
    (the unique constraint settles two offices deciding at once)."""
    reason = _checked_reason(user, campaign, outcome, reason)
    flag = scans.stored_flag(campaign, key, period)  # as the page showed it: never computed here
    if flag is None:
        raise ClearRefused(_("找不到这条提示（可能尚未计算，或数据已变化），请重新计算后再核实"))
    earlier = FlagClearance.objects.filter(campaign=campaign, key=key).first()
    if earlier is not None:
        raise DecisionConflict(_("这条提示已于 %(at)s %(what)s") % {
            "at": clock.day(earlier.modified_at), "what": earlier.get_outcome_display()}, earlier)
    first = Visit.objects.filter(pk__in=flag.visit_ids[:1]).values_list("visited_at", flat=True).first()
    try:
        with transaction.atomic():
            scans.take_turn(campaign.pk)
            decision = FlagClearance.objects.create(
                campaign=campaign, key=key, kind=flag.kind, cadre_id=flag.row.cadre_id, reason=reason, cleared_by=user,
                outcome=outcome, visit_ids=flag.visit_ids, visited_on=clock.local(first).date() if first else None,
                created_by=user, modified_by=user)
            audit.record(user, AuditEvent.Action.UPDATE, decision,
                         summary=_("%(outcome_words)s真实性提示：%(flag_label)s（%(key)s）") % {
                             "outcome_words": OUTCOME_WORDS[FlagClearance.Outcome(outcome)][1],
                             "flag_label": flag.label, "key": key,
                         },
                         changes={"outcome": outcome, "evidence": flag.evidence, "reason": reason,
                                  "visits": flag.visit_ids})
            scans.apply_decision(decision)  # the stored flag follows, in the same transaction
    except IntegrityError:
        raise DecisionConflict(_("这条提示刚刚已被别人核实"),
                               FlagClearance.objects.filter(campaign=campaign, key=key).first()) from None
    return decision


def clear_flag(user: Any, campaign: Campaign, key: str, reason: str, period: flags.Period = None) -> FlagClearance:
    return decide(user, campaign, key, reason, period, FlagClearance.Outcome.CLEARED)


def uphold_flag(user: Any, campaign: Campaign, key: str, reason: str, period: flags.Period = None) -> FlagClearance:
    return decide(user, campaign, key, reason, period, FlagClearance.Outcome.UPHELD)


def revise(user: Any, campaign: Campaign, key: str, outcome: str, reason: str, expected: str | None = None,
           version: int | None = None) -> FlagClearance:
    """A decision is changed only by a new recorded decision: the office turns 排除 into 查实 or back, with its
    reason; audited with the old and the new. `expected` is the outcome the page showed (`version`, the decision's
    version an API client read): if someone changed it meanwhile, the revision is refused rather than overwriting
    theirs."""
    reason = _checked_reason(user, campaign, outcome, reason)
    with transaction.atomic():
        scans.take_turn(campaign.pk)
        decision = FlagClearance.objects.select_for_update().filter(campaign=campaign, key=key).first()
        if decision is None:
            raise ClearRefused(_("这条提示还没有核实结论"))
        if expected is not None and decision.outcome != expected:
            raise DecisionConflict(_("这条提示的结论刚刚已被改为%(what)s，请刷新后再改") % {
                "what": decision.get_outcome_display()}, decision)
        if version is not None and decision.version != version:  # changed, or changed and changed back
            raise DecisionConflict(_("这条提示的结论在您读取后已重新核实，现为%(what)s（版本 %(version)s），请重新读取后再改") % {
                "what": decision.get_outcome_display(), "version": decision.version}, decision)
        if decision.outcome == outcome:
            raise ClearRefused(_("这条提示已是%(what)s") % {"what": decision.get_outcome_display()})
        before = {"outcome": decision.outcome, "reason": decision.reason,
                  "by": decision.cleared_by.get_username() if decision.cleared_by else "",
                  "at": clock.minute(decision.modified_at)}
        decision.outcome, decision.reason, decision.cleared_by, decision.modified_by = outcome, reason, user, user
        decision.version += 1
        decision.save(update_fields=["outcome", "reason", "cleared_by", "modified_by", "modified_at", "version"])
        audit.record(user, AuditEvent.Action.UPDATE, decision,
                     summary=_("改变真实性提示核实结论：%(outcome)s（%(key)s）") % {
                         "outcome": decision.get_outcome_display(), "key": key,
                     },
                     changes={"before": before, "outcome": outcome, "reason": reason})
        scans.apply_decision(decision)
    return decision


def record_finding(user: Any, campaign: Campaign, key: str, outcome: str, reason: str, *, version: int | None,
                   period: flags.Period = None) -> tuple[FlagClearance, bool]:
    """The API's finding (查实 or 排除, with its reason): a first decision without `version`, a change of the
    decision at the version the caller read. A retry of a request already recorded (the same outcome and reason)
    answers the decision as it stands and records nothing again: (decision, whether this call recorded it)."""
    current = FlagClearance.objects.filter(campaign=campaign, key=key).select_related("cleared_by").first()
    if current is not None and (current.outcome, current.reason) == (outcome, reason.strip()):
        _checked_reason(user, campaign, outcome, reason)  # a retry is still the office's alone
        return current, False
    if version is None:
        try:
            return decide(user, campaign, key, reason, period, outcome), True
        except DecisionConflict as exc:  # decided meanwhile: the same finding is the retry's answer
            if exc.current is not None and (exc.current.outcome, exc.current.reason) == (outcome, reason.strip()):
                return exc.current, False
            raise
    return revise(user, campaign, key, outcome, reason, version=version), True


def parse_period(params: Any) -> tuple[dt.date | None, dt.date | None] | None:
    """?from=2017-06-01&to=2017-06-30 (either may be left out); None for the whole campaign. A day that is not
    one is left out: a page's query (`Asked.page`) says so in a notice (decision 0035)."""
    asked = params if isinstance(params, Asked) else Asked(params)
    first, last = asked.day_or_none("from", _("不限")), asked.day_or_none("to", _("不限"))
    return None if first is None and last is None else (first, last)
