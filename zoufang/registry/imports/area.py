"""What an importing user may create, change or name: the one rule every import kind asks (decision 0031).

The area is the master data the user maintains (accounts.admin_area.office_paths, on scope's grants): the regions of
its office grants; everywhere for a superuser or a system administrator, and for a run without a user (the
`zoufang import` command and the demo, run by whoever holds the shell), as before. Within it a row may create and
change regions, units, cadres and targets. Outside it a row may name the regions above (a unit's own town's county)
and the units every town shares or the regions above hold (an allocation table's 市妇联), unchanged; anything else
is as if it were not registered, and a key (ID number, credit code, region code) registered there is refused
without saying where. A unit's name is no such key: it is unique within a town (decision 0032), so another town's
派出所 is simply not found here, and the importer's town registers its own.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.accounts.admin_area import office_paths
from zoufang.core.tabular import compact
from zoufang.regions.models import Region
from zoufang.registry.models import Unit
from zoufang.registry.unitnames import UnitNames, one_tree, shared, visible_from


class ImportArea:
    """The regions an import may write in (`paths`; None: every region)."""

    def __init__(self, paths: list[str] | None) -> None:
        self.paths = paths

    @classmethod
    def of(cls, by: Any) -> "ImportArea":
        if by is None:  # a shell run (the import command, the demo): every region, as before
            return cls(None)
        return cls(office_paths(by))

    @property
    def everywhere(self) -> bool:
        return self.paths is None

    @cached_property
    def where(self) -> str:
        """本镇 for an office of towns, else 本区域: how a message names the area."""
        if self.paths is not None and self.paths and set(
                Region.objects.filter(path__in=self.paths).values_list("level", flat=True)) == {Region.Level.TOWN}:
            return _("本镇")
        return _("本区域")

    def holds(self, region: Region | None) -> bool:
        """Whether a row may create or change what lies in `region` (a region itself, or a unit's or target's)."""
        if self.paths is None:
            return True
        return region is not None and any(region.path.startswith(path) for path in self.paths)

    def above(self, region: Region | None) -> bool:
        """Whether `region` holds the whole area (the town's county, its city): it may be named, not changed."""
        return self.paths is not None and region is not None and any(
            path.startswith(region.path) for path in self.paths)

    def may_name_region(self, region: Region) -> bool:
        return self.holds(region) or self.above(region)

    def may_name_unit(self, unit: Unit) -> bool:
        if unit.region_id is None:
            return one_tree()  # a regionless unit where two cities share the database reaches no one (0032, h8)
        return self.holds(unit.region) or self.above(unit.region)

    def may_change_unit(self, unit: Unit) -> bool:
        return self.holds(unit.region) if unit.region_id is not None else self.paths is None

    def regions(self) -> QuerySet[Region]:
        """The regions a row may name: those of the area and those above it."""
        if self.paths is None:
            return Region.objects.all()
        ancestor_ids = {int(part) for path in self.paths for part in path.split(".") if part}
        return Region.objects.filter(scope._under_any(self.paths, "path") | Q(pk__in=ancestor_ids))

    def units(self, within: Region | None = None) -> QuerySet[Unit]:
        """The units a row may name: the area's, the shared ones and those of the regions above it; with `within`
        (a campaign's scope) only those that region's tables may name, so a town's 派出所 is its own (0032)."""
        units = Unit.objects.select_related("region")
        if within is not None:
            units = units.filter(pk__in=visible_from(within).values("pk"))
        if self.paths is None:
            return units
        return units.filter(shared() | Q(region__in=self.regions()))

    def unit_names(self, within: Region | None = None, key: Callable[[str], str] = compact) -> UnitNames:
        """The units a row may name, by name: one each, or said ambiguous with their towns (decision 0032)."""
        return UnitNames(self.units(within), key)

    def unit_missing(self, names: UnitNames, text: str) -> str:
        """Why `text` names no unit: several towns' units of that name, or none the area may name."""
        return names.ambiguity(text) or self.unit_not_registered(text)

    def changeable_units(self) -> QuerySet[Unit]:
        """The units a row may change, or add cadres to: the area's."""
        if self.paths is None:
            return Unit.objects.select_related("region")
        return Unit.objects.select_related("region").filter(scope._under_any(self.paths, "region__path"))

    def unit_not_registered(self, name: str) -> str:
        """A unit a row names that the area may not name: as if it were not registered at all."""
        if self.paths is None:
            return _("单位“%(name)s”未登记，请先导入单位") % {"name": name}
        return _("单位“%(name)s”未在%(where)s登记，请先导入单位") % {"name": name, "where": self.where}

    def outside_message(self, key: str) -> str:
        """A key (身份证号码, 统一社会信用代码 …) registered outside the area: refused, and where is not said."""
        return _("该%(key)s已在%(where)s以外登记，请与上级走访办核实") % {"key": key, "where": self.where}

    def unit_refusal(self, unit: Unit) -> str:
        """Why a row may not change `unit` (or register another under its name); empty when it may."""
        if self.may_change_unit(unit):
            return ""
        if self.may_name_unit(unit):
            return _("“%(name)s”是上级或各镇共用的单位，%(where)s的导入不能修改它；需要修改请与上级走访办联系") % {
                "name": unit.name, "where": self.where}
        return self.unit_not_registered(unit.name)  # another town's: as if it were not registered (0032)
