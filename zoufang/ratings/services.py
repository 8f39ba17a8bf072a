"""Who reads the ratings, the 督查 items created from a 差, and the office's two writes on an item.

Readers: the office, leaders, assessors and the city office over the campaign's area read every department;
a unit's handler reads its own unit's ratings and items; everyone else gets 404. Items are changed by the
office over the campaign's area only, each change at the version the writer read, audited.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.names import named, shown_name
from zoufang.campaigns.models import Campaign
from zoufang.core import limits
from zoufang.forms.models import FormAnswer
from zoufang.ratings import grades
from zoufang.ratings.models import SupervisionItem
from zoufang.registry.models import Unit
from zoufang.workdays.calendar import add_working_days

Role = RoleGrant.Role
READER_ROLES = {Role.OFFICE, Role.LEADER, Role.ASSESSOR, Role.CITY_OFFICE}
# Who may be named responsible for an item: the 镇督查组 is drawn from the office and the leadership group.
ASSIGNEE_ROLES = (Role.OFFICE, Role.LEADER)
DEFAULT_WORKING_DAYS = 10


class ItemRefused(Exception):
    """A change the item cannot take, with the Chinese sentence that says why."""


class StaleItem(ItemRefused):
    def __init__(self, current: int) -> None:
        super().__init__(_("该督查事项已被他人更新（当前版本 %(version)s），请刷新后再操作。") % {"version": current})
        self.current = current


class ItemResent(ItemRefused):
    """The same change sent again by the one who made it (a double click, a reload): the first send made it."""


def _resent(item: SupervisionItem, version: int | None, by: Any, same: Callable[[SupervisionItem], bool]) -> None:
    """ItemResent when the item's last change is `by`'s, made on the version this request read, and is the change
    asked again (`same`); else nothing (the caller's StaleItem stands: someone else changed it)."""
    current = SupervisionItem.objects.get(pk=item.pk)
    if version is not None and current.version == version + 1 and current.modified_by_id == by.pk and same(current):
        raise ItemResent(_("已保存（重复提交，未再次保存）"))


@dataclass(frozen=True)
class Reach:
    """What one user reads of a campaign's ratings: every unit (`unit_ids` None) or only these."""

    campaign: Campaign
    unit_ids: frozenset[int] | None
    manages: bool

    def covers(self, unit_id: int) -> bool:
        return self.unit_ids is None or unit_id in self.unit_ids


def reach_for(user: Any, slug: str) -> Reach:
    """The campaign's ratings as `user` reads them; Http404 for a campaign they do not read, or anyone else."""
    campaign = scope.visible_campaigns(user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    if scope.holds_campaign_area(user, campaign, READER_ROLES):
        return Reach(campaign, None, scope.holds_campaign_area(user, campaign))
    units = frozenset(_units_in(campaign, scope.handled_unit_ids(user)))
    if not units:
        raise Http404
    return Reach(campaign, units, False)


def _units_in(campaign: Campaign, unit_ids: list[int]) -> set[int]:
    """Of these units, those that visit in the campaign (hold assignments, or their cadres recorded visits)."""
    from zoufang.planning.visitors import works_in

    if not unit_ids:
        return set()
    return set(Unit.objects.filter(works_in(campaign), pk__in=unit_ids).values_list("pk", flat=True))


def unit_for(reach: Reach, public_id: Any) -> Unit:
    """A department the reach covers; Http404 otherwise, as if it were not there."""
    unit = Unit.objects.filter(public_id=public_id).first()
    if unit is None or not reach.covers(unit.pk):
        raise Http404
    return unit


def supervision_items(reach: Reach, unit: Unit | None = None) -> QuerySet[SupervisionItem]:
    """The 督查 items the reach covers (or one department's), open first and by due date: the pages' and the
    API's order, which the (campaign, status, due_on, id) index walks a page at a time."""
    items = (SupervisionItem.objects.filter(campaign=reach.campaign).select_related("unit", "assignee")
             .prefetch_related(*named("assignee")).order_by("status", "due_on", "id"))
    if unit is not None:
        return items.filter(unit=unit)
    if reach.unit_ids is not None:
        return items.filter(unit_id__in=reach.unit_ids)
    return items


def item_for(reach: Reach, public_id: Any) -> SupervisionItem:
    try:
        item = (SupervisionItem.objects.select_related("unit", "assignee", "done_by", "answer__visit__target",
                                                       "answer__visit__cadre")
                .get(campaign=reach.campaign, public_id=public_id))
    except (SupervisionItem.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    if not reach.covers(item.unit_id):
        raise Http404
    return item


def assignees(campaign: Campaign) -> list[Any]:
    """The people who may be named responsible: the office and leaders over the campaign's area."""
    grants = RoleGrant.objects.filter(role__in=ASSIGNEE_ROLES, region__isnull=False).select_related("region", "user")
    users = {g.user for g in grants if g.region and campaign.scope.path.startswith(g.region.path) and g.user.is_active}
    return sorted(users, key=shown_name)


def working_days(campaign: Campaign) -> int:
    """The town's own limit for handling a matter (case_handling.handling_deadlines.default), else 10."""
    deadlines = ((campaign.config.get("case_handling") or {}).get("handling_deadlines") or {})
    return int(deadlines.get("default") or DEFAULT_WORKING_DAYS)


# ---------------------------------------------------------------- items created from a 差


def answer_saved(sender: Any, instance: FormAnswer, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a FormAnswer: its missing 督查 items, in the answer's transaction (loaddata: nothing)."""
    if not raw:
        items_for_answer(instance)


def items_for_answer(answer: FormAnswer) -> list[SupervisionItem]:
    """Create the items an answer calls for and that do not exist yet; returns the ones created. Idempotent:
    the unique (answer, aspect) constraint backs the check, so a retried save or a racing sync adds nothing."""
    visit = answer.visit
    labels = grades.rating_forms(visit.campaign).get(answer.form.key)
    if not labels:
        return []
    poor = [r for r in grades.read_ratings(answer.form_version.spec, labels, answer.data)
            if r.four_grades and r.grade == grades.POOR]
    if not poor:
        return []
    existing = set(SupervisionItem.objects.filter(answer=answer).values_list("aspect", flat=True))
    reason = str(answer.data.get("rating_reason") or "").strip()
    recorded = clock.local(answer.created_at).date() if answer.created_at else clock.today()
    due = add_working_days(recorded, working_days(visit.campaign)).date
    created = []
    for rating in poor:
        if rating.aspect.key in existing:
            continue
        description = _("企业对“%(aspect)s”评价为“差”。") % {"aspect": rating.aspect.label}
        if reason:
            description += _("企业说明：%(reason)s") % {"reason": reason}
        try:
            with transaction.atomic():
                item = SupervisionItem.objects.create(
                    campaign=visit.campaign, answer=answer, aspect=rating.aspect.key, aspect_label=rating.aspect.label,
                    unit_id=visit.cadre.unit_id, description=description[:limits.TEXT], due_on=due,
                    created_by=answer.created_by)
        except IntegrityError:
            continue  # created meanwhile by another writer
        audit.record(answer.created_by, AuditEvent.Action.CREATE, item,
                     summary=_("企业评价“差”，生成督查事项：%(unit)s·%(aspect_label)s") % {
                         "unit": visit.cadre.unit.name, "aspect_label": rating.aspect.label,
                     })
        created.append(item)
    return created


def sync_campaign(campaign: Campaign) -> int:
    """The items every saved answer of the campaign calls for and that are missing (`zoufang ratings sync`)."""
    keys = list(grades.rating_forms(campaign))
    answers = (FormAnswer.objects.filter(visit__campaign=campaign, form__key__in=keys)
               .select_related("visit__campaign", "visit__cadre__unit", "form", "form_version", "created_by")
               .order_by("id"))
    return sum(len(items_for_answer(answer)) for answer in answers.iterator(chunk_size=500))


# ---------------------------------------------------------------- the office's writes


def _locked(item: SupervisionItem, version: int | None) -> SupervisionItem:
    if version is None:
        raise ItemRefused(_("请提供读取时的版本号（version）。"))
    locked = SupervisionItem.objects.select_for_update().get(pk=item.pk)
    if locked.version != version:
        raise StaleItem(locked.version)
    return locked


def _save(locked: SupervisionItem, version: int, by: Any, fields: list[str]) -> SupervisionItem:
    """The only writer of `version`: a conditional update, so a writer that slipped past the lock loses."""
    locked.version = version + 1
    locked.modified_by = by
    locked.modified_at = clock.now()
    values = {name: getattr(locked, name) for name in [*fields, "version", "modified_by", "modified_at"]}
    if not SupervisionItem.objects.filter(pk=locked.pk, version=version).update(**values):
        raise StaleItem(version + 1)
    return locked


def office_only() -> str:
    """Why a reader of an item who does not manage items is refused: the pages, the API and the actions say it alike."""
    return _("只有走访办（镇督查组）可以更改督查事项")


def _require_office(reach: Reach) -> None:
    if not reach.manages:
        raise ItemRefused(office_only())


@transaction.atomic
def assign_item(reach: Reach, item: SupervisionItem, *, by: Any, version: int | None, assignee: Any,
                due_on: dt.date | None = None, resend: bool = False) -> SupervisionItem:
    """Name who follows the item up (and, if given, a new deadline). `resend`: a page's form, whose double click is
    told it is saved (ItemResent); the API, whose clients carry no request key, keeps the version's strict 409."""
    _require_office(reach)
    try:
        locked = _locked(item, version)
    except StaleItem:
        if resend:
            _resent(item, version, by, lambda current: current.assignee_id == getattr(assignee, "pk", None)
                    and due_on in (None, current.due_on))
        raise
    if locked.status != SupervisionItem.Status.OPEN:
        raise ItemRefused(_("该督查事项已办结，不能再更改责任人"))
    if assignee is None or assignee not in assignees(reach.campaign):
        raise ItemRefused(_("督查责任人：应为本镇走访办或领导小组的账号"))
    if due_on is not None and due_on < clock.local(locked.created_at).date():
        raise ItemRefused(_("办结期限：不能早于督查事项生成的日期"))
    before = {"assignee": locked.assignee.get_username() if locked.assignee else "", "due_on": locked.due_on}
    locked.assignee = assignee
    locked.due_on = due_on or locked.due_on
    saved = _save(locked, version or 0, by, ["assignee", "due_on"])
    audit.record(by, AuditEvent.Action.UPDATE, saved, summary=_("督查事项责任人：%(get_full_name)s") % {
        "get_full_name": shown_name(assignee),
    },
                 changes={"before": before, "after": {"assignee": assignee.get_username(), "due_on": saved.due_on}})
    return saved


@transaction.atomic
def close_item(reach: Reach, item: SupervisionItem, *, by: Any, version: int | None, result: str,
               resend: bool = False) -> SupervisionItem:
    """Done: what was done to put it right, written down. `resend` as for assign_item."""
    _require_office(reach)
    result = (result or "").strip()
    if not result:
        raise ItemRefused(_("落实情况：必填，写明督查了什么、部门做了什么"))
    if len(result) > limits.TEXT:
        raise ItemRefused(_("落实情况：不能超过 %(n)d 个字符") % {"n": limits.TEXT})
    try:
        locked = _locked(item, version)
    except StaleItem:
        if resend:
            _resent(item, version, by, lambda current: current.status == SupervisionItem.Status.DONE
                    and current.result == result)
        raise
    if locked.status == SupervisionItem.Status.DONE:
        done_on = locked.done_on or clock.today()  # a done item has its day; the type allows none
        raise ItemRefused(_("该督查事项已于 %(day)s 办结") % {"day": clock.day(done_on)})
    locked.status, locked.result, locked.done_on, locked.done_by = SupervisionItem.Status.DONE, result, clock.today(), by
    saved = _save(locked, version or 0, by, ["status", "result", "done_on", "done_by"])
    audit.record(by, AuditEvent.Action.UPDATE, saved, summary=_("督查事项办结：%(unit)s·%(aspect_label)s") % {
        "unit": saved.unit.name, "aspect_label": saved.aspect_label,
    },
                 changes={"status": ["open", "done"], "result": result, "overdue": clock.today() > saved.due_on})
    return saved


def user_by_username(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first() if username else None
