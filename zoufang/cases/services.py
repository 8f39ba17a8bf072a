"""How a case comes in: from a visit (draft_case, the visits app's contract) or from outside a visit
(a hotline call, an Open311 platform). Transitions after that are in actions, escalation and answers."""

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases.deadlines import registration_due
from zoufang.cases.models import Case
from zoufang.cases.transition import CaseError, record_creation
from zoufang.core import request_keys
from zoufang.core.names import canonical_dots
from zoufang.regions.models import Region
from zoufang.registry.models import Target

__all__ = ["draft_case", "receive_case", "receive_case_once", "registration_due"]


# Inside a caller's transaction (a visit submission) no savepoint of its own, two round trips a case saved: a
# failure rolls back the caller's transaction.
@transaction.atomic(savepoint=False)
def draft_case(
    *, campaign: Campaign, kind: str, description: str, raised_at: dt.datetime, category: CaseCategory | None = None,
    target: Target | None = None, region: Region | None = None, source_visit: Any = None,
    settled_on_spot: bool = False, by: Any = None, priority: str = Case.Priority.NORMAL, due: dt.date | None = None,
) -> Case:
    """An opinion collected on a visit becomes a draft the office registers within the deadline (`due`, when the
    caller has worked it out for the same moment already)."""
    case = Case.objects.create(
        campaign=campaign, kind=kind, category=category, description=description, raised_at=raised_at,
        target=target, region=region or (target.region if target else None), source_visit=source_visit,
        settled_on_spot=settled_on_spot, registration_due=due or registration_due(campaign, raised_at),
        priority=priority, created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record_creation(case, by=by, action="draft", note="走访收集")
    audit.record(by, AuditEvent.Action.CREATE, case, summary=_("走访收集：%(number)s") % {"number": case.number})
    return case


def receive_case(
    *, campaign: Campaign, kind: str, description: str, raised_at: dt.datetime, source: str,
    category: CaseCategory | None = None, region: Region | None = None, raiser_name: str = "",
    raiser_phone: str = "", external_id: str = "", by: Any = None, note: str = "", key: uuid.UUID | None = None,
) -> Case:
    """A case raised outside a visit (a call to the hotline, a platform's hand-over) enters the same flow.

    `note` (where a platform placed it, its attachment) is the first line of the case's history, for the office.
    With a request `key` (the form's, the API client's), sending the same call again gives the case it made."""
    return receive_case_once(
        campaign=campaign, kind=kind, description=description, raised_at=raised_at, source=source,
        category=category, region=region, raiser_name=raiser_name, raiser_phone=raiser_phone,
        external_id=external_id, by=by, note=note, key=key,
    )[0]


def receive_case_once(
    *, campaign: Campaign, kind: str, description: str, raised_at: dt.datetime, source: str,
    category: CaseCategory | None = None, region: Region | None = None, raiser_name: str = "",
    raiser_phone: str = "", external_id: str = "", by: Any = None, note: str = "", key: uuid.UUID | None = None,
    repeat_of: Case | None = None,
) -> tuple[Case, bool]:
    """receive_case, and whether this call received it; the same key with another call's content raises
    request_keys.KeyReused (the form was changed and sent again: it is another call, not a retry). A call the clerk
    marks as a repeat of `repeat_of` is merged into it at once: both or neither written (answers.merge_case); of a
    closed one, it is received on its own and records the closed case it follows, which stays closed (0047)."""
    follows = repeat_of if repeat_of is not None and repeat_of.status == Case.Status.CLOSED else None
    raiser_name = canonical_dots(raiser_name)  # 阿卜杜•热合曼 is 阿卜杜·热合曼 (decision 0069)

    @transaction.atomic
    def make() -> Case:
        if follows is not None and not Case.objects.select_for_update().filter(
                pk=follows.pk, status=Case.Status.CLOSED).exists():
            raise CaseError(_("前次来电 %(number)s 已重新办理或合并，请重新查来电记录后再选。") % {"number": follows.number})
        case = Case.objects.create(
            campaign=campaign, kind=kind, category=category, description=description, raised_at=raised_at,
            source=source, region=region, raiser_name=raiser_name, raiser_phone=raiser_phone,
            external_id=external_id, registration_due=registration_due(campaign, raised_at),
            created_by=by if getattr(by, "is_authenticated", False) else None, request_key=key, follows=follows,
        )
        # The history is read by whoever opens this case: it says a closed case is followed, not which one (the
        # page's link names it to a reader who may open it: decision 0049); the audit, read by auditors, names it.
        record_creation(case, by=by, action="receive", note="；".join(filter(None, [
            case.get_source_display(), note, _("接续另一件已结案的来电") if follows else ""])))
        followed = _("前次来电 %(number)s 已结案") % {"number": follows.number} if follows else ""
        audit.record(by, AuditEvent.Action.CREATE, case,
                     summary="；".join(filter(None, [f"{case.get_source_display()}：{case.number}", followed])),
                     changes={"follows": str(follows.public_id)} if follows else None)
        if repeat_of is not None and follows is None:
            from zoufang.cases.answers import merge_case

            case = merge_case(case, repeat_of, by=by, version=case.version, note=_("重复来电"))
        return case

    def same(earlier: Case) -> bool:
        return (earlier.campaign_id, earlier.kind, earlier.description, earlier.raiser_name) == (
            campaign.pk, kind, description, raiser_name)

    return request_keys.once_checked(Case.objects.all(), key, make, same)
