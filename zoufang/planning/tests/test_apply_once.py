"""确认重新分配 sent twice plans once (decision 0037): the confirm button carries its preview's key, and the same form
sent again opens the first run's job; a second run asked on purpose plans what the first one did (the planner is a
function of the registry and the tables, not of the order rows come back in)."""

import re
from pathlib import Path

import pytest

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.demo.loader import SeedFigures
from zoufang.jobs.models import Download
from zoufang.planning.models import Assignment
from zoufang.planning.services import run_plan
from zoufang.planning.tests.test_fresh_town import DEPARTMENTS, FILES, STEPS, TOWN, VILLAGES
from zoufang.planning.tests.test_same_plan import plan_digest
from zoufang.planning.tests.towns import build_town


@pytest.fixture
def fresh_town(db, tmp_path: Path):
    """A town whose plan proves 不重不漏 (the `town` fixture's does not), with its office."""
    campaign = build_town(tmp_path, TOWN, "zhouzhuang-2017", SeedFigures(VILLAGES, DEPARTMENTS), FILES, STEPS)
    office = ensure_user("zz_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=campaign.scope)
    return campaign, office


def _confirm_form(page: str) -> dict[str, str]:
    """The fields of the preview's 确认重新分配 form, as the browser sends them."""
    form = page[page.index('action="/plan/apply/"'):]
    form = form[:form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"', form))


def test_it_plans_once_when_the_confirm_form_is_sent_twice(client, fresh_town):
    campaign, office = fresh_town
    client.force_login(office)
    preview = client.post("/plan/apply/", {"campaign": campaign.slug, "mode": "preview"}, follow=True)
    confirm = _confirm_form(preview.content.decode())
    assert confirm["campaign"] == campaign.slug
    assert confirm["key"]

    first = client.post("/plan/apply/", confirm)
    again = client.post("/plan/apply/", confirm)  # a double click, a resend after a timeout, the back button

    assert again["Location"] == first["Location"]
    runs = Download.objects.filter(kind="plan_run", params__apply=True)
    assert runs.count() == 1
    assert runs.get().status == "done"
    assert AuditEvent.objects.filter(action="update", summary__startswith="重新分配：").count() == 1
    page = client.get(again["Location"]).content.decode()
    assert "已重新分配" in page  # the first run's report
    assert "这张表刚才已提交过，未重复提交" in page


def _preview_and_confirm(client, campaign) -> None:
    preview = client.post("/plan/apply/", {"campaign": campaign.slug, "mode": "preview"}, follow=True)
    client.post("/plan/apply/", _confirm_form(preview.content.decode()))


def test_a_new_preview_confirms_a_second_run_which_plans_the_same(client, fresh_town):
    campaign, office = fresh_town
    client.force_login(office)
    _preview_and_confirm(client, campaign)
    planned = plan_digest(campaign)
    _preview_and_confirm(client, campaign)  # a second run on purpose: its own preview's button
    assert Download.objects.filter(kind="plan_run", params__apply=True, status="done").count() == 2
    assert plan_digest(campaign) == planned
    runs = AuditEvent.objects.filter(action="update", summary__startswith="重新分配：").order_by("id")
    assert [event.summary for event in runs][1:] == [f"重新分配：保留{planned[0]}，新增0，调整0，释放0"]


def test_the_planner_gives_the_same_plan_from_scratch_twice(fresh_town):
    campaign, _office = fresh_town
    run_plan(campaign)
    first = plan_digest(campaign)
    Assignment.objects.filter(campaign=campaign).delete()
    run_plan(campaign)
    assert plan_digest(campaign) == first
    assert first[0] > 0
