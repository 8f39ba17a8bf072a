"""The 锦溪镇 demo's 典型: a solved streetlight case (建管所, published, the resident not asked: masked), a
department cadre's (ganbu1) good practice (published, the household agreed orally: named), a model cadre put forward by
the office (published), and a village's nomination still waiting for the 宣传报道组. Played through the real
actions on the days they happened; deterministic, safe to run twice."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.exemplars import services
from zoufang.exemplars.models import Exemplar
from zoufang.regions.models import Region
from zoufang.registry.models import Target
from zoufang.visits.models import Visit

JUNE = dt.datetime(2017, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai"))  # nominated: visits of before June
NAMESPACE = uuid.UUID("0b7e4a52-6a1f-4f0e-9d1c-3c2d8e5f7a21")
SOLVED_CASE = "上下塘社区东侧路灯损坏，夜间出行不便"  # cases/demo.py's first case: resolved by 建管所 on 5/10


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def _on(day: str) -> Any:
    return override_settings(ZOUFANG_TODAY=f"2017-{day}")


def _first_visit(campaign: Campaign, **filters: Any) -> Visit | None:
    return (Visit.objects.filter(campaign=campaign, target__kind__in=Target.HOUSEHOLD_KINDS,
                                 visited_at__lt=JUNE, **filters)
            .select_related("target__region", "cadre__unit").order_by("visited_at", "id").first())


def load_demo_exemplars(campaign: Campaign, say: Callable[[str], None]) -> None:
    if Exemplar.objects.filter(campaign=campaign).exists():
        say("典型演示：已存在，未重复创建")
        return
    publicity, office = _user("xuanchuan"), _user("office")
    if publicity is None or office is None:
        return
    made = 0

    def nominate(source: Any, by: Any, day: str, kind: str, title: str, text: str, **consent: Any) -> Exemplar:
        with _on(day):
            exemplar, _created = services.nominate(
                source, kind=kind, title=title, text=text, by=by,
                submission_id=uuid.uuid5(NAMESPACE, f"{campaign.slug}/{title}"), **consent)
        return exemplar

    def publish(exemplar: Exemplar, day: str) -> None:
        with _on(day):
            services.publish(exemplar, by=publicity, version=exemplar.version)

    case = Case.objects.filter(campaign=campaign, description=SOLVED_CASE).select_related("target").first()
    handler = _user("jianguansuo")
    if case is not None and handler is not None:
        resident = case.target.name if case.target is not None else "居民"
        exemplar = nominate(case, handler, "05-12", Exemplar.Kind.SOLVED, "路灯坏了，三天修好",
                            f"{resident}反映上下塘社区东侧路灯损坏、夜间出行不便。建管所当日签收，次日现场查看，"  # untranslated: demo data (a nominated exemplar's text)
                            "更换灯具4套，5月10日恢复照明，并对社区路灯逐盏排查，建立巡查台账。")
        with _on("05-15"):
            exemplar = services.edit(exemplar, title="路灯坏了，三天修好：建管所闻讯即办",
                                     text=exemplar.text + "居民回访表示满意。", by=publicity,
                                     version=exemplar.version, note="补充回访结果")
        publish(exemplar, "06-05")
        made += 1
    dept = _user("ganbu1")  # visits/demo.py's honest department cadre, who has visits of their own
    visit = _first_visit(campaign, cadre__user=dept) if dept is not None else None
    if visit is not None:
        household = visit.target
        exemplar = nominate(
            visit, dept, "06-02", Exemplar.Kind.PRACTICE, "“一户一档”记下群众的难处",
            f"{visit.cadre.unit.name}{visit.cadre.name}走访{household.name}家（{household.address}）时，逐项记下家中"  # untranslated: demo data (a nominated exemplar's text)
            "老人就医、子女就业等情况，建立“一户一档”，回单位后当周联系相关部门答复，做到事事有回音。",
            consent_person=household.name, consent_method=Exemplar.ConsentMethod.ORAL,
            consent_on=clock.local(visit.visited_at).date())
        publish(exemplar, "06-08")
        made += 1
    leader_visit = _first_visit(campaign, cadre__user__username="leader")
    if leader_visit is not None:
        exemplar = nominate(
            leader_visit, office, "06-06", Exemplar.Kind.CADRE, "王文：挂钩村里的“老熟人”",
            f"镇领导王文挂钩走访，到{leader_visit.target.name}家中拉家常、听意见，对群众反映的问题当场交办，"  # untranslated: demo data (a nominated exemplar's text)
            "带动班子成员完成走访任务。")
        publish(exemplar, "06-09")
        made += 1
    village = Region.objects.filter(parent=campaign.scope, name="上下塘社区").first()
    village_user = _user("village")
    pending_visit = _first_visit(campaign, target__region__path__startswith=village.path) \
        if village is not None and village_user is not None else None
    if pending_visit is not None:
        nominate(pending_visit, village_user, "06-13", Exemplar.Kind.PRACTICE, "社区网格员随访，困难户有人管",
                 f"{pending_visit.cadre.name}走访{pending_visit.target.name}家后，社区网格员每周随访一次，"  # untranslated: demo data (a nominated exemplar's text)
                 "帮助其申请临时救助，解决了燃眉之急。")
        made += 1
    say(_("典型演示：%(made)s 条（已发布、待审核各有）") % {"made": made})
