"""Two small towns under 昆山市, built through the office's import path (planning/tests/towns.py), where the
same upper-level unit (市文明办, 附件2) holds quotas in both and another (市总工会, 附件1) only in the first.

甲镇 (jia-2017): 市文明办 visits 30 households in 甲一村; 市总工会 20 in 甲二社区.
乙镇 (yi-2017): 市文明办 visits 20 households in 乙一村.
After the plan, two 市文明办 cadres with logins take its targets (5 each, one per town) and visit some of them.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.conftest import PASSWORD
from zoufang.demo import loader
from zoufang.demo.loader import SeedFigures
from zoufang.demo.synthetic import VillageShape
from zoufang.planning.demo import plan_as_given
from zoufang.planning.models import Assignment
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town
from zoufang.registry.models import Cadre, Unit
from zoufang.visits.models import Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
UPPER = "市文明办"
OTHER = "市总工会"
PACE = {"monthly_min_share": "1/5", "target_kinds": ["registered_household", "resident_household", "enterprise"],
        "starts_on": "2017-03-01", "complete_by": "2017-09-30"}


def _files(town: str, villages: list[str], upper_rows: str, other_rows: str) -> dict[str, str]:
    first, second = villages
    return {
        "units.csv": f"单位名称,单位类型,所属区划,党员人数,排序\n{town}党政班子,镇党政班子,{town},,1\n"
                     f"{UPPER},市级机关部门,,,101\n{OTHER},其他单位,,,102\n",
        "departments.csv": f"序号,单位,党员人数\n1,{town}党政办,4\n",
        "leaders.csv": f"姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n{town[0]}镇长,{town}党政班子,镇党政领导,镇长,,,{first}\n",
        "annex1.csv": f"{OTHER}走访调研居民户、企业分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                      f"{other_rows}",
        "annex2.csv": "市级机关部门走访调研居民户、企业分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                      f"{upper_rows}",
        "annex3-2.csv": f"镇领导走访调研分配表（企业）\n序号,走访领导,走访企业数,备注\n1,{town[0]}镇长,2,\n合计,2家,\n",
    }


STEPS = [*REGISTRY_STEPS, ("allocation", "annex2.csv", "附件2"), ("leader_enterprises", "annex3-2.csv", "附件3-2")]


@dataclass
class TwoTowns:
    jia: Campaign
    yi: Campaign
    upper: Unit  # 市文明办: quotas in both towns
    other: Unit  # 市总工会: quotas in 甲镇 only
    cadres: list[Cadre]  # 市文明办's two cadres with logins
    users: dict[str, Any]


def _town(tmp_path: Path, town: str, slug: str, villages: list[VillageShape], upper: str, other: str) -> Campaign:
    files = _files(town, [v.name for v in villages], upper, other)
    steps = [*STEPS, ("allocation", "annex1.csv", "附件1")] if other else STEPS
    campaign = build_town(tmp_path / slug, town, slug, SeedFigures(villages, [(f"{town}党政办", 4)]), files, steps)
    campaign.config = {**campaign.config, "pace": PACE}
    campaign.save()
    plan_as_given(campaign)  # the lists out on the campaign's first day: the pace counts from its rule's start
    return campaign


def visit(campaign: Campaign, assignment: Assignment, cadre: Cadre, day: str) -> Visit:
    return Visit.objects.create(
        campaign=campaign, target=assignment.target, cadre=cadre, client_uuid=uuid.uuid4(), content_hash="x",
        visited_at=dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=SHANGHAI),
        mode=Visit.Mode.HOME,
    )


@pytest.fixture(scope="module")
def two_towns(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """Built once per test module (imports and plans take seconds) and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic(), pytest.MonkeyPatch.context() as monkeypatch:
        yield build(tmp_path_factory.mktemp("towns"), monkeypatch)
        transaction.set_rollback(True)


def build(tmp_path: Path, monkeypatch: Any) -> TwoTowns:
    (tmp_path / "jia-2017").mkdir()
    (tmp_path / "yi-2017").mkdir()
    jia = _town(tmp_path, "甲镇", "jia-2017",
                [VillageShape("甲一村", False, 60, 10, 4), VillageShape("甲二社区", True, 50, 10, 4)],
                f"1,{UPPER},甲一村,60,30\n合计,,,60户,30户\n", f"1,{OTHER},甲二社区,50,20\n合计,,,50户,20户\n")
    # Another seed for the second town's synthetic registry: its people are not the first town's.
    monkeypatch.setattr(loader, "SEED", 2018)
    yi = _town(tmp_path, "乙镇", "yi-2017",
               [VillageShape("乙一村", False, 50, 10, 4), VillageShape("乙二村", False, 40, 10, 4)],
               f"1,{UPPER},乙一村,50,20\n合计,,,50户,20户\n", "")
    upper, other = Unit.objects.get(name=UPPER), Unit.objects.get(name=OTHER)
    cadres = [Cadre.objects.create(name=name, unit=upper, role=Cadre.Role.OTHER) for name in ("文明甲", "文明乙")]
    users = {
        "wenming": ensure_user("wenming", PASSWORD, full_name="市文明办联络员", role=RoleGrant.Role.UNIT_HANDLER,
                               unit=upper),
        "zonggonghui": ensure_user("zonggonghui", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=other),
        "wenming1": ensure_user("wenming1", PASSWORD, cadre=cadres[0]),
    }
    # Each cadre takes 5 of the unit's targets in each town; 文明甲 visits 3 in 甲镇 and 1 in 乙镇.
    for campaign, visits in ((jia, 3), (yi, 1)):
        mine = list(Assignment.objects.filter(campaign=campaign, unit=upper).order_by("id")[:10])
        for n, assignment in enumerate(mine):
            assignment.cadre = cadres[n // 5]
            assignment.save()
        for assignment in mine[:visits]:
            visit(campaign, assignment, cadres[0], "2017-04-10")
    # 市总工会's own visit in 甲镇: never 市文明办's.
    theirs = Assignment.objects.filter(campaign=jia, unit=other).order_by("id").first()
    assert theirs is not None  # noqa: S101
    visit(jia, theirs, Cadre.objects.create(name="工会甲", unit=other, role=Cadre.Role.OTHER), "2017-04-11")
    return TwoTowns(jia, yi, upper, other, cadres, users)
