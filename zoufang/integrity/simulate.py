"""`zoufang integrity simulate`: the flags and a callback budget on a synthetic campaign, against random callbacks.

Nothing touches the database: the synthetic visits are VisitRows fed to the very functions the office's page
runs (flags.cadre_flags with the shipped thresholds). Every parameter is a field of `Parameters` below, written
down in docs/integrity.md, and was fixed before the first run; the thresholds are the shipped campaigns'.

Honest cadres work in sessions (a morning or an afternoon in one village, households a few minutes' walk apart,
10–35 minutes each), record on the spot, that evening, or now and then days later in one sitting; village cadres
do some visits by phone, as the campaigns allow; most phones give a position, with their own accuracy; summaries
are composed from a large pool of phrases, answers drawn from plausible shares. Fabricators make as many visits
but follow one pattern: desk entry in bulk, copied text (and identical answers), or claimed home visits that
never happened, recorded "on the spot" from the office. A callback of a visit that never happened is answered
“not visited” most of the time; one of a real visit now and then too (the office's verification sorts those out).
"""

import datetime as dt
import math
import random
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zoufang.integrity import flags
from zoufang.integrity.config import DEFAULTS, Thresholds
from zoufang.visits.models import Visit

BEIJING = dt.timezone(dt.timedelta(hours=8))
PATTERNS = ("desk_bulk", "copied_text", "phantom")


@dataclass(frozen=True)
class Parameters:
    cadres: int = 500
    visits_per_cadre: tuple[int, int] = (30, 52)  # uniform: 41 on average, so about 20,500 visits
    fabricator_share: float = 0.05  # of the cadres, split evenly over PATTERNS
    campaign_days: int = 60
    villages: int = 22
    village_ring_km: tuple[float, float] = (1.5, 5.0)  # villages around the town centre (the office)
    household_spread_m: float = 600  # households within this of their village's centre
    session_visits: tuple[int, int] = (2, 8)  # households a cadre visits in one half-day
    visit_minutes: tuple[int, int] = (10, 35)
    walking_kmh: float = 4.5
    # How honest cadres record a session: on the spot, that evening, or days later in one sitting.
    record_on_spot: float = 0.55
    record_evening: float = 0.40  # the rest (0.05): 2–4 days later
    phone_cadres: float = 0.4  # cadres (village cadres) whose campaign allows phone visits …
    phone_share: float = 0.25  # … for this share of their visits
    gps_on: float = 0.7  # cadres whose phone gives the page a position
    gps_accuracy_m: tuple[int, int] = (5, 60)
    village_positioned_targets: float = 0.15  # targets with only their village's centre as position
    short_summaries: float = 0.1  # honest “无诉求”-style notes, too short to compare
    # Fabricators.
    bulk_phantom_share: float = 0.7  # desk entry: visits that never happened
    bulk_sittings: tuple[int, int] = (1, 3)
    bulk_lag_days: tuple[int, int] = (3, 20)
    copied_phantom_share: float = 0.5
    copied_templates: tuple[int, int] = (1, 3)
    phantom_share: float = 0.4  # claimed home visits that never happened, recorded from the office
    # Callbacks.
    callback_rate: float = 0.05  # of all visits
    flagged_callback_share: float = 0.5  # at most this share of the budget goes to visits open flags point at …
    flagged_callbacks_per_cadre: int = 3  # … and at most this many per flagged cadre (added after the first run)
    phantom_says_not_visited: float = 0.8
    real_says_not_visited: float = 0.02
    flagged_score: int = flags.SERIOUS  # a cadre counts as flagged at this open-flag weight


@dataclass
class Cadre:
    id: int
    pattern: str  # "" for an honest cadre
    village: int
    gps: bool
    phone: bool
    home: tuple[float, float]


@dataclass
class World:
    parameters: Parameters
    rng: random.Random
    villages: list[tuple[float, float]] = field(default_factory=list)
    phantom: set[int] = field(default_factory=set)
    rows: dict[int, list[flags.VisitRow]] = field(default_factory=lambda: defaultdict(list))
    cadres: list[Cadre] = field(default_factory=list)
    next_id: int = 1


@dataclass
class Outcome:
    seed: int
    cadres: int
    visits: int
    fabricators: int
    honest: int
    caught_by_flags: int
    caught_with_callbacks: int
    caught_by_random_callbacks: int
    honest_flagged: int
    callbacks: int
    honest_not_visited_callbacks: int
    flagged_callbacks: int
    by_pattern: dict[str, tuple[int, int, int]]  # pattern: (cadres, caught by flags + callbacks, by random)
    seconds: float


OPENINGS = ["入户走访", "上门看望", "到家中走访", "与户主面谈", "走访了解", "上门宣传", "利用午后走访",
            "随村干部入户", "结合网格巡查入户", "晚饭前入户", "同党员中心户一起走访", "带联系卡上门"]
SITUATIONS = ["老人腿脚不便，{children}个子女都在外地打工", "家中新添孙子，想了解疫苗接种时间", "承包鱼塘{n}亩，今年水价上涨",
              "户主刚做完白内障手术，恢复良好", "女儿今年高考，咨询助学贷款", "房屋漏雨，想申请农房翻建补助",
              "夫妻都在镇上厂里上班，收入稳定", "邻里因排水沟堵塞有矛盾", "家里种了{n}亩葡萄，销路一般",
              "独居老人，低保已办理，身体尚可", "儿子退伍回乡，想找份工作", "家中有残疾人，想了解护理补贴",
              "租房户{tenants}人，在附近电子厂上班", "刚翻建好新房，对村里帮助很感谢", "孩子在镇中心小学读{grade}年级",
              "老伴去年过世，情绪低落", "准备开网店卖大闸蟹", "宅前屋后环境整治后很满意", "医保缴费方式不清楚",
              "门前路灯坏了{lamps}盏", "家里养了{n}头羊，担心环保检查", "外地媳妇户口迁入还没办好"]
# A note's small numbers within what a household has ({n} is any 2–30: 亩, 头羊); one draw of randint(2, 30) folded
# into each range, so the demo's later draws, and every figure its tests pin, stay as they were.
FEW = {"children": (2, 5), "grade": (1, 6), "lamps": (2, 5), "tenants": (2, 8)}
REQUESTS = ["希望村里协调解决", "已当场解释政策", "留下联系卡，约定下周回复", "建议增设公交站点",
            "反映的问题已记录转办", "希望多组织技能培训", "请求帮助联系医院", "无其他诉求", "希望加快审批",
            "对镇里工作表示满意", "建议河道定期清淤", "希望增加健身设施", "已联系村医上门", "提出想参加合作社"]
NAMES = "张王李赵陈周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
ANSWERS = {"income_change": (("same", 0.5), ("up", 0.35), ("down", 0.15)),
           "satisfaction": (("satisfied", 0.65), ("fair", 0.25), ("dissatisfied", 0.1)),
           "knows_policy": (("yes", 0.7), ("no", 0.3)),
           "needs": (("none", 0.5), ("medical", 0.15), ("employment", 0.15), ("housing", 0.1), ("other", 0.1))}
FORM = "household_survey"


def _offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    return (point[0] + north_m / 111_320, point[1] + east_m / (111_320 * math.cos(math.radians(point[0]))))


def _around(rng: random.Random, point: tuple[float, float], radius_m: float) -> tuple[float, float]:
    distance, angle = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return _offset(point, distance * math.cos(angle), distance * math.sin(angle))


def _pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if roll < total:
            return value
    return shares[-1][0]


def one_situation(rng: random.Random, situations: list[str] = SITUATIONS) -> str:
    """One situation of a visit note with its number: never 读22年级 or 30个子女."""
    template, drawn = rng.choice(situations), rng.randint(2, 30)
    return template.format(n=drawn, **{name: low + (drawn - 2) % (high - low + 1) for name, (low, high) in FEW.items()})


def honest_summary(rng: random.Random, short: float, who: str = "", situations: list[str] = SITUATIONS) -> str:
    """An honest cadre's note of one visit; `who` (else a made-up family) and `situations` let the demo's visits
    of real households and enterprises use the same composer."""
    if rng.random() < short:
        return rng.choice(["无诉求", "情况良好", "不在家，改日再访", "已走访，无问题"])
    situation = one_situation(rng, situations)
    opening = rng.choice(OPENINGS)
    who = who or f"{rng.choice(NAMES)}{rng.choice('家户')}"  # untranslated: simulated data (a household's name)
    return f"{opening}{who}，{situation}，{rng.choice(REQUESTS)}"


def honest_answers(rng: random.Random) -> dict[str, Any]:
    return {FORM: {question: _pick(rng, shares) for question, shares in ANSWERS.items()}}


TOWN = (31.183, 120.905)
START = dt.date(2017, 5, 1)


def build(parameters: Parameters, seed: int) -> World:
    rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not security
    world = World(parameters, rng)
    low, high = parameters.village_ring_km
    for index in range(parameters.villages):
        distance = 1000 * (low + (high - low) * math.sqrt((index + 1) / parameters.villages))
        angle = math.radians(137.508 * index)
        world.villages.append(_offset(TOWN, distance * math.cos(angle), distance * math.sin(angle)))
    fabricators = round(parameters.cadres * parameters.fabricator_share)
    patterns = [PATTERNS[i % len(PATTERNS)] for i in range(fabricators)] + [""] * (parameters.cadres - fabricators)
    rng.shuffle(patterns)
    for number, pattern in enumerate(patterns, start=1):
        village = rng.randrange(parameters.villages)
        cadre = Cadre(number, pattern, village, rng.random() < parameters.gps_on, rng.random() < parameters.phone_cadres,
                      _around(rng, world.villages[village], 2000))
        world.cadres.append(cadre)
        _visits(world, cadre)
    return world


def _visits(world: World, cadre: Cadre) -> None:
    p, rng = world.parameters, world.rng
    wanted = rng.randint(*p.visits_per_cadre)
    made = 0
    days = sorted(rng.sample(range(p.campaign_days), k=min(p.campaign_days, wanted)))
    for day_index in days:
        if made >= wanted:
            break
        size = min(rng.randint(*p.session_visits), wanted - made)
        day = START + dt.timedelta(days=day_index)
        start = dt.datetime.combine(day, dt.time(9 if rng.random() < 0.4 else 14, rng.randint(0, 59)), BEIJING)
        # Mostly the cadre's own village; now and then another.
        village = cadre.village if rng.random() < 0.7 else rng.randrange(p.villages)
        session = _session(world, cadre, village, start, size)
        _record(world, cadre, session)
        made += size


Door = tuple[float, float]


def _session(world: World, cadre: Cadre, village: int, start: dt.datetime,
             size: int) -> list[tuple[flags.VisitRow, Door]]:
    """One half-day's visits, each with the door it happened at."""
    p, rng = world.parameters, world.rng
    rows: list[tuple[flags.VisitRow, Door]] = []
    at, here = start, None
    for _number in range(size):
        door = _around(rng, world.villages[village], p.household_spread_m)
        if here is not None:
            walk = math.dist((here[0] * 111_320, here[1] * 95_300), (door[0] * 111_320, door[1] * 95_300))
            at += dt.timedelta(minutes=walk / (p.walking_kmh * 1000 / 60))
        coarse = rng.random() < p.village_positioned_targets
        phone = cadre.phone and rng.random() < p.phone_share
        row = flags.VisitRow(
            id=world.next_id, cadre_id=cadre.id, target_id=world.next_id, target_name=f"户{world.next_id}", at=at,  # untranslated: simulated data (a household's name)
            recorded=at, mode=Visit.Mode.PHONE if phone else Visit.Mode.HOME, summary=honest_summary(rng, p.short_summaries),
            position=None, accuracy=0.0, target_position=world.villages[village] if coarse else door,
            target_position_source="village" if coarse else "imported", answers=honest_answers(rng))
        world.next_id += 1
        rows.append((row, door))
        at += dt.timedelta(minutes=rng.randint(*p.visit_minutes))
        here = door
    return rows


def _record(world: World, cadre: Cadre, session: list[tuple[flags.VisitRow, Door]]) -> None:
    """When and where each visit of a session is recorded, by the cadre's pattern."""
    p, rng = world.parameters, world.rng
    world.rows[cadre.id].extend(row for row, _door in session)
    if cadre.pattern == "desk_bulk":
        for row, _door in session:
            if rng.random() < p.bulk_phantom_share:
                world.phantom.add(row.id)
        return  # recorded in sittings once every visit is made up: see _desk_sittings
    if cadre.pattern == "copied_text":
        for row, _door in session:
            if rng.random() < p.copied_phantom_share:
                world.phantom.add(row.id)
    roll = rng.random()
    evening = dt.datetime.combine(session[0][0].at.date(), dt.time(19, rng.randint(0, 59)), BEIJING)
    later = evening + dt.timedelta(days=rng.randint(2, 4), minutes=rng.randint(0, 120))
    for index, (row, door) in enumerate(session):
        fake = cadre.pattern == "phantom" and row.mode == Visit.Mode.HOME and rng.random() < p.phantom_share
        if fake:
            world.phantom.add(row.id)
        if fake or roll < p.record_on_spot:
            row.recorded = row.at + dt.timedelta(minutes=rng.randint(1, 10))
            where = TOWN if fake else door  # the phantom visit is typed in at the office, “on the spot”
            if cadre.gps and row.mode == Visit.Mode.HOME:
                accuracy = rng.randint(*p.gps_accuracy_m)
                row.position, row.accuracy = _around(rng, where, accuracy), float(accuracy)
        elif roll < p.record_on_spot + p.record_evening:
            row.recorded = evening + dt.timedelta(minutes=4 * index + rng.randint(0, 3))
            if cadre.gps:
                row.position, row.accuracy = cadre.home, 20.0
        else:
            row.recorded = later + dt.timedelta(minutes=4 * index + rng.randint(0, 3))
            if cadre.gps:
                row.position, row.accuracy = cadre.home, 20.0


def _desk_sittings(world: World, cadre: Cadre) -> None:
    p, rng = world.parameters, world.rng
    rows = sorted(world.rows[cadre.id], key=lambda r: r.at)
    sittings = rng.randint(*p.bulk_sittings)
    size = math.ceil(len(rows) / sittings)
    for first in range(0, len(rows), size):
        batch = rows[first:first + size]
        sitting = dt.datetime.combine(batch[-1].at.date(), dt.time(20, rng.randint(0, 59)), BEIJING)
        sitting += dt.timedelta(days=rng.randint(*p.bulk_lag_days))
        for index, row in enumerate(batch):
            row.recorded = sitting + dt.timedelta(minutes=index * rng.randint(1, 3))
            if cadre.gps and row.mode == Visit.Mode.HOME:
                row.position, row.accuracy = _around(rng, TOWN, 30), 30.0


def _copy_text(world: World, cadre: Cadre) -> None:
    rng = world.rng
    templates = [f"{honest_summary(rng, 0)}，{honest_summary(rng, 0)}"
                 for _ in range(rng.randint(*world.parameters.copied_templates))]
    answers = honest_answers(rng)
    for row in world.rows[cadre.id]:
        text = rng.choice(templates)
        if rng.random() < 0.5:  # a character changed here and there
            cut = rng.randrange(len(text))
            text = text[:cut] + rng.choice(NAMES) + text[cut + 1:]
        row.summary, row.answers = text, {FORM: dict(answers[FORM])}


def simulate(seed: int, parameters: Parameters | None = None) -> Outcome:
    started = time.monotonic()
    p = parameters or Parameters()
    world = build(p, seed)
    for cadre in world.cadres:
        if cadre.pattern == "desk_bulk":
            _desk_sittings(world, cadre)
        elif cadre.pattern == "copied_text":
            _copy_text(world, cadre)
    limits = Thresholds(DEFAULTS)
    flagged_visits: dict[int, list[int]] = {}
    flagged: set[int] = set()
    for cadre in world.cadres:
        found = flags.cadre_flags(cadre.id, sorted(world.rows[cadre.id], key=lambda r: (r.at, r.id)), limits)
        if sum(f.weight for f in found) >= p.flagged_score:
            flagged.add(cadre.id)
        visits = sorted({v for f in found for v in f.visit_ids})
        if visits:
            flagged_visits[cadre.id] = visits
    every = [row for rows in world.rows.values() for row in rows]
    budget = round(p.callback_rate * len(every))
    drawn, flagged_drawn = _weighted_draw(world, every, flagged_visits, budget)
    random_draw = world.rng.sample([r.id for r in every], budget)
    weighted_caught, weighted_false = _callbacks(world, drawn)
    random_caught, _false = _callbacks(world, random_draw)
    fabricators = [c for c in world.cadres if c.pattern]
    honest = [c for c in world.cadres if not c.pattern]
    by_pattern = {
        pattern: (sum(1 for c in fabricators if c.pattern == pattern),
                  sum(1 for c in fabricators if c.pattern == pattern and (c.id in flagged or c.id in weighted_caught)),
                  sum(1 for c in fabricators if c.pattern == pattern and c.id in random_caught))
        for pattern in PATTERNS}
    return Outcome(
        seed=seed, cadres=len(world.cadres), visits=len(every), fabricators=len(fabricators), honest=len(honest),
        caught_by_flags=sum(1 for c in fabricators if c.id in flagged),
        caught_with_callbacks=sum(1 for c in fabricators if c.id in flagged or c.id in weighted_caught),
        caught_by_random_callbacks=sum(1 for c in fabricators if c.id in random_caught),
        honest_flagged=sum(1 for c in honest if c.id in flagged), callbacks=len(drawn),
        honest_not_visited_callbacks=weighted_false, by_pattern=by_pattern, flagged_callbacks=flagged_drawn,
        seconds=round(time.monotonic() - started, 1))


def _weighted_draw(world: World, every: list[flags.VisitRow], flagged_visits: dict[int, list[int]],
                   budget: int) -> tuple[list[int], int]:
    """Up to `flagged_callbacks_per_cadre` of each flagged cadre's flagged visits (round-robin, within the stated
    share of the budget), the rest at random over every visit."""
    rng = world.rng
    share = round(budget * world.parameters.flagged_callback_share)
    most = world.parameters.flagged_callbacks_per_cadre
    pools = {cadre: rng.sample(visits, min(most, len(visits))) for cadre, visits in flagged_visits.items()}
    drawn: list[int] = []
    while len(drawn) < share and any(pools.values()):
        for cadre in sorted(pools):
            if pools[cadre] and len(drawn) < share:
                drawn.append(pools[cadre].pop())
    taken = set(drawn)
    rest = [r.id for r in every if r.id not in taken]
    return drawn + rng.sample(rest, budget - len(drawn)), len(drawn)


def _callbacks(world: World, drawn: list[int]) -> tuple[set[int], int]:
    """Cadres a callback caught (a visit that never happened answered “not visited”), and how many real visits
    were answered “not visited” too (the office's verification overturns those)."""
    p, rng = world.parameters, world.rng
    cadre_of = {row.id: cadre for cadre, rows in world.rows.items() for row in rows}
    caught: set[int] = set()
    false = 0
    for visit_id in drawn:
        if visit_id in world.phantom:
            if rng.random() < p.phantom_says_not_visited:
                caught.add(cadre_of[visit_id])
        elif rng.random() < p.real_says_not_visited:
            false += 1
    return caught, false


def report(outcome: Outcome) -> list[str]:
    def share(n: int, of: int) -> str:
        return f"{n}/{of}（{100 * n / of:.0f}%）" if of else "0/0"

    lines = [
        _("种子 %(seed)s：%(cadres)s 名走访人、%(visits)s 次走访，其中造假 %(fabricators)s 名，用时 %(seconds)s 秒") % {
            "seed": outcome.seed, "cadres": outcome.cadres, "visits": outcome.visits,
            "fabricators": outcome.fabricators, "seconds": outcome.seconds,
        },
        _("  只看提示：发现造假 %(share)s，"
          "误提示如实走访人 %(share2)s") % {
            "share": share(outcome.caught_by_flags, outcome.fabricators),
            "share2": share(outcome.honest_flagged, outcome.honest),
        },
        _("  提示＋回访（%(callbacks)s 次，占 %(percent).0f%%，"
          "其中 %(flagged_callbacks)s 次抽有提示的走访）："
          "发现造假 %(share)s；"
          "如实走访被答“未走访”待核实 %(honest_not_visited_callbacks)s 次") % {
            "callbacks": outcome.callbacks, "percent": 100 * outcome.callbacks / outcome.visits,
            "flagged_callbacks": outcome.flagged_callbacks,
            "share": share(outcome.caught_with_callbacks, outcome.fabricators),
            "honest_not_visited_callbacks": outcome.honest_not_visited_callbacks,
        },
        _("  对照：同样多的随机回访、不看提示：发现造假 %(share)s") % {"share": share(outcome.caught_by_random_callbacks, outcome.fabricators)},
    ]
    labels = {"desk_bulk": "事后批量补录", "copied_text": "复制文字", "phantom": "虚报入户"}
    lines.append("  分类型（提示＋回访 / 随机回访）：" + "；".join(
        f"{labels[k]} {v[1]}/{v[0]}、{v[2]}/{v[0]}" for k, v in outcome.by_pattern.items()))
    return lines


def parameters_table() -> list[tuple[str, Any]]:
    return list(asdict(Parameters()).items())
