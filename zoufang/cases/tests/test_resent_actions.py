"""Every case action form sent again from its page is told as a resend; any field different is still refused as
stale, the typed text kept (decisions 0058, 0059, 0062, 0063)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import actions, answers
from zoufang.cases.forms import FORMS
from zoufang.cases.models import Case, CaseEvent
from zoufang.conftest import PASSWORD
from zoufang.core.testforms import form_values
from zoufang.registry.models import Cadre
from zoufang.registry.tests.factories import CadreFactory

REPEAT, STALE = "重复提交未再次办理", "您的操作未执行"

# Fields of a case action form its case event does not keep, by form, and why: a resend of such a form cannot be
# told from another one and is refused as stale. None today: every field of every form is compared.
NOT_COMPARED: dict[str, dict[str, str]] = {}


def test_every_field_of_every_case_action_form_is_compared_on_resend():
    """A field added to an action form and not kept by its event (`kept_note`, `kept_details`) fails here until it
    is kept or named in NOT_COMPARED with the reason."""
    for action, form in FORMS.items():
        compared = {"version", form.kept_note, *form.kept_details}
        assert set(form.kept_details) <= set(form.base_fields), (action, "keeps a field the form does not have")
        assert form.kept_note in form.base_fields or form.kept_note == "note", (action, "keeps no such note")
        left = sorted(set(form.base_fields) - compared)
        assert left == sorted(NOT_COMPARED.get(form.__name__, {})), (action, "fields not compared on resend")


@dataclass(frozen=True)
class Resent:
    """An action's form on a case that offers it: who sends it, what they fill, and for each field another value."""
    role: str
    case: Callable[[Any, Any], Case]
    fill: Callable[[Any, dict[str, Any]], dict[str, Any]]
    other: Callable[[Any, dict[str, Any]], dict[str, Any]]
    # The details the event keeps since decision 0063: without them an event is as one recorded before.
    new_details: tuple[str, ...] = ()


def _registered(town: Any, make_case: Any, description: str = "上下塘社区东侧路灯损坏，夜间出行不便",
                household: int = 0) -> Case:
    case = make_case(description, target=town.households["shangxiatang"][household])
    return actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)


def _accepted(town: Any, make_case: Any) -> Case:
    case = actions.dispatch_case(_registered(town, make_case), town.police, by=town.users["office"], version=2)
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


def _replied(town: Any, make_case: Any) -> Case:
    case = actions.resolve_case(_accepted(town, make_case), by=town.users["handler"], version=4, result="已修复")
    return answers.reply_case(case, by=town.users["office"], version=case.version, channel="phone", content="已告知")


def _duplicate(town: Any, make_case: Any) -> Case:
    """A case waiting to be registered whose page offers to merge it into a likely duplicate, registered."""
    town.masters = [_registered(town, make_case, "东侧路灯损坏了，晚上出行不方便", household)
                    for household in (1, 2)]
    return make_case()


def _second_leader(town: Any) -> Cadre:
    cadre = CadreFactory(name="李明", unit=town.wangwen.unit, role=Cadre.Role.TOWN_LEADER, phone="13912340009")
    ensure_user("liming", PASSWORD, role=RoleGrant.Role.LEADER, region=town.town, cadre=cadre)
    return cadre


def _other_category(town: Any) -> CaseCategory:
    return CaseCategory.objects.create(campaign=town.campaign, code="1.2", parent=town.category.parent, sort_order=3,
                                       title="宣传党的路线方针政策")


RESENT: dict[str, Resent] = {
    "register": Resent(
        "office", lambda town, make_case: make_case(),
        lambda town, form: {"category": str(town.category.pk), "kind": "problem", "priority": "important"},
        lambda town, form: {"category": str(_other_category(town).pk), "kind": "suggestion", "priority": "urgent"},
        ("category_id", "kind", "priority")),
    "dispatch": Resent(
        "office", _registered,
        lambda town, form: {"unit": str(town.police.pk), "co_handlers": [str(town.waterworks.pk)],
                            "priority": "normal", "note": "请三日内回复"},
        lambda town, form: {"unit": str(town.waterworks.pk), "co_handlers": [], "priority": "urgent",
                            "note": "请两日内回复"},
        ("unit_id", "co_handler_ids", "priority")),
    "request_extension": Resent(
        "handler", _accepted, lambda town, form: {"days": "5", "reason": "需协调供电所更换线路"},
        lambda town, form: {"days": "6", "reason": "需协调水务站"}),
    "escalate": Resent(
        "handler", _accepted,
        lambda town, form: {"route": "coordination", "leader": str(town.wangwen.pk), "reason": "涉及多个部门"},
        lambda town, form: {"route": "leadership", "leader": str(_second_leader(town).pk), "reason": "需镇领导研究"},
        ("leader_id",)),
    "callback": Resent(
        "office", _replied, lambda town, form: {"satisfaction": "fairly", "note": "群众基本满意"},
        lambda town, form: {"satisfaction": "satisfied", "note": "群众满意"}),
    "merge": Resent(
        "office", _duplicate, lambda town, form: {},
        lambda town, form: {"master": next(str(m.public_id) for m in town.masters if str(m.public_id) != form["master"])}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", RESENT)
def test_a_case_action_sent_again_is_done_once_and_any_field_changed_is_refused_as_stale(
        client, cases_town, make_case, action):
    """The form as its page draws it, filled and sent twice: the second is the first again (one event, the page
    saying so). Then, one field at a time changed, the same form from the page drawn before the first: refused as
    stale, naming what happened, the typed text kept, nothing written. An event recorded before it kept the form's
    choices (0063) takes no resend either."""
    town, resent = cases_town, RESENT[action]
    case = resent.case(town, make_case)
    client.force_login(town.users[resent.role])
    page, url = f"/cases/{case.public_id}/", f"/cases/{case.public_id}/{action}/"
    drawn = form_values(client.get(page).content.decode(), action=url)
    form = {**drawn, **{f"{action}-{name}": value for name, value in resent.fill(town, _plain(drawn, action)).items()}}
    sent = [client.post(url, form) for _sent in range(2)]
    assert [answer.status_code for answer in sent] == [302, 302]
    shown = client.get(page).content.decode()
    assert REPEAT in shown
    assert "已由" not in shown
    case.refresh_from_db()
    version, events = case.version, case.events.count()
    assert (version, case.events.filter(action=action).count()) == (int(form[f"{action}-version"]) + 1, 1)
    for name, value in resent.other(town, _plain(form, action)).items():
        changed = {**form, f"{action}-{name}": value}
        answer = client.post(url, changed)
        said = answer.content.decode()
        assert answer.status_code == 200, name
        assert STALE in said, name
        assert REPEAT not in said, name
        assert all(text in said for text in _typed(changed, action)), name
        case.refresh_from_db()
        assert (case.version, case.events.count()) == (version, events), name
    event = case.events.get(action=action)
    CaseEvent.objects.filter(pk=event.pk).update(data={k: v for k, v in event.data.items()
                                                       if k not in resent.new_details})
    if resent.new_details:
        said = client.post(url, form).content.decode()
        assert STALE in said
        assert REPEAT not in said


def _plain(form: dict[str, Any], action: str) -> dict[str, Any]:
    return {name.removeprefix(f"{action}-"): value for name, value in form.items()}


def _typed(form: dict[str, Any], action: str) -> list[str]:
    """The text typed into the form's text boxes."""
    boxes = {"note", "reason", "result", "content", "explanation", "instructions"}
    return [value for name, value in _plain(form, action).items() if name in boxes and value]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "refused"), [("return", "handler", 404), ("refuse_sign", "leader", 403)])
def test_an_action_that_takes_the_case_from_its_sender_sent_again_is_told_as_a_resend(
        client, cases_town, make_case, action, role, refused):
    """退单 takes the case from the unit, 退回部门办理 the escalation from the leader: the same form again is answered
    as the first was, saying it was a repeat, not refused as out of reach; with another reason it is refused as any
    write out of reach is (decisions 0044, 0059), nothing written either way."""
    from django.contrib.messages import get_messages

    from zoufang.cases import escalation

    town = cases_town
    case = _accepted(town, make_case)
    if action == "refuse_sign":
        case = escalation.escalate_case(case, by=town.users["handler"], version=case.version, route="coordination",
                                        leader=town.wangwen, reason="涉及多个部门")
    client.force_login(town.users[role])
    url = f"/cases/{case.public_id}/{action}/"
    form = {**form_values(client.get(f"/cases/{case.public_id}/").content.decode(), action=url),
            f"{action}-reason": "不属于本单位职责"}
    sent = [client.post(url, form) for _sent in range(2)]
    assert [answer.status_code for answer in sent] == [302, 302]
    assert sent[0]["Location"] == sent[1]["Location"]
    assert REPEAT in " ".join(str(m) for m in get_messages(sent[1].wsgi_request))
    assert client.post(url, {**form, f"{action}-reason": "另一理由"}).status_code == refused
    case.refresh_from_db()
    assert (case.version, case.events.filter(action=action).count()) == (int(form[f"{action}-version"]) + 1, 1)
