"""The counts, scores, months and comments on the hand-counted fixture (conftest.py's table)."""

import pytest

from zoufang.ratings import figures

pytestmark = pytest.mark.django_db


def test_it_counts_each_departments_grades_per_aspect_as_counted_by_hand(rated):
    ratings = figures.campaign_ratings(rated.town.campaign)
    assert ratings.aspects == ["服务意识", "服务效率", "廉洁履职"]
    by_name = {u.unit.name: u for u in ratings.units}
    police = by_name["派出所"]
    assert police.answers == 2
    assert dict(police.aspect("服务意识").counts) == {"good": 1, "poor": 1}
    assert dict(police.aspect("服务效率").counts) == {"fairly_good": 1, "average": 1}
    assert dict(police.aspect("廉洁履职").counts) == {"good": 2}
    assert police.overall.total == 6
    assert police.overall.score == 73.3  # (3×100 + 80 + 60 + 0) / 6
    assert police.overall.favourable == 66.7  # 4 of 6 are 好 or 较好
    assert police.aspect("服务意识").score == 50.0
    assert by_name["上下塘社区居委会"].overall.score == 100.0
    assert by_name["镇党政班子"].overall.score == 46.7  # (80 + 60 + 0) / 3
    # Worst first.
    assert [u.unit.name for u in ratings.units] == ["镇党政班子", "派出所", "上下塘社区居委会"]
    assert ratings.total.overall.total == 12
    assert ratings.total.overall.score == 73.3  # 880 / 12
    assert [(g, n) for g, _label, n in ratings.total.overall.distribution()] == [
        ("good", 6), ("fairly_good", 2), ("average", 2), ("poor", 2)]


def test_the_campaign_s_aspect_scores_are_the_mean_of_all_its_grades_counted_by_hand(rated):
    """分项得分's 合计 row: each aspect's mean over every grade given (not the mean of the departments' scores),
    and the 差 summed."""
    total = figures.campaign_ratings(rated.town.campaign).total
    # 服务意识: 好 差 好 较好 = (100 + 0 + 100 + 80) / 4; the departments' scores 50, 100, 80 would average 76.7.
    assert total.aspect("服务意识").score == 70.0
    assert total.aspect("服务效率").score == 75.0  # 较好 一般 好 一般 = (80 + 60 + 100 + 60) / 4
    assert total.aspect("廉洁履职").score == 75.0  # 好 好 好 差 = (100 + 100 + 100 + 0) / 4
    assert total.poor == 2  # 派出所's 服务意识, 镇党政班子's 廉洁履职


def test_it_counts_per_month_of_the_visit(rated):
    police = next(u for u in figures.campaign_ratings(rated.town.campaign).units if u.unit.name == "派出所")
    months = {month: tally for month, tally in police.month_rows()}
    assert list(months) == ["2017-05", "2017-06"]
    assert months["2017-05"].score == 93.3  # 好 好 较好
    assert months["2017-06"].score == 53.3  # 差 一般 好


def test_it_keeps_the_old_wordings_answers_apart_without_mapping_them(rated):
    ratings = figures.campaign_ratings(rated.town.campaign)
    police = next(u for u in ratings.units if u.unit.name == "派出所")
    assert police.old_answers == 1
    assert ratings.total.old_answers == 1
    assert dict(police.old_scale) == {"服务意识": {"不满意": 1}, "服务效率": {"基本满意": 1}, "廉洁履职": {"满意": 1}}
    assert police.overall.total == 6  # the old answer is in none of the four grades


def test_it_lists_the_comments_worst_first_with_numbers_masked(rated):
    comments = figures.comment_rows(figures.comments(rated.town.campaign))
    assert [c.unit.name for c in comments][:2] == ["镇党政班子", "派出所"]  # both 差: the later day first
    police = next(c for c in comments if "民警" in c.reason)
    assert "138****5678" in police.reason
    assert "13812345678" not in police.reason
    assert any(c.advice == "希望多组织银企对接" for c in comments)


def test_a_department_sees_only_its_own_figures(rated):
    ratings = figures.campaign_ratings(rated.town.campaign, frozenset({rated.town.police.pk}))
    assert [u.unit.name for u in ratings.units] == ["派出所"]
    assert ratings.total.overall.total == 6
