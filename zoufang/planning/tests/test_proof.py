"""The plan page reads the stored proof (planning/proof.py): computed by 重新计算 in the background or when a plan is
written, marked stale by a hand reassignment, its problems a page at a time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.planning import proof, services
from zoufang.planning.models import Assignment, PlanProof
from zoufang.registry.models import Cadre


def _page(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/plan/?campaign=jinxi-test{query}")
    assert page.status_code == 200
    return page.content.decode(), len(queries)


def test_the_page_shows_the_stored_proof_and_computes_it_only_when_asked(client, town):
    client.force_login(town.users["office"])
    text, _queries = _page(client)
    assert "尚未核验" in text
    assert "现在计算" in text
    asked = client.post("/plan/check/", {"campaign": "jinxi-test"})
    assert asked.status_code == 302
    assert "分配核验已计算" in client.get(asked["Location"]).content.decode()
    stored = PlanProof.objects.get(campaign=town.campaign)
    assert not stored.proven
    assert stored.problem_count > 1
    text, _queries = _page(client)
    assert "计算于" in text
    assert "核验未通过" in text
    assert f"未通过核验的问题 {stored.problem_count} 条" in text
    assert "计算之后分配或登记库又有变动" not in text


def test_problems_are_paged_by_keyset_at_the_same_cost(client, town, monkeypatch):
    from zoufang.planning import views

    monkeypatch.setattr(views, "PROBLEMS_PAGE_SIZE", 1)
    client.force_login(town.users["office"])
    stored = proof.compute(town.campaign)
    problems = list(proof.problems(stored))
    _page(client)  # the session's first request (the login's bookkeeping)
    text, first_queries = _page(client)
    assert problems[0].text in text
    assert problems[1].text not in text
    cursor = text.split("after=")[1].split("#")[0].replace("&amp;", "&")
    second, second_queries = _page(client, f"&after={cursor}")
    assert problems[1].text in second
    assert problems[0].text not in second
    assert second_queries == first_queries
    assert problems[0].text in _page(client, "&after=forged")[0]  # not the page's own cursor: the first page


def test_a_hand_reassignment_marks_the_stored_proof_stale(client, town):
    officer = Cadre.objects.get(name="派出所党员甲")
    assignment = Assignment.objects.create(campaign=town.campaign, target=town.enterprise, unit=town.police)
    proof.compute(town.campaign)
    services.reassign(assignment, officer.pk, by=town.users["office"])
    assert PlanProof.objects.get(campaign=town.campaign).stale
    client.force_login(town.users["office"])
    text, _queries = _page(client)
    assert "计算之后分配或登记库又有变动" in text
    proof.compute(town.campaign)
    assert not PlanProof.objects.get(campaign=town.campaign).stale


def test_an_import_marks_the_stored_proof_of_its_campaign_stale_and_a_refused_one_does_not(town):
    from zoufang.registry.imports.runner import run_import
    from zoufang.registry.tests.test_import_support import csv_file

    proof.compute(town.campaign)
    rows = [["上级区划", "名称", "层级", "区划代码"], ["锦溪镇", "新建社区", "社区", "320583106099"]]
    refused = run_import("regions", csv_file([rows[0], ["无此镇", "新建社区", "社区", "320583106099"]]),
                         filename="r.csv", campaign=town.campaign)
    assert not refused.ok
    assert not PlanProof.objects.get(campaign=town.campaign).stale
    assert run_import("regions", csv_file(rows), filename="r.csv", campaign=town.campaign).ok
    assert PlanProof.objects.get(campaign=town.campaign).stale


def test_an_assignment_changed_or_deleted_in_the_admin_marks_the_stored_proof_stale(town, rf):
    from django.contrib import admin

    model_admin = admin.site._registry[Assignment]
    request = rf.post("/admin/planning/assignment/")
    request.user = town.users["office"]
    assignment = Assignment.objects.create(campaign=town.campaign, target=town.enterprise, unit=town.police)
    proof.compute(town.campaign)
    assignment.pinned = True
    model_admin.save_model(request, assignment, None, True)
    assert PlanProof.objects.get(campaign=town.campaign).stale
    proof.compute(town.campaign)
    model_admin.delete_queryset(request, Assignment.objects.filter(pk=assignment.pk))
    assert PlanProof.objects.get(campaign=town.campaign).stale
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_fixed_quota_written_or_deleted_marks_the_stored_proof_stale_and_a_pin_does_not(town):
    """Every ORM writer of the plan's rows marks it, whoever calls it; pinning keeps who visits whom."""
    from zoufang.planning.models import FixedQuota
    from zoufang.registry.models import Target

    assignment = Assignment.objects.create(campaign=town.campaign, target=town.enterprise, unit=town.police)
    proof.compute(town.campaign)
    assignment.pinned = True
    assignment.save(update_fields=["pinned", "modified_at"])
    assert not PlanProof.objects.get(campaign=town.campaign).stale
    quota = FixedQuota.objects.create(campaign=town.campaign, table=FixedQuota.Table.UPPER_LEVEL, source="附件1",
                                      row_number=3, label="派出所",
                                      target_kind=Target.Kind.ENTERPRISE, count=1)
    assert PlanProof.objects.get(campaign=town.campaign).stale
    proof.compute(town.campaign)
    quota.delete()
    assert PlanProof.objects.get(campaign=town.campaign).stale
