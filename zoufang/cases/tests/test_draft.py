import datetime as dt
from zoneinfo import ZoneInfo

from zoufang.cases.models import Case
from zoufang.cases.services import draft_case


def test_it_drafts_a_case_due_two_working_days_after_the_visit(town):
    town.campaign.config = {"registration_deadline_working_days": 2}
    town.campaign.save()
    target = town.households["shangxiatang"][0]
    raised = dt.datetime(2017, 9, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = draft_case(
        campaign=town.campaign, kind=Case.Kind.PROBLEM, description="村口路灯不亮", raised_at=raised,
        target=target, by=town.users["dept"],
    )
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT
    assert case.region == target.region
    assert case.registration_due == dt.date(2017, 10, 9)
