"""督查 items: one per (answer, aspect) rated 差, made when the answer is saved, and by `zoufang ratings sync`;
named, closed with what was done, at the version read; audited; overdue after the working-day deadline."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from zoufang.accounts.models import AuditEvent
from zoufang.ratings import services
from zoufang.ratings.models import SupervisionItem
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


def test_it_makes_one_item_per_poor_aspect_when_the_answer_is_saved(rated):
    items = SupervisionItem.objects.order_by("unit__name")
    assert [(i.unit.name, i.aspect_label) for i in items] == [("派出所", "服务意识"), ("镇党政班子", "廉洁履职")]
    police = items.get(unit__name="派出所")
    assert police.description == "企业对“服务意识”评价为“差”。企业说明：办证时民警不耐烦，留的电话13812345678打不通"
    # Ten working days from the day the answer was recorded (2017-06-02, a Friday; 端午 is 5月30日).
    assert police.due_on == dt.date(2017, 6, 16)
    assert police.status == SupervisionItem.Status.OPEN
    assert AuditEvent.objects.filter(object_type="ratings.SupervisionItem", action=AuditEvent.Action.CREATE).count() == 2


def test_saving_again_or_syncing_adds_nothing_and_sync_restores_a_missing_item(rated):
    answer = rated.answers[1]
    answer.save()
    assert SupervisionItem.objects.count() == 2
    out = StringIO()
    call_command("ratings", "sync", stdout=out)
    assert "新建督查事项 0 项" in out.getvalue()
    SupervisionItem.objects.filter(answer=answer).delete()
    call_command("ratings", "sync", "--campaign", rated.town.campaign.slug, stdout=out)
    assert SupervisionItem.objects.filter(answer=answer, aspect="service_awareness").count() == 1
    assert SupervisionItem.objects.count() == 2


def test_the_old_wordings_unsatisfied_makes_no_item(rated):
    assert not SupervisionItem.objects.filter(answer=rated.old).exists()


def test_a_visit_sent_from_the_phone_with_a_poor_grade_makes_its_item_once(rated, client, api_token):
    from zoufang.planning.models import Assignment

    town = rated.town
    Assignment.objects.create(campaign=town.campaign, target=town.enterprise, unit=town.police,
                              cadre=town.users["dept"].cadre)
    town.campaign.config = {**town.campaign.config, "visit_modes": {"default": ["in_person"]}}
    town.campaign.save()
    headers = api_token("dept")
    answers = {"operation_state": "good", "service_awareness": "good", "service_efficiency": "poor",
               "integrity": "good", "rating_reason": "审批材料反复退回"}
    data = payload(town.enterprise, answers={"enterprise_survey": answers}, opinions=[])
    for _attempt in range(2):  # a retried submission
        response = client.post("/api/v1/visits", data, content_type="application/json", **headers)
        assert response.status_code in (200, 201), response.content
    item = SupervisionItem.objects.get(aspect="service_efficiency")
    assert item.unit == town.police
    assert "审批材料反复退回" in item.description


def test_a_reason_is_required_for_a_poor_or_average_grade(rated):
    from zoufang.forms.services import check_answers

    version = rated.answers[0].form_version
    base = {"operation_state": "good", "service_awareness": "poor", "service_efficiency": "good", "integrity": "good"}
    errors = check_answers(version, base)[1]
    assert errors["rating_reason"] == "企业走访调查表·三、对党委政府服务的评价·评价为“一般”或“差”的具体事项：必填"
    assert check_answers(version, {**base, "service_awareness": "good"})[1] == {}


def _office_reach(rated):
    return services.reach_for(rated.users["office"], rated.town.campaign.slug)


def test_the_office_names_who_follows_it_and_closes_it_with_what_was_done(rated, settings):
    settings.ZOUFANG_TODAY = "2017-06-20"
    reach = _office_reach(rated)
    item = SupervisionItem.objects.get(unit__name="派出所")
    assert item.overdue  # due 2017-06-16
    office = rated.users["office"]
    item = services.assign_item(reach, item, by=office, version=1, assignee=office, due_on=dt.date(2017, 6, 30))
    assert (item.version, item.assignee, item.due_on) == (2, office, dt.date(2017, 6, 30))
    item = services.close_item(reach, item, by=office, version=2, result="约谈派出所负责人，已公开值班电话")
    item.refresh_from_db()
    assert (item.status, item.done_on, item.done_by, item.version) == ("done", dt.date(2017, 6, 20), office, 3)
    assert not item.overdue
    event = AuditEvent.objects.filter(object_id=str(item.public_id), action=AuditEvent.Action.UPDATE).latest("seq")
    assert event.changes["result"] == "约谈派出所负责人，已公开值班电话"
    with pytest.raises(services.ItemRefused, match="已于 2017年6月20日 办结"):
        services.close_item(reach, item, by=office, version=3, result="再次办结")


def test_a_stale_version_changes_nothing(rated):
    reach = _office_reach(rated)
    office = rated.users["office"]
    item = SupervisionItem.objects.get(unit__name="派出所")
    services.assign_item(reach, item, by=office, version=1, assignee=office)
    with pytest.raises(services.StaleItem):
        services.close_item(reach, item, by=office, version=1, result="基于旧页面的办结")
    item.refresh_from_db()
    assert item.status == "open"
    assert item.version == 2


def test_the_same_change_sent_again_by_its_maker_is_told_done_and_anothers_stale_change_is_refused(rated):
    """A double click on the page's 办结 or 指定责任人 reads the version the first send changed: told it is saved
    (ItemResent, nothing written), where a change from a page drawn before someone else's stays refused as stale."""
    reach = _office_reach(rated)
    office = rated.users["office"]
    item = SupervisionItem.objects.get(unit__name="派出所")
    services.assign_item(reach, item, by=office, version=1, assignee=office, resend=True)
    with pytest.raises(services.ItemResent):
        services.assign_item(reach, item, by=office, version=1, assignee=office, resend=True)
    with pytest.raises(services.StaleItem):  # the API's clients carry no request key: the version is strict there
        services.assign_item(reach, item, by=office, version=1, assignee=office)
    services.close_item(reach, item, by=office, version=2, result="已整改到位", resend=True)
    with pytest.raises(services.ItemResent):
        services.close_item(reach, item, by=office, version=2, result="已整改到位", resend=True)
    with pytest.raises(services.StaleItem):  # the same version, another result: not the change that was made
        services.close_item(reach, item, by=office, version=2, result="另一份落实情况", resend=True)
    item.refresh_from_db()
    assert (item.version, item.result) == (3, "已整改到位")


def test_it_refuses_an_empty_result_an_outside_assignee_and_a_reader(rated):
    reach = _office_reach(rated)
    office = rated.users["office"]
    item = SupervisionItem.objects.get(unit__name="派出所")
    with pytest.raises(services.ItemRefused, match="落实情况：必填"):
        services.close_item(reach, item, by=office, version=1, result="  ")
    with pytest.raises(services.ItemRefused, match="督查责任人：应为本镇走访办或领导小组的账号"):
        services.assign_item(reach, item, by=office, version=1, assignee=rated.users["outsider"])
    leader_reach = services.reach_for(rated.users["leader"], rated.town.campaign.slug)
    with pytest.raises(services.ItemRefused, match="只有走访办"):
        services.close_item(leader_reach, item, by=rated.users["leader"], version=1, result="领导代办")
