"""What the one who acts on a case's current step reads first (办理要点), beside its action forms: what a leader
signs, what the office tells the person and on which number, what the office or the city wrote when handing it on.
On a phone the forms come first on the case page, so what they act on must stand with them, not below the fold."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.cases import deadlines
from zoufang.cases.models import Case
from zoufang.cases.presenters import CasePresenter, day_text
from zoufang.cases.workflow import Action

S = Case.Status


@dataclass(frozen=True)
class Line:
    label: str
    text: str
    phone: str = ""  # a number to call, in full (a tel: link), when the reader sees it in full


def _short(value: str, most: int = 80) -> str:
    """The beginning of a long text (the whole stands in 反映内容 below)."""
    return value if len(value) <= most else value[:most - 1] + "…"


def _last_note(case: Case, *actions: Action) -> str:
    note = case.events.filter(action__in=[str(a) for a in actions]).order_by("-version") \
        .values_list("note", flat=True).first()
    return note or ""


def step_brief(case: Case, presenter: CasePresenter, data: dict[str, Any]) -> list[Line]:
    """The lines for the case's current step; none for a step whose forms say all."""
    text = lambda value: presenter.text(case, value)  # noqa: E731 - masked as the case's own free text
    raiser = data["raiser"]
    person = Line(_("反映人"), raiser["name"] or "—", raiser["phone"]) if raiser["full"] else \
        Line(_("反映人"), " · ".join(part for part in (raiser["name"], raiser["phone"]) if part) or "—")
    lines: list[Line] = []
    if case.status in (S.DISPATCHED, S.ACCEPTED):
        note = _last_note(case, Action.DISPATCH, Action.REOPEN)
        if note:
            lines.append(Line(_("交办意见"), text(note)))
    if case.requested_extension_days:
        lines += [Line(_("延期申请"), _("%(n)s 个工作日，待审批：%(why)s") % {
            "n": case.requested_extension_days, "why": text(case.extension_reason)}),
                  Line(_("现办理期限"), day_text(deadlines.standing_due(case, clock.today(), presenter.calendars)))]
    if case.status == S.SIGNOFF:
        lines += [Line(_("反映内容"), _short(data["description"])), Line(_("承办单位"), data["unit"] or "—"),
                  Line(_("上报去向"), str(case.get_escalation_route_display())),
                  Line(_("上报理由"), text(case.escalation_reason))]
    elif case.status in (S.ESCALATED, S.UPPER_ACCEPTED):
        if case.escalation_route == Case.Route.UPPER_OFFICE:  # the city office reads many towns' cases
            lines.append(Line(_("所在镇、村"), " · ".join(p for p in (case.campaign.scope.name, data["region"]) if p)))
        lines += [Line(_("反映内容"), _short(data["description"])), Line(_("上报理由"), text(case.escalation_reason)),
                  Line(_("镇签字"), data["signoff_leader"] or "—")]
        sign_note = _last_note(case, Action.SIGN)
        if sign_note:
            lines.append(Line(_("签字意见"), text(sign_note)))
    elif case.status == S.RETURNED:  # the office dispatches it again: to whom not, and why
        returned = case.events.filter(action=str(Action.RETURN)).order_by("-version").first()
        if returned is not None:
            lines += [Line(_("退单单位"), str(returned.data.get("unit") or "—")), Line(_("退单理由"), text(returned.note))]
    elif case.status == S.UPPER_RETURNED:
        lines.append(Line(_("上级活动办意见"), text(_last_note(case, Action.UPPER_RETURN)) or "—"))
    elif case.status in (S.RESOLVED, S.EXPLAINED):
        lines += [person, Line(_("办理结果") if case.status == S.RESOLVED else _("解释说明"),
                               data["resolution"] if case.status == S.RESOLVED else data["explanation"])]
    elif case.status == S.REPLIED:
        reply = case.replies.order_by("-replied_on", "-id").first()
        lines.append(person)
        if reply is not None:
            lines.append(Line(_("答复"), _("%(day)s %(channel)s：%(content)s") % {
                "day": reply.replied_on.isoformat(), "channel": reply.get_channel_display(),
                "content": text(reply.content)}))
    elif case.status == S.CALLED_BACK:
        lines.append(Line(_("回访满意度"), str(case.get_satisfaction_display())))
    return lines
