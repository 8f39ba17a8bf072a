"""A hand-counted campaign: six assigned targets, five visits (one target twice, one visit moved away), six cases.

Coverage, counted by hand (kinds: 5 registered households + 1 enterprise):
  派出所 / 派出所党员甲: 上下塘 h0 h1 h2 → visited h0 (twice: by 派出所党员甲 and by 居委会干部甲);
        h1's visit was moved to another campaign, so h1 is not visited → 3 assigned, 1 visited.
  镇党政班子 / 王文: 计家墩 h0 h1 + the enterprise → visited h0 and the enterprise → 3 assigned, 2 visited.
  An unassigned target (计家墩 h2) visited once: counted by `visited_targets`, not by coverage.
"""

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases.models import Case, CaseEvent
from zoufang.conftest import PASSWORD
from zoufang.demo import synthetic
from zoufang.demo.loader import SeedFigures
from zoufang.planning.demo import plan_as_given
from zoufang.planning.models import Assignment
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
PACE = {
    "monthly_min_share": "1/5", "target_kinds": ["registered_household", "resident_household", "enterprise"],
    "starts_on": "2017-05-01", "complete_by": "2017-09-30",
}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


def visit(campaign: Campaign, target: Any, cadre: Cadre, day: str) -> Visit:
    return Visit.objects.create(
        campaign=campaign, target=target, cadre=cadre, client_uuid=uuid.uuid4(), content_hash="x",
        visited_at=at(day), mode=Visit.Mode.HOME,
    )


def in_threads(count: int, work: Callable[[int], object]) -> list[Exception]:
    """`work(i)` in `count` threads released at once (a barrier), each on its own connection; what they raised."""
    barrier, errors = threading.Barrier(count), []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # noqa: BLE001 — the test reports what each thread met
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def counted(town: Any, settings: Any) -> Any:
    settings.ZOUFANG_TODAY = "2017-06-15"
    campaign = town.campaign
    campaign.starts_on = dt.date(2017, 5, 1)
    campaign.config = {"pace": PACE}
    campaign.save()
    officer = Cadre.objects.get(name="派出所党员甲")
    wangwen = Cadre.objects.get(name="王文")
    village_cadre = Cadre.objects.get(name="居委会干部甲")
    sxt, jjd = town.households["shangxiatang"], town.households["jijiadun"]
    extra = TargetFactory(region=jjd[0].region)
    for target in sxt:
        Assignment.objects.create(campaign=campaign, target=target, unit=town.police, cadre=officer)
    for target in (*jjd, town.enterprise):
        Assignment.objects.create(campaign=campaign, target=target, unit=wangwen.unit, cadre=wangwen)
    visit(campaign, sxt[0], officer, "2017-05-10")
    visit(campaign, sxt[0], village_cadre, "2017-06-02")
    other = Campaign.objects.create(slug="other", name="另一活动", scope=town.town,
                                    starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    moved = visit(campaign, sxt[1], officer, "2017-06-05")
    moved.campaign = other  # recorded under the wrong campaign, then moved: no longer counts here
    moved.save()
    visit(campaign, jjd[0], wangwen, "2017-05-20")
    visit(campaign, town.enterprise, wangwen, "2017-06-12")
    visit(campaign, extra, wangwen, "2017-06-12")

    top = CaseCategory.objects.create(campaign=campaign, code="1", title="在收集社情民意方面", sort_order=1)
    item = CaseCategory.objects.create(campaign=campaign, code="1.1", parent=top, title="收集意见建议", sort_order=2)
    second = CaseCategory.objects.create(campaign=campaign, code="2", title="在宣传政策方面", sort_order=3)

    def case(name: str, **fields: Any) -> Case:
        fields.setdefault("raised_at", at("2017-06-01"))
        fields.setdefault("region", sxt[0].region)
        return Case.objects.create(campaign=campaign, kind=Case.Kind.PROBLEM, description=name, **fields)

    cases = {
        # Registered on time, dispatched, resolved on 6/10 (due 6/14), closed, 满意.
        "c1": case("c1", status=Case.Status.CLOSED, category=item, registered_on=dt.date(2017, 6, 2),
                   unit=town.police, dispatched_on=dt.date(2017, 6, 2), handling_due=dt.date(2017, 6, 14),
                   resolution="已修复", resolved_at=at("2017-06-10"), satisfaction=Case.Satisfaction.SATISFIED),
        # Registered late, dispatched, due 6/12, still being handled: overdue on 6/15.
        "c2": case("c2", status=Case.Status.ACCEPTED, category=item, registered_on=dt.date(2017, 6, 6),
                   registered_late=True, unit=town.police, dispatched_on=dt.date(2017, 6, 6),
                   handling_due=dt.date(2017, 6, 12)),
        # 镇党政班子: explained on 6/9 (due 6/8: late), not resolved, 不满意; in 计家墩.
        "c3": case("c3", status=Case.Status.EXPLAINED, category=second, registered_on=dt.date(2017, 6, 1),
                   unit=wangwen.unit, dispatched_on=dt.date(2017, 6, 1), handling_due=dt.date(2017, 6, 8),
                   explanation="需上级统筹", satisfaction=Case.Satisfaction.UNSATISFIED, region=jjd[0].region),
        # A draft waiting to be registered, no unit, no category.
        "c4": case("c4", status=Case.Status.DRAFT),
        # Merged into c1: counted there, not here.
        "c5": case("c5", status=Case.Status.MERGED, category=item, unit=town.police),
        # Escalated by 派出所, due 6/30.
        "c6": case("c6", status=Case.Status.ESCALATED, category=item, registered_on=dt.date(2017, 6, 2),
                   unit=town.police, dispatched_on=dt.date(2017, 6, 2), handling_due=dt.date(2017, 6, 30),
                   escalation_route=Case.Route.COORDINATION, raised_at=at("2017-06-08")),
    }
    CaseEvent.objects.create(case=cases["c3"], action="explain", from_status=Case.Status.ACCEPTED,
                             to_status=Case.Status.EXPLAINED, at=at("2017-06-09"), version=1)
    town.users["handler"] = ensure_user(
        "handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=town.police, region=town.town
    )
    town.officer, town.wangwen, town.cases, town.extra = officer, wangwen, cases, extra
    town.categories = (top, second)
    return town


# Two towns under 昆山市 for the city office (test_city.py counts them by hand): 锦溪镇 is `counted`; 周庄镇 is
# built and planned as a new town is; 张浦镇 has no campaign; 孟河镇 is under 常州市, outside.
VILLAGES = [synthetic.VillageShape("祁浜村", False, 10, 2, 2), synthetic.VillageShape("龙亭村", False, 10, 2, 2)]
FILES = {
    "units.csv": "单位名称,单位类型,所属区划,党员人数,排序\n镇党政班子,镇党政班子,周庄镇,,1\n",
    "departments.csv": "序号,单位,党员人数\n1,综治办,2\n",
    "leaders.csv": "姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n周明,镇党政班子,镇党政领导,镇长,,,祁浜村\n",
}


@pytest.fixture
def towns(counted: Any, tmp_path: Path) -> Any:
    campaign = build_town(tmp_path, "周庄镇", "zhouzhuang-test", SeedFigures(VILLAGES, [("综治办", 2)]), FILES,
                          REGISTRY_STEPS)
    plan_as_given(campaign)  # the lists out on the campaign's first day: the pace counts from 1 May
    county = counted.town.parent
    rule_kinds = ("registered_household", "resident_household", "enterprise")
    chosen = list(Assignment.objects.filter(campaign=campaign, target__kind__in=rule_kinds)
                  .select_related("target", "cadre").order_by("id")[:7])
    for index, assignment in enumerate(chosen):
        visit(campaign, assignment.target, assignment.cadre, f"2017-05-{10 + index:02d}")
    visit(campaign, chosen[0].target, chosen[1].cadre, "2017-06-01")  # a second visit: counted once

    def case(name: str, **fields: Any) -> Case:
        return Case.objects.create(campaign=campaign, kind=Case.Kind.PROBLEM, description=name,
                                   raised_at=at("2017-06-01"), region=chosen[0].target.region.parent,
                                   unit=chosen[0].unit, **fields)

    counted.zhouzhuang_cases = {
        "d1": case("d1", status=Case.Status.CLOSED, registered_on=dt.date(2017, 6, 2), dispatched_on=dt.date(2017, 6, 2),
                   handling_due=dt.date(2017, 6, 14), resolution="已办结", resolved_at=at("2017-06-09"),
                   satisfaction=Case.Satisfaction.SATISFIED),
        "d2": case("d2", status=Case.Status.ACCEPTED, registered_on=dt.date(2017, 6, 5),
                   dispatched_on=dt.date(2017, 6, 5), handling_due=dt.date(2017, 6, 12)),
        "d3": case("d3", status=Case.Status.ACCEPTED, registered_on=dt.date(2017, 6, 6),
                   dispatched_on=dt.date(2017, 6, 6), handling_due=dt.date(2017, 6, 13)),
    }
    idle = Region(name="张浦镇", level=Region.Level.TOWN, parent=county)
    idle.save()
    changzhou = Region(name="常州市", level=Region.Level.CITY)
    changzhou.save()
    xinbei = Region(name="新北区", level=Region.Level.COUNTY, parent=changzhou)
    xinbei.save()
    menghe = Region(name="孟河镇", level=Region.Level.TOWN, parent=xinbei)
    menghe.save()
    Campaign.objects.create(slug="menghe-test", name="孟河镇大走访", scope=menghe, starts_on=dt.date(2017, 3, 1),
                            ends_on=dt.date(2017, 12, 31))
    counted.users["city"] = ensure_user("city", PASSWORD, full_name="昆山市“六个一”办公室",
                                        role=RoleGrant.Role.CITY_OFFICE, region=county)
    counted.zhouzhuang, counted.county, counted.changzhou, counted.chosen = campaign, county, changzhou, chosen
    return counted
