"""Storing an allocation table as fixed quotas: one FixedQuota per row (per unit of a joint row), the source's
rows replaced as a whole, and never a second copy of blocks another table already fixes."""

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.db.models import Count, F
from django.utils.translation import gettext as _

from zoufang.core.tabular import row_numbers
from zoufang.planning.models import FixedQuota
from zoufang.planning.snapshot import HOUSEHOLD, HOUSEHOLD_KINDS, target_classes
from zoufang.planning.tables.header import DEPARTMENT, LEADER, NOTE, SERIAL, UNIT, KindSplit, is_annex_label
from zoufang.regions.models import Region
from zoufang.registry.imports.base import ImportContext, Outcome
from zoufang.registry.imports.places import ScopeRegions
from zoufang.registry.imports.records import apply_changes, text_cell
from zoufang.registry.models import Cadre, Target, Unit


def _kept(name: str) -> int:
    """How many characters FixedQuota's column `name` keeps."""
    return FixedQuota._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


SERIAL_LENGTH, NOTE_LENGTH, LABEL_LENGTH, TITLE_LENGTH, SOURCE_LENGTH = (
    _kept(name) for name in ("serial", "note", "label", "table_title", "source"))
TITLE = "表标题"  # how an error names the title line above the header
LABEL_COLUMN: dict[str, str] = {  # the header of the column a row's FixedQuota.label is read from
    FixedQuota.Table.UPPER_LEVEL: UNIT, FixedQuota.Table.LEADER_HOUSEHOLDS: LEADER,
    FixedQuota.Table.LEADER_ENTERPRISES: LEADER, FixedQuota.Table.UNIT_HOUSEHOLDS: DEPARTMENT,
    FixedQuota.Table.UNIT_ENTERPRISES: DEPARTMENT}


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
    part: int = 0  # 1, 2 … for each unit of a joint row; 0 for a row with one unit

    def content(self) -> dict[str, Any]:
        """What the row says, without where it stands in the table (its row number, share and 序号)."""
        return {name: value for name, value in self.values().items() if name != "serial"}

    def values(self) -> dict[str, Any]:
        """FixedQuota's fields, whole: `refuse_overlong_quotas` refused the table before any could be cut."""
        for name, length in (("serial", SERIAL_LENGTH), ("label", LABEL_LENGTH), ("note", NOTE_LENGTH),
                             ("table_title", TITLE_LENGTH)):
            assert len(getattr(self, name)) <= length, f"{name} longer than FixedQuota keeps reached the write"  # noqa: S101
        return {"table": self.table, "serial": self.serial, "label": self.label,
                "target_kind": self.target_kind, "count": self.count, "region_id": self.region_id,
                "cadre_id": self.cadre_id, "stated_region_total": self.stated_region_total,
                "note": self.note, "table_title": self.table_title}


def quota_source(ctx: ImportContext, *, annex: str = "", title: str = "", title_row: int | None = None,
                 keeps_title: bool = True) -> str:
    """FixedQuota.source: the --label given; else the issuer's “附件2” line above the title; else a file named
    like “附件1.xlsx”; else the table's title. Without any of them the import is refused: a table the plan
    applies must have a name the export prints it under. A title its quotas keep (`keeps_title`: not the leaders'
    tables), or the title the table is named by, that is longer than a quota keeps is refused, naming its row; a
    longer name given is refused naming the limit: never cut to fit (decision 0064: a table named by a title cut to
    its first characters took the name of another table whose title began alike, and replaced its quotas)."""
    if keeps_title:  # each quota keeps the title: never cut to fit
        text_cell(ctx, title_row, TITLE, title, TITLE_LENGTH)
    stem = PurePath(ctx.filename).stem.strip() if ctx.filename else ""
    label = (ctx.source_label or "").strip()
    if not label:
        label, whence = next(((text, what) for text, what in (
            (annex, _("表中的标注")), (stem if is_annex_label(stem) else "", _("文件名")),
            (title, _("表标题"))) if text), ("", ""))
        if label:
            ctx.notes.append(_("未指定来源表名称，取自%(whence)s：“%(label)s”") % {"whence": whence, "label": label})
        if label and label == title:  # too long a title is named by its row, once (checked above where kept)
            if not keeps_title:  # the source keeps as many characters as table_title
                text_cell(ctx, title_row, TITLE, title, SOURCE_LENGTH)
            return label
    if not label:
        # The imports page has no field for it: the ways a clerk names the table come first, the command's last.
        ctx.error(None, "", _("表没有来源表名称：表头之上没有“附件1”这样的标注，也没有标题，文件名也不是“附件1”这样的名称。"
                              "请在表头上方的一行写明来源表名称（如“附件1”），或把文件名改为“附件1.xlsx”后再导入"
                              "（命令行导入也可加 --label 附件1）"))
    elif len(label) > SOURCE_LENGTH:
        ctx.error(None, "", _("来源表名称不能超过%(n)d个字，现为%(length)d个字") % {"n": SOURCE_LENGTH,
                                                                     "length": len(label)})
    return label


def _blocks(unit_ids: Any, cadre_id: int | None, region_id: int | None, kind: str) -> list[tuple[Any, ...]]:
    """The fixed blocks a row holds: (visitor, village, kind), the visitor a leader or each unit."""
    if cadre_id is not None:
        return [("cadre", cadre_id, region_id, kind)]
    return [("unit", unit_id, region_id, kind) for unit_id in unit_ids]


def refuse_overlaps(ctx: ImportContext, source: str, rows: list[QuotaRow]) -> None:
    """A row whose block (unit or leader, village, kind) another source already fixes is an error naming both.

    The same table imported under a second name would otherwise double every block it fixes.
    """
    held: dict[tuple[Any, ...], FixedQuota] = {}
    for quota in (FixedQuota.objects.filter(campaign=ctx.campaign).exclude(source=source)
                  .prefetch_related("units").order_by("source", "row_number", "part")):
        for block in _blocks([u.pk for u in quota.units.all()], quota.cadre_id, quota.region_id, quota.target_kind):
            held.setdefault(block, quota)
    if not held:
        return
    clashes: dict[str, list[tuple[QuotaRow, tuple[Any, ...], FixedQuota]]] = {}  # other source → its clashes
    for row in rows:
        for block in _blocks(row.unit_ids, row.cadre_id, row.region_id, row.target_kind):
            other = held.get(block)
            if other is not None:
                clashes.setdefault(other.source, []).append((row, block, other))
    describe = _Describer()
    this = f"“{source}”" + (f"（{PurePath(ctx.filename).name}）" if ctx.filename else "")
    for other_source, found in clashes.items():
        row, block, other = found[0]
        numbers = sorted({clash.row_number for clash, _block, _other in found})
        ctx.error(row.row_number, "", _(
            "本表%(this)s与已导入的来源表“%(other)s”%(title)s重复：第%(rows)s行（共%(n)d行）所分配的，已由“%(other)s”"
            "分配，如%(block)s（“%(other)s”第%(row)d行）。同一张表不能以两个名称导入；要替换原表，"
            "请用原来的名称“%(other)s”重新导入：%(how)s") % {
            "this": this, "other": other_source, "title": f"（{other.table_title}）" if other.table_title else "",
            "rows": row_numbers(numbers), "n": len(numbers), "block": describe.block(block), "row": other.row_number,
            "how": _same_name_how(other_source, PurePath(ctx.filename or "").suffix or ".xlsx")})


def refuse_overlong(ctx: ImportContext, row: int, serial: str, note: str = "") -> None:
    """A 序号 or 备注 longer than FixedQuota keeps is refused, naming the row: never cut to fit."""
    text_cell(ctx, row, SERIAL, serial, SERIAL_LENGTH)
    text_cell(ctx, row, NOTE, note, NOTE_LENGTH)


def refuse_overlong_quotas(ctx: ImportContext, rows: list[QuotaRow]) -> None:
    """Each table row's 序号, name as written and 备注 that FixedQuota could not keep whole, refused naming the cell.

    A joint row's 备注 also says how the row was split: when that makes it too long, the message says so."""
    for row in {row.row_number: row for row in rows}.values():  # a joint row's shares say one row's words
        refuse_overlong(ctx, row.row_number, row.serial, "" if row.part else row.note)
        text_cell(ctx, row.row_number, LABEL_COLUMN[row.table], row.label, LABEL_LENGTH)
        if row.part and len(row.note) > NOTE_LENGTH and len(row.label) <= LABEL_LENGTH:
            ctx.error(row.row_number, LABEL_COLUMN[row.table], _(
                "联合走访的分配说明连同备注共%(length)d个字，超过备注能存的%(n)d个字，请减少本行联合走访的单位或缩短备注")
                % {"length": len(row.note), "n": NOTE_LENGTH})


def refuse_repeats(ctx: ImportContext, rows: list[QuotaRow]) -> None:
    """Two rows of one table fixing the same block (unit or leader, village, kind) is an error naming both: a
    re-import matches the stored rows by that block, and the planner could keep only one of the two counts."""
    first: dict[tuple[Any, ...], QuotaRow] = {}
    describe = _Describer()
    for row in rows:
        for block in _blocks(row.unit_ids, row.cadre_id, row.region_id, row.target_kind):
            earlier = first.setdefault(block, row)
            if earlier is row:
                continue
            what = describe.block(block)
            if earlier.row_number == row.row_number:
                ctx.error(row.row_number, "", _("本行两次分配%(what)s，请只写一次") % {"what": what})
            else:
                ctx.error(row.row_number, "", _(
                    "第%(first)d行和第%(row)d行都分配%(what)s：同一走访单位（领导）在同一村、社区的同类对象只能写一行，"
                    "请合并为一行后再导入") % {"first": earlier.row_number, "row": row.row_number, "what": what})


def _same_name_how(source: str, suffix: str) -> str:
    """How a clerk imports a table again under `source`: on the command line, and on the import page."""
    if is_annex_label(source):
        return _("命令行加 --label %(source)s；网页导入时把文件名改为“%(source)s%(suffix)s”，或在表标题上方的一行写"
                 "“%(source)s”") % {"source": source, "suffix": suffix}
    return _("命令行加 --label %(source)s；网页导入时表标题须是“%(source)s”，标题上方不写“附件”标注") % {"source": source}


def check_kind_split(ctx: ImportContext, split: KindSplit | None) -> None:
    """A table whose count column is split by target kind is stored one quota per kind, which the plan keeps only
    where the campaign plans those kinds apart; otherwise the table is refused, saying which columns and what to do."""
    if split is None or ctx.campaign is None:
        return
    classes = {c.key for c in target_classes(ctx.campaign.config)}
    merged = [k for k in split.kinds if k not in classes and k in HOUSEHOLD_KINDS and HOUSEHOLD in classes]
    if merged:
        ctx.error(split.row, split.column, _(
            "本活动按“群众家庭”分配居民户，不分户籍户和非户籍常住户（活动配置 quotas 中为 household），"
            "表中“%(column)s”分为%(names)s两列，无法按类型分配：请把这几列相加，合为一列“%(column)s”后再导入")
            % {"column": split.column, "names": split.names()})
    if not ctx.errors and all(kind in classes for kind in split.kinds):  # said of a table read, not refused
        ctx.notes.append(_("“%(column)s”分为%(names)s，各列按该类对象分配") % {
            "column": split.column, "names": split.names()})
    for kind in split.kinds:
        if kind not in classes and kind not in merged:
            ctx.error(split.row, split.written[kind], _(
                "本活动的走访对象（活动配置 target_kinds）不含%(kind)s，表中“%(column)s”下的“%(name)s”一列无法导入："
                "请删去这一列；如果本活动也走访%(kind)s，请先在活动配置的 target_kinds 中加入 %(key)s，重新加载活动后再导入")
                % {"kind": Target.Kind(kind).label, "column": split.column, "name": split.written[kind], "key": kind})


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
    """Compare with the stored rows of this source, matched by what each row fixes (unit or leader, village, kind),
    not by where it stands: unchanged, updated (version bumped), new, or gone.

    Counted by the table's rows: a joint row's shares are one row, updated when any share changed. The same
    content in another layout (rows moved, header rows added) is unchanged and writes nothing; a file that changes
    something also moves the stored rows to where this file has them. Refused, writing nothing, when two rows fix
    the same block or a row fixes a block another source already holds.
    """
    table_rows = len({row.row_number for row in rows})
    refuse_overlong_quotas(ctx, rows)
    refuse_repeats(ctx, rows)
    refuse_overlaps(ctx, source, rows)
    if ctx.errors:
        return Outcome(total_rows=table_rows)
    stored: dict[tuple[Any, ...], list[FixedQuota]] = {}
    for quota in (FixedQuota.objects.filter(campaign=ctx.campaign, source=source).prefetch_related("units")
                  .order_by("row_number", "part")):
        stored.setdefault(_identity([u.pk for u in quota.units.all()], quota.cadre_id, quota.region_id,
                                    quota.target_kind), []).append(quota)
    outcome = Outcome(total_rows=table_rows)
    creates: list[QuotaRow] = []
    updates: list[FixedQuota] = []
    matched: list[tuple[FixedQuota, QuotaRow]] = []
    status: dict[int, str] = {}
    taken_by: dict[int, set[int]] = {}  # stored row number → the rows of this file that took its shares
    describe = _Describer()

    def count(row_number: int, what: str) -> None:
        status[row_number] = what if status.get(row_number, what) == what else "updated"

    for row in rows:
        held = stored.get(_identity(row.unit_ids, row.cadre_id, row.region_id, row.target_kind))
        if not held:
            creates.append(row)
            count(row.row_number, "created")
            if stored:
                ctx.notes.append(_("第%(row)d行%(block)s：新增，%(field)s%(count)d") % {
                    "row": row.row_number, "block": describe(row.unit_ids, row.cadre_id, row.region_id,
                                                             row.target_kind),
                    "field": _field_name("count"), "count": row.count})
            continue
        quota = held.pop(0)
        changed = apply_changes(ctx, quota, row.content(), row=row.row_number,
                                key=describe(row.unit_ids, row.cadre_id, row.region_id, row.target_kind))
        matched.append((quota, row))
        taken_by.setdefault(quota.row_number, set()).add(row.row_number)
        if changed:
            updates.append(quota)
        count(row.row_number, "updated" if changed else "unchanged")
    gone = [quota for held in stored.values() for quota in held]
    for quota in gone:  # a share gone from a row still there (fewer joint units) updates the rows that took it
        for row_number in taken_by.get(quota.row_number, ()):
            status[row_number] = "updated"
        change = ctx.change_of(quota, quota.row_number, describe(
            [u.pk for u in quota.units.all()], quota.cadre_id, quota.region_id, quota.target_kind))
        change.deleted = True
        change.fields.append((_field_name("count"), str(quota.count), ""))
    outcome.created, outcome.updated, outcome.unchanged = (
        sum(1 for s in status.values() if s == what) for what in ("created", "updated", "unchanged"))
    outcome.deleted = len({q.row_number for q in gone} - set(taken_by))
    if not (creates or updates or gone):
        return outcome  # the same content, in whatever layout: nothing to write (the import itself is audited)

    def write() -> None:
        FixedQuota.objects.filter(pk__in=[q.pk for q in gone]).delete()
        moved = [quota for quota, row in matched if _position(quota) != (row.row_number, row.part, row.serial)]
        # Out of the way first: a row may move to where another stood (campaign, source, row, part, kind is unique).
        FixedQuota.objects.filter(pk__in=[q.pk for q in moved]).update(row_number=F("row_number") + _ASIDE)
        for quota, row in matched:
            quota.row_number, quota.part, quota.serial = row.row_number, row.part, row.serial
        FixedQuota.objects.bulk_update(moved, ["row_number", "part", "serial"])
        for quota in updates:
            quota.save()
        for row in creates:
            quota = FixedQuota.objects.create(campaign=ctx.campaign, source=source, row_number=row.row_number,
                                              part=row.part, created_by=ctx.user, modified_by=ctx.user, **row.values())
            if row.unit_ids:
                quota.units.set(row.unit_ids)

    outcome.write = write
    return outcome


_ASIDE = 1_000_000  # above any row number a sheet has


def _position(quota: FixedQuota) -> tuple[int, int, str]:
    return quota.row_number, quota.part, quota.serial


def _identity(unit_ids: Any, cadre_id: int | None, region_id: int | None, kind: str) -> tuple[Any, ...]:
    """What a quota is about, wherever its row stands: its leader or unit(s), its village and its kind of target."""
    return cadre_id, tuple(sorted(unit_ids)), region_id, kind


def _field_name(name: str) -> str:
    return str(FixedQuota._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


class _Describer:
    """“市交通局在上下塘社区的户籍户”: the block a quota fixes, in words; each name read once, and only the names asked
    for (a city's registry holds tens of thousands of cadres)."""

    def __init__(self) -> None:
        self.names: dict[tuple[Any, int], str] = {}

    def _name(self, model: Any, pk: int) -> str:
        if (model, pk) not in self.names:
            self.names[(model, pk)] = model.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
        return self.names[(model, pk)]

    def __call__(self, unit_ids: Any, cadre_id: int | None, region_id: int | None, kind: str) -> str:
        who = (self._name(Cadre, cadre_id) if cadre_id is not None
               else "、".join(self._name(Unit, pk) for pk in unit_ids))
        where = self._name(Region, region_id) if region_id is not None else _("本镇")
        return _("%(who)s在%(where)s的%(kind)s") % {"who": who, "where": where, "kind": Target.Kind(kind).label}

    def block(self, block: tuple[Any, ...]) -> str:
        """The same of one block as `_blocks` gives it."""
        who, visitor, region_id, kind = block
        return self((visitor,) if who == "unit" else (), visitor if who == "cadre" else None, region_id, kind)
