"""Deterministic demo visits: a share of the assigned targets visited before the pinned day, with answers
and some opinions. Does nothing when no assignment names a cadre; safe to run twice (uuid5 client ids)."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone

from zoufang import clock
from zoufang.campaigns.config import parse_date
from zoufang.campaigns.models import CaseCategory
from zoufang.forms import services as form_services
from zoufang.forms.xlsform import outside_repeats
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre
from zoufang.visits import rules
from zoufang.visits.models import Visit
from zoufang.visits.services import Opinion, VisitSubmission, _create

DEMO_TODAY = "2017-06-15"
NAMESPACE = uuid.UUID("6f1d1c1e-8a43-4c55-9a3e-2d0b5f1c7a10")
EVERY = 3  # one assigned target in three has been visited by the pinned day
LIMIT = 600
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
OPINION_EVERY = 4  # one visit in four collects an opinion
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


def seed_demo_visits(campaign: Any, say: Callable[[str], Any]) -> None:
    # The same records whatever the real date: the demo's day, as the cases demo plays it (and `make run` pins).
    with override_settings(ZOUFANG_TODAY=DEMO_TODAY):
        _seed(campaign, say)


def _seed(campaign: Any, say: Callable[[str], Any]) -> None:
    form_services.load_shipped_forms()
    today = min(clock.today(), campaign.ends_on)
    start = max(parse_date((campaign.config.get("pace") or {}).get("starts_on")) or campaign.starts_on,
                campaign.starts_on)
    span = max(1, (today - start).days)
    categories = {c.code: c for c in CaseCategory.objects.filter(campaign=campaign, parent__isnull=False)}
    assignments = (Assignment.objects.filter(campaign=campaign, cadre__isnull=False)
                   .select_related("target__region", "cadre").order_by("id"))
    created = opinions_given = 0
    for index, assignment in enumerate(assignments[: LIMIT * EVERY]):
        if index % EVERY or today <= start:
            continue
        if Visit.objects.filter(client_uuid=demo_client_uuid(campaign, assignment)).exists():
            continue
        target, cadre = assignment.target, assignment.cadre
        assert cadre is not None  # noqa: S101 - filtered above; for the type checker
        day = start + dt.timedelta(days=(index * 7) % span)
        visited_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + index % 8, 30)))
        opinions = []
        if (index // EVERY) % OPINION_EVERY == 0:
            pool = ENTERPRISE_OPINIONS if target.kind == "enterprise" else HOUSEHOLD_OPINIONS
            code, kind, words = pool[opinions_given % len(pool)]
            # A campaign without that sub-item files it under its first one (menghe's are worded differently).
            code = code if code in categories else min(categories, key=lambda c: categories[c].sort_order, default="")
            opinions = [Opinion(kind=kind, description=words, category=code)]
            opinions_given += 1
        created += record_demo_visit(campaign, assignment, visited_at, mode=rules.allowed_modes(campaign, target, cadre)[0],
                                     fill=lambda _key, spec: demo_answers(spec), opinions=opinions,
                                     categories=categories)
    say(f"演示走访记录：新增 {created} 条")
    registered = register_demo_opinions(campaign, today)
    say(f"演示走访收集的意见：登记 {registered} 条")


def demo_client_uuid(campaign: Any, assignment: Assignment) -> uuid.UUID:
    """The visit's client id: the same assignment gives the same id, so loading twice records it once."""
    return uuid.uuid5(NAMESPACE, f"{campaign.slug}:{assignment.public_id}")


def record_demo_visit(
    campaign: Any, assignment: Assignment, visited_at: dt.datetime, *, mode: str,
    fill: Callable[[str, dict[str, Any]], dict[str, Any] | None], opinions: list[Opinion],
    categories: dict[str, CaseCategory], summary: str = "（演示）了解家庭、企业近况，宣传政策",
    cadre: Cadre | None = None,
) -> bool:
    """One visit, recorded through the visits service as on its own day, with the campaign's questionnaires for
    the target's kind answered by `fill(key, spec)` (None: not this time, for those filled once per village).
    The visitor is the assigned cadre, or `cadre` for a target a unit leads. False when the assignment's visit
    is already there."""
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
    )
    with clock.frozen(visited_at + WRITTEN_UP_AFTER):  # written up on the phone soon after the visit
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
