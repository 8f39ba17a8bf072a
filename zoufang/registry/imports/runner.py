"""Running an import: read the file, validate every row, then write all of it in one transaction or nothing."""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core import sheetwriter
from zoufang.core.tabular import (
    TOP_ROWS,
    Column,
    RowError,
    Sheet,
    SheetRow,
    TabularError,
    match_headers,
    read_header,
    read_sheet,
    unchecked_rows_note,
)
from zoufang.regions.models import Region
from zoufang.regions.positions import fill_missing
from zoufang.registry.imports import (
    allocation,
    cadres,
    department_quotas,
    departments,
    households,
    leaders,
    records,
    regions,
    targets,
    units,
)
from zoufang.registry.imports.base import Change, ImportContext, ImportReport, ImportSpec

KINDS: dict[str, ImportSpec] = {spec.kind: spec for spec in (
    regions.SPEC, units.SPEC, departments.SPEC, cadres.SPEC, households.SPEC, targets.ENTERPRISES,
    targets.PROJECTS, targets.NOTABLE_PERSONS, allocation.SPEC, leaders.LEADER_HOUSEHOLDS,
    leaders.LEADER_ENTERPRISES, department_quotas.SPEC,
)}


def get_spec(kind: str) -> ImportSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}") from None


def run_import(kind: str, source: Path | IO[bytes], *, filename: str | None = None, campaign: Any = None,
               dry_run: bool = False, by: Any = None, mark_demo: bool = False,
               progress: Callable[[int, int], None] | None = None,
               source_label: str | None = None, update: bool = False) -> ImportReport:
    """Import one file of `kind`: every error is reported and then nothing is written; else all of it is.

    Without `update` a row whose official key (ID number, credit code, region code) is registered under
    another name, village or kind is refused; with it those changes are applied too. Every stored record the
    import changes or deletes is listed on the report and audited on its own with its old and new values.
    """
    spec = get_spec(kind)
    if filename is None:
        filename = source.name if isinstance(source, Path) else getattr(source, "name", None)
    ctx = ImportContext(kind, campaign=campaign, by=by, mark_demo=mark_demo, progress=progress,
                        source_label=source_label, filename=filename, update=update)
    report = ImportReport(kind=kind, dry_run=dry_run, update=update)
    try:
        ctx.sheet = read_sheet(source, filename)
    except TabularError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    if same := same_table_sheets(ctx.sheet, spec.columns):
        ctx.error(None, "", _("工作表%(others)s与读取的工作表“%(sheet)s”是同样的表（表头相同），没有读取：每次只导入一个"
                              "工作表。请把各工作表的行复制到同一个工作表中，或把每个工作表另存为一个文件，分别导入") % {
            "sheet": ctx.sheet.name, "others": "、".join(f"“{n}”" for n in same)})
    elif ctx.sheet.other_sheets:
        ctx.notes.append(_("读取的是工作表“%(sheet)s”；工作表%(others)s也有数据，未读取（每次只导入一个工作表）") % {
            "sheet": ctx.sheet.name, "others": "、".join(f"“{n}”" for n in ctx.sheet.other_sheets)})
    outcome = spec.prepare(ctx, ctx.sheet.rows)
    records.name_references(ctx)
    if dotted := records.dotted_names_note(ctx):
        ctx.notes.append(dotted)
    if ctx.errors and ctx.sheet.name and not ctx.sheet.other_sheets:  # the rows and columns named are this sheet's
        ctx.notes.insert(0, _("读取的是工作表“%(sheet)s”，下列行号、列名都指这张工作表") % {"sheet": ctx.sheet.name})
    report.errors = sorted(ctx.errors, key=lambda error: error.row or 0)  # file-wide first, then by row
    report.notes, report.changes = ctx.notes, sorted(ctx.changes, key=lambda change: change.row)
    report.total_rows = outcome.total_rows
    if not report.ok:
        return report
    report.created, report.updated, report.unchanged, report.deleted = (
        outcome.created, outcome.updated, outcome.unchanged, outcome.deleted)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            if outcome.write is not None:  # None: the file holds what is stored (nothing to write, no plan to redo)
                outcome.write()
                if spec.model in POSITIONED and not outcome.positioned:
                    for scope in _towns(ctx):
                        fill_missing(scope)
                _plans_changed(ctx)
            with audit.chained_last():  # the head locked for the last statements only, all rows chained at once
                _audit(spec, ctx, report)  # the import itself is the office's act, audited whatever it changed
                _audit_changes(ctx, report.changes)
    except DatabaseError as exc:
        report.errors.append(RowError(None, "", _("写入数据库时出错，已全部撤销：%(error)s") % {"error": exc}))
        report.created = report.updated = report.unchanged = report.deleted = 0
    return report


def same_table_sheets(sheet: Sheet, columns: Sequence[Column]) -> list[str]:
    """The other visible sheets holding a table of this import's kind (its header names every required column): one
    sheet per village, or 附件1 and 附件2 in one workbook. Only the first is read, and the others would be left out
    with only a note to say so. None when the sheet read holds no such table: the data may be behind a cover sheet,
    as reading it says."""
    def holds_table(rows: list[SheetRow]) -> bool:
        header = read_header(rows[:TOP_ROWS], columns)
        return header is not None and not unchecked_rows_note(match_headers(header, columns, allow_unknown=True),
                                                              columns)

    if not sheet.tops or not holds_table(sheet.rows):
        return []
    return [name for name, top in sheet.tops.items() if holds_table(top)]


POSITIONED = ("registry.Target", "regions.Region")


def _towns(ctx: ImportContext) -> list[Region]:
    """Where an import may have moved targets or regions: the campaign's scope, else every town it may write in."""
    if ctx.campaign is not None:
        return [ctx.campaign.scope]
    return [town for town in Region.objects.filter(level=Region.Level.TOWN) if ctx.area.holds(town)]


def _plans_changed(ctx: ImportContext) -> None:
    """The registry the plans are proven against changed: the stored proofs of the campaign imported for (else of
    every campaign the import may have touched) are out of date until computed again."""
    from zoufang.campaigns.models import Campaign
    from zoufang.planning import proof

    campaigns = Campaign.objects.all()
    if ctx.campaign is not None:
        campaigns = campaigns.filter(pk=ctx.campaign.pk)
    elif not ctx.area.everywhere:  # what it may write is its area's: the campaigns of the area and of those above
        campaigns = campaigns.filter(scope__in=ctx.area.regions())
    proof.mark_stale(campaigns)


def _audit(spec: ImportSpec, ctx: ImportContext, report: ImportReport) -> None:
    name = Path(ctx.filename).name if ctx.filename else ""
    audit.record(
        ctx.by, AuditEvent.Action.IMPORT, object_type=spec.model,
        summary=_("导入%(label)s%(file)s，%(summary)s") % {
            "label": spec.label, "file": f"（{name}）" if name else "", "summary": report.summary()},
        changes={"kind": spec.kind, "file": name, "source": ctx.source_label or "",
                 "campaign": getattr(ctx.campaign, "slug", ""), "total_rows": report.total_rows,
                 "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                 "deleted": report.deleted, "update": ctx.update, "changes": len(ctx.changes)},
    )


def _audit_changes(ctx: ImportContext, changes: list[Change]) -> None:
    """One audit row per record the import changed or deleted (the report's list), holding every old and new value."""
    name = Path(ctx.filename).name if ctx.filename else ""
    how = _("按更新导入") if ctx.update else _("导入")
    for change in changes:
        audit.record(ctx.by, AuditEvent.Action.DELETE if change.deleted else AuditEvent.Action.UPDATE, change.obj,
                     summary=_("%(how)s%(file)s：%(change)s") % {"how": how, "file": name, "change": change},
                     changes={"file": name, "row": change.row, "key": change.key,
                              "fields": {column: [old, new] for column, old, new in change.fields}})


def write_template(kind: str, out: Path | IO[bytes]) -> None:
    """The blank xlsx for `kind`: its header row(s) and a “说明” sheet with every column's rule and example."""
    spec = get_spec(kind)
    sheet = str(spec.label).split("（")[0]
    rules = [
        _("在第一个工作表“%(sheet)s”中填写，从第%(row)d行起每行一条；列的顺序可以调换，本页不导入。") % {
            "sheet": sheet, "row": len(spec.header_rows or [[]]) + 1},
        _("导入前先检查整个文件：有一行出错，整个文件不导入，并列出每个出错的行和原因；改正后重新上传。"),
        *map(str, spec.notes),
    ]
    sheetwriter.write_template(out, spec.columns, title=sheet, header_rows=spec.header_rows, merges=spec.merges,
                               instructions_title=_("%(label)s导入模板说明") % {"label": spec.label},
                               notes_heading=_("导入时检查的规则"),
                               notes=[f"{number}. {rule}" for number, rule in enumerate(rules, 1)])
