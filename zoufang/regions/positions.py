"""Positions: distances, and the local gazetteer that gives a target a position where the office gave none.

The network is closed (no online geocoder), so the gazetteer is the region tree itself: a village, group or
grid with its own position (from the regions import or the demo). A target without an imported position takes
the position of the most specific positioned region its address names (a 村民小组 or 网格 of its village, say
“计家墩村第3村民小组12号”), marked “按地址”; failing that, its own region's or the nearest positioned region
above it, marked “村（社区）位置”. Positions are WGS-84, as a phone's GPS reports them.
"""

import math
from collections.abc import Iterable
from decimal import Decimal

from zoufang.core.tabular import compact
from zoufang.regions.models import Region
from zoufang.registry.models import PositionSource, Target

EARTH_RADIUS_M = 6_371_008.8
# Where a position in China can be: the ranges do not overlap, so “经度,纬度” and “纬度,经度” are both read.
CHINA_LATITUDE = (Decimal("3.5"), Decimal("53.6"))
CHINA_LONGITUDE = (Decimal("73.4"), Decimal("135.1"))
BATCH = 1000
Point = tuple[Decimal, Decimal]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def in_china(latitude: Decimal, longitude: Decimal) -> bool:
    return (CHINA_LATITUDE[0] <= latitude <= CHINA_LATITUDE[1]
            and CHINA_LONGITUDE[0] <= longitude <= CHINA_LONGITUDE[1])


def fill_missing(scope: Region, targets: Iterable[Target] | None = None) -> int:
    """Give every target under `scope` without an imported position one from the gazetteer; returns how many
    changed. Targets whose village moved follow it; imported positions are never touched."""
    pending = ((t for t in targets if t.position_source != PositionSource.IMPORTED) if targets is not None else
               Target.objects.filter(region__path__startswith=scope.path).exclude(
                   position_source=PositionSource.IMPORTED).only(
                   "pk", "region_id", "address", "latitude", "longitude", "position_source"))
    changed = _place(scope, pending)
    Target.objects.bulk_update(changed, ["latitude", "longitude", "position_source"], batch_size=BATCH)
    return len(changed)


def place_new(scope: Region, targets: Iterable[Target]) -> None:
    """Set the gazetteer's position on targets about to be created under `scope` (nothing is written), so an
    import inserts them positioned instead of updating every row after."""
    _place(scope, (t for t in targets if t.position_source != PositionSource.IMPORTED))


def _place(scope: Region, pending: Iterable[Target]) -> list[Target]:
    """Set each target's position from the gazetteer; the targets whose position changed."""
    regions = {r.pk: r for r in Region.objects.filter(path__startswith=scope.path)}
    positioned = {pk: (r.latitude, r.longitude) for pk, r in regions.items()
                  if r.latitude is not None and r.longitude is not None}
    named = _named_places(regions, positioned)
    changed: list[Target] = []
    for target in pending:
        if target.region_id not in regions:  # another town's (a key found there): its own town places it
            continue
        point, source = _locate(target, regions, positioned, named)
        new = (point[0], point[1], source) if point else (None, None, "")
        if (target.latitude, target.longitude, target.position_source) != new:
            target.latitude, target.longitude, target.position_source = new
            changed.append(target)
    return changed


def _named_places(regions: dict[int, Region], positioned: dict[int, Point]) -> dict[int, list[tuple[str, int]]]:
    """For each village: the positioned groups and grids below it, longest name first (“第13组” before “第1组”)."""
    places: dict[int, list[tuple[str, int]]] = {}
    for pk in positioned:
        region = regions[pk]
        if region.level not in (Region.Level.GROUP, Region.Level.GRID):
            continue
        village = _ancestor_at(region, regions, Region.Level.VILLAGE)
        if village is not None:
            places.setdefault(village.pk, []).append((compact(region.name), pk))
    for names in places.values():
        names.sort(key=lambda item: -len(item[0]))
    return places


def _ancestor_at(region: Region, regions: dict[int, Region], level: str) -> Region | None:
    current: Region | None = region
    while current is not None and current.level != level:
        current = regions.get(current.parent_id) if current.parent_id else None
    return current


def _locate(target: Target, regions: dict[int, Region], positioned: dict[int, Point],
            named: dict[int, list[tuple[str, int]]]) -> tuple[Point | None, str]:
    region = regions.get(target.region_id)
    if region is None:
        return None, ""
    village = _ancestor_at(region, regions, Region.Level.VILLAGE)
    address = compact(target.address)
    if village is not None and address:
        for name, pk in named.get(village.pk, []):
            if name in address:
                return positioned[pk], PositionSource.ADDRESS
    current: Region | None = region
    while current is not None and Region.level_rank(current.level) >= Region.level_rank(Region.Level.VILLAGE):
        if current.pk in positioned:
            return positioned[current.pk], PositionSource.VILLAGE
        current = regions.get(current.parent_id) if current.parent_id else None
    return None, ""
