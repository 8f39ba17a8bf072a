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
from zoufang.visits import rules
from zoufang.visits.models import Visit
from zoufang.visits.services import Opinion, VisitSubmission, _create

DEMO_TODAY = "2017-06-15"
NAMESPACE = uuid.UUID("6f1d1c1e-8a43-4c55-9a3e-2d0b5f1c7a10")
EVERY = 3  # one assigned target in three has been visited by the pinned day
LIMIT = 600
OPINIONS = ["村道路灯损坏，夜间出行不便", "希望增加老年人助餐点", "厂区周边道路货车通行拥堵", "建议简化项目审批流程"]


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
    category = CaseCategory.objects.filter(campaign=campaign, parent__isnull=False).order_by("sort_order").first()
    assignments = (Assignment.objects.filter(campaign=campaign, cadre__isnull=False)
                   .select_related("target__region", "cadre").order_by("id"))
    created = 0
    for index, assignment in enumerate(assignments[: LIMIT * EVERY]):
        if index % EVERY or today <= start:
            continue
        client_uuid = uuid.uuid5(NAMESPACE, f"{campaign.slug}:{assignment.public_id}")
        if Visit.objects.filter(client_uuid=client_uuid).exists():
            continue
        target, cadre = assignment.target, assignment.cadre
        assert cadre is not None  # noqa: S101 - filtered above; for the type checker
        day = start + dt.timedelta(days=(index * 7) % span)
        visited_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + index % 8, 30)))
        forms = form_services.questionnaires_for(campaign, target.kind)
        answered = {entry["key"]: (version, form_services.check_answers(version, demo_answers(version.spec))[0])
                    for entry, version in forms}
        opinions = [Opinion(kind="problem" if index % 2 else "suggestion", description=OPINIONS[index % 4],
                            category=category.code if category else "")] if index % (EVERY * 4) == 0 else []
        submission = VisitSubmission(
            client_uuid=client_uuid, target_id=target.public_id, visited_at=visited_at,
            mode=rules.allowed_modes(campaign, target, cadre)[0], summary="（演示）了解家庭、企业近况，宣传政策",
            answers={key: data for key, (_version, data) in answered.items()}, opinions=opinions,
        )
        with override_settings(ZOUFANG_TODAY=day.isoformat()):  # recorded on the day of the visit
            _create(None, cadre, target, campaign, submission, submission.content_hash(cadre), answered,
                    {category.code: category} if category else {})
        created += 1
    say(f"演示走访记录：新增 {created} 条")
