"""Storing an allocation table as fixed quotas: one FixedQuota per row, the source's rows replaced as a whole."""

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from zoufang.planning.models import FixedQuota
from zoufang.registry.imports.base import ImportContext, Outcome
from zoufang.registry.imports.places import ScopeRegions
from zoufang.registry.imports.records import apply_changes, bump
from zoufang.registry.models import Target


@dataclass
class QuotaRow:
    """The fields of one FixedQuota, as read from one table row."""

    row_number: int
    table: str
    serial: str
    label: str
    target_kind: str
    count: int
    region_id: int | None = None
    cadre_id: int | None = None
    unit_ids: tuple[int, ...] = ()
    stated_region_total: int | None = None
    note: str = ""
    table_title: str = ""

    def values(self) -> dict[str, Any]:
        return {"table": self.table, "serial": self.serial[:10], "label": self.label[:200],
                "target_kind": self.target_kind, "count": self.count, "region_id": self.region_id,
                "cadre_id": self.cadre_id, "stated_region_total": self.stated_region_total,
                "note": self.note[:200], "table_title": self.table_title[:200]}


def quota_source(ctx: ImportContext) -> str:
    """FixedQuota.source: the --label given, else the file's stem (“附件1.xlsx” → “附件1”)."""
    label = (ctx.source_label or (PurePath(ctx.filename).stem if ctx.filename else "")).strip()
    if not label:
        ctx.error(None, "", _("请指定来源表名称（如“附件1”）"))
    elif len(label) > 50:
        ctx.error(None, "", _("来源表名称不能超过50个字"))
    return label


def registered_households_by_village(places: ScopeRegions) -> dict[int, int]:
    """How many registered households (not moved away) the registry holds in each village of the town."""
    counts: dict[int, int] = {}
    rows = (Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD, archived_on__isnull=True,
                                  region__path__startswith=places.scope.path)
            .order_by().values("region_id").annotate(n=Count("id")))
    for row in rows:
        village = places.village_of(row["region_id"])
        if village is not None:
            counts[village.pk] = counts.get(village.pk, 0) + row["n"]
    return counts


def plan_quotas(ctx: ImportContext, source: str, rows: list[QuotaRow]) -> Outcome:
    """Compare with the stored rows of this source: unchanged, updated (version bumped), new, or gone."""
    stored = {q.row_number: q for q in FixedQuota.objects.filter(campaign=ctx.campaign, source=source)
              .prefetch_related("units")}
    outcome = Outcome(total_rows=len(rows))
    creates: list[QuotaRow] = []
    updates: list[tuple[FixedQuota, QuotaRow, bool]] = []
    for row in rows:
        quota = stored.pop(row.row_number, None)
        if quota is None:
            creates.append(row)
            continue
        units_changed = sorted(u.pk for u in quota.units.all()) != sorted(row.unit_ids)
        changed = apply_changes(ctx, quota, row.values())
        if units_changed and not changed:  # only the units differ: still a new version of the row
            bump(ctx, quota)
        if changed or units_changed:
            updates.append((quota, row, units_changed))
        else:
            outcome.unchanged += 1
    gone = list(stored.values())
    outcome.created, outcome.updated, outcome.deleted = len(creates), len(updates), len(gone)

    def write() -> None:
        FixedQuota.objects.filter(pk__in=[q.pk for q in gone]).delete()
        for quota, row, units_changed in updates:
            quota.save()
            if units_changed:
                quota.units.set(row.unit_ids)
        for row in creates:
            quota = FixedQuota.objects.create(campaign=ctx.campaign, source=source, row_number=row.row_number,
                                              created_by=ctx.user, modified_by=ctx.user, **row.values())
            if row.unit_ids:
                quota.units.set(row.unit_ids)

    outcome.write = write
    return outcome
