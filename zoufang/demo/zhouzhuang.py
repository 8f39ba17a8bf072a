"""The 周庄镇 part of the demo: a second 昆山 town under seed 000's rules, so the city office (`city`, 昆山市
“六个一”办公室) has towns to compare.

`zhouzhuang-2017` is jinxi-2017's configuration under another slug, name and town (derived here, validated as
any file is). The town is synthetic and small: a few villages, a few thousand targets generated into var/demo/
and imported through the office's own import path, the upper-level units of 附件1/附件2 (苏州市妇联, 市府办,
市粮食局 — the same rows as 锦溪镇's) given blocks by the town's own allocation tables, planned by the real planner.
On the demo day the town is ahead of 锦溪镇: more visited, its cases registered and handled through the real
actions, most of them closed. Deterministic and safe to run twice; a few seconds.
"""

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import demo_password, ensure_user
from zoufang.campaigns.config import (
    load_campaign_config,
    parse_date,
    read_campaign_file,
    shipped_campaign_path,
)
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases import tick
from zoufang.cases.models import Case
from zoufang.core.crypto import blind_index
from zoufang.demo import loader, synthetic
from zoufang.demo.loader import DemoError, SeedFigures, generate_files
from zoufang.demo.menghe import CHAINS, QUIET, play_case
from zoufang.forms import services as form_services
from zoufang.planning.demo import plan_as_given
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.unitnames import named
from zoufang.visits import rules
from zoufang.visits.demo import (
    DEMO_TODAY,
    ENTERPRISE_OPINIONS,
    HOUSEHOLD_OPINIONS,
    demo_answers,
    record_demo_visit,
    register_demo_opinions,
)
from zoufang.visits.services import Opinion
from zoufang.workdays.calendar import add_working_days

SLUG = "zhouzhuang-2017"
TOWN = "周庄镇"
BASIS = "jinxi-2017"
SEED = 2019  # the registry's names and numbers: not 锦溪镇's
OFFICE = "zhouzhuang"
# The handler accounts (承办人) of the departments the office hands cases to.
HANDLERS = {"经发局": "zhouzhuang_jingfa", "社事局": "zhouzhuang_sheshi"}
DEMO_ACCOUNTS = [(OFFICE, "周庄镇走访办（只看周庄镇）"),
                 *[(username, f"承办部门：{TOWN}{unit}") for unit, username in HANDLERS.items()]]  # untranslated: demo data (a seeded account's name)
VILLAGES = [synthetic.VillageShape("周庄社区", True, 560, 180, 40), synthetic.VillageShape("祁浜村", False, 420, 50, 30),
            synthetic.VillageShape("龙亭村", False, 380, 40, 25), synthetic.VillageShape("东浜村", False, 300, 35, 20),
            synthetic.VillageShape("全旺村", False, 340, 45, 25)]
# The town's own short names, as its tables print them: every town has its 经发局 (decision 0032).
LEADERSHIP = "镇党政班子"
DEPARTMENTS = [("综治办", 6), ("经发局", 9), ("社事局", 6), ("城建办", 7)]
# The names the demo gave these units before decision 0032, when a unit name was unique across the database: a
# database loaded then has them renamed in place (`rename_former_units`), never registered a second time.
FORMER_NAMES = {f"{TOWN}党政班子": LEADERSHIP,  # untranslated: stored unit names matched as data
                **{f"{TOWN}{name}": name for name, _members in DEPARTMENTS}}
LEADERS = [("周明", "镇党委书记", "周庄社区、祁浜村"), ("沈华", "镇长", "龙亭村"), ("陆平", "副镇长", "东浜村、全旺村"),
           ("钱毅", "副镇长", "周庄社区")]
# 附件1 and 附件2 as 周庄镇 decided them: the city's units visit here too, with the rows 锦溪镇's tables made.
UPPER_UNITS = ["苏州市妇联,其他单位,苏州市,,101", "市府办,市级机关部门,昆山市,,102", "市粮食局,市级机关部门,昆山市,,104"]
ANNEX1 = {"苏州市妇联": [(village.name, 40) for village in VILLAGES]}
ANNEX2 = {"市府办": [("周庄社区", 120), ("祁浜村", 80)], "市粮食局": [("龙亭村", 90)]}
ANNEXES = {"附件1": ("苏州市妇联“六个一”走访调研居民户、企业分配表", ANNEX1, ("苏州市妇联走访企业", 8)),
           "附件2": ("昆山市级机关部门“六个一”走访调研居民户、企业分配表", ANNEX2, ("市府办、市粮食局走访企业", 12))}
EVERY = 2  # one assigned target in two has been visited by the demo day (at most LIMIT, spread over the town)
LIMIT = 600
OPINION_EVERY = 5


def load_zhouzhuang_demo(*, say: Callable[[str], None] = lambda message: None) -> Campaign:
    """Load (or top up) the 周庄镇 demo; 锦溪镇's units of 附件1/附件2 are taken as they are, or made if missing."""
    with transaction.atomic():
        campaign = load_campaign_config(derived_config(), source_name=f"{BASIS}.yaml").campaign
        say(_("走访活动：%(campaign)s") % {"campaign": campaign.name})
        rename_former_units(say=say)
        if not Assignment.objects.filter(campaign=campaign).exists():
            import_registry(campaign, settings.VAR_DIR / "demo" / "zhouzhuang", say)
        report = plan_as_given(campaign)
        say(_("周庄镇分配：保留 %(kept)s，新增 %(added)s，调整 %(moved)s，释放 %(released)s") % {
            "kept": report.kept, "added": report.added, "moved": report.moved, "released": report.released,
        })
        password = demo_password()
        ensure_user(OFFICE, password, full_name="周庄镇走访办", role=RoleGrant.Role.OFFICE, region=campaign.scope)
        with override_settings(ZOUFANG_TODAY=DEMO_TODAY, **QUIET):
            created = seed_visits(campaign)
            registered = register_demo_opinions(campaign, clock.today(), office_username=OFFICE)
            handled = handle_cases(campaign)
            overdue = tick.tick().overdue
        say(_("周庄镇演示走访记录：新增 %(created)s 条；意见登记 %(registered)s 条，交办 %(handled)s 条，超期 %(overdue)s 件") % {
            "created": created, "registered": registered, "handled": handled, "overdue": overdue,
        })
    return campaign


def is_loaded() -> bool:
    return get_user_model().objects.filter(username=OFFICE).exists() and Assignment.objects.filter(
        campaign__slug=SLUG).exists()


def rename_former_units(*, say: Callable[[str], None] = lambda message: None) -> int:
    """周庄镇's units loaded under their former long names (“周庄镇经发局”) take their short names in place."""
    renamed = loader.rename_former_units(SLUG, FORMER_NAMES)
    if renamed:
        say(_("周庄镇单位改用简称：%(count)s 个") % {"count": renamed})
    return renamed


def rename(value: Any) -> Any:
    """锦溪镇's words for 周庄镇 in every text of the configuration."""
    if isinstance(value, dict):
        return {key: rename(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rename(item) for item in value]
    return value.replace("锦溪镇", TOWN).replace("锦溪", TOWN[:2]) if isinstance(value, str) else value


def derived_config() -> dict[str, Any]:
    """jinxi-2017's rules (quotas, pace, deadlines, categories) for 周庄镇: its own slug, name and scope; the
    leading group's people are 锦溪镇's, so only the bodies and their duties are kept."""
    data = rename(read_campaign_file(shipped_campaign_path(BASIS)).data)
    data["slug"] = SLUG
    data["scope"] = [{"name": "苏州市", "level": "city"}, {"name": "昆山市", "level": "county"},
                     {"name": TOWN, "level": "town"}]
    organisation = data.get("organisation") or {}
    organisation["bodies"] = [{key: value for key, value in body.items() if key != "posts"}
                              for body in organisation.get("bodies") or []]
    return data


def _allocation(town: Region, title: str, blocks: dict[str, list[tuple[str, int]]], enterprises: tuple[str, int]) -> str:
    """附件1/附件2's layout; each village's 户籍总户数 as registered (the tables are checked against it)."""
    registered = {village.name: Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD,
                                                      region__path__startswith=village.path).count()
                  for village in Region.objects.filter(parent=town, level=Region.Level.VILLAGE)}
    lines = [title, "序号,走访单位,村、社区名称,户籍总户数（户）,走访户数"]
    rows = [(unit, village, count) for unit, villages in blocks.items() for village, count in villages]
    lines += [f"{n},{unit},{village},{registered[village]},{count}" for n, (unit, village, count) in enumerate(rows, 1)]
    stated = sum(registered[village] for village in {village for _unit, village, _count in rows})
    lines += [f"合计,,,{stated}户,{sum(count for *_rest, count in rows)}户", f"{enterprises[0]},{enterprises[1]}家"]  # untranslated: demo data (rows of the town's import files)
    return "\n".join(lines) + "\n"


def import_registry(campaign: Campaign, out: Path, say: Callable[[str], None]) -> None:
    """The town's registry and tables through the office's import path, in the README's order."""
    files = generate_files(SeedFigures(VILLAGES, DEPARTMENTS), TOWN, out, seed=SEED)
    _drop_registered(files["households"])
    extra = {
        "units.csv": "单位名称,单位类型,所属区划,党员人数,排序\n" + f"{LEADERSHIP},镇党政班子,{TOWN},,1\n"  # untranslated: demo data (rows of the town's import files)
                     + "".join(f"{row}\n" for row in UPPER_UNITS),
        "departments.csv": "序号,单位,党员人数\n" + "".join(f"{i},{u},{n}\n" for i, (u, n) in enumerate(DEPARTMENTS, 1)),
        "leaders.csv": "姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n" + "".join(
            f"{name},{LEADERSHIP},镇党政领导,{title},,{'' if i == 0 else f'{LEADERSHIP}/{LEADERS[0][0]}'},{villages}\n"  # untranslated: demo data (rows of the town's import files)
            for i, (name, title, villages) in enumerate(LEADERS)),
    }
    for name, body in extra.items():
        files[name] = out / name
        files[name].write_text(body, encoding="utf-8")
    steps = [("regions", "regions", None), ("units", "units.csv", None), ("departments", "departments.csv", "附件4-1"),
             ("units", "units", None), ("cadres", "leaders.csv", None), ("cadres", "cadres", None),
             ("households", "households", None), ("enterprises", "enterprises", None), ("projects", "projects", None),
             ("allocation", "annex1.csv", "附件1"), ("allocation", "annex2.csv", "附件2")]
    for kind, name, label in steps:
        if kind == "allocation":  # written once the households are in: 户籍总户数 is checked against them
            title, blocks, enterprises = ANNEXES[label]  # type: ignore[index]
            files[name] = out / name
            files[name].write_text(_allocation(campaign.scope, title, blocks, enterprises), encoding="utf-8")
        report = run_import(kind, files[name], campaign=campaign, mark_demo=True, source_label=label)
        if not report.ok:
            raise DemoError(_("周庄镇演示数据 %(name)s 导入失败：\n") % {"name": files[name].name} + "\n".join(str(e) for e in report.errors[:20]))
        say(_("导入 %(name)s：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
            "name": files[name].name, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged,
        })


def _drop_registered(path: Path) -> None:
    """Leave out the generated households whose ID number 锦溪镇's generator happened to draw as well: synthetic
    numbers share one area code and birth-date range, and a person lives in one town."""
    with open(path, newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    column = header.index("身份证号码")
    registered = set(Target.objects.filter(
        kind__in=Target.HOUSEHOLD_KINDS, id_number_index__in=[blind_index(row[column], "id") for row in rows])
        .values_list("id_number_index", flat=True))
    kept = [row for row in rows if blind_index(row[column], "id") not in registered]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *kept])


def seed_visits(campaign: Campaign) -> int:
    """One cadre-assigned target in two visited, spread over the pace's start to the demo day, one visit in five
    with an opinion; through the visits service as on the day of the visit."""
    form_services.load_shipped_forms()
    today = clock.today()
    start = parse_date((campaign.config.get("pace") or {}).get("starts_on")) or campaign.starts_on
    span = max(1, (today - start).days)
    categories = {c.code: c for c in CaseCategory.objects.filter(campaign=campaign, parent__isnull=False)}
    assignments = (Assignment.objects.filter(campaign=campaign, cadre__isnull=False)
                   .select_related("target__region", "cadre").order_by("id"))
    chosen = list(assignments)[::EVERY]
    if len(chosen) > LIMIT:  # spread over every village, not the first ones by id (three villages were at 0)
        chosen = [chosen[position * len(chosen) // LIMIT] for position in range(LIMIT)]
    created = 0
    for index, assignment in enumerate(chosen):
        target, cadre = assignment.target, assignment.cadre
        assert cadre is not None  # noqa: S101 - filtered above
        day = start + dt.timedelta(days=(index * 3) % span)
        visited_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + index % 8, 15)))
        opinions = []
        if index % OPINION_EVERY == 0:
            pool = ENTERPRISE_OPINIONS if target.kind == "enterprise" else HOUSEHOLD_OPINIONS
            code, kind, words = pool[(index // OPINION_EVERY) % len(pool)]
            opinions = [Opinion(kind=kind, description=words, category=code)]
        created += record_demo_visit(campaign, assignment, visited_at,
                                     mode=rules.allowed_modes(campaign, target, cadre)[0],
                                     fill=lambda _key, spec: demo_answers(spec), opinions=opinions,
                                     categories=categories)
    return created


def handle_cases(campaign: Campaign) -> int:
    """The office hands every other registered case to a department the next working day (in turn 经发局, 社事局),
    and the department takes it on from there as 孟河镇's do (menghe.CHAINS). Returns how many were handed on."""
    from zoufang.cases.actions import dispatch_case

    office = get_user_model().objects.get(username=OFFICE)
    units = [unit for name in HANDLERS if (unit := named(name, campaign.scope)) is not None]  # 周庄镇's (0032)
    handlers = {unit.pk: ensure_user(HANDLERS[unit.name], demo_password(), full_name=f"{TOWN}{unit.name}承办人",  # untranslated: demo data (a seeded account's name)
                                     role=RoleGrant.Role.UNIT_HANDLER, unit=unit, region=unit.region)
                for unit in units}
    registered = Case.objects.filter(campaign=campaign, registered_on__isnull=False).order_by("raised_at", "id")
    handled = 0
    for index, case in enumerate(registered):
        if index % 2 or case.status != Case.Status.REGISTERED or case.registered_on is None:
            continue
        on = add_working_days(case.registered_on, 1).date
        if on > clock.today():
            continue
        unit = units[(index // 2) % len(units)]
        with override_settings(ZOUFANG_TODAY=on.isoformat()):
            case = dispatch_case(case, unit, by=office, version=case.version, note="演示：走访办交办")
        handled += 1
        chain = CHAINS[2 + (index // 2) % 2] if index % 6 else CHAINS[1]  # mostly closed, some in hand
        play_case(case, chain, on, office, handlers[unit.pk])
    return handled
