"""Unit names are unique within a town, not across the database (decision 0032).

Every town has its own 党政办, 派出所, 财政所: a unit at a town or below is known by its name within that town, a unit
without a region or of a region above the towns (市妇联, a county's 交通局) by its name among those. Two units
clash when they share a name and one can be seen from the other: the same town, or one is above (or without a
region) and the other under it. Whoever finds a unit by name finds it within an area (a town, a campaign's scope,
an office's regions); a name two towns both use is ambiguous there and is said with the candidates' towns, never
guessed. `town/name` (“锦溪镇/派出所”) names one town's unit wherever several towns are read together.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import CharField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from zoufang.core.tabular import compact
from zoufang.regions.models import Region
from zoufang.registry.models import Unit

SEPARATORS = ("/", "／")


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.split(".") if part]


def towns_by_path(paths: Iterable[str]) -> dict[str, Region]:
    """The town each region path lies in (at or below a town), in one query; paths above the towns are absent."""
    paths = {p for p in paths if p}
    ids = {i for p in paths for i in _ids(p)}
    towns = {t.pk: t for t in Region.objects.filter(pk__in=ids, level=Region.Level.TOWN)}
    found = {}
    for path in paths:
        town = next((towns[i] for i in _ids(path) if i in towns), None)
        if town is not None:
            found[path] = town
    return found


def towns_of(units: Iterable[Unit]) -> dict[int, Region | None]:
    """Each unit's town (None for a shared unit: without a region, or of a region above the towns)."""
    units = list(units)
    paths = {u.pk: u.region.path if u.region_id and u.region else "" for u in units}
    towns = towns_by_path(paths.values())
    return {pk: towns.get(path) for pk, path in paths.items()}


def scope_path(region: Region | None) -> str:
    """Where a unit's name must be unique: its town's subtree, or its own region's (above a town), or everywhere."""
    if region is None:
        return ""
    town = towns_by_path([region.path]).get(region.path)
    return town.path if town is not None else region.path


def clashing(name: str, region: Region | None, exclude: int | None = None) -> QuerySet[Unit]:
    """The registered units a unit called `name` in `region` may not share its name with: those whose reach meets
    its own (decision 0032, addendum h8). A unit in a town reaches that town's subtree and what lies above it; a
    regionless one reaches what `shared` says: every unit in a one-tree installation, else only the other regionless
    ones (`unit_unique_shared_name` holds those apart anyway)."""
    units = Unit.objects.select_related("region").filter(name=name)
    if exclude is not None:
        units = units.exclude(pk=exclude)
    path = scope_path(region)
    if not path:
        return units if one_tree() else units.filter(region__isnull=True)
    return units.filter(_reaching(path))


def clashes(scope: str, unit: Unit, one: bool) -> bool:
    """`clashing` for a unit read already (its region loaded): whether one named at `scope` (`scope_path`; "" for a
    regionless one) and `unit` reach each other; `one` is `one_tree()`, read once by the caller."""
    path = unit.region.path if unit.region_id and unit.region else ""
    if not scope or not path:
        return one or scope == path
    return path.startswith(scope) or scope.startswith(path)


def one_tree() -> bool:
    """Whether the installation's regions rise to one top region (one city): only then does a unit without a region
    reach every campaign; where two cities share the database it reaches none (decision 0032, addendum h8)."""
    return Region.objects.filter(parent__isnull=True)[:2].count() < 2


def second_top_region_refusal(name: str) -> str:
    """Why a new top region called `name` may not be added now (empty when it may): it would be the second city, and
    the units without a region, which reach every campaign while the regions rise to one city, would reach none until
    placed (decision 0032, addenda h8 and h15). The regions import, the admin and `campaign load` all ask this."""
    top = Region.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        return ""
    unplaced = list(Unit.objects.filter(region__isnull=True).order_by("name").values_list("name", flat=True)[:11])
    if not unplaced:
        return ""
    names = "、".join(unplaced[:10]) + (_("等") if len(unplaced) > 10 else "")
    return _("不能新增最上级区划“%(name)s”：单位%(units)s没有所属区划，本系统只有“%(top)s”一个最上级区划时它们提供给所有"
             "走访活动，有了第二个后将不提供给任何走访活动。请先为它们填写所属区划（写到它服务的市或区县，如“%(top)s”）："
             "在管理后台“单位”中逐个修改，或以单位导入在“所属区划”列写明（系统管理员或上级走访办），再新增此区划") % {
        "name": name, "units": names, "top": top.name}


def shared() -> Q:
    """The units without a region, as far as they reach: everywhere in an installation of one tree, else nowhere."""
    return Q(region__isnull=True) if one_tree() else Q(pk__in=[])


def reaching(region: Region) -> Q:
    """The units whose reach holds `region`: its subtree's, those placed at a region above it (昆山市's 市府办 for
    锦溪镇) and the regionless ones of a one-tree installation (decision 0032, addendum h8)."""
    return _reaching(region.path)


def _reaching(path: str) -> Q:
    return Q(region__path__startswith=path) | Q(region_id__in=_ids(path)) | shared()


def reaches(unit: Unit, region: Region) -> bool:
    """`reaching` for one unit read already (its region loaded)."""
    if unit.region_id is None or unit.region is None:
        return one_tree()
    return unit.region.path.startswith(region.path) or region.path.startswith(unit.region.path)


def visible_from(region: Region) -> QuerySet[Unit]:
    """The units a town's (or campaign scope's) tables may name: its subtree's and those whose reach holds it."""
    return Unit.objects.select_related("region").filter(reaching(region))


def with_town(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Each unit with its town's name (`town_name`; None for a shared unit), and so named “锦溪镇 派出所” by str():
    for the lists and choices where several towns' units appear together."""
    unit_path = ExpressionWrapper(OuterRef("region__path"), output_field=CharField())
    town = (Region.objects.filter(level=Region.Level.TOWN).annotate(unit_path=unit_path)
            .filter(unit_path__startswith=F("path")).values("name")[:1])
    return units.annotate(town_name=Subquery(town))


def label(unit: Unit, town: Region | None) -> str:
    """“锦溪镇 派出所” where several towns are shown together; a name that already says its town is kept."""
    if town is None or unit.name.startswith(town.name):
        return unit.name
    return f"{town.name} {unit.name}"


def labels(units: Iterable[Unit]) -> dict[int, str]:
    units = list(units)
    towns = towns_of(units)
    return {u.pk: label(u, towns[u.pk]) for u in units}


def several_towns(units: Iterable[Unit]) -> bool:
    """Whether the units lie in more than one town: then each is shown with its town."""
    return len({t.pk for t in towns_of(units).values() if t is not None}) > 1


def shown(units: Iterable[Unit]) -> dict[int, str]:
    """How each unit is named on a page or in a file that shows them all: with its town where they span towns."""
    units = list(units)
    towns = towns_of(units)
    span = len({t.pk for t in towns.values() if t is not None}) > 1
    return {u.pk: label(u, towns[u.pk]) if span else u.name for u in units}


class UnitNames(dict[str, Unit]):
    """The units of an area by name (keyed as the caller compares names), each name one unit or reported ambiguous.

    As a mapping it holds the keys that name one unit each (what a table's 简称 and 全称 are matched among); a key
    two units share (two towns' 派出所 read for a city) is not in it: `find` returns both and `ambiguity` says
    which towns. `town/name` (“锦溪镇/派出所”) picks one town's unit."""

    def __init__(self, units: Iterable[Unit], key: Callable[[str], str] = compact) -> None:
        self.key = key
        self.all = list(units)
        self.towns = towns_of(self.all)
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.all:
            self.by_key[key(unit.name)].append(unit)
        super().__init__({k: found[0] for k, found in self.by_key.items() if len(found) == 1})

    def find(self, text: str) -> list[Unit]:
        """The units `text` names: by name, or “town/name” for one town's."""
        found = self.by_key.get(self.key(text), [])
        if found:
            return found
        for separator in SEPARATORS:
            town, sep, name = text.rpartition(separator)
            if sep and town.strip():
                return [u for u in self.by_key.get(self.key(name), [])
                        if (t := self.towns[u.pk]) is not None and compact(t.name) == compact(town)]
        return []

    def unit(self, text: str) -> Unit | None:
        """The one unit `text` names, else None (not registered here, or ambiguous: see `ambiguity`)."""
        found = self.find(text)
        return found[0] if len(found) == 1 else None

    def ambiguity(self, text: str, hint: str = "") -> str:
        """Why `text` names no one unit though registered: several towns' units of that name (empty otherwise)."""
        found = self.find(text)
        if len(found) < 2:
            return ""
        return ambiguous_message(text, found, self.towns, hint)


def ambiguous_message(text: str, found: list[Unit], towns: dict[int, Region | None], hint: str = "") -> str:
    """“有2个单位叫“派出所”（锦溪镇、孟河镇）…”: the candidates' towns said, the row's writer asked to choose."""
    shared = _("各镇共用")
    places = [town.name if (town := towns.get(u.pk)) is not None else shared for u in found]
    first = next((p for p in places if p != shared), places[0])
    return _("有%(n)d个单位叫“%(name)s”（%(places)s），%(hint)s") % {
        "n": len(found), "name": text.strip(), "places": "、".join(places),
        "hint": hint or _("请写“镇名/单位名称”，如“%(example)s/%(name)s”") % {"example": first, "name": text.strip()}}


def named(name: str, within: Region) -> Unit | None:
    """The unit called `name` that a town (or campaign scope) sees: its own, or a shared one (code that knows its
    town: the demo loaders, the command line); None when there is none, a ValueError when several would do."""
    names = UnitNames(visible_from(within))
    if ambiguity := names.ambiguity(name):
        raise ValueError(ambiguity)
    return names.unit(name)


def in_town(unit: Unit | None, town: Region | None, qualify: bool) -> str:
    """A row's unit as a page or file that mixes towns shows it: “锦溪镇 派出所” where `qualify` and the unit lies in
    the row's `town` (a case's campaign scope, with the unit's region loaded); a shared unit keeps its name."""
    if unit is None:
        return ""
    if qualify and town is not None and town.level == Region.Level.TOWN and unit.region_id and unit.region is not None \
            and unit.region.path.startswith(town.path):
        return label(unit, town)
    return unit.name


def towns_in_area(paths: list[str] | None) -> int:
    """How many towns lie in an area of region paths (None: the whole database), counted up to two."""
    towns = Region.objects.filter(level=Region.Level.TOWN)
    if paths is not None:
        within = Q(pk__in=[i for path in paths for i in _ids(path)])  # the town of an office below one
        for path in paths:
            within |= Q(path__startswith=path)
        towns = towns.filter(within)
    return towns[:2].count()


def sees_several_towns(user: Any) -> bool:
    """Whether the campaigns the user sees lie in more than one town: its pages name units with their towns."""
    from zoufang.accounts import scope

    return scope.visible_campaigns(user).order_by().values("scope").distinct()[:2].count() > 1
