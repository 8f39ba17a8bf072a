"""Finding the regions a row names: under the campaign's town, or by a path such as “锦溪镇/上下塘社区”."""

import re
import unicodedata
from collections import defaultdict

from django.utils.translation import gettext as _

from zoufang.core.tabular import compact
from zoufang.regions.models import Region
from zoufang.registry.imports.area import ImportArea
from zoufang.registry.imports.base import ImportContext

_PATH_SEPARATOR = re.compile(r"[/／>＞]")


def resolve_scope(ctx: ImportContext) -> Region | None:
    """The campaign's scope; without a campaign the only town in the database; else an error. A town outside the
    importing user's area is an error too (the page offers only the office's campaigns: a guard, not a path)."""
    if ctx.campaign is not None:
        return ctx.campaign.scope if _in_area(ctx, ctx.campaign.scope) else None
    towns = list(Region.objects.filter(level=Region.Level.TOWN)[:2])
    if len(towns) == 1 and ctx.area.holds(towns[0]):
        return towns[0]
    ctx.error(None, "", _("请指定走访活动（命令行加 --campaign 活动代号）"))  # another town's name is not said
    return None


def require_campaign(ctx: ImportContext) -> bool:
    if ctx.campaign is None:
        ctx.error(None, "", _("请指定走访活动（命令行加 --campaign 活动代号）"))
        return False
    return _in_area(ctx, ctx.campaign.scope)


def _in_area(ctx: ImportContext, town: Region) -> bool:
    if ctx.area.holds(town):
        return True
    ctx.error(None, "", _("走访活动“%(town)s”不在%(where)s范围内，不能为它导入") % {
        "town": town.name, "where": ctx.area.where})
    return False


def path_segments(text: str) -> list[str]:
    return [compact(part) for part in _PATH_SEPARATOR.split(text) if compact(part)]


def regions_by_path(text: str, area: ImportArea, *, above: bool = False) -> list[Region]:
    """Every region of `area` that “锦溪镇/上下塘社区” (or a bare name) can mean; one is an answer, more is
    ambiguous. The path may start above the area (“昆山市/锦溪镇”), not pass through another town. With `above`,
    the regions above the area (its county, its city) too: a row may name them, not write in them."""
    segments = path_segments(text)
    if not segments:
        return []
    named = area.regions()
    candidates = list(named.filter(name=segments[0]))
    for segment in segments[1:]:
        if not candidates:
            break
        candidates = list(named.filter(parent__in=candidates, name=segment))
    return [region for region in candidates if area.holds(region) or (above and area.above(region))]


# A village's or community's committee written for the place: 计家墩村委会 is 计家墩村, 上下塘居委会 上下塘社区.
_COMMITTEES = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("居民委员会", "社区"),
               ("村委会", "村"), ("居委会", "社区"))
_GROUP = re.compile(r"^第?([0-9零〇一二两三四五六七八九十]{1,4})(?:村民小组|居民小组|村民组|居民组|小组|组|队|生产队)$")
_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def group_number(name: str) -> int | None:
    """The number a 村民小组 is named by, however written: 1组, 第1组, 一组, 第十一村民小组, 11队; None for another name."""
    found = _GROUP.match(compact(unicodedata.normalize("NFKC", name)))
    if found is None:
        return None
    text = found.group(1)
    if text.isdigit():
        return int(text)
    tens, _ten, units = text.rpartition("十")
    if not _ten:
        return int("".join(str(_DIGITS[c]) for c in text)) if all(c in _DIGITS for c in text) else None
    if len(tens) > 1 or len(units) > 1 or any(c not in _DIGITS for c in tens + units):
        return None
    return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(units, 0)


class ScopeRegions:
    """The campaign town's region tree, loaded in one query, to resolve village, group and grid names."""

    def __init__(self, scope: Region) -> None:
        self.scope = scope
        self.by_id: dict[int, Region] = {}
        self._by_level_name: dict[tuple[str, str], list[Region]] = defaultdict(list)
        self._numbered: dict[int, list[Region]] | None = None
        self._prefixes: list[str] | None = None
        self._read_as: set[tuple[str, str]] = set()  # (as written, the village it was read as): said once
        for region in scope.subtree():
            self.by_id[region.pk] = region
            self._by_level_name[(region.level, compact(region.name))].append(region)

    def village(self, name: str, ctx: ImportContext, row: int, column: str) -> Region | None:
        """The village or community of that name in the town, or written as its committee (计家墩村委会,
        上下塘社区居委会) or after the town's name (锦溪镇计家墩村), as the report says once; errors name the row and
        the column, and a village the name lacks only 村 or 社区 of (计家墩) is offered, never taken."""
        key = compact(name)
        found = self._by_level_name.get((Region.Level.VILLAGE, key), [])
        if not found and (meant := self._village_name(key)) != key:
            found = self._by_level_name.get((Region.Level.VILLAGE, meant), [])
            if len(found) == 1 and (name, found[0].name) not in self._read_as:
                self._read_as.add((name, found[0].name))
                ctx.notes.append(_("村（社区）“%(written)s”读作“%(name)s”") % {"written": name, "name": found[0].name})
        if not found:
            close = [r.name for suffix in ("村", "社区")
                     for r in self._by_level_name.get((Region.Level.VILLAGE, key + suffix), [])]
            if close:
                ctx.error(row, column, _("%(where)s没有名为“%(name)s”的村（社区），请先导入行政区划。是不是%(close)s？如是，"
                                         "请改成登记的名称") % {"where": self.scope.name, "name": name,
                                                                "close": "、".join(f"“{c}”" for c in close)})
                return None
        return self._one(found, name, ctx, row, column, _("村（社区）"))

    def _village_name(self, key: str) -> str:
        """`key` without the town's name before it (and the county's before that), its committee as the place."""
        for prefix in self._town_prefixes():
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix):]
                break
        for committee, place in _COMMITTEES:
            if key.endswith(committee) and len(key) > len(committee):
                return key[:-len(committee)] + place
        return key

    def _town_prefixes(self) -> list[str]:
        """The town's name as an address starts with it: 昆山市锦溪镇, 锦溪镇; looked up once, when first needed."""
        if self._prefixes is None:
            town = compact(self.scope.name)
            parent = self.scope.parent
            self._prefixes = [compact(parent.name) + town, town] if parent is not None else [town]
        return self._prefixes

    def place(self, name: str, ctx: ImportContext, row: int, column: str) -> Region | None:
        """A village by name, or the town itself when the cell names the town or is blank."""
        if not name or compact(name) == compact(self.scope.name):
            return self.scope
        return self.village(name, ctx, row, column)

    def below(self, base: Region, level: str, name: str, ctx: ImportContext, row: int,
              column: str) -> Region | None:
        """A group or grid of that name somewhere under `base` (a village or a group)."""
        found = [r for r in self._by_level_name.get((level, compact(name)), [])
                 if r.path.startswith(base.path) and r.pk != base.pk]
        number = group_number(name) if level == Region.Level.GROUP and not found else None
        if number is not None:  # 1组, 第一村民小组 and 一组 are the village's group one
            found = [r for r in self._groups_numbered().get(number, [])
                     if r.path.startswith(base.path) and r.pk != base.pk]
            if len(found) > 1:
                ctx.error(row, column, _("%(where)s没有名为“%(name)s”的%(what)s；按编号，%(names)s都可能是它，无法确定是哪一个，"
                                         "请写成其中一个的名称") % {
                    "where": base.name, "name": name, "what": Region.Level(level).label,
                    "names": "、".join(f"“{r.name}”" for r in sorted(found, key=lambda r: r.name))})
                return None
        return self._one(found, name, ctx, row, column, Region.Level(level).label, base)

    def _groups_numbered(self) -> dict[int, list[Region]]:
        """The town's groups by the number their names give, worked out once, when a row first needs it."""
        if self._numbered is None:
            self._numbered = defaultdict(list)
            for region in self.by_id.values():
                if region.level == Region.Level.GROUP and (number := group_number(region.name)) is not None:
                    self._numbered[number].append(region)
        return self._numbered

    def village_of(self, region_id: int) -> Region | None:
        """The village a region (a village, group or grid) belongs to."""
        region = self.by_id.get(region_id)
        while region is not None and region.level != Region.Level.VILLAGE:
            region = self.by_id.get(region.parent_id) if region.parent_id else None
        return region

    def villages(self) -> list[Region]:
        return [r for r in self.by_id.values() if r.level == Region.Level.VILLAGE]

    def _one(self, found: list[Region], name: str, ctx: ImportContext, row: int, column: str,
             what: object, base: Region | None = None) -> Region | None:
        if len(found) == 1:
            return found[0]
        where = base.name if base is not None else self.scope.name
        if not found:
            ctx.error(row, column, _("%(where)s没有名为“%(name)s”的%(what)s，请先导入行政区划")
                      % {"where": where, "name": name, "what": what})
        else:
            ctx.error(row, column, _("%(where)s有%(n)d个名为“%(name)s”的%(what)s，无法确定是哪一个")
                      % {"where": where, "n": len(found), "name": name, "what": what})
        return None
