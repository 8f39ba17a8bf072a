"""The city office's queue (上一级活动办): what its towns signed up to it, each with the town's sign-off.

Which cases are in it is `access.upper_queue`; the actions are in `escalation.py`. The page, the API and the
xlsx read the same rows from here, free text masked by the presenter.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from zoufang import clock
from zoufang.cases import access
from zoufang.cases.models import Case, CaseEvent
from zoufang.cases.presenters import CasePresenter, village_name
from zoufang.cases.workflow import Action

COLUMNS = [
    gettext_lazy(label) for label in
    ("序号", "编号", "镇", "村（社区）", "类别", "内容", "承办单位", "上报理由", "签字领导", "签字时间", "签字意见",
     "状态", "上级办理情况")
]
WIDTHS = [6, 10, 10, 14, 18, 40, 12, 30, 10, 16, 20, 14, 30]


@dataclass
class QueueRow:
    case: Case
    town: str
    village: str
    description: str
    reason: str
    leader: str
    signed_at: dt.datetime | None
    signed_note: str
    answer: str  # what the city office wrote last: its answer, explanation or instructions

    def cells(self, n: int) -> list[Any]:
        c = self.case
        return [n, c.number, self.town, self.village, str(c.category) if c.category else "",
                self.description, c.unit.name if c.unit else "", self.reason, self.leader,
                clock.minute(self.signed_at) if self.signed_at else "", self.signed_note,
                str(c.get_status_display()), self.answer]


def queue(user: Any, *, done: bool = False) -> QuerySet[Case]:
    """The queue (or what the city office has handled), oldest signature first, with the leader's sign-off note
    and the city office's last word annotated."""
    sign_note = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.SIGN).order_by("-version").values("note")[:1]
    city_note = CaseEvent.objects.filter(
        case=OuterRef("pk"), action__in=(Action.UPPER_ACCEPT, Action.UPPER_RETURN, Action.RESOLVE, Action.EXPLAIN),
        from_status__in=(Case.Status.ESCALATED, Case.Status.UPPER_ACCEPTED),
    ).order_by("-version").values("note")[:1]
    return (
        access.upper_queue(user, done=done)
        .annotate(sign_note=Subquery(sign_note), city_note=Subquery(city_note))
        .select_related("campaign__scope", "region__parent__parent", "category", "unit", "signoff_leader",
                        "target__region")
        .order_by("signed_at", "id")
    )


def rows(cases: Iterable[Case], user: Any) -> list[QueueRow]:
    presenter = CasePresenter(user)
    return [
        QueueRow(
            case=c, town=c.campaign.scope.name, village=village_name(c),
            description=presenter.text(c, c.description), reason=presenter.text(c, c.escalation_reason),
            leader=c.signoff_leader.name if c.signoff_leader else "", signed_at=c.signed_at,
            signed_note=presenter.text(c, c.sign_note or ""),  # type: ignore[attr-defined]
            answer=presenter.text(c, c.city_note or ""),  # type: ignore[attr-defined]
        )
        for c in cases
    ]
