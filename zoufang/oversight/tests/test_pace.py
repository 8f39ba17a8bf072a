"""What a pace rule wants visited by a day, for every form a campaign can write (oversight/pace.py): counted by
hand for each form, and Python against the database's arithmetic over many rules, days and assigned totals."""

import datetime as dt
import random
from fractions import Fraction
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Value

from zoufang.campaigns.models import Campaign
from zoufang.oversight import figures
from zoufang.oversight.pace import (
    Milestone,
    PaceRule,
    checkpoints,
    describe,
    due_basis,
    due_sql,
    next_checkpoint,
    pace_due,
    pace_rule,
)

D = dt.date
HOUSEHOLDS = ("registered_household", "resident_household")
SEED_000 = PaceRule(D(2017, 5, 1), D(2017, 9, 30), Fraction(1, 5), HOUSEHOLDS)
# 千灯镇: 4月底前完成30%，6月底前完成70%，9月底前全部完成 (counted from the 集中走访's start).
QIANDENG = PaceRule(D(2019, 3, 16), D(2019, 9, 30), None, HOUSEHOLDS,
                    milestones=(Milestone(D(2019, 4, 30), Fraction(3, 10), "30%"),
                                Milestone(D(2019, 6, 30), Fraction(7, 10), "70%")))
QUARTERLY = PaceRule(D(2019, 1, 15), D(2019, 12, 31), Fraction(1, 4), HOUSEHOLDS, every="quarter")
# Households 1/5 a month from May; enterprises all by 30 June (spread over May and June).
BY_KIND = PaceRule(D(2017, 5, 1), D(2017, 9, 30), None, (*HOUSEHOLDS, "enterprise"), by_kind=(
    SEED_000, PaceRule(D(2017, 5, 1), D(2017, 6, 30), None, ("enterprise",))))


def test_a_share_per_quarter_counts_the_quarters_ended() -> None:
    # 10 assigned: ⌈10 × 1/4⌉ = 3 a quarter; the first quarter counts from 15 January and ends on 31 March.
    due = {day: pace_due(QUARTERLY, 10, day) for day in (D(2019, 1, 14), D(2019, 3, 30), D(2019, 3, 31),
                                                          D(2019, 6, 30), D(2019, 9, 30), D(2019, 12, 30), D(2019, 12, 31))}
    assert list(due.values()) == [0, 0, 3, 6, 9, 9, 10]  # the fourth quarter ends with the year: all


def test_a_share_every_two_weeks_counts_fortnights_from_the_monday_of_the_start() -> None:
    # Saturday 16 March 2019: the first fortnight runs Monday 11 … Sunday 24 March. 25 assigned: ⌈2.5⌉ = 3 each.
    rule = PaceRule(D(2019, 3, 16), D(2019, 6, 30), Fraction(1, 10), HOUSEHOLDS, every="two_weeks")
    assert [pace_due(rule, 25, day) for day in (D(2019, 3, 15), D(2019, 3, 23), D(2019, 3, 24), D(2019, 4, 6),
                                                D(2019, 4, 7), D(2019, 4, 21))] == [0, 0, 3, 3, 6, 9]
    assert next_checkpoint(rule, D(2019, 3, 25)) == D(2019, 4, 7)


def test_a_share_per_week_counts_the_sundays() -> None:
    rule = PaceRule(D(2017, 5, 1), D(2017, 9, 30), Fraction(1, 25), HOUSEHOLDS, every="week")
    # 30 assigned: ⌈30 / 25⌉ = 2 a week, Monday to Sunday.
    assert [pace_due(rule, 30, day) for day in (D(2017, 5, 6), D(2017, 5, 7), D(2017, 5, 13), D(2017, 5, 14))] == [
        0, 2, 2, 4]
    assert next_checkpoint(rule, D(2017, 5, 3)) == D(2017, 5, 7)


def test_milestones_ask_their_cumulative_share_from_their_day() -> None:
    # 7 assigned: ⌈7 × 30%⌉ = 3 from 30 April, ⌈7 × 70%⌉ = 5 from 30 June, all 7 from 30 September.
    assert [pace_due(QIANDENG, 7, day) for day in (D(2019, 3, 31), D(2019, 4, 29), D(2019, 4, 30), D(2019, 6, 29),
                                                   D(2019, 6, 30), D(2019, 9, 29), D(2019, 9, 30))] == [
        0, 0, 3, 3, 5, 5, 7]
    assert next_checkpoint(QIANDENG, D(2019, 5, 15)) == D(2019, 6, 30)
    assert next_checkpoint(QIANDENG, D(2019, 7, 1)) == D(2019, 9, 30)
    assert next_checkpoint(QIANDENG, D(2019, 10, 8)) == D(2019, 10, 31)  # all due: any later day says the same


def test_a_share_and_milestones_together_want_the_larger() -> None:
    rule = PaceRule(D(2017, 5, 1), D(2017, 9, 30), Fraction(1, 10), HOUSEHOLDS,
                    milestones=(Milestone(D(2017, 6, 30), Fraction(1, 2), "1/2"),))
    # 20 assigned: 2 a month; half (10) from 30 June.
    assert [pace_due(rule, 20, day) for day in (D(2017, 5, 31), D(2017, 6, 30), D(2017, 7, 31))] == [2, 10, 10]


def test_rules_per_kind_add_up() -> None:
    counts = {"registered_household": 10, "resident_household": 5, "enterprise": 4, "project": 9}
    # Households: 15 → 3 a month. Enterprises: 4 over May and June → 2, then 4. Projects: no rule, never due.
    assert [pace_due(BY_KIND, counts, day) for day in (D(2017, 4, 30), D(2017, 5, 31), D(2017, 6, 15),
                                                       D(2017, 6, 30), D(2017, 9, 30))] == [0, 5, 5, 10, 19]
    with pytest.raises(ValueError, match="per kind"):
        pace_due(BY_KIND, 19, D(2017, 6, 30))
    assert next_checkpoint(BY_KIND, D(2017, 6, 15)) == D(2017, 6, 30)


def test_the_checkpoints_the_assessment_counts() -> None:
    year = (D(2019, 1, 1), D(2019, 12, 31))
    assert checkpoints(QIANDENG, *year) == [D(2019, 4, 30), D(2019, 6, 30), D(2019, 9, 30)]
    assert checkpoints(QUARTERLY, *year) == [D(2019, 3, 31), D(2019, 6, 30), D(2019, 9, 30), D(2019, 12, 31)]
    assert checkpoints(SEED_000, D(2017, 1, 1), D(2017, 7, 15)) == [D(2017, 5, 31), D(2017, 6, 30)]
    assert checkpoints(QIANDENG, D(2019, 5, 1), D(2019, 7, 15)) == [D(2019, 6, 30)]


def test_the_rule_in_words_as_the_campaign_wrote_it() -> None:
    assert describe(SEED_000) == "进度要求：自 2017年5月1日 起每月走访不少于分配总数的 1/5（向上取整），2017年9月30日前全部完成。"
    assert describe(QIANDENG) == ("进度要求：2019年4月30日前累计走访不少于分配总数的 30%，2019年6月30日前不少于 70%（向上取整），"
                                  "2019年9月30日前全部完成。")
    assert describe(QUARTERLY).startswith("进度要求：自 2019年1月15日 起每季度走访不少于分配总数的 1/4（向上取整）")
    assert describe(BY_KIND) == ("进度要求：户籍户、非户籍常住户：自 2017年5月1日 起每月走访不少于分配总数的 1/5（向上取整），"
                                 "2017年9月30日前全部完成；企业：2017年6月30日前全部完成，按月平均计算应完成数。")
    assert due_basis(QIANDENG) == "已到的进度节点"
    assert due_basis(BY_KIND) == "已结束的月份"


def test_the_campaign_s_block_reads_into_the_rule(db: Any) -> None:
    campaign = Campaign(slug="q", starts_on=D(2019, 3, 1), ends_on=D(2019, 11, 30), config={"pace": {
        "complete_by": "2019-09-30", "starts_on": "2019-03-16", "rules": [
            {"target_kinds": list(HOUSEHOLDS), "milestones": [{"by": "2019-06-30", "share": "70%"},
                                                              {"by": "2019-04-30", "share": "30%"}]},
            {"target_kinds": ["enterprise"], "every": "two_weeks", "min_share": "1/8", "complete_by": "2019-06-30"}]}})
    rule = pace_rule(campaign)
    households, enterprises = rule.parts
    assert households == PaceRule(D(2019, 3, 16), D(2019, 9, 30), None, HOUSEHOLDS, milestones=QIANDENG.milestones)
    assert (enterprises.every, enterprises.share, enterprises.share_text, enterprises.complete_by) == (
        "two_weeks", Fraction(1, 8), "1/8", D(2019, 6, 30))
    assert rule.kinds == (*HOUSEHOLDS, "enterprise")
    assert not rule.monthly


def _random_rule(rng: random.Random) -> PaceRule:
    """A rule of a random form: a share per period, milestones, both, or the even spread; sometimes per kind."""
    kinds = [("registered_household",), ("resident_household", "enterprise"), ("project",)]

    def one(kinds: tuple[str, ...]) -> PaceRule:
        start = D(2017, 1, 1) + dt.timedelta(days=rng.randrange(120))
        end = start + dt.timedelta(days=rng.randrange(20, 300)) if rng.random() < 0.9 else None
        share = Fraction(rng.randrange(1, 12), rng.randrange(12, 31)) if rng.random() < 0.6 else None
        steps = sorted(rng.sample(range(1, 200), rng.randrange(4))) if rng.random() < 0.5 else []
        shares = sorted(Fraction(rng.randrange(1, 100), 100) for _step in steps)
        milestones = tuple(Milestone(start + dt.timedelta(days=s), f, str(f)) for s, f in zip(steps, shares, strict=True))
        return PaceRule(start, end, share, kinds, every=rng.choice(["week", "two_weeks", "month", "quarter"]),
                        milestones=milestones)

    if rng.random() < 0.6:
        return one(rng.choice(kinds))
    parts = tuple(one(k) for k in rng.sample(kinds, rng.randrange(2, 4)))
    return PaceRule(min(p.starts_on for p in parts), max((p.complete_by for p in parts if p.complete_by),
                                                         default=None), None, (), by_kind=parts)


def test_the_database_s_due_is_python_s_for_every_form(db: Any) -> None:
    """Property-style: 120 random rules × 10 days (period ends, milestones, random days) × 12 assigned totals per
    kind, each (rule, day) in one statement. The behind-pace lists order by the SQL; the pages show the Python."""
    rng = random.Random(20170501)  # noqa: S311 — test data, reproducible
    one = ContentType.objects.filter(pk=ContentType.objects.order_by("pk").values("pk")[:1])
    kinds = ("registered_household", "resident_household", "enterprise", "project")
    checked = 0
    for _n in range(120):
        rule = _random_rule(rng)
        days = [D(2016, 12, 31), *(rng.choice(checkpoints(rule, D(2017, 1, 1), D(2018, 6, 30)) or [D(2017, 6, 30)])
                                   for _i in range(3)),
                *(D(2017, 1, 1) + dt.timedelta(days=rng.randrange(540)) for _i in range(6))]
        totals = [{kind: rng.choice([0, 1, 2, 3, 7, 12, 99, 108, 1001, rng.randrange(5000)]) for kind in kinds}
                  for _i in range(12)]
        for day in days:
            columns = {f"d{i}": due_sql(rule, day, lambda these, c=counts: Value(sum(c[k] for k in these)))
                       for i, counts in enumerate(totals)}
            in_sql = one.annotate(**columns).values_list(*columns).get()
            in_python = tuple(pace_due(rule, counts, day) for counts in totals)
            assert in_sql == in_python, (rule, day, totals)
            checked += len(totals)
    assert checked == 120 * 10 * 12


def test_the_behind_lists_order_a_rule_per_kind_as_the_rows_count_it(counted: Any) -> None:
    """The kept counts' behind list (due in SQL over a sum per rule) names the same rows, as far behind, as the
    coverage rows (due in Python over the counts per kind)."""
    campaign = counted.campaign
    campaign.config = {"pace": {"complete_by": "2017-09-30", "rules": [
        {"target_kinds": ["registered_household"], "milestones": [{"by": "2017-05-31", "share": "1/2"}]},
        {"target_kinds": ["enterprise"], "every": "week", "min_share": "1/2", "starts_on": "2017-05-01"}]}}
    campaign.save()
    for by in ("unit", "cadre"):
        in_sql, count = figures.behind(campaign, by, figures.clock.today())
        in_python = figures.coverage(campaign, by, figures.clock.today()).behind()
        assert [(row.label, row.pace.behind) for row in in_sql] == [(row.label, row.pace.behind) for row in in_python]
        assert count == len(in_python) > 0
