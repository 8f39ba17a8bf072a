"""Running an import: read the file, validate every row, then write all of it in one transaction or nothing."""

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core import tabular
from zoufang.core.tabular import RowError, TabularError, read_rows
from zoufang.registry.imports import (
    allocation,
    cadres,
    departments,
    households,
    leaders,
    regions,
    targets,
    units,
)
from zoufang.registry.imports.base import ImportContext, ImportReport, ImportSpec

KINDS: dict[str, ImportSpec] = {spec.kind: spec for spec in (
    regions.SPEC, units.SPEC, departments.SPEC, cadres.SPEC, households.SPEC, targets.ENTERPRISES,
    targets.PROJECTS, targets.NOTABLE_PERSONS, allocation.SPEC, leaders.LEADER_HOUSEHOLDS,
    leaders.LEADER_ENTERPRISES,
)}


def get_spec(kind: str) -> ImportSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}") from None


def run_import(kind: str, source: Path | IO[bytes], *, filename: str | None = None, campaign: Any = None,
               dry_run: bool = False, by: Any = None, mark_demo: bool = False,
               progress: Callable[[int, int], None] | None = None,
               source_label: str | None = None) -> ImportReport:
    """Import one file of `kind`: every error is reported and then nothing is written; else all of it is."""
    spec = get_spec(kind)
    if filename is None:
        filename = source.name if isinstance(source, Path) else getattr(source, "name", None)
    ctx = ImportContext(kind, campaign=campaign, by=by, mark_demo=mark_demo, progress=progress,
                        source_label=source_label, filename=filename)
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        rows = read_rows(source, filename)
    except TabularError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    outcome = spec.prepare(ctx, rows)
    report.errors = sorted(ctx.errors, key=lambda error: error.row or 0)  # file-wide first, then by row
    report.total_rows = outcome.total_rows
    report.notes = list(ctx.notes)
    if not report.ok:
        return report
    report.created, report.updated, report.unchanged, report.deleted = (
        outcome.created, outcome.updated, outcome.unchanged, outcome.deleted)
    if dry_run or outcome.write is None:
        return report
    try:
        with transaction.atomic():
            outcome.write()
            _audit(spec, ctx, report)
    except DatabaseError as exc:
        report.errors.append(RowError(None, "", _("写入数据库时出错，已全部撤销：%(error)s") % {"error": exc}))
        report.created = report.updated = report.unchanged = report.deleted = 0
    return report


def _audit(spec: ImportSpec, ctx: ImportContext, report: ImportReport) -> None:
    name = Path(ctx.filename).name if ctx.filename else ""
    audit.record(
        ctx.by, AuditEvent.Action.IMPORT, object_type=spec.model,
        summary=_("导入%(label)s%(file)s，%(summary)s") % {
            "label": spec.label, "file": f"（{name}）" if name else "", "summary": report.summary()},
        changes={"kind": spec.kind, "file": name, "source": ctx.source_label or "",
                 "campaign": getattr(ctx.campaign, "slug", ""), "total_rows": report.total_rows,
                 "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                 "deleted": report.deleted},
    )


def write_template(kind: str, out: Path | IO[bytes]) -> None:
    """The blank xlsx for `kind`: its header row(s) and a “说明” sheet with every column's rule and example."""
    spec = get_spec(kind)
    tabular.write_template(out, spec.columns, title=str(spec.label).split("（")[0],
                           header_rows=spec.header_rows, merges=spec.merges,
                           notes=[_("%(label)s导入模板") % {"label": spec.label}, *map(str, spec.notes)])
