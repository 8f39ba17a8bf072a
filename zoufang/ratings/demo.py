"""The 孟河镇 demo's enterprise ratings: a few enterprises rate their visitors' department 差 (with what it was
about), and the office follows the 督查 items those create — named, and half of them done — as on their days."""

import datetime as dt
from typing import Any

from django.test.utils import override_settings

from zoufang import clock
from zoufang.ratings import grades, services
from zoufang.ratings.models import SupervisionItem
from zoufang.workdays.calendar import add_working_days

FORM = "enterprise_survey"
POOR_EVERY = 7  # one enterprise visit in seven rates one aspect 差
POOR = (  # (aspect question, what the enterprise said)
    ("service_efficiency", "技改项目备案材料反复退回补正，前后跑了四趟"),
    ("service_awareness", "企业反映的用地问题多次联系经办人未见回音"),
    ("integrity", "办事时被要求到指定中介机构编制材料"),
)
RESULTS = ("督查组约谈部门负责人，部门已建立备案一次性告知清单，企业认可",
           "部门已指定专人对接企业用地问题，每周反馈进展")


def shape_answers(key: str, answers: dict[str, Any] | None, index: int) -> dict[str, Any] | None:
    """The demo's enterprise answers: every POOR_EVERY-th visit rates one aspect 差 and says why."""
    if key != FORM or answers is None or index % POOR_EVERY != 3:
        return answers
    aspect, reason = POOR[(index // POOR_EVERY) % len(POOR)]
    return {**answers, aspect: grades.POOR, "rating_reason": reason}


def follow_up_items(campaign: Any, office: Any) -> tuple[int, int]:
    """The office names itself responsible the working day after each item appears and closes every other one
    five working days later, each on its own day up to the demo day. Returns (named, closed)."""
    reach = services.reach_for(office, campaign.slug)
    named = closed = 0
    items = SupervisionItem.objects.filter(campaign=campaign).select_related("unit").order_by("id")
    for index, item in enumerate(items):
        start = clock.local(item.created_at).date()
        on = add_working_days(start, 1).date
        if item.assignee_id is None and on <= clock.today():
            with override_settings(ZOUFANG_TODAY=on.isoformat()):
                item = services.assign_item(reach, item, by=office, version=item.version, assignee=office)
            named += 1
        done_on: dt.date = add_working_days(start, 6).date
        if index % 2 == 0 and item.status == SupervisionItem.Status.OPEN and item.assignee_id and done_on <= clock.today():
            with override_settings(ZOUFANG_TODAY=done_on.isoformat()):
                services.close_item(reach, item, by=office, version=item.version, result=RESULTS[index // 2 % len(RESULTS)])
            closed += 1
    return named, closed
