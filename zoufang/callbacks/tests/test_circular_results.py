"""The 通报's 回访抽查情况 (seed 000 §三(三) 抽查结果将予以通报): the calls that got through and the people's
satisfaction, by unit and by village, from the batch page's figures, and what the office did about the dissatisfied."""

import pytest

from zoufang.callbacks import findings
from zoufang.callbacks.tests.conftest import MAY
from zoufang.callbacks.tests.test_dissatisfied import _unsatisfied, batch  # noqa: F401 - the called batch

pytestmark = pytest.mark.django_db


def test_the_circular_counts_the_calls_reached_and_the_satisfaction_by_unit_and_village(sampling, batch):  # noqa: F811
    from zoufang.documents import content

    findings.follow_up_dissatisfied(_unsatisfied(batch), by=sampling.users["office"], note="已上门解释")
    found = content.callback_results(sampling.town.campaign, MAY.starts_on, MAY.ends_on, number=4)

    assert found is not None
    sampled = batch.samples.count()
    # Four called: three answered (满意, 不满意, 基本满意), one no answer (not settled: still to call again).
    assert f"本期第三方回访抽查走访{sampled}次，已回访3次（接通3次）" in found["text"]
    assert "对走访满意1人、基本满意1人、不满意1人，满意率66.7%；不满意的1人走访办已跟进1人。" in found["text"]
    assert "各村（社区）回访抽查情况见附件表5。" in found["text"]
    by_unit, by_village = found["blocks"][1], found["blocks"][2]
    assert by_unit["header"] == ["单位", "抽查", "接通", "走访属实", "未接受走访", "方式不符", "满意率（%）", "核实未走访"]
    assert by_unit["rows"][-1] == ["合计", sampled, 3, 3, 0, 0, "66.7", 0]
    assert (by_unit["number"], by_village["number"]) == (4, 5)
    assert by_village["header"][0] == "村（社区）"
    assert by_village["rows"][-1] == by_unit["rows"][-1]
    assert {row[0] for row in by_village["rows"][:-1]} <= {"上下塘社区", "计家墩村"}
    assert sum(row[1] for row in by_village["rows"][:-1]) == sampled
