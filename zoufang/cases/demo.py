"""The 锦溪镇 2017 demo's cases: a realistic, deterministic set in every state, played through the real actions
on the days they would have happened, so histories, deadlines and overdue marks are what the office would see.

Adds a unit handler account (承办部门) for each unit the demo dispatches to: see HANDLERS.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.test.utils import override_settings
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import demo_password, ensure_user
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases import actions, answers, escalation, publication, tick
from zoufang.cases.models import Case
from zoufang.cases.services import draft_case, receive_case
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.unitnames import named

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = "2017-06-15"
# Notifications go nowhere while the demo plays its days.
QUIET = {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
         "ZOUFANG_SMS_BACKEND": "zoufang.cases.sms.MemorySmsBackend"}
HANDLERS = {
    "paichusuo": "派出所", "jianguansuo": "建管所", "huanweisuo": "环卫所", "laobaosuo": "劳保所",
    "shuilizhan": "水利站", "gubaoban": "古保办", "jiaojing": "交警中队", "chengguan": "城管中队",
}

# (text, kind, category, priority, raised on, village index, unit, the steps after drafting)
# Steps: (day, action, arguments). Days are 2017 dates.
PLAN: list[tuple[str, str, str, str, str, int, str, list[tuple[str, str, dict[str, Any]]]]] = [
    ("上下塘社区东侧路灯损坏，夜间出行不便", "problem", "1.5", "normal", "05-02", 0, "建管所",
     [("05-03", "register", {}), ("05-03", "dispatch", {}), ("05-04", "accept", {}),
      ("05-10", "resolve", {"result": "已更换灯具4套，恢复照明"}),
      ("05-11", "reply", {"channel": "phone", "content": "路灯已修复，感谢反映"}),
      ("05-15", "callback", {"satisfaction": "satisfied"}), ("05-15", "close", {})]),
    ("建议在计家墩村增设公交站台遮雨棚", "suggestion", "1.2", "normal", "05-03", 1, "建管所",
     [("05-04", "register", {}), ("05-05", "dispatch", {}), ("05-08", "accept", {}),
      ("05-19", "resolve", {"result": "已纳入下半年公交站台改造计划"}),
      ("05-22", "reply", {"channel": "in_person", "content": "已列入改造计划，预计9月完工"}),
      ("05-25", "callback", {"satisfaction": "fairly"}), ("05-25", "close", {})]),
    ("老年人希望卫生院增加周末门诊", "suggestion", "1.2", "normal", "05-04", 2, "",
     [("05-05", "register", {}), ("05-05", "resolve", {"result": "卫生院已于5月起开设周六上午门诊（当场答复）"}),
      ("05-08", "reply", {"channel": "phone", "content": "周六上午已开设门诊"}),
      ("05-12", "callback", {"satisfaction": "satisfied"}), ("05-12", "close", {})]),
    ("小区内电动车夜间被盗多起，希望加强巡逻", "problem", "1.5", "important", "05-08", 0, "派出所",
     [("05-09", "register", {}), ("05-09", "dispatch", {}), ("05-10", "accept", {}),
      ("05-16", "resolve", {"result": "已增加夜间巡逻频次，加装监控2处"}),
      ("05-17", "reply", {"channel": "phone", "content": "已增加巡逻并加装监控"}),
      ("05-24", "callback", {"satisfaction": "unsatisfied", "note": "近期仍有被盗"}),
      ("05-25", "reopen", {"reason": "回访不满意，要求继续整治"}), ("05-26", "accept", {})]),
    ("河道保洁不到位，岸边垃圾堆积", "problem", "1.5", "normal", "05-10", 3, "环卫所",
     [("05-11", "register", {}), ("05-12", "dispatch", {}), ("05-15", "accept", {}),
      ("05-19", "resolve", {"result": "已清理，落实每日保洁"}),
      ("05-22", "reply", {"channel": "in_person", "content": "已清理并落实日常保洁"})]),
    ("企业用工紧张，希望政府组织专场招聘", "problem", "2.4", "normal", "05-11", 4, "劳保所",
     [("05-12", "register", {}), ("05-15", "dispatch", {}), ("05-16", "accept", {}),
      ("06-02", "resolve", {"result": "已于6月10日举办企业专场招聘会"})]),
    ("农田灌溉渠道年久失修，漏水严重", "problem", "1.1", "important", "05-12", 5, "水利站",
     [("05-15", "register", {}), ("05-15", "dispatch", {}), ("05-16", "accept", {}),
      ("05-26", "escalate", {"route": "upper_office", "reason": "涉及市级农田水利项目资金，本部门无法解决"}),
      ("05-31", "sign", {"note": "同意上报市活动办"})]),
    ("村道拓宽涉及多个部门，群众多次反映", "problem", "3.2", "normal", "05-15", 6, "建管所",
     [("05-16", "register", {}), ("05-17", "dispatch", {}), ("05-18", "accept", {}),
      ("05-31", "escalate", {"route": "coordination", "reason": "涉及国土、农房、建管多部门，需镇级会商"}),
      ("06-02", "sign", {"note": "提交本月会商"})]),
    ("户籍迁移手续繁琐，希望简化", "problem", "1.5", "normal", "05-16", 0, "派出所",
     [("05-17", "register", {}), ("05-18", "dispatch", {}), ("05-19", "accept", {}),
      ("06-13", "escalate", {"route": "leadership", "reason": "属体制机制问题，需镇领导专题研究"})]),
    ("希望将老街区纳入古镇保护范围统一修缮", "suggestion", "1.1", "normal", "05-17", 7, "古保办",
     [("05-18", "register", {}), ("05-18", "dispatch", {}), ("05-22", "accept", {}),
      ("05-31", "explain", {"explanation": "老街区修缮需纳入古镇整体规划，近期难以实施，已向群众说明"}),
      ("06-01", "reply", {"channel": "in_person", "content": "已当面解释说明，纳入规划后优先实施"}),
      ("06-05", "callback", {"satisfaction": "fairly"})]),
    ("学校门口上下学时段交通拥堵", "problem", "1.2", "urgent", "05-22", 8, "交警中队",
     [("05-23", "register", {}), ("05-23", "dispatch", {}), ("05-24", "accept", {})]),
    ("低保申请材料多次退回，希望一次告知", "problem", "1.4", "normal", "05-24", 0, "派出所",
     [("05-25", "register", {}), ("05-26", "dispatch", {}),
      ("05-27", "return", {"reason": "低保审核属民政条线，非本单位职责"})]),
    ("建议增设社区健身器材", "suggestion", "1.2", "normal", "06-01", 0, "城管中队",
     [("06-02", "register", {}), ("06-05", "dispatch", {}), ("06-06", "accept", {}),
      ("06-12", "request_extension", {"days": 5, "reason": "器材采购需走政府采购程序"})]),
    ("养老院床位紧张，希望扩建", "suggestion", "1.2", "normal", "06-02", 10, "劳保所",
     [("06-05", "register", {}), ("06-05", "dispatch", {}), ("06-06", "accept", {}),
      ("06-14", "explain", {"explanation": "扩建需列入明年财政预算，今年先挖潜增设床位10张"})]),
    ("违章搭建影响邻里通行", "problem", "1.5", "normal", "06-06", 9, "城管中队",
     [("06-07", "register", {}), ("06-07", "dispatch", {})]),
    ("小区电动车夜间又被盗，希望多巡逻", "problem", "1.5", "normal", "06-08", 0, "",
     [("06-09", "merge", {"master": 3})]),
    ("企业希望了解高新技术企业认定政策", "problem", "2.2", "normal", "06-09", 4, "",
     [("06-12", "register", {})]),
    ("集贸市场周边占道经营严重", "problem", "1.5", "normal", "06-12", 2, "", [("06-13", "register", {})]),
    ("桥头路灯损坏，夜间出行危险", "problem", "1.5", "normal", "06-12", 6, "建管所",
     [("06-13", "register", {}), ("06-13", "dispatch", {})]),
    ("马路边路灯不亮，晚上出行不便", "problem", "1.5", "normal", "06-13", 5, "", [("06-14", "register", {})]),
    ("希望村里组织电商培训", "suggestion", "1.3", "normal", "06-09", 1, "", []),
    ("垃圾分类桶不够用，建议增加", "suggestion", "1.5", "normal", "06-13", 0, "", []),
    ("上下塘社区路灯不亮，老人夜里出门不安全", "problem", "1.5", "normal", "06-14", 0, "", []),
    # Signed up to the city office (上报上一级活动办): one it took on, one it sent back with instructions.
    ("跨镇公交线路停运，群众出行困难", "problem", "1.2", "important", "05-18", 3, "交警中队",
     [("05-19", "register", {}), ("05-19", "dispatch", {}), ("05-22", "accept", {}),
      ("06-01", "escalate", {"route": "upper_office", "reason": "线路由市公交公司运营，需市级协调恢复"}),
      ("06-02", "sign", {"note": "同意上报市活动办"}), ("06-07", "upper_accept", {"note": "由市交通局牵头协调"})]),
    ("村民反映征地补偿标准不一", "problem", "3.2", "normal", "05-23", 4, "建管所",
     [("05-24", "register", {}), ("05-24", "dispatch", {}), ("05-25", "accept", {}),
      ("06-05", "escalate", {"route": "upper_office", "reason": "补偿标准由市里统一制定"}),
      ("06-06", "sign", {"note": "同意上报"}),
      ("06-09", "upper_return", {"instructions": "补偿标准已有市级文件，请镇里对照文件逐户解释核实"})]),
]

# The cases the office approved for the public Open311 feed, by their place in PLAN, with its own summary.
PUBLISHED = {
    0: "上下塘社区一处路灯损坏，已更换灯具，恢复夜间照明。",
    1: "群众建议在计家墩村增设公交站台遮雨棚，已纳入下半年改造计划。",
    4: "河道岸边垃圾堆积，环卫所已清理并落实每日保洁。",
    10: "学校门口上下学时段交通拥堵，交警中队正在办理。",
}


def load_demo_cases(campaign: Campaign, say: Callable[[str], None]) -> None:
    _accounts(campaign)
    if Case.objects.filter(campaign=campaign, description=PLAN[0][0]).exists():
        say("问题办理演示：已存在，未重复创建")
        return
    office = _user("office")
    leader_cadre = Cadre.objects.get(name="王文", role=Cadre.Role.TOWN_LEADER)
    villages = list(campaign.scope.children.filter(level="village").order_by("path"))
    made: list[Case] = []
    for n, (text, kind, code, priority, raised, village_no, unit_name, steps) in enumerate(PLAN):
        village = villages[village_no % len(villages)]
        target = Target.objects.filter(region__path__startswith=village.path, is_demo=True,
                                       kind__in=Target.HOUSEHOLD_KINDS).order_by("id")[n % 5]
        if "企业" in text[:2]:
            target = Target.objects.filter(region__path__startswith=village.path, kind=Target.Kind.ENTERPRISE,
                                           is_demo=True).order_by("id").first() or target
        when = dt.datetime.fromisoformat(f"2017-{raised}T10:00").replace(tzinfo=SHANGHAI)
        with clock.frozen(when), override_settings(**QUIET):  # a stated time of day, the same on every build
            if n == 2:
                case = receive_case(campaign=campaign, kind=kind, description=text, raised_at=when,
                                    source=Case.Source.HOTLINE, region=village, raiser_name="周建华",
                                    raiser_phone="13962612345", by=office)
            else:
                case = draft_case(campaign=campaign, kind=kind, description=text, raised_at=when, target=target,
                                  priority=priority, by=_user("dept"))
        category = CaseCategory.objects.get(campaign=campaign, code=code)
        unit = named(unit_name, campaign.scope) if unit_name else None  # this town's (decision 0032)
        for number, (day, action, args) in enumerate(steps):
            at = dt.datetime.fromisoformat(f"2017-{day}T09:00").replace(tzinfo=SHANGHAI)
            with clock.frozen(at + dt.timedelta(minutes=3 * n + number)), override_settings(**QUIET):
                case = _step(case, action, args, category=category, unit=unit, office=office,
                             leader=leader_cadre, made=made)
        made.append(case)
    published = dt.datetime.fromisoformat(f"{TODAY}T08:30").replace(tzinfo=SHANGHAI)
    with clock.frozen(published), override_settings(**QUIET):
        for index, summary in PUBLISHED.items():
            publication.publish_case(made[index], by=office, summary=summary)
        report = tick.tick()
    say(_("问题办理演示：%(n_made)s 件，超期 %(overdue)s 件") % {"n_made": len(made), "overdue": report.overdue})


def _step(case: Case, action: str, args: dict[str, Any], *, category: CaseCategory, unit: Unit | None,
          office: Any, leader: Cadre, made: list[Case]) -> Case:
    v = case.version
    handler = handler_for(case.unit or unit)
    if action == "register":
        return actions.register_case(case, by=office, version=v, category=category)
    if action == "dispatch":
        assert unit is not None  # noqa: S101 — the plan names a unit for every dispatch
        return actions.dispatch_case(case, unit, by=office, version=v)
    if action == "merge":
        return answers.merge_case(case, made[args["master"]], by=office, version=v, note="同一问题，合并办理")
    if action in ("callback", "close", "reopen"):
        call = {"callback": answers.record_callback, "close": answers.close_case, "reopen": answers.reopen_case}
        return call[action](case, by=office, version=v, **args)  # type: ignore[operator]
    if action == "sign":
        return escalation.sign_escalation(case, by=leader.user, version=v, **args)
    if action == "upper_accept":
        return escalation.accept_upper(case, by=_user("city"), version=v, **args)
    if action == "upper_return":
        return escalation.return_to_town(case, by=_user("city"), version=v, **args)
    if action == "escalate":
        return escalation.escalate_case(case, by=handler, version=v, leader=leader, **args)
    if action == "resolve" and case.status == Case.Status.REGISTERED:
        return actions.resolve_case(case, by=office, version=v, **args)
    by = office if action == "reply" and case.status == Case.Status.RESOLVED and not case.unit_id else handler
    named = {"accept": actions.accept_case, "resolve": actions.resolve_case, "return": actions.return_case,
             "request_extension": actions.request_extension, "explain": escalation.explain_case,
             "reply": answers.reply_case}
    return named[action](case, by=by, version=v, **args)  # type: ignore[operator]


def handler_for(unit: Unit | None) -> Any:
    if unit is None:
        return _user("office")
    return _user(next(u for u, name in HANDLERS.items() if name == unit.name))


def _accounts(campaign: Campaign) -> None:
    for username, name in HANDLERS.items():
        unit = named(name, campaign.scope)
        if unit is None:
            raise Unit.DoesNotExist(name)
        ensure_user(username, demo_password(), full_name=f"{name}承办人",  # untranslated: demo data (a seeded account's name)
                    role=RoleGrant.Role.UNIT_HANDLER, unit=unit, region=unit.region)


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
