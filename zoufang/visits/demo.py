"""Deterministic demo visits: each cadre has visited about what the campaign's pace asks by the pinned day, more
or less as their unit keeps up (most near the pace, some ahead, a few behind, one or two not started), with answers
and some opinions, so the office's figures, the units behind and the 通报 tell a town's story. Honest cadres work as integrity.simulate models them (half-day sessions, varied notes and
answers, written up at the door or that evening); a department cadre of each of three units plays one of the
simulation's fabricating patterns, so the integrity flags point at them. Does nothing when no assignment names
a cadre; safe to run twice (uuid5 client ids)."""

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.config import parse_date
from zoufang.campaigns.models import CaseCategory
from zoufang.demo import synthetic
from zoufang.forms import services as form_services
from zoufang.forms.services import check_spec
from zoufang.forms.xlsform import outside_repeats
from zoufang.integrity import simulate
from zoufang.planning.models import Assignment
from zoufang.regions.positions import distance_m
from zoufang.registry.models import Cadre
from zoufang.visits import rules
from zoufang.visits.models import Visit
from zoufang.visits.services import Opinion, VisitSubmission, _create

DEMO_TODAY = "2017-06-15"
NAMESPACE = uuid.UUID("6f1d1c1e-8a43-4c55-9a3e-2d0b5f1c7a10")
# How a unit keeps up with the pace, as a share of what the pace wants of its cadres by the pinned day: (chance,
# lowest, highest). The town as a whole ends a little behind (about 0.85), so that 督查 has something to show.
UNIT_PACE = [(0.08, 0.0, 0.0), (0.25, 0.3, 0.7), (0.52, 0.8, 1.2), (0.15, 1.2, 1.6)]
CADRE_SPREAD = (0.6, 1.4)  # one cadre of a unit against another
# What residents and enterprises said, by seed 000 §一 sub-item: (code, kind, words).
HOUSEHOLD_OPINIONS = [
    ("1.1", "problem", "村道路灯损坏多处，夜间出行不便"),
    ("1.2", "suggestion", "希望村里增设老年人助餐点，方便独居老人用餐"),
    ("1.4", "problem", "家中老人常年卧病，想了解低保和医疗救助的申请办法"),
    ("1.5", "problem", "小区周边夜间有大货车停放，存在安全隐患"),
    ("1.2", "suggestion", "建议社区卫生服务站延长周末门诊时间"),
    ("4.3", "problem", "与邻居因宅基地界线发生纠纷，希望村里帮助调解"),
    ("6.2", "suggestion", "对农房翻建补助政策不了解，希望有人上门讲解"),
    ("1.3", "suggestion", "想开办农家乐，希望在证照办理上得到指导"),
]
ENTERPRISE_OPINIONS = [
    ("2.5", "problem", "企业招工难，希望政府组织专场招聘会"),
    ("3.2", "problem", "厂房扩建涉及用地指标，希望协调加快审批"),
    ("2.4", "suggestion", "希望牵线高校合作建设企业技术中心"),
    ("2.1", "suggestion", "建议加大对汽车零部件等重点产业的扶持力度"),
    ("1.1", "problem", "厂区周边道路货车通行拥堵，上下班高峰尤甚"),
]
WRITTEN_UP_AFTER = dt.timedelta(minutes=40)
EVENING_SHARE = 0.4  # honest cadres write a session up that evening, else at each door
SHORT_SUMMARIES = 0.08  # honest “无诉求”-style notes, too short to compare
# What an enterprise's visit note says, beside simulate.SITUATIONS' households.
ENTERPRISE_SITUATIONS = ["今年订单比去年多两成，正在招{n}名操作工", "新上一条自动化生产线，用电负荷不够",
                         "出口订单受汇率影响，利润下降", "厂区消防通道已按要求整改", "想申报高新技术企业，材料不熟悉",
                         "员工宿舍紧张，{n}名外地工人在外租房", "环评手续正在办理，进度较慢", "融资成本高，想了解贴息贷款",
                         "负责人表示生产经营正常，暂无困难", "准备扩建仓库{n}百平方米", "门口道路雨天积水，货车进出困难",
                         "技术骨干流失，希望有人才公寓政策", "污水接管已完成，运行正常", "安全生产台账齐全，检查无问题"]
OPINION_EVERY = 6  # one visit in six collects an opinion
LATE_EVERY = 7  # of the registered opinions, one in seven was registered after the deadline
UNREGISTERED_EVERY = 15  # and one in fifteen is still waiting on the demo day


def demo_answers(spec: dict[str, Any]) -> dict[str, Any]:
    """Required questions answered with the first choice (or a short text), so every form validates."""
    answers: dict[str, Any] = {}
    for node in outside_repeats(spec["items"]):
        if node["kind"] != "question" or not node.get("required") or node["type"] == "note":
            continue
        if node["type"] in ("select_one", "select_multiple"):
            first = spec["choices"][node["list"]][0][0]
            answers[node["name"]] = first if node["type"] == "select_one" else [first]
        elif node["type"] in ("integer", "decimal"):
            answers[node["name"]] = 1
        elif node["type"] == "date":
            answers[node["name"]] = "2017-05-02"
        else:
            answers[node["name"]] = "演示内容"
    return answers


def _kept_up(campaign: Any, assignments: list[Assignment], today: dt.date) -> list[tuple[int, Assignment]]:
    """The assignments visited by `today` (with their place in `assignments`): of each cadre's, the first ones, as
    many as the campaign's pace wants of that cadre by then (oversight.pace) times how their unit keeps up
    (UNIT_PACE, drawn once per unit) and a spread of their own (CADRE_SPREAD), never more than they hold."""
    from zoufang.oversight.pace import pace_due, pace_rule

    rule = pace_rule(campaign)
    mine: dict[int, list[tuple[int, Assignment]]] = defaultdict(list)
    for index, assignment in enumerate(assignments):
        assert assignment.cadre is not None  # noqa: S101 - filtered by the caller
        mine[assignment.cadre.pk].append((index, assignment))
    units: dict[int, float] = {}
    chosen: list[tuple[int, Assignment]] = []
    for held in mine.values():
        cadre = held[0][1].cadre
        assert cadre is not None  # noqa: S101
        if cadre.unit_id not in units:
            draw = random.Random(f"{campaign.slug}:{cadre.unit.name}")  # noqa: S311 - demo data
            chance, share = draw.random(), 0.0
            for weight, lowest, highest in UNIT_PACE:
                if chance < weight:
                    share = draw.uniform(lowest, highest)
                    break
                chance -= weight
            units[cadre.unit_id] = share
        kinds: dict[str, int] = defaultdict(int)
        for _index, assignment in held:
            kinds[assignment.target.kind] += 1
        spread = random.Random(f"{campaign.slug}:{cadre.unit.name}:{cadre.name}:{held[0][0]}")  # noqa: S311
        wanted = pace_due(rule, kinds, today) * units[cadre.unit_id] * spread.uniform(*CADRE_SPREAD)
        chosen += held[: min(len(held), round(wanted))]
    return sorted(chosen, key=lambda item: item[0])


def seed_demo_visits(campaign: Any, say: Callable[[str], Any]) -> None:
    # The same records whatever the real date: the demo's day, as the cases demo plays it (and `make run` pins).
    with override_settings(ZOUFANG_TODAY=DEMO_TODAY):
        _seed(campaign, say)


@dataclass
class Planned:
    """One demo visit before it is recorded: which target, and (once the cadre's pattern is played) when it
    happened, when and where it was written up, and what it says."""

    index: int
    assignment: Assignment
    opinions: list[Opinion]
    visited_at: dt.datetime | None = None
    recorded_at: dt.datetime | None = None
    mode: str = Visit.Mode.HOME
    position: tuple[float, float] | None = None
    accuracy: float | None = None
    summary: str = ""
    answers: Callable[[str, dict[str, Any]], dict[str, Any] | None] = lambda _key, spec: demo_answers(spec)


def _seed(campaign: Any, say: Callable[[str], Any]) -> None:
    form_services.load_shipped_forms()
    today = min(clock.today(), campaign.ends_on)
    start = max(parse_date((campaign.config.get("pace") or {}).get("starts_on")) or campaign.starts_on,
                campaign.starts_on)
    categories = {c.code: c for c in CaseCategory.objects.filter(campaign=campaign, parent__isnull=False)}
    assignments = (Assignment.objects.filter(campaign=campaign, cadre__isnull=False)
                   .select_related("target__region", "cadre__unit").order_by("id"))
    planned: list[Planned] = []
    opinions_given = 0
    for index, assignment in _kept_up(campaign, list(assignments) if today > start else [], today):
        opinions = []
        if len(planned) % OPINION_EVERY == 0:
            pool = ENTERPRISE_OPINIONS if assignment.target.kind == "enterprise" else HOUSEHOLD_OPINIONS
            code, kind, words = pool[opinions_given % len(pool)]
            # A campaign without that sub-item files it under its first one (menghe's are worded differently).
            code = code if code in categories else min(categories, key=lambda c: categories[c].sort_order, default="")
            opinions = [Opinion(kind=kind, description=words, category=code)]
            opinions_given += 1
        planned.append(Planned(index, assignment, opinions))
    by_cadre: dict[int, list[Planned]] = defaultdict(list)
    for plan in planned:
        assert plan.assignment.cadre is not None  # noqa: S101 - filtered above; for the type checker
        by_cadre[plan.assignment.cadre.pk].append(plan)
    patterns = _planted(by_cadre)
    for visits in by_cadre.values():
        cadre = visits[0].assignment.cadre
        assert cadre is not None  # noqa: S101
        rng = random.Random(f"{campaign.slug}:{cadre.unit.name}:{cadre.name}:{visits[0].index}")  # noqa: S311 - demo
        play = {"desk_bulk": _desk_bulk, "copied_text": _copied_text, "phantom": _phantom}.get(
            patterns.get(cadre.pk, ""), _honest)
        play(campaign, visits, rng, start, today)
    created = 0
    for plan in planned:
        assert plan.visited_at is not None  # noqa: S101 - every pattern times its visits
        created += record_demo_visit(campaign, plan.assignment, plan.visited_at, mode=plan.mode, fill=plan.answers,
                                     opinions=plan.opinions, categories=categories, summary=plan.summary,
                                     recorded_at=plan.recorded_at, position=plan.position, accuracy=plan.accuracy)
    say(_("演示走访记录：新增 %(created)s 条") % {"created": created})
    _cadre_logins(by_cadre, patterns)
    registered = register_demo_opinions(campaign, today)
    say(_("演示走访收集的意见：登记 %(registered)s 条") % {"registered": registered})


# Demo logins of cadres with visits (besides `dept` and `village`), to act out a callback round: (username,
# label, pattern) — an honest cadre and the planted fabricators, each of another unit.
CADRE_ACCOUNTS = [("ganbu1", "部门党员干部（有走访任务，如实走访）", ""),
                  ("ganbu2", "部门党员干部（演示造假：事后深夜批量补录）", "desk_bulk"),
                  ("ganbu3", "部门党员干部（演示造假：走访情况复制粘贴）", "copied_text"),
                  ("ganbu4", "部门党员干部（演示造假：虚报入户，位置远离对象、节奏不可能）", "phantom")]
PLANTED_MIN_VISITS = 5  # a planted fabricator has enough visits for its flag to fire (late_bulk's batch size)


def _planted(by_cadre: dict[int, list[Planned]]) -> dict[int, str]:
    """The few department cadres who fabricate, one for each pattern of simulate.PATTERNS, each of another
    unit: those with the most demo visits (not a leader, nor a cadre another demo account logs in as)."""
    from django.contrib.auth import get_user_model

    taken = set(get_user_model().objects.filter(cadre__isnull=False).exclude(
        username__in=[u for u, _label, _p in CADRE_ACCOUNTS]).values_list("cadre__id", flat=True))
    candidates = sorted(
        (visits for pk, visits in by_cadre.items() if len(visits) >= PLANTED_MIN_VISITS and pk not in taken
         and visits[0].assignment.cadre is not None
         and visits[0].assignment.cadre.role == Cadre.Role.PARTY_MEMBER),
        key=lambda visits: (-len(visits), visits[0].index))
    patterns: dict[int, str] = {}
    units: set[int] = set()
    for visits in candidates:
        cadre = visits[0].assignment.cadre
        assert cadre is not None  # noqa: S101
        if len(patterns) < len(simulate.PATTERNS) and cadre.unit_id not in units:
            patterns[cadre.pk] = simulate.PATTERNS[len(patterns)]
            units.add(cadre.unit_id)
    return patterns


def _cadre_logins(by_cadre: dict[int, list[Planned]], patterns: dict[int, str]) -> None:
    from zoufang.accounts.services import demo_password, ensure_user

    honest: list[Cadre] = []
    units = {visits[0].assignment.cadre.unit_id for pk, visits in by_cadre.items()
             if pk in patterns and visits[0].assignment.cadre is not None}  # the honest ones work elsewhere
    for pk, visits in sorted(by_cadre.items(), key=lambda item: item[1][0].index):
        cadre = visits[0].assignment.cadre
        if cadre is not None and pk not in patterns and len(visits) >= PLANTED_MIN_VISITS \
                and cadre.role == Cadre.Role.PARTY_MEMBER and cadre.unit_id not in units:
            honest.append(cadre)
            units.add(cadre.unit_id)
    planted = {pattern: pk for pk, pattern in patterns.items()}
    for username, _label, pattern in CADRE_ACCOUNTS:
        cadre = (Cadre.objects.filter(pk=planted[pattern]).first() if pattern in planted
                 else honest.pop(0) if not pattern and honest else None)
        if cadre is not None:
            ensure_user(username, demo_password(), cadre=cadre)


def _position(target: Any) -> tuple[float, float] | None:
    if target.latitude is None or target.longitude is None:
        return None
    return float(target.latitude), float(target.longitude)


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _days(rng: random.Random, start: dt.date, today: dt.date, count: int) -> list[dt.date]:
    """`count` days of the campaign before the demo day, different while there are enough, in order."""
    span = max(1, (today - start).days)
    picked = rng.sample(range(span), k=min(span, count)) + [rng.randrange(span) for _ in range(count - span)]
    return sorted(start + dt.timedelta(days=d) for d in picked)


def honest_note(rng: random.Random, target: Any, opinions: list[Opinion]) -> str:
    """What an honest cadre writes of a visit: the household's or enterprise's situation, what was done, and
    the opinions collected (simulate.honest_summary's phrases, with the target's own name)."""
    enterprise = target.kind == "enterprise"
    who = target.name if enterprise else f"{target.name[:1]}{rng.choice('家户')}"  # untranslated: demo data (a household's name)
    words = simulate.honest_summary(rng, SHORT_SUMMARIES, who, ENTERPRISE_SITUATIONS if enterprise else
                                    simulate.SITUATIONS)
    return words + "".join(f"；反映：{o.description}" for o in opinions)  # untranslated: demo data (a seeded visit's summary)


def varied_fill(rng: random.Random) -> Callable[[str, dict[str, Any]], dict[str, Any] | None]:
    return lambda _key, spec: varied_answers(spec, rng)


def varied_answers(spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Required questions answered as a resident might: a choice drawn from the list, a small number, a short
    phrase; demo_answers' when the drawn answers do not pass the form's own checks."""
    answers: dict[str, Any] = {}
    for node in outside_repeats(spec["items"]):
        if node["kind"] != "question" or not node.get("required") or node["type"] == "note":
            continue
        if node["type"] in ("select_one", "select_multiple"):
            values = [value for value, _label in spec["choices"][node["list"]] if "other" not in str(value)]
            values = values or [spec["choices"][node["list"]][0][0]]
            answers[node["name"]] = (rng.choice(values) if node["type"] == "select_one"
                                     else rng.sample(values, k=rng.randint(1, min(2, len(values)))))
        elif node["type"] in ("integer", "decimal"):
            answers[node["name"]] = rng.randint(1, 6)
        elif node["type"] == "date":
            answers[node["name"]] = f"2017-05-{rng.randint(1, 28):02d}"
        else:
            situation = simulate.one_situation(rng)
            answers[node["name"]] = f"{situation}，{rng.choice(simulate.REQUESTS)}"
    return answers if not check_spec(spec, answers)[1] else demo_answers(spec)


def _sessions(rng: random.Random, visits: list[Planned], start: dt.date, today: dt.date) -> list[list[Planned]]:
    """A cadre's visits in half-day sessions, a village (its targets' region) at a time, each on its own day,
    one household after another 15–45 minutes apart (more when the next is far), from 9 or 14 o'clock."""
    ordered = sorted(visits, key=lambda p: (p.assignment.target.region.path, p.index))
    sessions: list[list[Planned]] = []
    while ordered:
        size = rng.randint(2, 4)
        sessions.append(ordered[:size])
        ordered = ordered[size:]
    for day, session in zip(_days(rng, start, today, len(sessions)), sessions, strict=True):
        at, here = _local(day, rng.choice((9, 14)), rng.randint(0, 40)), None
        for plan in session:
            door = _position(plan.assignment.target)
            if here is not None and door is not None:
                at += dt.timedelta(minutes=distance_m(*here, *door) / 250)  # by bicycle, 15 km/h
            plan.visited_at, here = at, door or here
            at += dt.timedelta(minutes=rng.randint(15, 45))
    return sessions


def _honest(campaign: Any, visits: list[Planned], rng: random.Random, start: dt.date, today: dt.date) -> None:
    """Written up on the spot (the phone's position at the door), or that evening at home (no position)."""
    for session in _sessions(rng, visits, start, today):
        evening = rng.random() < EVENING_SHARE
        for number, plan in enumerate(session):
            target, cadre = plan.assignment.target, plan.assignment.cadre
            assert plan.visited_at is not None  # noqa: S101 - _sessions timed it
            assert cadre is not None  # noqa: S101 - the visits are of assigned cadres
            modes = rules.allowed_modes(campaign, target, cadre)
            plan.mode = Visit.Mode.PHONE if Visit.Mode.PHONE in modes and rng.random() < 0.25 else modes[0]
            plan.summary, plan.answers = honest_note(rng, target, plan.opinions), varied_fill(rng)
            door = _position(target)
            if evening:
                plan.recorded_at = _local(clock.local(plan.visited_at).date(), 19, rng.randint(0, 30)) + \
                    dt.timedelta(minutes=5 * number)
            else:
                plan.recorded_at = plan.visited_at + dt.timedelta(minutes=rng.randint(3, 15))
                if door is not None and plan.mode == Visit.Mode.HOME:
                    plan.accuracy = float(rng.randint(5, 40))
                    plan.position = synthetic.jittered(door, f"{plan.index}", plan.accuracy)


def _desk_bulk(campaign: Any, visits: list[Planned], rng: random.Random, start: dt.date, today: dt.date) -> None:
    """Visits on different days, every one typed in at one sitting late at night more than a week after."""
    _honest(campaign, visits, rng, start, today)
    for plan, day in zip(sorted(visits, key=lambda p: p.index), _days(rng, start, today - dt.timedelta(days=10),
                                                                       len(visits)), strict=True):
        plan.visited_at = _local(day, rng.choice((9, 10, 14, 15)), rng.randint(0, 59))
        plan.position = plan.accuracy = None
    sitting = _local(max(clock.local(p.visited_at).date() for p in visits if p.visited_at) + dt.timedelta(days=9), 22, 40)
    for number, plan in enumerate(sorted(visits, key=lambda p: p.visited_at or sitting)):
        plan.recorded_at = sitting + dt.timedelta(minutes=2 * number)


def _copied_text(campaign: Any, visits: list[Planned], rng: random.Random, start: dt.date, today: dt.date) -> None:
    """One note (a character changed now and then, nothing of what was raised) and the same answers on every
    visit."""
    _honest(campaign, visits, rng, start, today)
    template = f"{simulate.honest_summary(rng, 0)}，{simulate.honest_summary(rng, 0)}"
    for plan in visits:
        text = template
        if rng.random() < 0.5:
            cut = rng.randrange(len(text))
            text = text[:cut] + rng.choice(simulate.NAMES) + text[cut + 1:]
        plan.summary = text  # the opinions collected are filed as cases all the same
        plan.answers = lambda _key, spec: demo_answers(spec)


def _phantom(campaign: Any, visits: list[Planned], rng: random.Random, start: dt.date, today: dt.date) -> None:
    """Home visits that never happened, typed in “on the spot” at the town office one afternoon, minutes apart."""
    _honest(campaign, visits, rng, start, today)
    afternoon = _local(_days(rng, start, start + (today - start) / 2, 1)[0], 15, rng.randint(0, 30))
    for number, plan in enumerate(sorted(visits, key=lambda p: p.index)):
        plan.visited_at = afternoon + dt.timedelta(minutes=3 * number)
        plan.recorded_at = plan.visited_at + dt.timedelta(minutes=3)
        plan.mode, plan.accuracy = Visit.Mode.HOME, 20.0
        plan.position = synthetic.jittered(synthetic.TOWN_CENTRE, f"office:{plan.index}", plan.accuracy)


def demo_client_uuid(campaign: Any, assignment: Assignment) -> uuid.UUID:
    """The visit's client id: the same assignment gives the same id, so loading twice records it once."""
    return uuid.uuid5(NAMESPACE, f"{campaign.slug}:{assignment.public_id}")


def record_demo_visit(
    campaign: Any, assignment: Assignment, visited_at: dt.datetime, *, mode: str,
    fill: Callable[[str, dict[str, Any]], dict[str, Any] | None], opinions: list[Opinion],
    categories: dict[str, CaseCategory], summary: str = "（演示）了解家庭、企业近况，宣传政策",
    cadre: Cadre | None = None, recorded_at: dt.datetime | None = None, position: tuple[float, float] | None = None,
    accuracy: float | None = None,
) -> bool:
    """One visit, recorded through the visits service as on its own day, with the campaign's questionnaires for
    the target's kind answered by `fill(key, spec)` (None: not this time, for those filled once per village).
    The visitor is the assigned cadre, or `cadre` for a target a unit leads; written up at `recorded_at` (soon
    after the visit by default), where the phone says `position`. False when the assignment's visit is already
    there."""
    client_uuid = demo_client_uuid(campaign, assignment)
    if Visit.objects.filter(client_uuid=client_uuid).exists():
        return False
    target, cadre = assignment.target, assignment.cadre or cadre
    assert cadre is not None  # noqa: S101 - a demo visit has a visitor
    answered = {}
    for entry, version in form_services.questionnaires_for(campaign, target.kind):
        given = fill(entry["key"], version.spec)
        if given is not None:
            answered[entry["key"]] = (version, form_services.check_answers(version, given)[0])
    submission = VisitSubmission(
        client_uuid=client_uuid, target_id=target.public_id, visited_at=visited_at, mode=mode, summary=summary,
        answers={key: data for key, (_version, data) in answered.items()}, opinions=opinions,
        latitude=position[0] if position else None, longitude=position[1] if position else None,
        location_accuracy=accuracy if position else None,
    )
    with clock.frozen(recorded_at or visited_at + WRITTEN_UP_AFTER):  # written up on the phone soon after the visit
        _create(None, cadre, target, campaign, submission, submission.content_hash(cadre), answered, categories)
    return True


def register_demo_opinions(campaign: Any, today: dt.date, office_username: str = "office") -> int:
    """The office registers what the visits collected, as it would have by the demo day: most within the
    deadline, one in seven late, one in fifteen not yet — through the cases action itself."""
    from django.contrib.auth import get_user_model

    from zoufang.cases.actions import register_case
    from zoufang.cases.models import Case
    from zoufang.workdays.calendar import add_working_days

    office = get_user_model().objects.filter(username=office_username).first()
    # Counted over every opinion the visits collected, drafts or not, so that loading again picks the same ones.
    collected = Case.objects.filter(campaign=campaign, source_visit__isnull=False,
                                    category__isnull=False).order_by("raised_at", "id")
    registered = 0
    for index, case in enumerate(collected):
        if case.status != Case.Status.DRAFT or index % UNREGISTERED_EVERY == UNREGISTERED_EVERY - 1 \
                or case.registration_due is None:
            continue
        raised_on = timezone.localtime(case.raised_at).date()
        on = (add_working_days(case.registration_due, 2).date if index % LATE_EVERY == LATE_EVERY - 1
              else add_working_days(raised_on, 1).date)
        if on > today:
            continue
        with override_settings(ZOUFANG_TODAY=on.isoformat()):
            register_case(case, by=office, version=case.version, note="演示：走访办登记")
        registered += 1
    return registered
