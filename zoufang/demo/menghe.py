"""The 孟河镇 part of the demo (seed 002): the `menghe-dazoufang` campaign in the demo's year, the synthetic town
planned, its accounts, visits of the seed's four kinds (访企业、访群众、访干部、访名士) with the forms 附件2-2、
2-4…2-7 filled in, and the cases their opinions raised, played through the real actions on their own days.

The seed gives months, not a year; the shipped file takes 2018. The demo plays both towns on one pinned day
(`make run`: 2017-06-15), so it loads 孟河镇's campaign with every date moved to DEMO_YEAR: on the demo day the
concentrated visits (3–4月) and the lists (3–5月) are over and the summary month (6月) is in progress.
Deterministic and safe to run twice; about as fast as the town is small (a few seconds).
"""

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from zoufang.demo import loader
from zoufang.forms import services as form_services
from zoufang.forms.demo import filled_answers
from zoufang.planning.demo import plan_as_given
from zoufang.planning.menghe import FORMER_NAMES, TOWN, UNITED_FRONT, build_menghe_town
from zoufang.planning.models import Assignment
from zoufang.ratings import demo as ratings_demo
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.visits import rules
from zoufang.visits.demo import DEMO_TODAY, record_demo_visit, register_demo_opinions
from zoufang.visits.services import Opinion
from zoufang.workdays.calendar import add_working_days

SLUG = "menghe-dazoufang"
DEMO_YEAR = int(DEMO_TODAY[:4])
OFFICE = "menghe"
CADRE = "menghe_cadre"
CADRE_UNIT = "经发局"
# The handler accounts (承办人) of the units leading a kind of visit, which the demo hands cases to.
HANDLERS = {"经发局": "menghe_jingfa", "人社局": "menghe_renshe", UNITED_FRONT: "menghe_xuantong"}
DEMO_ACCOUNTS = [
    (OFFICE, "孟河镇活动办（只看孟河镇）"),
    (CADRE, f"{TOWN}{CADRE_UNIT}干部（走访群众、走访联系卡）"),  # untranslated: demo data (a seeded account's name)
    *[(username, f"承办部门：{TOWN}{unit}") for unit, username in HANDLERS.items()],  # untranslated: demo data (a seeded account's name)
]
OPINION_EVERY = 4  # one visit in four collects an opinion
QUIET = {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
         "ZOUFANG_SMS_BACKEND": "zoufang.cases.sms.MemorySmsBackend"}


@dataclass(frozen=True)
class VisitType:
    """One of seed 002's 四、活动内容: the targets it visits, the share visited by the demo day (one in `every`,
    at most `limit`) and what those visited said, by the campaign's sub-item code."""

    name: str
    kinds: tuple[str, ...]
    every: int
    limit: int
    opinions: tuple[tuple[str, str, str], ...]


HOUSEHOLDS = (Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.RESIDENT_HOUSEHOLD)
VISIT_TYPES = (
    VisitType("走访企业求创新良方", (Target.Kind.ENTERPRISE, Target.Kind.PROJECT), 2, 80, (
        ("1.2", "problem", "企业技改扩产缺少用地指标，希望协调解决"),
        ("1.4", "suggestion", "建议牵头组建汽车零部件产业联盟，共享检测平台"),
        ("1.2", "problem", "熟练技工招工难，希望组织专场招聘"),
        ("1.5", "suggestion", "希望进一步压缩项目审批时限，推行代办服务"),
    )),
    VisitType("走访群众求富民良法", HOUSEHOLDS, 5, 240, (
        ("2.2", "problem", "村组道路坑洼，雨天积水严重"),
        ("2.4", "suggestion", "希望在村里开设老年助餐点"),
        ("2.6", "problem", "家中老人长期卧病，希望了解医疗救助政策"),
        ("2.3", "suggestion", "建议利用闲置厂房发展村级物业经济"),
        ("2.5", "problem", "与邻居因排水沟走向发生纠纷，希望村里调解"),
    )),
    VisitType("走访干部求工作良计", (Target.Kind.CADRE,), 2, 60, (
        ("3.2", "problem", "条线任务交叉，基层填表报数负担重"),
        ("3.4", "suggestion", "建议多组织年轻干部到项目一线锻炼"),
    )),
    VisitType("走访名士求发展良策", (Target.Kind.NOTABLE_PERSON,), 1, 30, (
        ("4.1", "suggestion", "建议挖掘孟河医派文化，打造中医药文旅品牌"),
        ("4.2", "suggestion", "愿意牵线在外孟河籍企业家回乡投资"),
    )),
)


def load_menghe_demo(*, say: Callable[[str], None] = lambda message: None) -> Campaign:
    """Load (or top up) the 孟河镇 demo; the 锦溪镇 demo need not be there."""
    with transaction.atomic():
        campaign = load_demo_campaign()
        say(_("走访活动：%(campaign)s（%(starts_on)s 至 %(ends_on)s）") % {
            "campaign": campaign.name, "starts_on": clock.day(campaign.starts_on),
            "ends_on": clock.day(campaign.ends_on),
        })
        rename_former_units(say=say)
        build_menghe_town(say)
        report = plan_as_given(campaign)
        say(_("孟河镇分配：保留 %(kept)s，新增 %(added)s，调整 %(moved)s，释放 %(released)s") % {
            "kept": report.kept, "added": report.added, "moved": report.moved, "released": report.released,
        })
        create_accounts(campaign)
        with override_settings(ZOUFANG_TODAY=DEMO_TODAY, **QUIET):
            created = seed_visits(campaign)
            say(_("孟河镇演示走访记录：新增 %(created)s 条") % {"created": created})
            registered = register_demo_opinions(campaign, clock.today(), office_username=OFFICE)
            handled = handle_cases(campaign)
            overdue = tick.tick().overdue  # overdue marks and reminders, as on the demo day
            say(_("孟河镇走访收集的意见：登记 %(registered)s 条，交办 %(handled)s 条，超期 %(overdue)s 件") % {
                "registered": registered, "handled": handled, "overdue": overdue,
            })
            named, closed = ratings_demo.follow_up_items(campaign, _office())
            say(_("孟河镇企业评价“差”的督查事项：指定责任人 %(named)s 项，办结 %(closed)s 项") % {"named": named, "closed": closed})
    return campaign


def is_loaded() -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=OFFICE).exists() and Assignment.objects.filter(
        campaign__slug=SLUG).exists()


def rename_former_units(*, say: Callable[[str], None] = lambda message: None) -> int:
    """孟河镇's units loaded under their former long names (“孟河镇经发局”) take the town's own names in place."""
    renamed = loader.rename_former_units(SLUG, FORMER_NAMES)
    if renamed:
        say(_("孟河镇单位改用简称：%(count)s 个") % {"count": renamed})
    return renamed


def load_demo_campaign() -> Campaign:
    """The shipped campaign file with its dates moved to DEMO_YEAR, loaded as the office would load it."""
    path = shipped_campaign_path(SLUG)
    data = read_campaign_file(path).data
    delta = DEMO_YEAR - parse_date(data["period"]["starts_on"]).year  # type: ignore[union-attr]
    return load_campaign_config(shift_years(data, delta), source_name=path.name).campaign


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def shift_years(value: Any, years: int) -> Any:
    """Every date in a configuration (ISO text or date), `years` later (29 February becomes the 28th)."""
    if isinstance(value, dict):
        return {key: shift_years(item, years) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_years(item, years) for item in value]
    if isinstance(value, dt.date) or (isinstance(value, str) and DATE.fullmatch(value)):
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        moved = day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)
        return moved if isinstance(value, dt.date) else moved.isoformat()
    return value


def create_accounts(campaign: Campaign) -> None:
    password = demo_password()
    ensure_user(OFFICE, password, full_name="孟河镇活动办", role=RoleGrant.Role.OFFICE, region=campaign.scope)
    cadre = Cadre.objects.filter(unit__name=CADRE_UNIT, unit__region=campaign.scope).order_by("sort_order", "id")[1]
    ensure_user(CADRE, password, cadre=cadre)


def seed_visits(campaign: Campaign) -> int:
    """Each visit type's share of its assigned targets, visited on days spread over the concentrated visits
    (campaign start to the pace's 完成 date, or the demo day if earlier)."""
    start = campaign.starts_on
    end = min(parse_date((campaign.config.get("pace") or {}).get("complete_by")) or campaign.ends_on, clock.today())
    span = max(1, (end - start).days)
    categories = {c.code: c for c in CaseCategory.objects.filter(campaign=campaign, parent__isnull=False)}
    once_per_village = {q["key"] for q in campaign.config.get("questionnaires") or [] if q.get("one_per") == "village"}
    form_services.load_shipped_forms()
    villages = set(Region.objects.filter(path__startswith=campaign.scope.path, level=Region.Level.VILLAGE)
                   .values_list("pk", flat=True))
    surveyed: set[tuple[str, int | None]] = set()
    created = 0
    for visit_type in VISIT_TYPES:
        assignments = (Assignment.objects.filter(campaign=campaign, target__kind__in=visit_type.kinds)
                       .select_related("target__region", "cadre", "unit").order_by("id"))
        every = max(visit_type.every, -(-assignments.count() // visit_type.limit))  # spread over every village
        chosen = list(assignments)[::every][: visit_type.limit]
        for index, assignment in enumerate(chosen):
            # A target the unit leads (名士: 镇党委宣统口牵头) is visited by the unit's head.
            target, cadre = assignment.target, assignment.cadre or _head(assignment.unit)
            if cadre is None:
                continue
            day = start + dt.timedelta(days=(index * 5 + len(visit_type.kinds)) % span)
            visited_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + index % 8, 30)))
            rng = random.Random(f"{SLUG}:{visit_type.name}:{index}")  # noqa: S311 - demo answers
            village = next((int(p) for p in target.region.path.split(".") if p and int(p) in villages), None)

            def fill(key: str, spec: dict[str, Any], rng: random.Random = rng, day: dt.date = day,
                     village: int | None = village, index: int = index) -> dict[str, Any] | None:
                if key in once_per_village:  # 村（社区）调查表: with the first visit in the village that takes it
                    if (key, village) in surveyed:
                        return None
                    surveyed.add((key, village))
                return ratings_demo.shape_answers(key, filled_answers(spec, rng, day), index)

            opinions = []
            if index % OPINION_EVERY == 0:
                code, kind, words = visit_type.opinions[(index // OPINION_EVERY) % len(visit_type.opinions)]
                opinions = [Opinion(kind=kind, description=words, category=code)]
            modes = rules.allowed_modes(campaign, target, cadre)
            created += record_demo_visit(
                campaign, assignment, visited_at, mode=modes[index % len(modes)], fill=fill, opinions=opinions,
                categories=categories, summary=f"（演示）{visit_type.name}：了解情况，发放走访联系卡", cadre=cadre,  # untranslated: demo data (a seeded visit's summary)
            )
    return created


def _office() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=OFFICE)


def _head(unit: Unit | None) -> Cadre | None:
    return unit.cadres.order_by("sort_order", "id").first() if unit is not None else None


# What became of a handed-on case, in turn: (action, working days after the step before). One in four waits to
# be signed for, one is in hand, two are resolved, answered, called back and closed.
CLOSED = (("accept", 1), ("resolve", 4), ("reply", 1), ("callback", 2), ("close", 0))
CHAINS: tuple[tuple[tuple[str, int], ...], ...] = ((), (("accept", 1),), CLOSED, CLOSED)
RESULTS = {"1": "已会同经发局现场办公，明确解决时限并跟踪落实", "2": "已安排村（社区）落实整改，群众认可",
           "3": "已纳入本单位作风建设整改清单", "4": "已安排专人对接，持续跟进"}


def handle_cases(campaign: Campaign) -> int:
    """The office hands one registered case in three to the unit leading its kind of visit (seed 002 六、1) the
    day after registering it, and the unit takes it on from there (CHAINS), each step on its own day up to the
    demo day; the other cases wait on the office's desk. Returns how many were handed on."""
    from django.contrib.auth import get_user_model

    from zoufang.cases.actions import dispatch_case
    from zoufang.cases.models import Case

    office = get_user_model().objects.get(username=OFFICE)
    # Counted over every registered case, handed on or not, so that loading again picks the same ones.
    registered = (Case.objects.filter(campaign=campaign, registered_on__isnull=False).select_related("target")
                  .order_by("raised_at", "id"))
    handled = 0
    handlers: dict[int, Any] = {}
    for index, case in enumerate(registered):
        unit = lead_unit(campaign, case.target.kind) if case.target and index % 3 == 0 else None
        if (unit is None or unit.name not in HANDLERS or case.registered_on is None
                or case.status != Case.Status.REGISTERED):
            continue
        on = add_working_days(case.registered_on, 1).date
        if on > clock.today():
            continue
        with override_settings(ZOUFANG_TODAY=on.isoformat()):
            case = dispatch_case(case, unit, by=office, version=case.version, note="演示：按牵头单位交办")
        handled += 1
        if unit.pk not in handlers:
            handlers[unit.pk] = ensure_user(HANDLERS[unit.name], demo_password(),
                                            full_name=f"{TOWN}{unit.name}承办人", role=RoleGrant.Role.UNIT_HANDLER,  # untranslated: demo data (a seeded account's name)
                                            unit=unit, region=unit.region)
        play_case(case, CHAINS[(index // 3) % len(CHAINS)], on, office, handlers[unit.pk])
    return handled


def play_case(case: Any, chain: tuple[tuple[str, int], ...], on: dt.date, office: Any, handler: Any) -> None:
    """A handed-on case's next steps (`chain`), each on its own working day, up to the demo day."""
    from zoufang.cases import actions, answers

    for action, days in chain:
        on = add_working_days(on, days).date if days else on
        if on > clock.today():
            return
        v = case.version
        with override_settings(ZOUFANG_TODAY=on.isoformat()):
            if action == "accept":
                case = actions.accept_case(case, by=handler, version=v)
            elif action == "resolve":
                result = RESULTS.get(case.category.code[:1] if case.category else "", "已办结")
                case = actions.resolve_case(case, by=handler, version=v, result=result)
            elif action == "reply":
                case = answers.reply_case(case, by=handler, version=v, channel="phone", content="已电话告知办理结果")
            elif action == "callback":
                case = answers.record_callback(case, by=office, version=v, satisfaction="satisfied")
            else:
                case = answers.close_case(case, by=office, version=v)


def lead_unit(campaign: Campaign, target_kind: str) -> Unit | None:
    """The town's unit that leads a kind of visit, as the campaign's organisation names it (镇经发局 …)."""
    for body in (campaign.config.get("organisation") or {}).get("bodies") or []:
        if body.get("kind") == "lead_unit" and target_kind in body.get("target_kinds", []):
            unit = Unit.objects.filter(region=campaign.scope, name__endswith=body["name"].removeprefix("镇")).first()
            if unit is not None:
                return unit
    return None
