"""The flags page: who sees it (office, leaders, assessors: never the cadre or the third party), clearing a flag
with a reason (audited, office only), the xlsx, the hook the callbacks draw uses, and never blocking a visit."""

import datetime as dt
import html
import io
import re

import pytest
from openpyxl import load_workbook

from zoufang.accounts.models import AuditEvent
from zoufang.integrity.flags import open_flag_visit_ids
from zoufang.integrity.models import FlagClearance, FlagScan
from zoufang.integrity.scans import compute_scan
from zoufang.jobs.testing import cells, queued_file
from zoufang.regions.models import Region
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db
CADRE_ONLY_SEES = "/me/"


def test_the_office_sees_the_cadres_flags_with_their_evidence(login, visiting, desk_entry):
    office = login(visiting.users["office"])
    url = f"/integrity/{visiting.campaign.slug}/"
    missing = office.get(url).content.decode()  # never computed in the request: it says so and offers the job
    assert "本活动的走访真实性提示尚未计算" in missing
    assert "现在计算" in missing
    assert not FlagScan.objects.exists()
    key = re.search(r'name="key" value="([0-9a-f-]{36})"', missing).group(1)
    asked = office.post(f"{url}scan/", {"key": key})
    assert asked.status_code == 302
    assert "/downloads/" in asked["Location"]
    job = office.get(asked["Location"]).content.decode()  # run at once by the tests' backend: its report and link
    assert "1 名走访人有提示：待核实 1 条，已查实 0 条" in job
    assert f'href="{url}"' in job
    office.post(f"{url}scan/", {"key": key})  # the same form twice: one scan
    scan = FlagScan.objects.get()
    assert (scan.starts_on, scan.ends_on, scan.requested_by, scan.listed) == (None, None, visiting.users["office"], 1)
    response = office.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "计算于" in text
    assert "重新计算" in text
    assert "派出所党员甲" in text
    assert "事后批量补录" in text
    assert "一次补录 6 次走访" in text
    assert "核实处理" in text  # the office may decide


def test_leaders_read_but_do_not_clear_and_cadres_and_the_third_party_see_nothing(client, login, visiting, desk_entry):
    compute_scan(visiting.campaign)
    leader = login(visiting.users["leader"]).get(f"/integrity/{visiting.campaign.slug}/")
    assert leader.status_code == 200
    assert "一次补录 6 次走访" in leader.content.decode()
    assert "核实处理" not in leader.content.decode()
    for name in ("dept", "village", "auditor", "outsider"):
        client.force_login(visiting.users[name])
        assert client.get(f"/integrity/{visiting.campaign.slug}/").status_code == 404, name
        assert client.post(f"/integrity/{visiting.campaign.slug}/flags.xlsx").status_code == 404, name
        assert client.post(f"/integrity/{visiting.campaign.slug}/scan/").status_code == 404, name
    # The cadre's own pages say nothing of flags.
    client.force_login(visiting.users["dept"])
    assert "补录" not in client.get(CADRE_ONLY_SEES).content.decode()


def test_clearing_a_flag_needs_a_reason_is_audited_and_the_office_only(client, login, visiting, desk_entry):
    url = f"/integrity/{visiting.campaign.slug}/clear/"
    key = f"late_bulk:{desk_entry[0].pk}"
    compute_scan(visiting.campaign)
    assert open_flag_visit_ids(visiting.campaign, None) >= {v.pk for v in desk_entry}
    leader = login(visiting.users["leader"])
    leader.post(url, {"key": key, "reason": "我看过了"})
    assert not FlagClearance.objects.exists()
    office = login(visiting.users["office"])
    response = office.post(url, {"key": key, "reason": "  "}, follow=True)
    assert "排除理由：必填" in response.content.decode()
    assert not FlagClearance.objects.exists()
    response = office.post(url, {"key": key, "reason": "电话核实：5月走访属实，因手机故障6月统一补录", "from": "2017-05-01"})
    assert response.status_code == 302
    assert response["Location"].endswith("?from=2017-05-01")
    clearance = FlagClearance.objects.get()
    assert (clearance.kind, clearance.cadre, clearance.cleared_by) == (
        "late_bulk", visiting.users["dept"].cadre, visiting.users["office"])
    row = AuditEvent.objects.filter(object_type="integrity.FlagClearance").get()
    assert row.changes["reason"].startswith("电话核实")
    assert "一次补录 6 次" in row.changes["evidence"]
    assert open_flag_visit_ids(visiting.campaign, None) & {v.pk for v in desk_entry} == set()
    page = office.get(f"/integrity/{visiting.campaign.slug}/?cleared=1").content.decode()
    assert "核实排除：电话核实" in page
    again = office.post(url, {"key": key, "reason": "再排除一次"}, follow=True)
    assert "已于" in again.content.decode()


@pytest.mark.parametrize("who", ["leader", "assessor"])
def test_a_reader_who_may_not_decide_is_refused_before_the_form_is_read(client, login, visiting, desk_entry, who):
    """Decision 0044: leaders and assessors read the flags but do not decide them; their filled form and their
    empty one are both refused (403 naming why), never answered with the form's error, and nothing is written."""
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    users = {**visiting.users, "assessor": ensure_user("assessor", PASSWORD, role=RoleGrant.Role.ASSESSOR,
                                                        region=visiting.campaign.scope)}
    url = f"/integrity/{visiting.campaign.slug}/clear/"
    key = f"late_bulk:{desk_entry[0].pk}"
    compute_scan(visiting.campaign)
    reader = login(users[who])
    assert reader.get(f"/integrity/{visiting.campaign.slug}/").status_code == 200
    audited = AuditEvent.objects.count()
    for sent in ({"key": key, "reason": "我看过了", "outcome": "upheld"}, {"key": key, "outcome": "nonsense"},
                 {"key": key, "expected": "cleared", "outcome": "upheld", "reason": "复查"}, {}):
        refused = reader.post(url, sent)
        assert refused.status_code == 403, sent
        assert "只有走访办可以核实真实性提示" in refused.content.decode()
    assert not FlagClearance.objects.exists()
    assert AuditEvent.objects.count() == audited


def test_the_period_narrows_the_flags_the_callbacks_draw_sees(visiting, desk_entry):
    may = (dt.date(2017, 5, 1), dt.date(2017, 5, 31))
    assert open_flag_visit_ids(visiting.campaign, may) == {v.pk for v in desk_entry}
    assert open_flag_visit_ids(visiting.campaign, (dt.date(2017, 6, 1), dt.date(2017, 6, 30))) == set()


def test_the_xlsx_lists_every_flag_and_is_audited(login, visiting, desk_entry):
    response = queued_file(login(visiting.users["office"]), f"/integrity/{visiting.campaign.slug}/flags.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[2], r[6]) for r in rows] == [("派出所党员甲", "事后批量补录", "待核实")]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, summary="导出走访真实性提示").exists()


def test_a_visit_that_will_be_flagged_is_recorded_all_the_same(client, visiting, api_token, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    night = payload(visiting.enterprise, visited_at="2017-06-14T23:30:00+08:00")
    response = client.post("/api/v1/visits", night, content_type="application/json", **api_token("dept"))
    assert response.status_code == 201, response.content
    assert open_flag_visit_ids(visiting.campaign) == {Visit.objects.get().pk}


def test_the_api_gives_the_same_flags_to_the_same_readers(client, visiting, desk_entry, api_token):
    url = f"/api/v1/integrity/{visiting.campaign.slug}/flags"
    compute_scan(visiting.campaign)
    compute_scan(visiting.campaign, (dt.date(2017, 6, 1), None))
    rows = client.get(url, **api_token("office")).json()["items"]
    assert [(r["name"], [f["kind"] for f in r["flags"]]) for r in rows] == [("派出所党员甲", ["late_bulk"])]
    assert rows[0]["flags"][0]["visits"] == [str(v.public_id) for v in desk_entry]
    june = client.get(url + "?starts_on=2017-06-01", **api_token("office")).json()
    assert (june["items"], june["count"], june["next"]) == ([], 0, None)
    assert june["computed_at"] is not None
    for name in ("dept", "auditor"):
        response = client.get(url, **api_token(name))
        assert response.status_code == 404, name
        assert set(response.json()) >= {"detail", "code"}


def test_upholding_a_flag_is_a_finding_on_the_page_xlsx_api_and_the_assessment_s_provider(
        client, login, visiting, desk_entry, api_token):
    from zoufang.integrity.flags import upheld_against

    slug, key = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}"
    compute_scan(visiting.campaign)
    office = login(visiting.users["office"])
    refused = office.post(f"/integrity/{slug}/clear/", {"key": key, "reason": "", "outcome": "upheld"}, follow=True)
    assert "查实理由：必填" in refused.content.decode()
    office.post(f"/integrity/{slug}/clear/", {"key": key, "reason": "入户核实：5月未走访，系补造", "outcome": "upheld"})
    decision = FlagClearance.objects.get()
    assert (decision.outcome, decision.visited_on, decision.visit_ids) == (
        "upheld", dt.date(2017, 5, 2), [v.pk for v in desk_entry])
    assert AuditEvent.objects.get(object_type="integrity.FlagClearance").changes["outcome"] == "upheld"
    page = office.get(f"/integrity/{slug}/").content.decode()  # shown without ?cleared=1: a finding
    assert "核实查实：入户核实" in page
    assert "已查实 1 条" in page
    assert "改为排除" in page
    sheet = load_workbook(io.BytesIO(queued_file(office, f"/integrity/{slug}/flags.xlsx", {}).content)).active
    assert [(r[6], r[7]) for r in sheet.iter_rows(min_row=3, values_only=True)] == [("已查实", "入户核实：5月未走访，系补造")]
    flag = client.get(f"/api/v1/integrity/{slug}/flags", **api_token("office")).json()["items"][0]["flags"][0]
    assert (flag["cleared"], flag["upheld"]["outcome"]) == (None, "upheld")
    cadre = visiting.users["dept"].cadre
    assert upheld_against(visiting.campaign, "cadre", dt.date(2017, 5, 1), dt.date(2017, 5, 31)) == {cadre.pk: 1}
    assert upheld_against(visiting.campaign, "unit", None, None) == {cadre.unit_id: 1}
    assert upheld_against(visiting.campaign, "village", None, None) == {Region.objects.get(name="上下塘社区").pk: 1}
    assert upheld_against(visiting.campaign, "cadre", dt.date(2017, 6, 1), None) == {}
    # An upheld flag is no longer open: the callbacks draw does not weigh it again.
    assert open_flag_visit_ids(visiting.campaign) & {v.pk for v in desk_entry} == set()


def test_a_decision_changes_only_by_a_new_recorded_one_and_never_over_someone_else_s(login, visiting, desk_entry):
    from zoufang.integrity import services

    slug, key = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}"
    office, campaign = visiting.users["office"], visiting.campaign
    compute_scan(campaign)
    services.clear_flag(office, campaign, key, "电话核实属实")
    with pytest.raises(services.ClearRefused, match="已于"):
        services.uphold_flag(office, campaign, key, "再查实")  # a second first decision is refused
    with pytest.raises(services.ClearRefused, match="必填"):
        services.revise(office, campaign, key, "upheld", " ", expected="cleared")
    with pytest.raises(services.ClearRefused, match="只有走访办"):
        services.revise(visiting.users["leader"], campaign, key, "upheld", "我看是假的", expected="cleared")
    login(office).post(f"/integrity/{slug}/clear/", {"key": key, "reason": "复查：系补造", "outcome": "upheld",
                                                     "expected": "cleared"})
    decision = FlagClearance.objects.get()
    assert (decision.outcome, decision.reason, decision.version) == ("upheld", "复查：系补造", 2)
    row = AuditEvent.objects.filter(object_type="integrity.FlagClearance").order_by("-id").first()
    assert row.changes["before"]["outcome"] == "cleared"
    assert row.changes["before"]["reason"] == "电话核实属实"
    # A second office working from the old page (it showed 排除) does not overwrite the new 查实.
    with pytest.raises(services.ClearRefused, match="刚刚已被改为核实查实"):
        services.revise(office, campaign, key, "upheld", "我也查实", expected="cleared")
    stale = login(office).post(f"/integrity/{slug}/clear/", {"key": key, "reason": "属实", "outcome": "cleared",
                                                             "expected": "cleared"}, follow=True)
    assert "刚刚已被改为" in stale.content.decode()
    assert FlagClearance.objects.get().outcome == "upheld"


def test_a_page_showing_a_decision_changed_and_changed_back_since_does_not_overwrite_it(login, visiting, desk_entry):
    """The page showed 排除 (version 1); meanwhile one clerk made it 查实 and another 排除 again with a new reason.
    The same outcome as shown is not the same decision: the page's change is refused, the latest reason kept."""
    from zoufang.integrity import services

    slug, key = visiting.campaign.slug, f"late_bulk:{desk_entry[0].pk}"
    office, campaign = visiting.users["office"], visiting.campaign
    compute_scan(campaign)
    services.clear_flag(office, campaign, key, "电话核实属实")
    client = login(office)
    page = client.get(f"/integrity/{slug}/?cleared=1").content.decode()
    form = re.search(r'name="expected" value="cleared">(?:<input type="hidden" name="version" value="(\d+)">)?', page)
    assert form is not None
    services.revise(office, campaign, key, "upheld", "复查：系补造", expected="cleared")
    services.revise(office, campaign, key, "cleared", "再复查：村里有登记，属实", expected="upheld")
    sent = {"key": key, "reason": "查实：照片是补拍的", "outcome": "upheld", "expected": "cleared",
            **({"version": form.group(1)} if form.group(1) else {})}
    refused = client.post(f"/integrity/{slug}/clear/", sent, follow=True)
    # Not "changed to 排除" (the page said 排除 already): what changed, by whom, and the typed reason given back.
    message = html.unescape(re.search(r'<div class="notice notice-bad"[^>]*>(.*?)</div>', refused.content.decode(),
                                      re.S).group(1)).strip()
    assert message == ("未改变核实结论：这条提示的结论刚刚已被重新核实，仍为核实排除（锦溪镇走访办，理由：再复查：村里有登记，属实）。"
                       "您填写的理由未保存：“查实：照片是补拍的”，看过最新的结论后需要时再改。")
    decision = FlagClearance.objects.get()
    assert (decision.outcome, decision.reason) == ("cleared", "再复查：村里有登记，属实")


def test_the_queued_xlsx_is_the_file_the_request_built(login, visiting, desk_entry):
    """The flags' xlsx runs on the queue (docs/jobs.md): the same workbook, for the whole campaign and a period."""
    from zoufang.integrity import export, flags

    client = login(visiting.users["office"])
    url = f"/integrity/{visiting.campaign.slug}/flags.xlsx"
    for asked, period in (({}, None), ({"from": "2017-06-01", "to": "2017-06-30"},
                                       (dt.date(2017, 6, 1), dt.date(2017, 6, 30)))):
        direct = export.xlsx(visiting.campaign, flags.by_cadre(visiting.campaign, period))
        assert cells(queued_file(client, url, asked).content) == cells(direct)
    assert client.get(url).status_code == 405  # a button (POST), never a link
