"""The demo's visits: deterministic, valid, safe to run twice, nothing without assignments."""

import pytest

from zoufang.cases.models import Case
from zoufang.forms.models import FormAnswer
from zoufang.planning.models import Assignment
from zoufang.visits.demo import seed_demo_visits
from zoufang.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_it_visits_one_assigned_target_in_three_once(visiting):
    said: list[str] = []
    seed_demo_visits(visiting.campaign, said.append)
    seed_demo_visits(visiting.campaign, said.append)
    assert said == [
        "演示走访记录：新增 1 条", "演示走访收集的意见：登记 1 条",
        "演示走访记录：新增 0 条", "演示走访收集的意见：登记 0 条",
    ]
    visit = Visit.objects.get()
    assert visit.target == Assignment.objects.order_by("id").first().target
    assert visit.visited_at.date().isoformat() < "2017-06-15"
    assert FormAnswer.objects.filter(visit=visit).exists()
    # The office registered the opinion the next working day, within the deadline.
    case = Case.objects.get(source_visit=visit)
    assert case.status == "registered"
    assert not case.registered_late
    assert case.registered_on <= case.registration_due


def test_it_does_nothing_without_assignments(town):
    said: list[str] = []
    seed_demo_visits(town.campaign, said.append)
    assert said == ["演示走访记录：新增 0 条", "演示走访收集的意见：登记 0 条"]
    assert not Visit.objects.exists()
