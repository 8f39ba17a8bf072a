"""An upper-level unit's own blocks across towns (市级机关部门, 苏州市妇联 … of 附件1/附件2): per town, the unit's
coverage and pace and its cadres' progress, read through the same unit board as the town's own unit page.

Which towns: `scope.unit_campaigns` (where the unit holds a quota); what of each: `access.reach` (the unit's part
only). Nothing of other units' work is read here.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.oversight import board as boards
from zoufang.oversight import figures
from zoufang.oversight.access import reach
from zoufang.oversight.tables import Table, coverage_table
from zoufang.registry.models import Unit


@dataclass
class Town:
    board: boards.Board
    label: str  # the town's name (with the campaign's when the unit has two campaigns in one town)

    @property
    def campaign(self) -> Any:
        return self.board.reach.campaign

    @property
    def cadres(self) -> Table:
        return self.board.tables["coverage-cadre"]


@dataclass
class UnitAcross:
    unit: Unit
    today: dt.date
    towns: list[Town] = field(default_factory=list)

    @property
    def total(self) -> figures.CoverageRow:
        return figures.summed([town.board.total for town in self.towns], _("合计"))

    def summary(self) -> Table:
        """One row per town: assigned, visited, share, due by today, behind, the month's requirement, projection."""
        rows = [figures.CoverageRow(town.campaign.scope, town.label, town.board.total.kinds, town.board.total.pace)
                for town in self.towns]
        coverage = figures.Coverage(by="town", today=self.today, rule=self.towns[0].board.rule, rows=rows,
                                    total=self.total, kinds=[])
        table = coverage_table(coverage, title=_("%(unit)s在各镇的走访覆盖与进度") % {"unit": self.unit.name})
        table.links = [reverse("oversight:unit", args=[town.campaign.slug, self.unit.public_id]) for town in self.towns]
        table.key = "towns"
        return table

    def tables(self) -> list[Table]:
        """Every table of the page, in its order (the xlsx holds them all)."""
        if not self.towns:
            return []
        found = [self.summary()]
        for number, town in enumerate(self.towns, 1):
            cadres = town.cadres
            cadres.title = _("%(town)s：本单位走访干部的覆盖与进度") % {"town": town.label}
            cadres.key = f"coverage-cadre-{number}"  # one page holds every town's: each id its own
            found.append(cadres)
            unnamed = town.board.tables.get("unnamed-village")
            if unnamed is not None:  # what the unit has not given to a cadre yet there: its people still to name
                unnamed.title = _("%(town)s：本单位尚未落实到人的走访对象（按村，需指定走访干部）") % {"town": town.label}
                unnamed.key = f"unnamed-village-{number}"
                found.append(unnamed)
        return found


def unit_across(user: Any, unit: Unit, today: dt.date) -> UnitAcross:
    """The unit's blocks in every campaign where it holds quotas, town by town."""
    result = UnitAcross(unit, today)
    for campaign in scope.unit_campaigns(user, unit):
        part = reach(user, campaign)
        if not part.may_read_unit(unit):
            continue
        result.towns.append(Town(boards.unit_board(part, unit, today), campaign.scope.name))
    # A town with two campaigns of the unit's: each named by its campaign too.
    names = [town.label for town in result.towns]
    for town in result.towns:
        if names.count(town.label) > 1:
            town.label = f"{town.label}（{town.campaign.name}）"
    return result


UPPER_KINDS = (Unit.Kind.CITY_DEPARTMENT, Unit.Kind.OUTSIDE_BODY)


def handled_units(user: Any) -> list[Unit]:
    """The units the user handles, upper-level ones (市级机关部门, 其他单位) first, then by their order."""
    units = scope.visible_units(user).filter(pk__in=scope.handled_unit_ids(user))
    return sorted(units, key=lambda u: (u.kind not in UPPER_KINDS, u.sort_order, u.name))


def is_upper_unit_user(user: Any) -> bool:
    """A handler of an upper-level unit with no area of their own: their home is the unit across towns."""
    return any(u.kind in UPPER_KINDS for u in handled_units(user)) and not scope.has_role(
        user, *scope.AREA_ROLES)
