"""The 锦溪镇 demo's collected cases handled as the town handles them, as of the demo day (seed 000 §二(二)):
registered, then dispatched to the department that can solve it, handled, answered to the person, called back
and closed — each step through the cases' own actions, on the working day it happened.

Older cases are mostly closed (most satisfied, a few not, a few reopened or escalated), recent ones are still
with the departments, two slow units (SLOW) have let some run past their deadline, and what came in during
the last days waits to be dispatched. Deterministic (each case's story is drawn from its place in the list);
safe to run twice (only cases still waiting to be dispatched are played).
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit
from zoufang.campaigns.models import Campaign
from zoufang.cases import actions, answers, escalation, tick
from zoufang.cases.demo import QUIET, TODAY, _user, handler_for
from zoufang.cases.models import Case
from zoufang.oversight import case_counters, counters
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.unitnames import visible_from
from zoufang.workdays.calendar import Calendar

# What each opinion the demo visits collect (visits.demo) is about: the department that can solve it (none: the
# office settles it itself, after a call to whoever decides), and the 办理结果 written when it is done.
HANDLING: dict[str, tuple[str, str]] = {
    "村道路灯损坏多处，夜间出行不便": ("建管所", "已更换损坏灯具，恢复夜间照明"),
    "希望村里增设老年人助餐点，方便独居老人用餐": ("劳保所", "已在居家养老服务站开设助餐点，独居老人可预约送餐上门"),
    "家中老人常年卧病，想了解低保和医疗救助的申请办法": ("劳保所", "已上门讲解低保和医疗救助政策，协助递交申请材料"),
    "小区周边夜间有大货车停放，存在安全隐患": ("交警中队", "已设置禁停标志，夜间加强巡查，劝离停放车辆"),
    "建议社区卫生服务站延长周末门诊时间": ("", "已与卫生院协调，社区卫生服务站自6月起周六上午开诊"),
    "与邻居因宅基地界线发生纠纷，希望村里帮助调解": ("派出所", "已会同村调解委员会现场调解，双方签订调解协议"),
    "对农房翻建补助政策不了解，希望有人上门讲解": ("建管所", "已上门讲解农房翻建补助政策和申请流程"),
    "想开办农家乐，希望在证照办理上得到指导": ("", "已将证照办理流程和材料清单一次性告知，可在行政服务中心一窗办理"),
    "企业招工难，希望政府组织专场招聘会": ("劳保所", "已组织企业参加镇人力资源市场专场招聘会"),
    "厂房扩建涉及用地指标，希望协调加快审批": ("建管所", "已协助企业完善规划手续，用地指标按程序报批"),
    "厂区周边道路货车通行拥堵，上下班高峰尤甚": ("交警中队", "高峰时段已安排警力疏导，增设临时停车区"),
}
# The units that fell behind from a day on (建管所 in the flood season's works, 交警中队 on the exams' traffic duty):
# they take longer since, so the 通报 and “overdue by unit” name them.
SLOW = {"建管所": dt.date(2017, 5, 22), "交警中队": dt.date(2017, 5, 22)}
# Some cases a unit cannot solve alone: (opinion, one in how many, route, reason, how it ended).
ESCALATED = {
    "村道路灯损坏多处，夜间出行不便": (4, Case.Route.LEADERSHIP, "涉及村道路灯整体改造资金，需镇领导专题研究",
                                "经镇领导专题研究，列入村道路灯改造计划，已完成更换"),
    "对农房翻建补助政策不了解，希望有人上门讲解": (5, Case.Route.UPPER_OFFICE, "农房翻建补助标准由市里统一制定，需市级答复",
                                     "市住建局已答复补助标准和申请时限，已转告群众"),
}
SATISFACTION = [("satisfied", 0.74), ("fairly", 0.18), ("unsatisfied", 0.08)]
REPLIES = [("phone", "已电话告知办理结果"), ("in_person", "已上门当面答复"), ("sms", "已短信告知办理结果")]

Step = tuple[dt.date, str, dict[str, Any]]


@dataclass
class Story:
    """One case and the steps it takes, in order, each on its working day (only those up to the demo day)."""

    index: int
    case: Case
    unit: Unit | None
    steps: list[Step]


@dataclass
class People:
    """Who acts: the town office, the city office, the supervising leader who signs, each unit's handler."""

    office: Any
    city: Any
    leader: Cadre
    handlers: dict[int, Any]


class Days:
    """Working days on the official calendar of the campaign's year, loaded once."""

    def __init__(self, year: int) -> None:
        self.calendar = Calendar([year, year + 1])

    def after(self, day: dt.date, n: int) -> dt.date:
        while n:
            day += dt.timedelta(days=1)
            n -= self.calendar.is_workday(day)
        return day


def handle_demo_cases(campaign: Campaign, say: Callable[[str], None]) -> None:
    today = dt.date.fromisoformat(TODAY)
    collected = (Case.objects.filter(campaign=campaign, source_visit__isnull=False, registered_on__isnull=False)
                 .select_related("category").order_by("raised_at", "id"))
    # The campaign's town's units of those names (every town has its own 派出所, decision 0032).
    units = {unit.name: unit for unit in visible_from(campaign.scope).filter(
        name__in={name for name, _r in HANDLING.values() if name})}
    days = Days(today.year)
    stories = [
        Story(index, case, units.get(HANDLING.get(case.description, ("", ""))[0]),
              [step for step in plan(case, index, days, campaign.slug) if step[0] <= today])
        for index, case in enumerate(collected) if case.status == Case.Status.REGISTERED
    ]
    leader = Cadre.objects.select_related("user").get(name="王文", role=Cadre.Role.TOWN_LEADER)
    people = People(_user("office"), _user("city"), leader, {unit.pk: handler_for(unit) for unit in units.values()})
    # Every case's steps in the order they happened: by day, then the case's place in the list.
    steps = sorted(((day, story.index, number), story, action, args)
                   for story in stories for number, (day, action, args) in enumerate(story.steps))
    for day, of_the_day in groupby(steps, key=lambda step: step[0][0]):
        # A day's work at the office and the units: audit rows and kept counts (the cases' too) written as the day ends.
        with clock.frozen(_at(day, 17, 30)), override_settings(**QUIET), audit.chained_last(), \
                counters.written_last(), case_counters.refreshed_last():
            for minute, (_when, story, action, args) in enumerate(of_the_day):
                with clock.frozen(_at(day, 8, 30) + dt.timedelta(minutes=2 * minute)):
                    story.case = _play(story, action, args, people)
    with override_settings(ZOUFANG_TODAY=TODAY, **QUIET):
        overdue = tick.tick().overdue
    say(_("演示走访收集的意见：交办 %(dispatched)s 件，结案 %(closed)s 件，超期 %(overdue)s 件") % {
        "dispatched": sum(1 for s in stories if s.case.dispatched_on is not None),
        "closed": sum(1 for s in stories if s.case.status == Case.Status.CLOSED), "overdue": overdue})


def plan(case: Case, index: int, days: Days, slug: str) -> list[Step]:
    """The case's whole story from its registration on, drawn from its place in the list (deterministic)."""
    rng = random.Random(f"{slug}:handled:{index}")  # noqa: S311 - demo data
    unit_name, result = HANDLING.get(case.description, ("", "已按群众诉求办理"))
    assert case.registered_on is not None  # noqa: S101 - only registered cases are played
    on = days.after(case.registered_on, rng.choices((0, 1, 2, 3), (1, 5, 3, 1))[0])
    if not unit_name:  # settled by the office itself: no department's clock
        steps: list[Step] = [(on, "resolve", {"result": result})]
        return steps + _answered(rng, days, steps[-1][0], reopen=False)
    steps = [(on, "dispatch", {})]
    on = days.after(on, rng.randint(0, 1))
    steps.append((on, "accept", {}))
    every, route, reason, outcome = ESCALATED.get(case.description, (0, "", "", ""))
    if every and index % every == every - 1:
        on = days.after(on, rng.randint(2, 5))
        steps += [(on, "escalate", {"route": route, "reason": reason}), (days.after(on, 1), "sign", {"note": "同意"})]
        on = days.after(on, 1)
        if route == Case.Route.UPPER_OFFICE:
            on = days.after(on, rng.randint(1, 3))
            steps.append((on, "upper_accept", {"note": "由市住建局答复"}))
        on = days.after(on, rng.randint(3, 8))
        steps.append((on, "resolve", {"result": outcome}))
        return steps + _answered(rng, days, on, reopen=False)
    behind = unit_name in SLOW and on >= SLOW[unit_name]
    on = days.after(on, rng.randint(9, 20) if behind else rng.randint(3, 10) if unit_name in SLOW else rng.randint(2, 8))
    steps.append((on, "resolve", {"result": result}))
    steps += _answered(rng, days, on, reopen=True)
    if steps[-1][1] == "reopen":
        on = days.after(steps[-1][0], 1)
        steps.append((on, "accept", {}))
        on = days.after(on, rng.randint(3, 7))
        steps.append((on, "resolve", {"result": f"重办：{result}，并再次上门核实"}))  # untranslated: demo data (a case's 办理结果)
        steps += _answered(rng, days, on, reopen=False)
    return steps


def _answered(rng: random.Random, days: Days, on: dt.date, *, reopen: bool) -> list[Step]:
    """Replied to the person, called back, then closed — or, not satisfied, reopened (when it may be)."""
    channel, content = rng.choice(REPLIES)
    on = days.after(on, rng.randint(0, 2))
    steps: list[Step] = [(on, "reply", {"channel": channel, "content": content})]
    on = days.after(on, rng.randint(2, 5))
    satisfaction = rng.choices([s for s, _w in SATISFACTION], [w for _s, w in SATISFACTION])[0]
    note = "群众认为问题尚未彻底解决" if satisfaction == "unsatisfied" else ""
    steps.append((on, "callback", {"satisfaction": satisfaction, "note": note}))
    if satisfaction == "unsatisfied" and reopen and rng.random() < 0.6:
        return [*steps, (days.after(on, 1), "reopen", {"reason": "回访不满意，要求继续办理"})]
    return [*steps, (on, "close", {"note": "已做好解释工作" if satisfaction == "unsatisfied" else ""})]


def _play(story: Story, action: str, args: dict[str, Any], people: People) -> Case:
    case, v, office = story.case, story.case.version, people.office
    unit_handler = people.handlers.get(case.unit_id or 0)
    if action == "dispatch":
        assert story.unit is not None  # noqa: S101 - a dispatched case names its unit in HANDLING
        return actions.dispatch_case(case, story.unit, by=office, version=v)
    if action == "escalate":
        return escalation.escalate_case(case, by=unit_handler, version=v, leader=people.leader, **args)
    if action == "sign":
        return escalation.sign_escalation(case, by=people.leader.user, version=v, **args)
    if action == "upper_accept":
        return escalation.accept_upper(case, by=people.city, version=v, **args)
    if action == "accept":
        return actions.accept_case(case, by=unit_handler, version=v)
    if action == "resolve":  # by the unit, or settled by the office (registered, escalated) or the city office
        by = (unit_handler if case.status == Case.Status.ACCEPTED
              else people.city if case.status == Case.Status.UPPER_ACCEPTED else office)
        return actions.resolve_case(case, by=by, version=v, **args)
    if action == "reply":  # the unit answers what it solved; the office what it settled or had decided above
        by = unit_handler if case.unit_id and not case.escalation_route else office
        return answers.reply_case(case, by=by, version=v, **args)
    call = {"callback": answers.record_callback, "close": answers.close_case, "reopen": answers.reopen_case}
    return call[action](case, by=office, version=v, **args)  # type: ignore[operator]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
