"""Each flag fires on its pattern and not on the honest look-alike (small hand-made cases, no database)."""

import datetime as dt
from typing import Any

from zoufang.integrity import flags
from zoufang.integrity.config import DEFAULTS, Thresholds
from zoufang.regions.positions import distance_m
from zoufang.visits.models import Visit

BEIJING = dt.timezone(dt.timedelta(hours=8))
LIMITS = Thresholds(DEFAULTS)
VILLAGE = (31.170000, 120.880000)
_ids = iter(range(1, 10_000))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2017, 6, day, hour, minute, tzinfo=BEIJING)


def near(point: tuple[float, float], north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
    return (point[0] + north_m / 111_320, point[1] + east_m / 95_300)


def visit(when: dt.datetime, *, recorded: dt.datetime | None = None, mode: str = Visit.Mode.HOME,
          summary: str = "", target: int | None = None, target_position: tuple[float, float] | None = None,
          position: tuple[float, float] | None = None, source: str = "imported", accuracy: float = 0,
          answers: dict[str, Any] | None = None, free_text: list[str] | None = None) -> flags.VisitRow:
    number = next(_ids)
    return flags.VisitRow(
        id=number, cadre_id=1, target_id=target or number, target_name=f"户{number}", at=when,
        recorded=recorded or when + dt.timedelta(minutes=20), mode=mode, summary=summary, position=position,
        accuracy=accuracy, target_position=target_position, target_position_source=source,
        answers=answers or {}, free_text=free_text or [])


def kinds(found: list[flags.Flag]) -> list[str]:
    return [f.key.split(":")[0] + ":" + f.key.split(":")[1] for f in found]


# --- pace ---------------------------------------------------------------------------------------------------

def dense_afternoon() -> list[flags.VisitRow]:
    """An honest afternoon in a dense village: a house every 12 minutes, neighbours 40 m apart."""
    return [visit(at(14, 13, 30) + dt.timedelta(minutes=12 * i), target_position=near(VILLAGE, east_m=40 * i))
            for i in range(15)]


def test_a_dense_afternoon_is_not_impossible_pace():
    assert flags.pace_flags(1, dense_afternoon(), LIMITS) == []


def test_more_home_visits_in_an_hour_than_can_be_walked_is_flagged_once_for_the_run():
    rows = [visit(at(14, 9) + dt.timedelta(minutes=5 * i)) for i in range(10)]
    found = flags.pace_flags(1, rows, LIMITS)
    hourly = [f for f in found if f.key.startswith("pace:hour")]
    assert len(hourly) == 1
    assert len(hourly[0].visit_ids) == 10
    assert "入户走访 10 户" in hourly[0].evidence
    assert "6 户" in hourly[0].evidence


def test_two_home_visits_a_minute_apart_overlap():
    rows = [visit(at(14, 10)), visit(at(14, 10, 1))]
    assert kinds(flags.pace_flags(1, rows, LIMITS)) == ["pace:overlap"]
    # The same household recorded twice (a second questionnaire) is not two places at once.
    same = [visit(at(14, 10), target=77), visit(at(14, 10, 1), target=77)]
    assert flags.pace_flags(1, same, LIMITS) == []


def test_targets_kilometres_apart_minutes_apart_are_flagged_but_not_with_time_to_drive():
    far = near(VILLAGE, north_m=4000)
    rows = [visit(at(14, 10), target_position=VILLAGE), visit(at(14, 10, 6), target_position=far)]
    found = flags.pace_flags(1, rows, LIMITS)
    assert kinds(found) == ["pace:far"]
    assert "4.0 公里" in found[0].evidence
    honest = [visit(at(14, 10), target_position=VILLAGE), visit(at(14, 10, 20), target_position=far)]
    assert flags.pace_flags(1, honest, LIMITS) == []


def test_phone_visits_allowed_by_the_campaign_are_not_judged_for_pace():
    rows = [visit(at(14, 9) + dt.timedelta(minutes=2 * i), mode=Visit.Mode.PHONE) for i in range(20)]
    assert flags.pace_flags(1, [r for r in rows if r.mode == Visit.Mode.HOME], LIMITS) == []


# --- distance -----------------------------------------------------------------------------------------------

def test_recorded_far_from_the_target_falls_in_the_100_and_300_metre_bands():
    door = near(VILLAGE, east_m=500)
    rows = [visit(at(14, 10), target_position=door, position=near(door, north_m=30)),
            visit(at(14, 11), target_position=door, position=near(door, north_m=180)),
            visit(at(14, 12), target_position=door, position=near(door, north_m=900))]
    found = {f.visit_ids[0]: f for f in flags.distance_flags(rows, LIMITS)}
    assert set(found) == {rows[1].id, rows[2].id}
    assert found[rows[1].id].weight == flags.NOTICE
    assert found[rows[2].id].weight == flags.SERIOUS
    assert "约 180 米" in found[rows[1].id].evidence


def test_a_poor_gps_fix_or_a_village_centre_position_is_not_held_against_the_cadre():
    door = near(VILLAGE, east_m=500)
    blurred = visit(at(14, 10), target_position=door, position=near(door, north_m=250), accuracy=200)
    in_village = visit(at(14, 11), target_position=VILLAGE, position=near(VILLAGE, north_m=900), source="village")
    assert flags.distance_flags([blurred, in_village], LIMITS) == []
    elsewhere = visit(at(14, 12), target_position=VILLAGE, position=near(VILLAGE, north_m=6000), source="village")
    assert [f.visit_ids for f in flags.distance_flags([elsewhere], LIMITS)] == [[elsewhere.id]]
    assert distance_m(*VILLAGE, *near(VILLAGE, north_m=6000)) > 5900
    # Written up at home that evening: the phone's position is the cadre's home, not the door.
    evening = visit(at(14, 15), recorded=at(14, 21), target_position=door, position=near(door, north_m=3000))
    assert flags.distance_flags([evening], LIMITS) == []


# --- recorded late, in bulk ----------------------------------------------------------------------------------

def test_written_up_in_the_evening_is_honest_but_weeks_later_in_one_sitting_is_bulk():
    evening = [visit(at(14, 9 + i), recorded=at(14, 21, i)) for i in range(8)]
    assert flags.late_bulk_flags(1, evening, LIMITS) == []
    sitting = [visit(at(1 + i, 10), recorded=at(20, 21, 2 * i)) for i in range(7)]
    found = flags.late_bulk_flags(1, sitting, LIMITS)
    assert len(found) == 1
    assert len(found[0].visit_ids) == 7
    assert "一次补录 7 次" in found[0].evidence
    # A few late ones here and there are not a batch.
    scattered = [visit(at(1 + i, 10), recorded=at(10 + i, 21)) for i in range(7)]
    assert flags.late_bulk_flags(1, scattered, LIMITS) == []
    # One busy outing written up three days later in one sitting: one day's visits, not a desk.
    outing = [visit(at(10, 13) + dt.timedelta(minutes=20 * i), recorded=at(13, 20, 3 * i)) for i in range(7)]
    assert flags.late_bulk_flags(1, outing, LIMITS) == []


# --- night --------------------------------------------------------------------------------------------------

def test_a_home_visit_at_night_is_flagged_but_not_one_written_up_at_night():
    late_visit = visit(at(14, 23, 10))
    written_late = visit(at(14, 19, 30), recorded=at(14, 23, 40))
    found = flags.night_flags([late_visit, written_late], LIMITS)
    assert [f.visit_ids for f in found] == [[late_visit.id]]
    # A night that does not wrap past midnight (0 to 5 o'clock) is read as such.
    small_hours = Thresholds({**DEFAULTS, "night": {"from_hour": 0, "to_hour": 5}})
    assert flags.night_flags([late_visit, written_late, visit(at(15, 4))], small_hours)[0].evidence.startswith("2017年6月15日 04:00")
    assert len(flags.night_flags([late_visit, written_late], small_hours)) == 0


# --- copied text --------------------------------------------------------------------------------------------

HONEST_SUMMARIES = [
    "老人腿脚不便，儿子在昆山打工，反映村道路灯坏了两盏",
    "家中新添孙子，想了解新农合缴费和疫苗接种的时间",
    "承包鱼塘二十亩，今年水价上涨，希望合作社统一收购",
    "户主刚做完白内障手术，恢复良好，对村卫生室服务满意",
    "女儿今年高考，家长咨询助学贷款政策，已留联系卡",
    "房屋漏雨，申请农房翻建补助，材料已交村委会",
    "夫妻都在镇上厂里上班，对周边治安满意，无其他诉求",
    "邻里因排水沟堵塞有矛盾，建议村里组织清淤",
]


def test_a_cadre_with_varied_words_is_not_copying_even_when_writing_to_a_pattern():
    rows = [visit(at(14, 9, i), summary=text) for i, text in enumerate(HONEST_SUMMARIES)]
    # Everybody begins “走访…户” and short notes such as “无诉求” are too short to judge.
    rows += [visit(at(15, 9, i), summary=f"走访{name}户，了解家庭近况") for i, name in enumerate("张王李赵钱孙")]
    rows += [visit(at(16, 9, i), summary="无诉求") for i in range(6)]
    assert flags.copied_text_flags(1, rows, LIMITS) == []


def test_the_same_or_nearly_the_same_text_across_visits_is_flagged_with_an_example():
    template = "了解家庭生产生活情况，宣传惠民政策，征求意见建议，群众对村里工作总体满意"
    rows = [visit(at(14, 9, i), summary=text) for i, text in enumerate(HONEST_SUMMARIES)]
    rows += [visit(at(15, 9, i), summary=template + ("。" if i % 2 else "！")) for i in range(4)]
    rows += [visit(at(16, 9, 0), summary=template.replace("总体满意", "比较满意"))]
    found = flags.copied_text_flags(1, rows, LIMITS)
    assert len(found) == 1
    assert len(found[0].visit_ids) == 5
    assert "了解家庭生产生活情况" in found[0].evidence


def test_copied_free_text_answers_are_flagged_too():
    rows = [visit(at(14, 9, i), summary=text, free_text=["企业经营正常，暂无困难，对政府服务满意，希望继续支持"])
            for i, text in enumerate(HONEST_SUMMARIES)]
    assert [f.key.split(":")[1] for f in flags.copied_text_flags(1, rows, LIMITS)] == ["answers"]


# --- straight-lining ----------------------------------------------------------------------------------------

def test_identical_answers_on_every_visit_are_straight_lining_but_mostly_satisfied_is_not():
    same = {"household_survey": {"income_change": "same", "satisfaction": "satisfied"}}
    rows = [visit(at(14, 9, i), answers=same) for i in range(10)]
    words = {"household_survey": flags.FormWords("群众入户调查表", {
        "income_change": ("家庭收入变化", {"same": "持平", "up": "增加"}), "satisfaction": ("满意度", {"satisfied": "满意"})})}
    found = flags.straight_lining_flags(1, rows, LIMITS, words)
    assert "《群众入户调查表》10 次" in found[0].evidence
    assert "家庭收入变化：持平；满意度：满意" in found[0].evidence
    assert len(found) == 1
    assert len(found[0].visit_ids) == 10
    honest = rows[:9] + [visit(at(14, 10), answers={"household_survey": {"income_change": "up",
                                                                         "satisfaction": "satisfied"}})]
    assert flags.straight_lining_flags(1, honest, LIMITS) == []
    assert flags.straight_lining_flags(1, rows[:5], LIMITS) == []  # too few to tell
