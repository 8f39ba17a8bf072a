"""Cadres (走访干部) keyed by (unit, name), with their supervisor (上一级) and linked villages (挂钩村)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import Table, read_table
from zoufang.core.tabular import Column, SheetRow, as_found, person_name
from zoufang.regions.models import Region
from zoufang.registry import identifiers
from zoufang.registry.imports import records as cells
from zoufang.registry.imports.base import (
    ImportContext,
    ImportSpec,
    Outcome,
    choice_lookup,
    parse_choice,
    split_names,
)
from zoufang.registry.imports.places import ScopeRegions, resolve_scope
from zoufang.registry.imports.records import Record, apply_changes, bump, fields_to_write
from zoufang.registry.models import Cadre
from zoufang.registry.unitnames import UnitNames

NAME, UNIT, ROLE, TITLE, PHONE, SUPERVISOR, LINKS = (
    "姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）")
ROLES = choice_lookup(Cadre.Role, {"镇党政班子领导": Cadre.Role.TOWN_LEADER, "镇领导": Cadre.Role.TOWN_LEADER,
                                   "党员干部": Cadre.Role.PARTY_MEMBER, "村干部": Cadre.Role.VILLAGE_CADRE,
                                   "社区干部": Cadre.Role.VILLAGE_CADRE})
COLUMNS = (
    Column(NAME, True, _l("中文姓名中的空格会被去掉（“王  文”即“王文”）"), "王文", (), 12),
    Column(UNIT, True, _l("已登记的单位名称；几个镇都有的单位写“镇名/单位名称”"),
           "镇党政班子", ("单位名称", "所在单位", "工作单位"), 16),
    Column(ROLE, True, _l("镇党政领导、部门党员干部、村（社区）干部 或 其他"), "镇党政领导", (), 16),
    Column(TITLE, False, _l("最多50字"), "党委书记", ("职位",), 14),
    Column(PHONE, False, identifiers.MOBILE_RULE, "13812345678", ("手机号", "手机", "联系电话", "联系方式"), 16, text=True),
    Column(SUPERVISOR, False, _l("“单位/姓名”，或本单位内的姓名，或全库唯一的姓名"), "镇党政班子/王文",
           ("上级", "上一级干部"), 20),
    Column(LINKS, False, _l("本镇村、社区名称，多个用“、”分隔；填写后替换原有挂钩村"), "周家浜村、马援庄村",
           ("挂钩村", "挂钩村、社区", "挂钩村社区"), 24),
)

Key = tuple[int, str]


def _record(ctx: ImportContext, table: Table, units: UnitNames, row: SheetRow) -> Record | None:
    n, get = row.number, table.value
    before = len(ctx.errors)
    name = person_name(get(row, NAME))
    if cells.required_cell(ctx, n, NAME, name):
        cells.person_cell(ctx, n, NAME, get(row, NAME), 50)
    unit = units.unit(get(row, UNIT))
    if cells.required_cell(ctx, n, UNIT, get(row, UNIT)) and unit is None:
        ctx.error(n, UNIT, ctx.area.unit_missing(units, get(row, UNIT)))
    elif unit is not None and not ctx.area.may_change_unit(unit):
        ctx.error(n, UNIT, _("“%(name)s”是上级或各镇共用的单位，%(where)s不能为它导入走访干部，请与上级走访办联系")
                  % {"name": unit.name, "where": ctx.area.where})
        unit = None
    role = parse_choice(get(row, ROLE), ROLES)
    if cells.required_cell(ctx, n, ROLE, get(row, ROLE)) and role is None:
        ctx.error(n, ROLE, _("应为：%(names)s") % {"names": "、".join(str(r.label) for r in Cadre.Role)}
                  + as_found(get(row, ROLE)))
    values: dict[str, Any] = {"name": name, "unit_id": unit.pk if unit else None, "role": role}
    if get(row, TITLE):
        values["title"] = cells.text_cell(ctx, n, TITLE, get(row, TITLE), 50)
    if get(row, PHONE):
        values["phone"] = cells.phone_cell(ctx, n, PHONE, get(row, PHONE), mobile_only=True)
    if len(ctx.errors) > before or unit is None:
        return None
    return Record(n, values, extra={"key": (unit.pk, name), "supervisor": get(row, SUPERVISOR),
                                    "links": split_names(get(row, LINKS))})


def _supervisor(ctx: ImportContext, record: Record, units: UnitNames, keys: set[Key],
                by_name: dict[str, list[Key]]) -> Key | None:
    """“单位/姓名”, or a name in the cadre's own unit, or a name unique among all cadres."""
    text, own = record.extra["supervisor"], record.extra["key"]
    if "/" in text or "／" in text:
        unit_name, _sep, name = text.replace("／", "/").rpartition("/")
        unit = units.unit(unit_name)  # “锦溪镇/派出所/张三” names one town's 派出所 (decision 0032)
        if ambiguity := units.ambiguity(unit_name):
            ctx.error(record.row, SUPERVISOR, ambiguity)
            return None
        key = (unit.pk, person_name(name)) if unit else None
        found = [key] if key in keys else []
    else:
        name = person_name(text)
        found = [(own[0], name)] if (own[0], name) in keys else by_name.get(name, [])
    if len(found) != 1:
        ctx.error(record.row, SUPERVISOR, _("找不到上一级“%(name)s”") % {"name": text} if not found
                  else _("有%(n)d位干部名为“%(name)s”，请写成“单位/姓名”") % {"n": len(found), "name": text})
        return None
    if found[0] == own:
        ctx.error(record.row, SUPERVISOR, _("上一级不能是本人"))
        return None
    return found[0]


def prepare(ctx: ImportContext, rows: list[SheetRow]) -> Outcome:
    table = read_table(ctx, rows, COLUMNS)
    if table is None:
        return Outcome()
    units = ctx.unit_names()  # a name two towns' units share is said ambiguous, never guessed (decision 0032)
    # The cadres a row may be or name as its 上一级: those of the units the area may name.
    stored: dict[Key, Cadre] = {(c.unit_id, person_name(c.name)): c
                                for c in Cadre.objects.filter(unit__in=ctx.area.units(
                                    ctx.campaign.scope if ctx.campaign is not None else None).values("pk"))}
    found: list[Record] = []
    seen: dict[Key, int] = {}
    for done, row in enumerate(table.rows, 1):
        record = _record(ctx, table, units, row)
        if record is not None and record.extra["key"] in seen:
            ctx.error(row.number, NAME, _("与第%(other)d行重复（同一单位同名）") % {"other": seen[record.extra["key"]]})
        elif record is not None:
            seen[record.extra["key"]] = row.number
            record.existing = stored.get(record.extra["key"])
            found.append(record)
        ctx.tick(done, len(table.rows))
    keys = set(stored) | set(seen)
    by_name: dict[str, list[Key]] = {}
    for key in sorted(keys):
        by_name.setdefault(key[1], []).append(key)
    places = _places(ctx, found)
    for record in found:
        record.extra["supervisor_key"] = (
            _supervisor(ctx, record, units, keys, by_name) if record.extra["supervisor"] else None)
        if record.extra["links"] and places is not None:
            regions = [places.village(name, ctx, record.row, LINKS) for name in record.extra["links"]]
            record.extra["link_ids"] = {r.pk for r in regions if r is not None}
    if not ctx.errors:
        _refuse_cycles(ctx, found, stored)
    if ctx.errors:
        return Outcome(total_rows=len(table.rows))
    return _plan(ctx, found, stored, len(table.rows))


def _refuse_cycles(ctx: ImportContext, found: list[Record], stored: dict[Key, Cadre]) -> None:
    """上一级 chains must end: 甲 → 乙 → 甲 would make 上下谈一级 pair people in a ring with no head.

    The chain is followed through the registry as it would be after the import (a blank 上一级 keeps the
    stored one), and each ring is reported once, on the first of its rows in the file.
    """
    key_of = {cadre.pk: key for key, cadre in stored.items()}
    up: dict[Key, Key] = {key: key_of[c.supervisor_id] for key, c in stored.items() if c.supervisor_id in key_of}
    for record in found:
        if record.extra["supervisor_key"] is not None:
            up[record.extra["key"]] = record.extra["supervisor_key"]
    names = {key: (stored[key].name if key in stored else key[1]) for key in set(up) | set(up.values())}
    reported: set[Key] = set()
    for record in found:
        chain, at = [record.extra["key"]], up.get(record.extra["key"])
        while at is not None and at not in chain:
            chain.append(at)
            at = up.get(at)
        if at != record.extra["key"] or at in reported:
            continue
        reported.update(chain)
        ring = " → ".join(names[k] for k in [*chain, at])
        ctx.error(record.row, SUPERVISOR, _("上一级形成循环：%(ring)s，须有一人没有上一级或上一级在循环之外")
                  % {"ring": ring})


def _places(ctx: ImportContext, found: list[Record]) -> ScopeRegions | None:
    if not any(record.extra["links"] for record in found):
        return None
    scope = resolve_scope(ctx)
    return ScopeRegions(scope) if scope is not None else None


def _plan(ctx: ImportContext, found: list[Record], stored: dict[Key, Cadre], total: int) -> Outcome:
    """Count creates and updates (fields, supervisor or linked villages) and build the writer."""
    outcome = Outcome(total_rows=total)
    links = _stored_links([r.existing.pk for r in found if r.existing is not None and "link_ids" in r.extra])
    named = _Names(ctx, stored, found, links)
    update_fields: set[str] = set()
    to_update: list[Cadre] = []
    for record in found:
        cadre = record.existing
        if cadre is None:
            outcome.created += 1
            continue
        sup_key = record.extra["supervisor_key"]
        sup_changed = sup_key is not None and (sup_key not in stored or stored[sup_key].pk != cadre.supervisor_id)
        links_changed = "link_ids" in record.extra and record.extra["link_ids"] != links.get(cadre.pk, set())
        key = named.cadre(record.extra["key"])
        changed = apply_changes(ctx, cadre, record.values, row=record.row, key=key)
        update_fields.update(changed)
        if sup_changed or links_changed:
            change = ctx.change_of(cadre, record.row, key)
            if sup_changed:
                change.fields.append((SUPERVISOR, named.supervisor_of(cadre), named.cadre(sup_key)))
            if links_changed:
                change.fields.append((LINKS, named.villages(links.get(cadre.pk, set())),
                                      named.villages(record.extra["link_ids"])))
        if (sup_changed or links_changed) and not changed:
            bump(ctx, cadre)
        if changed or sup_changed or links_changed:
            outcome.updated += 1
            to_update.append(cadre)
        else:
            outcome.unchanged += 1

    def write() -> None:
        new = {r.extra["key"]: Cadre(**r.values, is_demo=ctx.mark_demo, created_by=ctx.user, modified_by=ctx.user)
               for r in found if r.existing is None}
        Cadre.objects.bulk_create(list(new.values()))
        if to_update:
            Cadre.objects.bulk_update(to_update, fields_to_write(Cadre, update_fields))
            from zoufang.ratings import tallies  # a cadre moved to another unit takes its ratings along

            tallies.cadres_moved([c.pk for c in to_update])
        by_key = {**stored, **new}
        moved = []
        for record in found:
            cadre = by_key[record.extra["key"]]
            sup_key = record.extra["supervisor_key"]
            if sup_key is not None and cadre.supervisor_id != by_key[sup_key].pk:
                cadre.supervisor_id = by_key[sup_key].pk
                moved.append(cadre)
            if "link_ids" in record.extra and record.extra["link_ids"] != links.get(cadre.pk, set()):
                cadre.linked_regions.set(record.extra["link_ids"])
        Cadre.objects.bulk_update(moved, ["supervisor"])

    outcome.write = write
    return outcome


class _Names:
    """Cadres and villages as a cadre's change names them (王文（镇党政班子）, 周家浜村、马援庄村), read once for the file."""

    def __init__(self, ctx: ImportContext, stored: dict[Key, Cadre], found: list[Record],
                 links: dict[int, set[int]]) -> None:
        self.units = {unit.pk: unit.name for unit in ctx.area.units()}
        self.key_of = {cadre.pk: key for key, cadre in stored.items()}
        ids = set().union(*links.values(), *(r.extra.get("link_ids", set()) for r in found))
        self.regions = dict(Region.objects.filter(pk__in=ids).order_by("path").values_list("pk", "name"))

    def cadre(self, key: Key | None) -> str:
        return f"{key[1]}（{self.units.get(key[0], '')}）" if key is not None else ""

    def supervisor_of(self, cadre: Cadre) -> str:
        if cadre.supervisor_id is None:
            return ""
        key = self.key_of.get(cadre.supervisor_id)
        if key is None:  # one outside the units this import names
            return str(Cadre.objects.select_related("unit").get(pk=cadre.supervisor_id))
        return self.cadre(key)

    def villages(self, ids: set[int]) -> str:
        return "、".join(name for pk, name in self.regions.items() if pk in ids)


def _stored_links(cadre_ids: list[int]) -> dict[int, set[int]]:
    through = Cadre.linked_regions.through
    links: dict[int, set[int]] = {}
    for cadre_id, region_id in through.objects.filter(cadre_id__in=cadre_ids).values_list("cadre_id", "region_id"):
        links.setdefault(cadre_id, set()).add(region_id)
    return links


SPEC = ImportSpec(
    kind="cadres", label=_l("走访干部"), columns=COLUMNS, prepare=prepare, model="registry.Cadre",
    notes=(_l("按单位和姓名识别同一人；单位须先导入。上一级可以是本文件中后面的行。"),
           _l("选填列留空时不修改已登记的内容；挂钩村（社区）填写后替换原有挂钩村。")),
)
