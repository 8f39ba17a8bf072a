"""The allocation tables as their issuers wrote them, and how today's registry and plan drift from them.

An upper level's table (附件1, 附件2) and the leaders' tables the town decided (附件3-1, 附件3-2) are documents:
the export prints them as imported. Households added or moved since, or a plan that could not give a row its
figure, are listed apart (the 与登记数差异 sheet, `drift_lines` for `plan check`), never written into them.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import FixedQuota, Quota
from zoufang.planning.tables.header import KIND_OF_COLUMN
from zoufang.regions.models import Region
from zoufang.registry.models import Target

ISSUED_TABLES = (FixedQuota.Table.UPPER_LEVEL, FixedQuota.Table.LEADER_HOUSEHOLDS, FixedQuota.Table.LEADER_ENTERPRISES)
DRIFT_SHEET = "与登记数差异"
DRIFT_COLUMNS = ["来源表", "表中行号", "走访单位（领导）", "村、社区", "项目", "表中数", "现数", "差异"]
STATED = "户籍总户数"
_ANNEX_ORDER = re.compile(r"^附件\s*(\d+)(?:\s*[-－—]\s*(\d+))?")


@dataclass
class IssuedRow:
    """One row of an issued table: a joint row's parts (one per unit) together, its figure as written."""

    source: str
    row_number: int
    serial: str
    label: str
    region_id: int | None
    stated_region_total: int | None
    note: str
    title: str
    parts: list[FixedQuota] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(q.count for q in self.parts)

    def count_of(self, kind: str) -> int:
        """The row's figure for one target kind, where its table split 走访户数 by kind."""
        return sum(q.count for q in self.parts if q.target_kind == kind)


def split_kinds(rows: Iterable[IssuedRow]) -> list[str]:
    """The target kinds a table's 走访户数 was split into (户籍户口, 外来常住户), in the seed's order; empty when the
    table gave one figure a row."""
    kinds = {q.target_kind for row in rows for q in row.parts}
    return [kind for kind in KIND_OF_COLUMN.values() if kind in kinds] if len(kinds) > 1 else []


def kind_heading(kind: str) -> str:
    """The column a split table prints a kind's figures under, by the seed's 附件4-1 name: 户籍户口, 外来常住户."""
    return next(name for name, each in KIND_OF_COLUMN.items() if each == kind)


def issued_rows(quotas: Iterable[FixedQuota]) -> list[IssuedRow]:
    """Rows in the tables' order, the parts of a joint row gathered back into the row the issuer wrote."""
    rows: dict[tuple[str, int], IssuedRow] = {}
    for q in sorted(quotas, key=lambda q: (source_order(q.source), q.row_number, q.part)):
        row = rows.setdefault((q.source, q.row_number), IssuedRow(
            q.source, q.row_number, q.serial, q.label, q.region_id, q.stated_region_total, q.note, q.table_title))
        row.parts.append(q)
    return list(rows.values())


def source_order(source: str) -> tuple[int, int, int, str]:
    """附件1, 附件2, 附件3-1 … in the seed's order, then any other label alphabetically."""
    match = _ANNEX_ORDER.match(source)
    if match:
        return 0, int(match.group(1)), int(match.group(2) or 0), source
    return 1, 0, 0, source


@dataclass
class Drift:
    """A figure of an issued table that today's registry (户籍总户数) or plan (走访数) no longer matches."""

    source: str
    row_number: int
    who: str
    village: str
    what: str
    issued: int
    now: int
    measure: str

    @property
    def difference(self) -> int:
        return self.now - self.issued

    def cells(self) -> list[object]:
        return [self.source, self.row_number, self.who, self.village, self.what, self.issued, self.now,
                self.difference]

    def line(self) -> str:
        """“附件1第4行 市总工会 东村：户籍总户数表中为240户，登记库现为270户（多30户）”."""
        now = _("登记库现为") if self.what == STATED else _("计划为")
        more = _("多") if self.difference > 0 else _("少")
        return _("%(source)s第%(row)d行 %(who)s %(village)s：%(what)s表中为%(issued)d%(m)s，%(now)s%(n)d%(m)s"
                 "（%(more)s%(diff)d%(m)s）") % {
            "source": self.source, "row": self.row_number, "who": self.who, "village": self.village or _("本镇"),
            "what": self.what, "issued": self.issued, "now": now, "n": self.now, "m": self.measure, "more": more,
            "diff": abs(self.difference)}


def drift(campaign: Campaign) -> list[Drift]:
    """Each village whose registered households differ from an issued 户籍总户数, and, once a plan exists,
    each unit or leader of an issued row whose planned count differs from its share of the row."""
    fixed = list(FixedQuota.objects.filter(campaign=campaign, table__in=ISSUED_TABLES)
                 .select_related("cadre", "region").prefetch_related("units"))
    if not fixed:
        return []
    regions = {q.region_id for q in fixed if q.region_id is not None}
    villages = {v.pk: v for v in Region.objects.filter(pk__in=regions)}
    registered = _registered(villages.values())
    found: list[Drift] = []
    seen: set[tuple[str, int]] = set()
    for row in issued_rows(fixed):
        village = villages.get(row.region_id) if row.region_id else None
        if village is None or row.stated_region_total is None or (row.source, village.pk) in seen:
            continue
        seen.add((row.source, village.pk))
        if registered.get(village.pk, 0) != row.stated_region_total:
            found.append(Drift(row.source, row.row_number, row.label, village.name, STATED,
                               row.stated_region_total, registered.get(village.pk, 0), "户"))
    planned = _planned(campaign)
    if planned is None:
        return found
    for q in sorted(fixed, key=lambda q: (source_order(q.source), q.row_number, q.part)):
        unit_id, cadre_id, who = _visitor(q)
        key = (q.source, unit_id, cadre_id, q.region_id, q.target_kind)
        now = planned.get(key, 0)
        if now != q.count:
            what, measure = (_("走访企业数"), "家") if q.target_kind == Target.Kind.ENTERPRISE else (_("走访户数"), "户")
            found.append(Drift(q.source, q.row_number, who, villages[q.region_id].name if q.region_id else "",
                               what, q.count, now, measure))
    return found


def drift_lines(campaign: Campaign) -> list[str]:
    """The drift as sentences, for `plan check` and the plan page."""
    return [d.line() for d in drift(campaign)]


def _registered(villages: Iterable[Region]) -> dict[int, int]:
    return {v.pk: Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD, archived_on__isnull=True,
                                        region__path__startswith=v.path).count() for v in villages}


PlanKey = tuple[str, int | None, int | None, int | None, str]  # source, unit, cadre, village, kind


def _planned(campaign: Campaign) -> dict[PlanKey, int] | None:
    """The plan's counts by (source, unit, cadre, village, kind); a row without a village sums its villages.

    None before the first plan: an unplanned campaign has nothing to compare.
    """
    if not Quota.objects.filter(campaign=campaign).exists():
        return None
    rows = (Quota.objects.filter(campaign=campaign).order_by()
            .values_list("source", "unit_id", "cadre_id", "region_id", "target_kind").annotate(n=Sum("count")))
    planned: dict[PlanKey, int] = defaultdict(int)
    for source, unit_id, cadre_id, region_id, kind, n in rows:
        planned[(source, unit_id, cadre_id, region_id, kind)] += n
        planned[(source, unit_id, cadre_id, None, kind)] += n
    return planned


def _visitor(quota: FixedQuota) -> tuple[int | None, int | None, str]:
    """(unit, cadre, name) of the row's one visitor: its leader, or its unit (one per part of a joint row)."""
    if quota.cadre is not None:
        return quota.cadre.unit_id, quota.cadre_id, quota.label
    units = list(quota.units.all())
    return (units[0].pk if units else None), None, (units[0].name if units else quota.label)

