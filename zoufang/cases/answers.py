"""Answering the person (回复), the follow-up call (回访), closing (结案), reopening (重办) and merging duplicates."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.cases import deadlines, notifications
from zoufang.cases.models import Case, CaseCallback, CaseReply
from zoufang.cases.transition import InvalidInput, run
from zoufang.cases.workflow import FINISHED, Action


def reply_case(
    case: Case, *, by: Any, version: int | None, channel: str, content: str, replied_on: dt.date | None = None
) -> Case:
    content = (content or "").strip()
    if not content:
        raise InvalidInput(_("请填写答复内容。"))
    if channel not in CaseReply.Channel.values:
        raise InvalidInput(_("请选择答复方式。"))
    on = replied_on or clock.today()
    problem = reply_date_problem(case, on)
    if problem:
        raise InvalidInput(problem)

    def change(c: Case) -> dict[str, Any]:
        CaseReply.objects.create(case=c, channel=channel, content=content, replied_on=on, by=_user(by))
        return {"channel": channel, "replied_on": on.isoformat()}

    return run(case, Action.REPLY, by=by, version=version, note=content, change=change)


def reply_date_problem(case: Case, on: dt.date) -> str:
    """Why a reply cannot be dated `on` ("" when it can): not after today, nor before the case was answered by its
    unit (办结 or 解释说明) — a reply tells the person that answer."""
    today = clock.today()
    if on > today:
        return _("答复日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
    answered = case.events.filter(to_status__in=(Case.Status.RESOLVED, Case.Status.EXPLAINED)) \
        .order_by("-version").values_list("at", flat=True).first()
    if answered is not None and on < clock.local(answered).date():
        return _("答复日期不能早于%(what)s日期（%(day)s）。") % {
            "what": Case.Status.EXPLAINED.label if case.status == Case.Status.EXPLAINED else _("办结"),
            "day": clock.local(answered).date().isoformat()}
    return ""


def record_callback(
    case: Case, *, by: Any, version: int | None, satisfaction: str, note: str = "", finding: bool = False
) -> Case:
    """回访: 满意 / 基本满意 / 不满意. 不满意 leaves the office the choice to reopen (重办). Once per round of handling:
    a case already called back or closed takes another only as a third party's `finding` (回访抽查, decision 0049)."""
    if satisfaction not in Case.Satisfaction.values:
        raise InvalidInput(_("请选择满意度。"))

    def change(c: Case) -> dict[str, Any]:
        c.satisfaction = satisfaction
        CaseCallback.objects.create(case=c, satisfaction=satisfaction, note=note, called_on=clock.today(),
                                    by=_user(by))
        return {"satisfaction": satisfaction}

    return run(case, Action.CALLBACK, by=by, version=version, note=note, change=change, finding=finding)


def close_case(case: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    def change(c: Case) -> dict[str, Any]:
        c.closed_at = clock.now()
        return {}

    return run(case, Action.CLOSE, by=by, version=version, note=note, change=change)


def reopen_case(case: Case, *, by: Any, version: int | None, reason: str, finding: bool = False) -> Case:
    """重办: the person was not satisfied; back to the same unit with a fresh deadline (`finding`: as a third party's
    finding, transition.run's)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写重办理由。"))

    def change(c: Case) -> dict[str, Any]:
        if c.unit_id is None:
            raise InvalidInput(_("该件没有承办单位，请重新交办。"))
        c.reopen_count += 1
        c.closed_at = None
        c.satisfaction = ""  # the earlier callbacks stay in CaseCallback; the next one decides again
        c.resolution = c.explanation = ""
        c.escalation_route = ""
        c.signoff_leader = None
        deadlines.start_clock(c, clock.today())
        return {"reopen_count": c.reopen_count}

    def tell(c: Case) -> None:
        notifications.notify(
            notifications.unit_users(c), _("重办：%(line)s") % {"line": notifications.case_line(c)}, reason
        )

    return run(case, Action.REOPEN, by=by, version=version, note=reason, change=change, notify=tell, finding=finding)


def merge_case(case: Case, master: Case, *, by: Any, version: int | None, note: str = "") -> Case:
    """A duplicate joins its master case; the master is handled and answered, the duplicate links to it."""
    if master.pk == case.pk:
        raise InvalidInput(_("不能合并到自身。"))

    def change(c: Case) -> dict[str, Any]:
        head = Case.objects.get(pk=master.pk)
        if head.campaign_id != c.campaign_id or head.status in FINISHED:
            raise InvalidInput(_("主件须为同一走访活动中未结案、未合并的件。"))
        c.merged_into = head
        return {"master": str(head.public_id)}

    return run(case, Action.MERGE, by=by, version=version, note=note, change=change)


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None

