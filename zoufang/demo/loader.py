"""Build the 锦溪镇 2017 demo through the office's own import path.

The seed's tables (data/annex*.csv) give every figure: the villages and their registered
households (附件1), the departments and their party members (附件4-1), the non-registered
resident households (附件4-1's 合计) and the enterprises (the enterprise lines of 附件1 and 附件2
and the 合计 of 附件3-2 and 附件4-2). Synthetic names and numbers are generated into var/demo/
as spreadsheets and imported like any town's files.
"""

import csv
import os
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import demo_password, ensure_administrator, ensure_user
from zoufang.campaigns.config import load_campaign_file, shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.demo import synthetic
from zoufang.planning.tables import read_allocation_table, read_department_table, read_leader_enterprise_table
from zoufang.regions.models import Region
from zoufang.registry.imports import ImportReport, run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.unitnames import named
from zoufang.visits.demo import CADRE_ACCOUNTS

DATA = Path(__file__).parent / "data"
SLUG = "jinxi-2017"
SEED = 2017
TABLES = {"附件1": "annex1.csv", "附件2": "annex2.csv", "附件3-1": "annex3-1.csv", "附件3-2": "annex3-2.csv"}
VILLAGE_CADRES_PER_COMMITTEE = 5
DEMO_DEPARTMENT = "派出所"
# Later capabilities add their part of the demo here, in order: each is a dotted path to a
# function (campaign, say) -> None that must be deterministic and safe to run twice.
DEMO_EXTENSIONS: list[str] = ["zoufang.planning.demo.plan_demo", "zoufang.cases.demo.load_demo_cases", "zoufang.visits.demo.seed_demo_visits",
                          "zoufang.oversight.demo.upper_unit_visits", "zoufang.callbacks.demo.load_demo_callbacks",
                          "zoufang.cases.demo_handling.handle_demo_cases",
                          "zoufang.integrity.demo.uphold_demo_flag",
                          "zoufang.exemplars.demo.load_demo_exemplars",
                          "zoufang.documents.demo.issue_demo_documents"]
DEMO_VILLAGE = "上下塘社区"
UPPER_UNIT = "市府办"  # 附件2: 干家甸社区 and 顾家浜村; its own account sees its blocks in every town
# How far (metres) a group lies from its village's centre, a house from its group's, an enterprise from the village's.
GROUP_SPREAD_M, HOUSE_SPREAD_M, ENTERPRISE_SPREAD_M = 600, 150, 900


class DemoError(Exception):
    pass


@dataclass
class SeedFigures:
    villages: list[synthetic.VillageShape]
    departments: list[tuple[str, int]]  # (unit, party members) in 附件4-1 order


def seed_figures() -> SeedFigures:
    """Every count the demo needs, read from the seed's tables."""
    annex1 = read_allocation_table(DATA / "annex1.csv")
    registered = {row.village: row.region_total for row in annex1.rows}
    enterprise_total = sum(line.count for line in annex1.enterprise_lines)
    enterprise_total += sum(line.count for line in read_allocation_table(DATA / "annex2.csv").enterprise_lines)
    enterprise_total += sum(row.count for row in read_leader_enterprise_table(DATA / "annex3-2.csv").rows)
    households_table = read_department_table(DATA / "annex4-1.csv")
    enterprises_table = read_department_table(DATA / "annex4-2.csv")
    resident_total = households_table.totals[-1]
    enterprise_total += enterprises_table.totals[-1]
    names = list(registered)
    resident = synthetic.split_by_weight(resident_total, [registered[n] for n in names])
    enterprises = synthetic.split_by_weight(enterprise_total, [registered[n] for n in names])
    villages = [
        synthetic.VillageShape(name, name.endswith("社区"), registered[name], resident[i], enterprises[i])
        for i, name in enumerate(names)
    ]
    departments = [(row.unit, row.party_members or 0) for row in households_table.rows]
    return SeedFigures(villages, departments)


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> Path:
    """Written aside and renamed into place: a loader running at the same time (a second test worker,
    `make run` beside the tests) reads the whole file, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with open(partial, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    partial.replace(path)
    return path


def generate_files(figures: SeedFigures, town: str, out: Path, seed: int | None = None) -> dict[str, Path]:
    """The synthetic registry as import files, deterministic for a given seed."""
    rng = random.Random(SEED if seed is None else seed)  # noqa: S311 - synthetic demo data, not security
    names = synthetic.Names(rng)
    ids = synthetic.Identities(rng)
    region_rows: list[list[str]] = []
    household_rows: list[list[str]] = []
    enterprise_rows: list[list[str]] = []
    project_rows: list[list[str]] = []
    committee_rows: list[list[str]] = []
    for number, village in enumerate(figures.villages):
        level = "社区" if village.is_community else "村"
        centre = synthetic.village_point(number, len(figures.villages), village.is_community)
        region_rows.append([town, village.name, level, "", synthetic.coordinates(centre)])
        groups = synthetic.group_names(village, synthetic.group_count(village.registered))
        places = {group: synthetic.jittered(centre, f"{village.name}/{group}", GROUP_SPREAD_M) for group in groups}
        for index, group in enumerate(groups, start=1):
            region_rows.append([f"{town}/{village.name}", group, "村民小组", "", synthetic.coordinates(places[group])])
            region_rows.append([f"{town}/{village.name}/{group}", synthetic.grid_name(index), "网格", "", ""])
        # Registered households at their door; the residents' rented rooms left to the gazetteer (their group).
        household_rows.extend(
            [*row, synthetic.coordinates(synthetic.jittered(places[row[2]], row[8], HOUSE_SPREAD_M))
             if row[0] == "户籍户" else ""]
            for row in synthetic.households(village, groups, rng, names, ids))
        enterprise_rows.extend(
            [*row, synthetic.coordinates(synthetic.jittered(centre, row[1], ENTERPRISE_SPREAD_M)), *_contacts(row[1], 2)]
            for row in synthetic.enterprises(village, rng, names, ids))
        project_rows.extend([*row, *_contacts(row[0], 1)] for row in synthetic.projects(village, rng))
        committee = synthetic.committee_name(village)
        committee_rows.append([committee, "村（居）委会", f"{town}/{village.name}", "", ""])
    cadre_rows: list[list[str]] = []
    for unit, members in figures.departments:
        cadre_rows.extend(synthetic.cadres(unit, "部门党员干部", members, names, "负责人"))
    for village in figures.villages:
        cadre_rows.extend(
            synthetic.cadres(synthetic.committee_name(village), "村（社区）干部", VILLAGE_CADRES_PER_COMMITTEE, names, "书记")
        )
    return {
        "regions": _write_csv(out / "regions.csv", ["上级区划", "名称", "层级", "区划代码", "坐标"], region_rows),
        "units": _write_csv(out / "committees.csv", ["单位名称", "单位类型", "所属区划", "党员人数", "排序"], committee_rows),
        "cadres": _write_csv(
            out / "cadres.csv", ["姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）"], cadre_rows
        ),
        "households": _write_csv(
            out / "households.csv",
            ["户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭",
             "坐标"],
            household_rows,
        ),
        "enterprises": _write_csv(
            out / "enterprises.csv",
            ["企业名称", "统一社会信用代码", "村（社区）", "地址", "企业规模", "重点企业", "行业", "联系电话", "坐标",
             "联系人", "法定代表人"],
            enterprise_rows,
        ),
        "projects": _write_csv(
            out / "projects.csv", ["项目名称", "村（社区）", "地址", "重点项目", "项目阶段", "说明", "联系人"], project_rows
        ),
    }


def _contacts(key: str, count: int) -> list[str]:
    """Invented names of a row's contact (and legal representative), drawn from the row's own key: the town's one
    random stream, which every other figure of the demo follows, is left as it was."""
    names = synthetic.Names(random.Random(f"contact/{key}"))  # noqa: S311 - synthetic demo data, not security
    return [names.person() for _ in range(count)]


Step = Callable[[str], None]


def load_demo(*, say: Step = lambda message: None, progress: Any = None) -> Campaign:
    """Load the 锦溪镇 2017 campaign, registry, tables and demo accounts (孟河镇 is demo/menghe.py's part)."""
    with transaction.atomic():
        campaign = load_campaign_file(shipped_campaign_path(SLUG))
        say(_("走访活动：%(campaign)s") % {"campaign": campaign.name})
        figures = seed_figures()
        town = campaign.scope.name
        files = generate_files(figures, town, settings.VAR_DIR / "demo")

        def step(kind: str, path: Path, **options: Any) -> ImportReport:
            report = run_import(kind, path, campaign=campaign, mark_demo=True, progress=progress, **options)
            if not report.ok:
                raise DemoError(_("演示数据 %(path)s 导入失败：\n") % {"path": path.name} + "\n".join(str(e) for e in report.errors[:20]))
            say(_("导入 %(path)s：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
                "path": path.name, "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged,
            })
            return report

        step("regions", files["regions"])
        step("units", DATA / "units.csv")
        step("departments", DATA / "annex4-1.csv", source_label="附件4-1")
        step("units", files["units"])
        step("cadres", DATA / "leaders.csv")
        step("cadres", files["cadres"])
        step("households", files["households"])
        step("enterprises", files["enterprises"])
        step("projects", files["projects"])
        step("allocation", DATA / "annex1.csv", source_label="附件1")
        step("allocation", DATA / "annex2.csv", source_label="附件2")
        step("leader_households", DATA / "annex3-1.csv", source_label="附件3-1")
        step("leader_enterprises", DATA / "annex3-2.csv", source_label="附件3-2")
        link_centre_households(campaign)
        create_demo_accounts(campaign)
        for dotted_path in DEMO_EXTENSIONS:
            import_string(dotted_path)(campaign, say)
    return campaign


def link_centre_households(campaign: Campaign) -> None:
    """Each grid's 党员中心户: the first registered household in it (seed 000 §二(一)3(2))."""
    grids = Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.GRID)
    first: dict[int, int] = {}
    for target_id, region_id in (
        Target.objects.filter(region__in=grids, kind=Target.Kind.REGISTERED_HOUSEHOLD)
        .order_by("region_id", "id")
        .values_list("id", "region_id")
    ):
        first.setdefault(region_id, target_id)
    for grid in grids:
        if grid.id in first and grid.centre_household_id != first[grid.id]:
            Region.objects.filter(pk=grid.pk).update(centre_household_id=first[grid.id])


# The three administrators (三权分立): no region, so no residents; see zoufang.accounts.duties.
ADMIN_ACCOUNTS = [("sysadmin", "系统管理员", RoleGrant.Role.SYSADMIN),
                  ("security", "安全管理员", RoleGrant.Role.SECURITY_ADMIN),
                  ("auditadmin", "审计管理员", RoleGrant.Role.AUDIT_ADMIN)]
DEMO_ACCOUNTS = [
    ("office", "镇走访办（情况统计组）"),
    ("leader", "镇党政领导 王文（领导小组组长）"),
    ("dept", f"{DEMO_DEPARTMENT}党员干部"),  # untranslated: demo data (a seeded account's name)
    ("village", f"{DEMO_VILLAGE}干部"),  # untranslated: demo data (a seeded account's name)
    ("auditor", "第三方回访"),
    ("city", "昆山市“六个一”办公室（上级活动办：所辖各镇并排比较，只读进入各镇）"),
    ("fuban", f"上级单位：昆山{UPPER_UNIT}（在各镇的走访进度）"),  # untranslated: demo data (a seeded account's name)
    ("minyi", "第三方回访（苏州民意调查有限公司）"),
    ("assessor", "考核管理组"),
    ("xuanchuan", "宣传报道组（审核、发布典型）"),
    ("outsider", "未分配范围"),
    *((username, label) for username, label, _pattern in CADRE_ACCOUNTS),
    *((username, str(RoleGrant.Role(role).label)) for username, _name, role in ADMIN_ACCOUNTS),
]


def create_demo_accounts(campaign: Campaign) -> None:
    password = demo_password()
    town = campaign.scope
    village = Region.objects.get(parent=town, name=DEMO_VILLAGE)
    office = ensure_user("office", password, full_name="锦溪镇走访办", role=RoleGrant.Role.OFFICE, region=town)
    if not office.is_staff:  # let into the admin, where its role keeps it to its town's master data (decision 0043)
        office.is_staff = True
        office.save(update_fields=["is_staff"])
    ensure_user(
        "leader", password, full_name="王文", role=RoleGrant.Role.LEADER, region=town,
        cadre=Cadre.objects.get(name="王文", role=Cadre.Role.TOWN_LEADER),
    )
    ensure_user(
        "dept", password, cadre=Cadre.objects.filter(unit=named(DEMO_DEPARTMENT, town)).order_by("sort_order", "id")[1]
    )
    committee = Unit.objects.get(region=village, kind=Unit.Kind.VILLAGE_COMMITTEE)
    village_cadre = committee.cadres.order_by("sort_order", "id")[0]
    ensure_user("village", password, role=RoleGrant.Role.VILLAGE, region=village, cadre=village_cadre)
    ensure_user("auditor", password, full_name="第三方回访", role=RoleGrant.Role.AUDITOR, region=town)
    ensure_user("city", password, full_name="昆山市“六个一”办公室", role=RoleGrant.Role.CITY_OFFICE,
                region=Region.objects.get(children=town, level=Region.Level.COUNTY))
    ensure_user("fuban", password, full_name=f"{UPPER_UNIT}走访联络员", role=RoleGrant.Role.UNIT_HANDLER,  # untranslated: demo data (a seeded account's name)
                unit=named(UPPER_UNIT, town))
    ensure_user("assessor", password, full_name="考核管理组", role=RoleGrant.Role.ASSESSOR, region=town)
    ensure_user("xuanchuan", password, full_name="宣传报道组", role=RoleGrant.Role.PUBLICITY, region=town)
    ensure_user("outsider", password, full_name="外单位人员")
    for username, full_name, role in ADMIN_ACCOUNTS:
        ensure_administrator(username, password, full_name=full_name, role=role)


def rename_former_units(slug: str, former_names: dict[str, str]) -> int:
    """A demo town's units loaded under their former long names (“周庄镇经发局”) take the names its clerks write, in
    place, so a demo loaded before decision 0032 keeps its cadres, quotas, cases and handler accounts. A unit whose
    new name is registered in the town already is left as it is. Returns how many were renamed."""
    from zoufang.registry.unitnames import clashing

    campaign = Campaign.objects.filter(slug=slug).select_related("scope").first()
    if campaign is None:
        return 0
    renamed = 0
    for unit in Unit.objects.filter(name__in=former_names, region__path__startswith=campaign.scope.path):
        name = former_names[unit.name]
        if clashing(name, unit.region, exclude=unit.pk).exists():  # registered under the short name too: leave both
            continue
        unit.name, unit.version = name, unit.version + 1
        unit.save(update_fields=["name", "version", "modified_at"])
        renamed += 1
    return renamed
