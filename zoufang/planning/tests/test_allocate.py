from collections import Counter

from zoufang.planning.allocate import place, split_in_range, spread_evenly


def test_it_splits_84_households_over_10_people_as_4_nines_and_6_eights():
    split = split_in_range(84, list(range(10)), 8, 9)
    assert sorted(Counter(split.counts.values()).items()) == [(8, 6), (9, 4)]
    assert not split.relaxed
    assert not split.shortfall


def test_it_gives_the_first_people_the_maximum_as_the_seeds_table_does():
    # 附件4-2: 经服中心 13 party members, 37 enterprises = 11 × 3 + 2 × 2
    split = split_in_range(37, list(range(13)), 2, 3)
    assert list(split.counts.values()) == [3] * 11 + [2] * 2


def test_it_relaxes_and_says_so_when_a_decided_total_is_below_everyones_minimum():
    # 附件4-1: 锦溪中学 22 party members, 168 resident households < 22 × 8
    split = split_in_range(168, list(range(22)), 8, 9, must_take_all=True)
    assert sum(split.counts.values()) == 168
    assert split.relaxed == dict.fromkeys(range(14, 22), 7)


def test_it_reports_a_shortfall_beyond_everyones_maximum():
    split = split_in_range(10, ["a", "b"], 2, 3)
    assert split.counts == {"a": 3, "b": 3}
    assert split.shortfall == 4


def test_it_places_units_in_few_villages_and_keeps_what_they_hold():
    pairs, unplaced = place({"u1": 10, "u2": 5}, {"v1": 5, "v2": 10})
    assert pairs == {("u1", "v2"): 10, ("u2", "v1"): 5}
    assert not unplaced
    pairs, _ = place({"u1": 10, "u2": 5}, {"v1": 5, "v2": 10}, held={("u1", "v1"): 5})
    assert pairs[("u1", "v1")] == 5


def test_it_spreads_a_leaders_50_households_evenly_over_the_villages_with_room():
    assert spread_evenly(50, [400, 300, 200, 100, 90]) == [10, 10, 10, 10, 10]  # 附件3-1: 王文, five villages
    assert spread_evenly(50, [140, 200, 0]) == [25, 25, 0]  # nothing left in the third: a 0 row
    assert spread_evenly(50, [100, 100, 100]) == [17, 17, 16]
    assert spread_evenly(50, [5, 100, 100]) == [5, 23, 22]
    assert spread_evenly(50, [10, 10]) == [10, 10]  # the rest is the caller's to place elsewhere
    assert spread_evenly(0, [3, 3]) == [0, 0]
