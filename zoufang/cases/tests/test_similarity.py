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
    groups = similarity.period_clusters(Case.objects.all()).clusters
    assert [g.size for g in groups] == [3, 2]
    assert [g.keywords for g in groups] == [["路灯不亮"], ["企业招工难"]]


def test_a_groups_shared_words_are_its_phrases_as_written_never_characters_across_a_comma_or_a_word():
    """The leader reads what a group says alike: its clauses' common runs, not bigrams such as 乐希 (农家乐，希望)
    or 到指 (得到指导) that no one wrote as a word."""
    assert similarity.shared_phrases(["想开办农家乐，希望在证照办理上得到指导"] * 20) == [
        "希望在证照办理上得到指导", "想开办农家乐"]
    assert similarity.shared_phrases(["村道路灯损坏多处，夜间出行不便", "村道路灯坏了，晚上出行不便", "路灯坏了出行不便"]) == [
        "出行不便", "村道路灯", "路灯坏了"]
    assert similarity.shared_phrases(["村口路灯不亮", "企业用工招聘难"]) == []


def _lamps(make_case, n, start=0):
    for i in range(start, start + n):
        make_case(f"第{i}号路灯不亮，晚上出行不便")


def test_a_periods_groups_hold_every_alike_case_and_list_the_first(cases_town, make_case, monkeypatch):
    """Five alike cases, two of another kind, four unlike: the group counts five, lists SHOWN_CASES and names the
    villages of all five; only the largest SHOWN_CLUSTERS groups are listed, all are counted."""
    monkeypatch.setattr(similarity, "SHOWN_CLUSTERS", 1)
    monkeypatch.setattr(similarity, "SHOWN_CASES", 3)
    for text in ("上下塘社区路灯不亮", "路灯不亮，晚上看不见路", "东街路灯不亮好几天了", "西街路灯不亮没人修"):
        make_case(text)
    make_case("村口路灯不亮", target=cases_town.households["jijiadun"][0])
    make_case("企业招工难，缺技术工人")
    make_case("企业招工难，希望政府搭建平台")
    for text in ("建议增设健身器材", "河道垃圾无人清理", "小区门口积水", "医保报销手续繁琐"):
        make_case(text)
    period = similarity.period_clusters(Case.objects.all())
    assert (period.found, period.examined, period.capped) == (2, 11, False)
    [lamps] = period.clusters
    assert lamps.size == 5
    assert len(lamps.cases) == 3
    assert lamps.unshown == 2
    assert lamps.villages == ["上下塘社区", "计家墩村"]
    assert lamps.keywords == ["路灯不亮"]  # not 街路灯不亮, which two of the five write


def test_the_page_says_how_many_it_grouped_and_when_it_grouped_only_the_latest(client, cases_town, make_case,
                                                                                monkeypatch):
    monkeypatch.setattr(similarity, "POOL", 5)
    _lamps(make_case, 7)
    client.force_login(cases_town.users["office"])
    page = client.get("/cases/shared/?start=2017-06-01&end=2017-06-15").content.decode()
    assert "期间共 7 件，内容相近的有 <b>1</b> 组" in page
    assert "期间件数较多，只梳理了最近收集的 5 件；缩短日期范围可梳理得更全。" in page
    assert page.count("号路灯不亮，晚上出行不便") == 5  # the cases listed, not the shared phrases above them
    assert '<span class="chip">晚上出行不便</span>、<span class="chip">号路灯不亮</span>' in page  # phrases apart


def test_the_shared_problems_page_costs_the_same_queries_for_few_cases_as_for_many(client, cases_town, make_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cases_town.users["office"])

    def queries():
        client.get("/cases/shared/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cases/shared/").status_code == 200
        return len(captured)

    _lamps(make_case, 3)
    make_case("企业招工难，缺技术工人")
    make_case("企业招工难，希望政府搭建平台")
    few = queries()
    _lamps(make_case, 20, start=3)
    for i in range(5):
        make_case(f"河道{i}段垃圾无人清理")
    assert queries() == few
