"""Regions (市 / 区县 / 镇 / 村·社区 / 村民小组 / 网格): rows in order, each may hang under an earlier row."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import Table, read_table
from zoufang.core.tabular import Column, SheetRow, as_found, compact
from zoufang.regions.models import Region
from zoufang.registry.imports import position_cells
from zoufang.registry.imports import records as cells
from zoufang.registry.imports.area import ImportArea
from zoufang.registry.imports.base import ImportContext, ImportSpec, Outcome, choice_lookup, parse_choice
from zoufang.registry.imports.places import path_segments
from zoufang.registry.imports.records import apply_changes, changed_fields
from zoufang.registry.unitnames import second_top_region_refusal

PARENT, NAME, LEVEL, CODE = "上级区划", "名称", "层级", "区划代码"
_CODE = re.compile(r"^\d{6,12}$")
L = Region.Level
LEVELS = choice_lookup(L, {"地级市": L.CITY, "区": L.COUNTY, "县": L.COUNTY, "县级市": L.COUNTY, "乡": L.TOWN,
                           "乡镇": L.TOWN, "街道": L.TOWN, "村": L.VILLAGE, "社区": L.VILLAGE,
                           "村民小组": L.GROUP, "居民小组": L.GROUP, "小组": L.GROUP})
COLUMNS = (
    Column(PARENT, False, _l("上级区划的路径（如“锦溪镇/上下塘社区”）或唯一的名称；最上级留空。可引用本表前面的行"),
           "锦溪镇", ("上级",), 26),
    Column(NAME, True, _l("区划名称，同一上级下不重复，最多100字"), "上下塘社区", ("区划名称",), 18),
    Column(LEVEL, True, _l("市、区县、镇、村、社区、村（社区）、村民小组、居民小组 或 网格"), "社区", ("级别",), 14),
    Column(CODE, False, _l("6到12位数字，全库唯一；填写后按代码识别同一区划"), "320583106001", ("代码", "行政区划代码"), 16,
           text=True),
    *position_cells.COLUMNS,
)


@dataclass(eq=False)
class Node:
    """A region known to this import: stored (`region` set from the start) or to be created by `row`."""

    name: str
    level: str
    code: str
    parent: "Node | None"
    region: Region | None = None
    parent_pk: int | None = None
    row: int | None = None
    touched_by: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    position: dict[str, Any] = field(default_factory=dict)  # latitude and longitude, when the row gives them

    @property
    def ident(self) -> tuple[str, int]:
        return ("pk", self.region.pk) if self.region is not None and self.row is None else ("row", self.row or 0)

    def parent_ident(self) -> tuple[str, int] | None:
        if self.parent is not None:
            return self.parent.ident
        return ("pk", self.parent_pk) if self.parent_pk else None


class Tree:
    """The stored regions this file can refer to (those the importing user may name: its area's and those above
    it), plus the ones its earlier rows create; and the codes registered outside them."""

    def __init__(self, names: set[str], codes: set[str], area: ImportArea) -> None:
        self.by_name: dict[str, list[Node]] = {}
        self.by_code: dict[str, Node] = {}
        self.children: dict[tuple[Any, str], Node] = {}
        self.codes_elsewhere: set[str] = set()
        for region in Region.objects.filter(Q(name__in=names) | Q(code__in=codes)).order_by("path"):
            if area.may_name_region(region):
                self.add(Node(region.name, region.level, region.code, None, region, region.parent_id))
            elif region.code in codes:
                self.codes_elsewhere.add(region.code)

    def add(self, node: Node) -> None:
        self.by_name.setdefault(compact(node.name), []).append(node)
        if node.code:
            self.by_code[node.code] = node
        self.children[(node.parent_ident(), compact(node.name))] = node

    def resolve(self, text: str) -> list[Node]:
        segments = path_segments(text)
        candidates = list(self.by_name.get(segments[0], [])) if segments else []
        for segment in segments[1:]:
            candidates = [c for c in (self.children.get((n.ident, segment)) for n in candidates) if c is not None]
        return candidates


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    table = read_table(ctx, rows, COLUMNS)
    if table is None:
        return Outcome()
    names = {compact(table.value(r, NAME)) for r in table.rows}
    for row in table.rows:
        names.update(path_segments(table.value(row, PARENT)))
    tree = Tree(names, {table.value(r, CODE) for r in table.rows if table.value(r, CODE)}, ctx.area)
    outcome = Outcome(total_rows=len(table.rows))
    creates: list[Node] = []
    updates: list[Node] = []
    for done, row in enumerate(table.rows, 1):
        node = _row(ctx, table, tree, row)
        if node is not None and node.row == row.number:
            creates.append(node)
        elif node is not None and apply_changes(ctx, node.region, node.values, row=row.number):
            updates.append(node)
        elif node is not None:
            outcome.unchanged += 1
        ctx.tick(done, len(table.rows))
    if ctx.errors:
        return outcome
    outcome.created, outcome.updated = len(creates), len(updates)

    def write() -> None:
        for node in creates:
            region = Region(name=node.name, level=node.level, code=node.code, is_demo=ctx.mark_demo,
                            parent=node.parent.region if node.parent else None,
                            created_by=ctx.user, modified_by=ctx.user, **node.position)
            region.save()
            node.region = region
        for node in updates:
            assert node.region is not None  # noqa: S101 - updates are stored regions
            node.region.save()

    outcome.write = write
    return outcome


def _row(ctx: ImportContext, table: Table, tree: Tree, row: SheetRow) -> Node | None:
    """Validate one row and find or plan its node; None when the row has errors."""
    n, before = row.number, len(ctx.errors)
    name, code, parent_text = compact(table.value(row, NAME)), table.value(row, CODE), table.value(row, PARENT)
    if cells.required_cell(ctx, n, NAME, name):
        cells.text_cell(ctx, n, NAME, name, 100)
    level = parse_choice(table.value(row, LEVEL), LEVELS)
    if cells.required_cell(ctx, n, LEVEL, table.value(row, LEVEL)) and level is None:
        ctx.error(n, LEVEL, _("应为：市、区县、镇、村、社区、村民小组、居民小组 或 网格") + as_found(table.value(row, LEVEL)))
    if code and not _CODE.match(code):
        ctx.error(n, CODE, _("应为6到12位数字") + as_found(code))
    parent = None
    if parent_text:
        found = tree.resolve(parent_text)
        if len(found) == 1:
            parent = found[0]
        else:
            ctx.error(n, PARENT, _("找不到上级区划“%(name)s”") % {"name": parent_text} if not found else
                      _("有%(n)d个区划叫“%(name)s”，请写完整路径，如“锦溪镇/上下塘社区”") % {"n": len(found), "name": parent_text})
    if parent is not None and level is not None and Region.level_rank(parent.level) >= Region.level_rank(level):
        ctx.error(n, PARENT, _("上级“%(parent)s”是%(plevel)s，不能作为%(level)s的上级")
                  % {"parent": parent.name, "plevel": L(parent.level).label, "level": L(level).label})
    position = position_cells.position_cells(ctx, table, row)
    position.pop("position_source", None)
    if len(ctx.errors) > before or level is None:
        return None
    return _match(ctx, tree, n, Node(name, level, code, parent, row=n, position=position))


def _match(ctx: ImportContext, tree: Tree, n: int, new: Node) -> Node | None:
    """The stored region this row means (by code, else by parent and name), or the new node, registered. Within the
    importing user's area only: a row may name the regions above it as they are, not add or change one there."""
    if new.code in tree.codes_elsewhere:
        ctx.error(n, CODE, ctx.area.outside_message(_("区划代码")))
        return None
    node = tree.by_code.get(new.code) if new.code else None
    if node is not None and node.parent_ident() != new.parent_ident():
        ctx.error(n, CODE, _("区划代码%(code)s已用于上级不同的“%(name)s”，导入不能移动区划")
                  % {"code": new.code, "name": node.name})
        return None
    sibling = tree.children.get((new.parent_ident(), new.name))
    if node is not None and sibling is not None and sibling is not node:
        ctx.error(n, NAME, _("同一上级下已有“%(name)s”") % {"name": new.name})
        return None
    node = node or sibling
    stored = [s.region for s in tree.by_name.get(new.name, []) if s.region is not None and s.region.parent_id]
    if node is None and new.parent is None and len(stored) == 1 and stored[0].parent is not None:
        # A town's own table lists the town itself first, with no parent: say where it is registered.
        above = stored[0].parent.name
        ctx.error(n, PARENT, _("“%(name)s”已登记在“%(parent)s”之下：上级区划写“%(parent)s”，或删除这一行")
                  % {"name": new.name, "parent": above})
        return None
    if node is None and new.parent is None and (refusal := second_top_region_refusal(new.name)):
        ctx.error(n, PARENT, refusal)
        tree.add(new)  # the rows under it are checked all the same, not refused for a parent “not found”
        return None
    if node is None and not _may_add_under(ctx, new.parent):
        ctx.error(n, PARENT, _("只能在%(where)s的区划之下新增区划；“%(parent)s”不在%(where)s范围内") % {
            "where": ctx.area.where, "parent": new.parent.name if new.parent else _("（最上级）")})
        return None
    if node is None:
        tree.add(new)
        return new
    if node.touched_by is not None or node.row is not None:
        ctx.error(n, NAME, _("与第%(other)d行是同一区划") % {"other": node.touched_by or node.row})
        return None
    if node.level != new.level:
        ctx.error(n, LEVEL, _("已有区划“%(name)s”是%(level)s，导入不能修改层级")
                  % {"name": node.name, "level": L(node.level).label})
        return None
    values = {"name": new.name, **({"code": new.code} if new.code else {}), **new.position}
    if node.region is not None and not ctx.area.holds(node.region) and changed_fields(node.region, values):
        ctx.error(n, NAME, _("“%(name)s”在%(where)s范围之外，导入不能修改它") % {"name": node.name,
                                                                   "where": ctx.area.where})
        return None
    if node.region is not None and compact(node.name) != new.name and not cells.guard_identity(
            ctx, n, NAME, _("区划代码%(code)s") % {"code": new.code}, [(NAME, node.name, new.name, "name")], node.region):
        return None
    node.touched_by = n
    node.values = values
    return node


def _may_add_under(ctx: ImportContext, parent: Node | None) -> bool:
    """A new region hangs under one of the area (stored, or added by an earlier row of the file, itself checked)."""
    if ctx.area.everywhere:
        return True
    if parent is None:
        return False
    return parent.region is None or parent.row is not None or ctx.area.holds(parent.region)


SPEC = ImportSpec(
    kind="regions", label=_l("行政区划"), columns=COLUMNS, prepare=prepare, model="regions.Region",
    notes=(_l("自上而下逐行填写：先镇，再村、社区，再村民小组、网格；后面的行可以引用前面行新增的区划。"),
           _l("有区划代码时按代码识别同一区划，否则按上级和名称识别；重复导入不会重复登记。导入不会移动区划或修改层级。")),
)
