"""The 交办 form: 协办单位 as grouped rows to tick, checked on the server; a form that cannot be acted on is drawn
again as it was filled."""

import re

import pytest

from zoufang.cases import actions, escalation
from zoufang.cases.models import Case
from zoufang.cases.transition import InvalidInput
from zoufang.regions.models import Region
from zoufang.registry.models import Unit

pytestmark = pytest.mark.django_db


def _registered(town, case):
    return actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)


def _dispatch(client, case, unit, co_handlers=(), **extra):
    return client.post(f"/cases/{case.public_id}/dispatch/", {
        "dispatch-version": case.version, "dispatch-unit": unit.pk, "dispatch-priority": "normal",
        "dispatch-co_handlers": [u.pk for u in co_handlers], **extra})


def test_it_offers_the_co_handlers_as_rows_grouped_by_kind_town_departments_first(client, cases_town, make_case):
    case = _registered(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "<select name=\"dispatch-co_handlers\"" not in page
    form = page[page.index('id="act-dispatch"'):page.index("</details>", page.index('<fieldset class="field co-handlers"'))]
    groups = re.findall(r'<span class="unit-group-name">([^<]+)</span>', page)
    assert groups == ["镇部门（支部）", "村（居）委会"]
    water = cases_town.waterworks.pk
    assert re.search(r'<label class="option" for="id_dispatch-co_handlers_\d+"><input type="checkbox" '
                     rf'name="dispatch-co_handlers" value="{water}"', form)
    # The 承办单位's own list is grouped the same way, and says what to do, not "---------".
    assert '<optgroup label="镇部门（支部）">' in page
    assert "请选择承办单位" in page
    assert "---------" not in page


def test_it_dispatches_with_the_ticked_co_handlers(client, cases_town, make_case):
    case = _registered(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    committee = Unit.objects.get(name="上下塘社区居委会")
    assert _dispatch(client, case, cases_town.police, [cases_town.waterworks, committee]).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED
    assert set(case.co_handlers.all()) == {cases_town.waterworks, committee}


def test_it_refuses_the_main_unit_as_its_own_co_handler_and_keeps_the_form(client, cases_town, make_case):
    case = _registered(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    response = _dispatch(client, case, cases_town.police, [cases_town.police, cases_town.waterworks],
                         **{"dispatch-note": "请会同水务站现场查看"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "协办单位不能是承办单位本身：“派出所”已是承办单位" in page
    assert "请会同水务站现场查看" in page  # what the clerk typed is still there
    assert re.search(rf'value="{cases_town.waterworks.pk}"[^>]*checked', page)  # and what they ticked
    case.refresh_from_db()
    assert (case.status, case.unit_id) == (Case.Status.REGISTERED, None)


def test_it_refuses_a_co_handler_sent_twice(client, cases_town, make_case):
    case = _registered(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    page = _dispatch(client, case, cases_town.police, [cases_town.waterworks, cases_town.waterworks]).content.decode()
    assert "协办单位“水务站”选了不止一次" in page
    case.refresh_from_db()
    assert case.status == Case.Status.REGISTERED


def test_the_action_refuses_the_same_as_the_api_would_send_them(cases_town, make_case):
    """The API calls dispatch_case directly: the same two rules hold there."""
    case = _registered(cases_town, make_case())
    office = cases_town.users["office"]
    with pytest.raises(InvalidInput, match="已是承办单位"):
        actions.dispatch_case(case, cases_town.police, by=office, version=case.version, co_handlers=[cases_town.police])
    with pytest.raises(InvalidInput, match="选了不止一次"):
        actions.dispatch_case(case, cases_town.police, by=office, version=case.version,
                              co_handlers=[cases_town.waterworks, cases_town.waterworks])
    case.refresh_from_db()
    assert case.status == Case.Status.REGISTERED


def test_a_co_handler_outside_the_serving_units_is_refused_by_name(client, cases_town, make_case):
    case = _registered(cases_town, make_case())
    client.force_login(cases_town.users["office"])
    county = Region.objects.create(name="新北区", level=Region.Level.COUNTY, parent=cases_town.town.parent.parent)
    menghe = Region.objects.create(name="孟河镇", level=Region.Level.TOWN, parent=county)
    elsewhere = Unit.objects.create(name="孟河水务站", kind=Unit.Kind.TOWN_DEPARTMENT, region=menghe)
    page = _dispatch(client, case, cases_town.police, [elsewhere]).content.decode()
    assert "未能交办：协办单位" in page
    assert "孟河水务站" not in page  # neither offered nor echoed
    case.refresh_from_db()
    assert case.status == Case.Status.REGISTERED


def test_a_result_refused_by_the_rules_keeps_what_the_handler_typed(client, cases_town, make_case):
    """答复日期 after today: the action refuses; the reply typed is drawn again in its open form, not lost."""
    town = cases_town
    case = _registered(town, make_case())
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已更换灯具")
    client.force_login(town.users["office"])
    response = client.post(f"/cases/{case.public_id}/reply/", {
        "reply-version": case.version, "reply-channel": "phone", "reply-content": "路灯已修复，感谢您的反映",
        "reply-replied_on": "2017-06-20"})
    page = response.content.decode()
    assert "答复日期不能晚于今天" in page
    assert re.search(r'<details class="panel action-form" id="act-reply" open>', page)
    assert "路灯已修复，感谢您的反映</textarea>" in page
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED


def test_a_missing_field_keeps_the_rest_of_the_form(client, cases_town, make_case):
    town = cases_town
    case = _registered(town, make_case())
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    client.force_login(town.users["handler"])
    page = client.post(f"/cases/{case.public_id}/request_extension/", {
        "request_extension-version": case.version, "request_extension-days": "",
        "request_extension-reason": "需等待供电所配合更换线路"}).content.decode()
    assert "未能申请延期" in page
    assert "需等待供电所配合更换线路</textarea>" in page
    assert '<details class="panel action-form" id="act-request_extension" open>' in page


def test_a_stale_form_is_drawn_again_on_the_case_as_it_is_now(client, cases_town, make_case):
    """Someone acted first: the page says who and what; the text typed is kept, with the case's current version,
    so only a second, deliberate 提交 acts; nothing was overwritten meanwhile."""
    town = cases_town
    case = _registered(town, make_case())
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    seen = case.version
    case = actions.request_extension(case, by=town.users["handler"], version=case.version, days=3, reason="待配件")
    client.force_login(town.users["handler"])
    page = client.post(f"/cases/{case.public_id}/resolve/", {
        "resolve-version": seen, "resolve-result": "已更换灯具，恢复照明"}).content.decode()
    assert "您的操作未执行" in page
    # The page is already the case as it is now, the text kept: no "refresh" (that would lose the text).
    assert "刷新" not in page
    assert "您的操作未执行。本页已是该件现在的情况，您填写的内容已保留，请核对后再次提交。" in page
    assert "已更换灯具，恢复照明</textarea>" in page
    assert f'name="resolve-version" value="{case.version}"' in page
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert case.resolution == ""


def test_a_stale_form_whose_action_no_longer_applies_shows_the_text_to_copy(client, cases_town, make_case):
    town = cases_town
    case = _registered(town, make_case())
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    seen = case.version
    case = actions.return_case(case, by=town.users["handler"], version=case.version, reason="非本单位职责")
    client.force_login(town.users["office"])
    page = client.post(f"/cases/{case.public_id}/approve_extension/", {
        "approve_extension-version": seen, "approve_extension-note": "同意延期五个工作日"}).content.decode()
    assert "您填写但未提交的内容" in page
    assert "同意延期五个工作日" in page


def test_a_stale_form_whose_step_is_gone_points_to_the_text_it_lists(client, cases_town, make_case):
    town = cases_town
    case = _registered(town, make_case())
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    seen = case.version
    escalation.explain_case(case, by=town.users["handler"], version=case.version, explanation="需列入明年计划统一改造")
    client.force_login(town.users["handler"])
    page = client.post(f"/cases/{case.public_id}/resolve/", {
        "resolve-version": seen, "resolve-result": "已更换灯具，恢复照明"}).content.decode()
    assert "刷新" not in page
    assert "本页已是该件现在的情况，已不能再办结，您填写的内容列在下方“您填写但未提交的内容”中。" in page
    assert 'id="unsent"' in page
    assert "已更换灯具，恢复照明" in page


def test_it_names_each_towns_unit_with_its_town_when_the_campaign_spans_towns(cases_town, make_case):
    from zoufang.cases.forms import DispatchForm, EscalateForm
    from zoufang.registry.models import Cadre

    case = _registered(cases_town, make_case())
    assert dict(DispatchForm(case).fields["co_handlers"].choices)[cases_town.police.pk] == "派出所"  # one town's
    county = cases_town.town.parent
    zhouzhuang = Region.objects.create(name="周庄镇", level=Region.Level.TOWN, parent=county)
    theirs = Unit.objects.create(name="派出所", kind=Unit.Kind.TOWN_DEPARTMENT, region=zhouzhuang)
    leadership = Unit.objects.create(name="镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP, region=zhouzhuang)
    Cadre.objects.create(name="周明", unit=leadership, role=Cadre.Role.TOWN_LEADER,
                         user=cases_town.users["outsider"])
    case.campaign.scope = county  # a county-wide campaign serves both towns' units
    case.campaign.save()
    form = DispatchForm(case)
    co_handlers = dict(form.fields["co_handlers"].choices)
    assert (co_handlers[cases_town.police.pk], co_handlers[theirs.pk]) == ("锦溪镇 派出所", "周庄镇 派出所")
    units = {value: label for _group, members in form.fields["unit"].choices[1:] for value, label in members}
    assert (units[cases_town.police.pk], units[theirs.pk]) == ("锦溪镇 派出所", "周庄镇 派出所")
    leaders = [label for _value, label in EscalateForm(case).fields["leader"].choices][1:]
    assert sorted(leaders) == ["周明（周庄镇 镇党政班子）", "王文（锦溪镇 镇党政班子）"]
