"""Character n-grams find likely duplicates and shared problems without word segmentation."""

import pytest

from zoufang.cases import similarity
from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db


def test_it_scores_alike_chinese_texts_high_and_unrelated_ones_low():
    alike = similarity.similarity("村口路灯不亮，晚上出行不便", "村口的路灯坏了不亮")
    unrelated = similarity.similarity("村口路灯不亮", "企业用工招聘难")
    assert alike > 0.3 > unrelated


def test_it_clusters_a_periods_cases_by_text(cases_town, make_case):
    for text in ("上下塘社区路灯不亮", "路灯不亮，晚上看不见路", "东街路灯不亮好几天了",
                 "企业招工难，缺技术工人", "企业招工难，希望政府搭建平台", "建议增设健身器材"):
        make_case(text)
    groups = similarity.period_clusters(Case.objects.all())
    assert [g.size for g in groups] == [3, 2]
    assert "路灯" in groups[0].keywords
