"""Deterministic synthetic residents, enterprises and cadres for the demo: valid, plausible, fake.

Every figure (how many households in a village, how many party members in a unit) is passed in
from the seed's tables; this module only invents names, addresses and numbers.
"""

import datetime as dt
import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from zoufang.registry.identifiers import credit_code_check_digit, id_number_check_digit

SURNAMES = (
    "陈王张李周朱沈顾徐吴陆钱孙杨黄胡金许姚蒋曹施陶袁范潘严蔡丁凌邵俞"
    "高汪何马唐郁殷薛盛倪浦卫邹秦费戴龚程"
)
GIVEN = "建国平华明芳英红军伟强敏静丽娟秀兰桂林海燕玉洪文斌杰雪梅春荣根宝福生金凤云霞志刚永兴德新晓东立"
INDUSTRIES = ("精密机械", "电子元件", "纺织服装", "食品加工", "建材", "汽车零部件", "包装印刷", "塑料制品", "物流", "水产养殖")
ENTERPRISE_SUFFIX = ("有限公司", "科技有限公司", "制造有限公司", "实业有限公司")
PROJECT_STAGES = ("前期", "在建", "竣工")
# Region codes for non-registered residents' home places (安徽六安、河南固始、四川安岳、江苏盐城).
MIGRANT_AREAS = ("342401", "411525", "512021", "320902")
KUNSHAN = "320583"
# Kunshan's 9-digit organisation codes in this demo start with MA (new-style registrations).
ORG_PREFIX = "MA1"


@dataclass(frozen=True)
class VillageShape:
    name: str
    is_community: bool
    registered: int
    resident: int
    enterprises: int


def split_by_weight(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of total over weights: exact, deterministic."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    result = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - result[i]), i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


class Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def mobile(self) -> str:
        return self.rng.choice(("139", "138", "137", "151", "152", "158", "187", "188")) + f"{self.rng.randrange(10**8):08d}"


class Identities:
    """Unique ID numbers: a running sequence per (area, birth date) keeps them distinct."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def id_number(self, area: str) -> str:
        while True:
            born = dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 55))
            body = f"{area}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = body + id_number_check_digit(body)
            if number not in self.used:
                self.used.add(number)
                return number

    def credit_code(self) -> str:
        while True:
            org = ORG_PREFIX + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
            body = f"91{KUNSHAN}{org}"
            code = body + credit_code_check_digit(body)
            if code not in self.used:
                self.used.add(code)
                return code


def group_names(village: VillageShape, count: int) -> list[str]:
    word = "居民小组" if village.is_community else "村民小组"
    return [f"第{i}{word}" for i in range(1, count + 1)]  # untranslated: demo data (generated registry rows)


def group_count(households: int) -> int:
    """About 120 households a group, as in the 锦溪 villages; at least three."""
    return max(3, round(households / 120))


def households(village: VillageShape, groups: list[str], rng: random.Random, names: Names,
               ids: Identities) -> Iterator[list[str]]:
    """Rows for the households import: registered first, then non-registered residents."""
    group_sizes = split_by_weight(village.registered, [1] * len(groups))
    number = 0
    for index, (group, size) in enumerate(zip(groups, group_sizes, strict=True), start=1):
        for _number in range(size):
            number += 1
            yield [
                "户籍户", village.name, group, grid_name(index), names.person(), str(rng.randint(1, 6)),
                names.mobile(), ids.id_number(KUNSHAN), f"{village.name}{group}{number}号",  # untranslated: demo data (generated registry rows)
                "是" if rng.random() < 0.03 else "否",
            ]
    resident_sizes = split_by_weight(village.resident, group_sizes)
    for index, (group, size) in enumerate(zip(groups, resident_sizes, strict=True), start=1):
        for i in range(size):
            yield [
                "非户籍常住户", village.name, group, grid_name(index), names.person(), str(rng.randint(1, 4)),
                names.mobile(), ids.id_number(rng.choice(MIGRANT_AREAS)),
                f"{village.name}{group}出租屋{i + 1}室", "否",  # untranslated: demo data (generated registry rows)
            ]


def enterprises(village: VillageShape, rng: random.Random, names: Names, ids: Identities) -> Iterator[list[str]]:
    for i in range(village.enterprises):
        industry = rng.choice(INDUSTRIES)
        above = rng.random() < 0.12
        yield [
            f"昆山{village.name[:2]}{names.person()[1:]}{industry}{rng.choice(ENTERPRISE_SUFFIX)}",  # untranslated: demo data (generated registry rows)
            ids.credit_code(), village.name, f"{village.name}工业区{i + 1}号",  # untranslated: demo data (generated registry rows)
            "规模以上" if above else "中小", "是" if above and rng.random() < 0.5 else "否", industry, names.mobile(),
        ]


def projects(village: VillageShape, rng: random.Random) -> Iterator[list[str]]:
    kinds = ("标准厂房", "农房翻建", "河道整治", "道路提档", "文旅配套", "高标准农田")
    first = rng.randrange(len(kinds))
    for i in range(1 if village.registered < 500 else 2):
        kind = kinds[(first + i) % len(kinds)]
        yield [f"{village.name}{kind}项目", village.name, f"{village.name}", "是" if i == 0 else "否",  # untranslated: demo data (generated registry rows)
               rng.choice(PROJECT_STAGES), "演示数据：虚构项目"]


def cadres(unit: str, role: str, count: int, names: Names, head_title: str) -> Iterator[list[str]]:
    """Rows for the cadres import: the first is the unit's head, the others report to them."""
    taken: set[str] = set()
    head = ""
    for i in range(count):
        name = names.person()
        while name in taken:
            name = names.person()
        taken.add(name)
        if i == 0:
            head = name
        yield [name, unit, role, head_title if i == 0 else "", names.mobile(), "" if i == 0 else f"{unit}/{head}", ""]


def grid_name(index: int) -> str:
    return f"第{index}网格"  # untranslated: demo data (generated registry rows)


def committee_name(village: VillageShape) -> str:
    return f"{village.name}{'居委会' if village.is_community else '村委会'}"  # untranslated: demo data (a unit's name)


# Positions (WGS-84). The old town of 锦溪 is about 31.183 N, 120.905 E; the town spreads some 5 km around it.
# The demo places its communities by the old town and its villages on a spiral around it: plausible, not surveyed.
TOWN_CENTRE = (31.183, 120.905)
METRES_PER_DEGREE_LAT = 111_320.0


def offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    return (lat + north_m / METRES_PER_DEGREE_LAT,
            lon + east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))))


def village_point(index: int, count: int, is_community: bool) -> tuple[float, float]:
    """Communities within 800 m of the old town, villages 1.5–5 km out, spread by the golden angle."""
    distance = 400 + 400 * (index % 2) if is_community else 1500 + 3500 * math.sqrt((index + 1) / max(count, 1))
    angle = math.radians(137.508 * index)
    return offset(TOWN_CENTRE, distance * math.cos(angle), distance * math.sin(angle))


def jittered(point: tuple[float, float], key: str, radius_m: float) -> tuple[float, float]:
    """A point within `radius_m` of `point`, the same for the same key (a hash, not the shared rng)."""
    digest = hashlib.sha256(key.encode()).digest()
    distance = radius_m * math.sqrt(int.from_bytes(digest[:4]) / 2**32)
    angle = 2 * math.pi * int.from_bytes(digest[4:8]) / 2**32
    return offset(point, distance * math.cos(angle), distance * math.sin(angle))


def coordinates(point: tuple[float, float]) -> str:
    """The import's 坐标 cell: “经度,纬度”."""
    return f"{point[1]:.6f},{point[0]:.6f}"
