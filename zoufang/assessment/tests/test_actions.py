"""Running, adjusting and freezing: versions, documented 加减分, a frozen assessment that never changes."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from zoufang.accounts.models import AuditEvent
from zoufang.assessment.models import Adjustment, Assessment, FrozenAssessmentError, Score
from zoufang.assessment.services import AssessmentError, add_adjustment, freeze_assessment, run_assessment
from zoufang.oversight.tests.conftest import visit

START, END = dt.date(2017, 5, 1), dt.date(2017, 12, 31)


def _run(town: Any, by: str = "assessor") -> Assessment:
    return run_assessment(town.campaign, starts_on=START, ends_on=END, title="2017年度考核", by=town.users[by])


def _police(assessment: Assessment, town: Any) -> Score:
    return assessment.scores.get(level="unit", unit=town.police)


def test_it_numbers_each_run_of_a_period_as_a_new_version(assessed: Any) -> None:
    first = _run(assessed)
    second = _run(assessed)

    assert (first.number, second.number) == (1, 2)
    assert second.scores.count() == first.scores.count() == 6  # 2 units, 2 cadres, 2 villages
    audit = AuditEvent.objects.filter(object_id=str(second.public_id), action=AuditEvent.Action.CREATE).get()
    assert audit.changes["number"] == [None, 2]


def test_it_adds_a_documented_adjustment_and_ranks_again(assessed: Any) -> None:
    assessment = _run(assessed)
    police = _police(assessment, assessed)

    add_adjustment(assessment, police, points="15", reason="获市级表彰（锦委〔2017〕8号）", by=assessed.users["assessor"])
    add_adjustment(assessment, police, points="－2", reason="台账不全", by=assessed.users["assessor"])

    police.refresh_from_db()
    leadership = assessment.scores.get(level="unit", unit=assessed.wangwen.unit)
    assert (police.base_total, police.adjustment, police.total) == (Decimal("43.73"), Decimal("13.00"), Decimal("56.73"))
    assert (police.rank, leadership.rank) == (1, 2)
    audit = AuditEvent.objects.filter(object_id=str(assessment.public_id), action=AuditEvent.Action.UPDATE) \
        .order_by("seq").first()
    assert audit.changes["points"] == [None, "15.00"]
    assert audit.changes["total"] == ["43.73", "58.73"]


@pytest.mark.parametrize(("points", "reason", "message"), [
    ("abc", "理由", "分值应为数字"), ("0", "理由", "分值应不为 0"), ("101", "理由", "在 -100 到 100 之间"),
    ("2", "  ", "请写明加减分的理由"),
    # Decimal reads these: NaN compared with the limit raised InvalidOperation (a server error on the page).
    ("NaN", "理由", "分值应为数字"), ("-nan", "理由", "分值应为数字"), ("Infinity", "理由", "分值应为数字"),
])
def test_it_refuses_an_adjustment_without_points_or_reason(assessed: Any, points: str, reason: str,
                                                            message: str) -> None:
    assessment = _run(assessed)

    with pytest.raises(AssessmentError, match=message):
        add_adjustment(assessment, _police(assessment, assessed), points=points, reason=reason,
                       by=assessed.users["assessor"])

    assert not Adjustment.objects.exists()


def test_a_frozen_assessment_is_not_moved_by_later_data(assessed: Any) -> None:
    assessment = _run(assessed)
    add_adjustment(assessment, _police(assessment, assessed), points="1", reason="补充材料", by=assessed.users["assessor"])
    freeze_assessment(assessment, by=assessed.users["assessor"])
    before = {s.pk: (s.cells, s.total, s.rank) for s in assessment.scores.all()}
    for target in assessed.households["shangxiatang"][1:]:  # 派出所 visits its two other households
        visit(assessed.campaign, target, assessed.officer, "2017-06-20")

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.FROZEN
    assert {s.pk: (s.cells, s.total, s.rank) for s in assessment.scores.all()} == before
    newer = _run(assessed)
    assert newer.number == 2
    assert _police(newer, assessed).cells["quota_completion"]["value"] == 100.0
    assert AuditEvent.objects.filter(object_id=str(assessment.public_id), summary__startswith="考核定稿").exists()


def test_a_frozen_assessment_refuses_every_change(assessed: Any) -> None:
    assessment = _run(assessed)
    freeze_assessment(assessment, by=assessed.users["assessor"])
    police = _police(assessment, assessed)

    with pytest.raises(AssessmentError, match="考核已定稿"):
        add_adjustment(assessment, police, points="3", reason="迟到的表彰", by=assessed.users["assessor"])
    with pytest.raises(AssessmentError, match="考核已定稿"):
        freeze_assessment(assessment, by=assessed.users["assessor"])
    assessment.title = "改名"
    with pytest.raises(FrozenAssessmentError):
        assessment.save()
    with pytest.raises(FrozenAssessmentError):
        assessment.delete()
    police.total = Decimal("99")
    with pytest.raises(FrozenAssessmentError):
        police.save()
    with pytest.raises(FrozenAssessmentError):
        Score(assessment=assessment, level="unit", label="新增").save()
    assert Assessment.objects.get(pk=assessment.pk).title == "2017年度考核"
    assert _police(assessment, assessed).total == Decimal("43.73")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
@pytest.mark.parametrize("statement", [
    "UPDATE assessment_assessment SET title = 'x' WHERE id = %(a)s",
    "DELETE FROM assessment_assessment WHERE id = %(a)s",
    "UPDATE assessment_score SET total = 100 WHERE assessment_id = %(a)s",
    "DELETE FROM assessment_score WHERE assessment_id = %(a)s",
    "INSERT INTO assessment_score (assessment_id, level, label, sort_order, cells, adjustment) "
    "VALUES (%(a)s, 'unit', 'x', 0, '{}', 0)",
    "UPDATE assessment_adjustment SET points = 50 WHERE assessment_id = %(a)s",
])
def test_the_database_refuses_to_change_a_frozen_assessment(assessed: Any, statement: str) -> None:
    assessment = _run(assessed)
    add_adjustment(assessment, _police(assessment, assessed), points="1", reason="补充材料", by=assessed.users["assessor"])
    freeze_assessment(assessment, by=assessed.users["assessor"])

    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement % {"a": assessment.pk})


def test_the_database_lets_a_draft_change(assessed: Any) -> None:
    assessment = _run(assessed)

    Score.objects.filter(assessment=assessment).update(total=1)
    Assessment.objects.filter(pk=assessment.pk).update(title="草稿改名")

    assert Assessment.objects.get(pk=assessment.pk).title == "草稿改名"


@pytest.mark.parametrize("who", ["office", "leader", "dept", "village", "auditor", "outsider"])
def test_only_the_assessor_runs_adjusts_and_freezes(assessed: Any, who: str) -> None:
    assessment = _run(assessed)

    with pytest.raises(PermissionDenied):
        _run(assessed, by=who)
    with pytest.raises(PermissionDenied):
        add_adjustment(assessment, _police(assessment, assessed), points="1", reason="x", by=assessed.users[who])
    with pytest.raises(PermissionDenied):
        freeze_assessment(assessment, by=assessed.users[who])
    assert Assessment.objects.count() == 1


def test_it_refuses_a_period_outside_the_campaign(assessed: Any) -> None:
    with pytest.raises(AssessmentError, match="考核期应在活动期间"):
        run_assessment(assessed.campaign, starts_on=dt.date(2016, 1, 1), ends_on=END, title="", by=assessed.users["assessor"])
    with pytest.raises(AssessmentError, match="考核期止不能早于考核期起"):
        run_assessment(assessed.campaign, starts_on=END, ends_on=START, title="", by=assessed.users["assessor"])
    assert not Assessment.objects.exists()
