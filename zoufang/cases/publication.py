"""Publishing a case on the public Open311 feed: the office approves it and writes the public summary.

The public reads the office's summary, never the raiser's text; the summary itself may name no person,
address or personal number (accounts.masking decides what is one).
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.masking import compact, has_personal_number
from zoufang.accounts.models import AuditEvent
from zoufang.accounts.names import shown_name
from zoufang.cases import access
from zoufang.cases.models import Case
from zoufang.cases.transition import CaseError

MAX_SUMMARY = 300
UNPUBLISHABLE = (Case.Status.DRAFT, Case.Status.MERGED)


def summary_problems(case: Case, summary: str) -> list[str]:
    """Why this summary may not be published, in Chinese; empty when it may."""
    problems = []
    if not summary:
        problems.append(_("公开摘要：必填，请用自己的话概括问题，不要照抄原文"))
    if len(summary) > MAX_SUMMARY:
        problems.append(_("公开摘要：不超过 %(n)s 字") % {"n": MAX_SUMMARY})
    if has_personal_number(summary):
        problems.append(_("公开摘要：不能含电话、身份证等号码"))
    target = case.target if case.target_id else None
    names = [compact(case.raiser_name), compact(target.name) if target else ""]
    shown = compact(summary)  # as the public reads it: a name split by a space or an invisible character still names
    if any(name and len(name) >= 2 and name in shown for name in names):
        problems.append(_("公开摘要：不能含反映人姓名"))
    address = compact(target.address) if target and target.address else ""
    if len(address) >= 4 and address in shown:
        problems.append(_("公开摘要：不能含反映人地址"))
    return problems


def stamp(case: Case) -> str:
    """Which publication a clerk's form was opened on ("" for none): every publish or withdrawal changes it."""
    return str(round(case.published_at.timestamp() * 1_000_000)) if case.published_at else ""


def office_only() -> str:
    """Why anyone but the area's office is refused: the page and the actions say it alike."""
    return _("只有本区域的走访办可以公开或撤回公开问题")


@transaction.atomic
def publish_case(case: Case, *, by: Any, summary: str, seen: str | None = None) -> Case:
    """Publish `case` with the office's `summary`. `seen` is the `stamp` the clerk's form was opened on: when
    another clerk published or withdrew it meanwhile, the save is refused (naming who, when and what they wrote)
    rather than silently replacing their summary."""
    if not access.is_office_for(by, case):
        raise CaseError(office_only())
    case = Case.objects.select_for_update().get(pk=case.pk)  # no outer join: PostgreSQL locks no nullable side
    if case.status in UNPUBLISHABLE:
        raise CaseError(_("%(status)s的件不能公开") % {"status": case.get_status_display()})
    summary = summary.strip()
    if seen is not None and seen != stamp(case):
        if case.published_at and case.published_by_id == by.pk and case.public_summary == summary:
            return case  # this clerk's own publication sent again (decision 0058): it is what the public reads
        if case.published_at:
            raise CaseError(_("您打开此页后，%(who)s 已于 %(when)s 公开了此件，公开摘要为“%(theirs)s”。您的摘要未保存："
                              "“%(yours)s”；请核对后再提交。") % {
                "who": shown_name(case.published_by, nobody=_("他人")), "when": clock.minute(case.published_at),
                "theirs": case.public_summary, "yours": summary})
        raise CaseError(_("您打开此页后，此件已被撤回公开。您的摘要未保存：“%(yours)s”；如仍要公开，请重新提交。") % {
            "yours": summary})
    problems = summary_problems(case, summary)
    if problems:
        raise CaseError("；".join(problems))
    case.public_summary, case.published_at, case.published_by = summary, clock.now(), by
    case.save(update_fields=["public_summary", "published_at", "published_by", "modified_at"])
    audit.record(by, AuditEvent.Action.UPDATE, case, summary=_("公开问题 %(number)s：%(summary)s") % {
        "number": case.number, "summary": summary[:60]})
    return case


@transaction.atomic
def unpublish_case(case: Case, *, by: Any, seen: str | None = None) -> Case:
    """Withdraw `case` from the public feed. `seen`, as for publish_case: when another clerk published it again
    meanwhile (a summary this clerk has not read), nothing is withdrawn; already withdrawn, nothing is done."""
    if not access.is_office_for(by, case):
        raise CaseError(office_only())
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.published_at is None:
        return case
    if seen is not None and seen != stamp(case):
        raise CaseError(_("您打开此页后，%(who)s 已于 %(when)s 重新公开了此件，公开摘要为“%(theirs)s”，未撤回；请核对后再提交。") % {
            "who": shown_name(case.published_by, nobody=_("他人")), "when": clock.minute(case.published_at),
            "theirs": case.public_summary})
    case.published_at, case.published_by = None, None
    case.save(update_fields=["published_at", "published_by", "modified_at"])
    audit.record(by, AuditEvent.Action.UPDATE, case, summary=_("撤回公开问题 %(number)s") % {"number": case.number})
    return case
