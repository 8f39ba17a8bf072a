"""The pages: the office draws and reads results (and xlsx); the caller sees only its batches' samples, reveals a
phone (audited) and records a call; the office verifies; anyone else gets 404."""

import io
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zoufang.accounts.models import AuditEvent
from zoufang.callbacks import services
from zoufang.callbacks.export import batch_xlsx
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.callbacks.tests.conftest import MAY
from zoufang.jobs.testing import cells, queued_file

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_draws_a_batch_on_the_page(sampling):
    office = _client(sampling.users["office"])
    page = office.get(reverse("callbacks:index"))
    assert page.status_code == 200
    assert "抽取新的一批" in page.content.decode()
    response = office.post(reverse("callbacks:index"), {
        "campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "percent": "50",
        "flagged_percent": "", "caller": sampling.company.pk})
    assert response.status_code == 302
    assert "/downloads/" in response["Location"]  # drawn in the background (docs/jobs.md): the job's page
    assert office.get(response["Location"] + "status.json").json()["status"] == "done"
    batch = CallbackBatch.objects.get()
    assert f'href="{reverse("callbacks:batch", args=[batch.public_id])}"' in office.get(response["Location"]).content.decode()
    assert batch.caller == sampling.company
    assert batch.inputs["size"] == 5
    page = office.get(reverse("callbacks:batch", args=[batch.public_id])).content.decode()
    assert "按单位" in page
    assert "按村（社区）" in page
    assert "按走访干部" in page
    assert "派出所" in page
    book = load_workbook(io.BytesIO(queued_file(office, reverse("callbacks:xlsx", args=[batch.public_id])).content))
    assert cells(queued_file(office, reverse("callbacks:xlsx", args=[batch.public_id])).content) == cells(
        batch_xlsx(batch))  # on the queue (docs/jobs.md): the same workbook as building it in the request
    assert [s.title for s in book.worksheets] == ["按单位", "按村（社区）", "按走访干部"]
    assert book.worksheets[0]["A2"].value == "按单位"
    assert book.worksheets[0].max_row == 2 + 3 + 1


def test_the_page_refuses_both_rate_and_count(sampling):
    response = _client(sampling.users["office"]).post(reverse("callbacks:index"), {
        "campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "percent": "5",
        "count": "3"})
    assert response.status_code == 200
    assert "二选一" in response.content.decode()
    assert not CallbackBatch.objects.exists()


@pytest.fixture
def batch(sampling: Any) -> CallbackBatch:
    return services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=4, seed=2,
                               caller=sampling.company)


def test_the_caller_sees_its_batch_reveals_a_phone_and_records_a_call(sampling, batch):
    caller = _client(sampling.users["caller"])
    sample = batch.samples.select_related("visit__target").first()
    phone = sample.visit.target.phone
    page = caller.get(reverse("callbacks:batch", args=[batch.public_id])).content.decode()
    assert "抽查名单" in page
    assert "按单位" not in page
    page = caller.get(reverse("callbacks:sample", args=[sample.public_id])).content.decode()
    assert phone not in page
    assert "显示完整号码" in page
    assert "走访人是否是记录中的这位干部本人" in page
    page = caller.post(reverse("callbacks:reveal", args=[sample.public_id])).content.decode()
    assert phone in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, actor_username="caller").count() == 1
    response = caller.post(reverse("callbacks:sample", args=[sample.public_id]), {
        "do": "call", "kind": "completed", "q_visited": "no", "q_opinion": "没见过人"})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.outcome == CallbackSample.Outcome.NOT_VISITED
    assert sample.verification == "pending"


def test_each_choice_of_the_call_form_is_a_row_to_tap_that_sends_the_script_s_value(sampling, batch):
    """A caller on a phone taps an option's whole row, not a 13 px circle: each radio sits in a label of its own
    (class option) inside a fieldset named by the question; the value posted is the script's, as before."""
    caller = _client(sampling.users["caller"])
    sample = batch.samples.first()
    url = reverse("callbacks:sample", args=[sample.public_id])
    page = caller.get(url).content.decode()
    group = re.search(r'<fieldset class="field options"><legend>您对这次走访是否满意？</legend>(.*?)</fieldset>', page,
                      re.S)
    assert group is not None
    options = re.findall(r'<label class="option" for="([^"]+)"><input type="radio" name="q_satisfaction" '
                         r'value="([^"]+)" id="([^"]+)"[^>]*><span>([^<]+)</span></label>', group[1])
    assert [(value, label) for _for, value, _id, label in options] == [
        ("satisfied", "满意"), ("fairly", "基本满意"), ("unsatisfied", "不满意")]
    assert all(label_for == radio_id for label_for, _value, radio_id, _label in options)
    assert '<legend>拨打情况</legend><label class="option" for="id_kind_0">' in page
    response = caller.post(url, {"do": "call", "attempts": "0", "kind": "completed", "q_visited": "yes",
                                 "q_same_visitor": "yes", "q_mode": sample.visit.mode, "q_answered": "none_raised",
                                 "q_satisfaction": "fairly"})
    assert response.status_code == 302
    assert sample.attempts.get().answers["satisfaction"] == "fairly"


def test_a_no_answer_sent_twice_is_recorded_once(sampling, batch):
    caller = _client(sampling.users["caller"])
    sample = batch.samples.first()
    url = reverse("callbacks:sample", args=[sample.public_id])
    page = caller.get(url).content.decode()
    assert 'name="attempts" value="0"' in page
    sent = {"do": "call", "kind": "no_answer", "note": "无人接听", "attempts": "0"}
    assert caller.post(url, sent).status_code == 302
    again = caller.post(url, sent, follow=True).content.decode()  # the button pressed twice, or the page resent
    assert "未重复记录" in again
    assert sample.attempts.count() == 1
    assert caller.post(url, {**sent, "attempts": "1"}).status_code == 302  # a real second call, from a fresh form
    assert sample.attempts.count() == 2


def test_a_call_sent_twice_is_told_it_was_recorded_and_another_call_meanwhile_is_refused(sampling, batch):
    """The same call sent again (a double click, a resend) is answered as the first was — the batch's page — saying
    it was recorded once, not as an error (decision 0085); a different call from the same stale page, or the same
    one after another caller's call, is refused as an error, its words kept out of the record."""
    from django.contrib import messages
    from django.contrib.messages import get_messages

    caller = _client(sampling.users["caller"])
    sample = batch.samples.first()
    url = reverse("callbacks:sample", args=[sample.public_id])
    sent = {"do": "call", "kind": "no_answer", "note": "无人接听", "attempts": "0"}
    first = caller.post(url, sent)
    again = caller.post(url, sent)
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    told = [m for m in get_messages(again.wsgi_request) if "重复" in str(m)]
    assert [m.level for m in told] == [messages.INFO]
    assert "未重复记录" in str(told[0])
    other = caller.post(url, {**sent, "note": "占线"})  # another call typed over the page drawn before the first
    assert [m.level for m in get_messages(other.wsgi_request) if "您打开此页后已记录了一次拨打" in str(m)] == [messages.ERROR]
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    colleague = _client(ensure_user("caller2", PASSWORD, role=RoleGrant.Role.AUDITOR, region=sampling.town.town,
                                    unit=sampling.company))  # the same call by another caller from the page drawn before
    refused = colleague.post(url, sent)
    assert [m.level for m in get_messages(refused.wsgi_request) if "您打开此页后" in str(m)] == [messages.ERROR]
    assert sample.attempts.count() == 1


def _not_visited(sampling: Any, batch: CallbackBatch) -> CallbackSample:
    """A sample the caller found not visited: waiting for the office's verification."""
    sample = batch.samples.first()
    services.record_attempt(sample, by=sampling.users["caller"], kind="completed", answers={"visited": "no"})
    return sample


def _upheld_on_the_page(client: Client, sample: CallbackSample) -> None:
    response = client.post(reverse("callbacks:sample", args=[sample.public_id]), {
        "do": "verify", "verify-upheld": "yes", "verify-explanation": "干部称电话联系过", "verify-note": "对象确认未见面"})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.verification == "upheld"


def test_the_office_verifies_on_the_page(sampling, batch):
    sample = _not_visited(sampling, batch)
    office = _client(sampling.users["office"])
    assert "待核实" in office.get(reverse("callbacks:batch", args=[batch.public_id])).content.decode()
    _upheld_on_the_page(office, sample)


def test_the_office_reading_a_sample_s_phone_in_full_is_audited(sampling, batch):
    """The caller's reveal was audited; the office, which reads its town's phones in full, read it on the sample's
    page without a trace (the authorization matrix's audit check found it)."""
    sample = batch.samples.exclude(visit__target__phone="").first()
    target = sample.visit.target
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.READ, actor=sampling.users["office"])
    page = _client(sampling.users["office"]).get(reverse("callbacks:sample", args=[sample.public_id])).content.decode()
    assert target.phone in page
    assert [event.changes["targets"] for event in reads] == [[str(target.public_id)]]


@pytest.mark.parametrize("name", ["auditor", "leader", "dept", "village", "outsider"])
def test_no_one_else_reaches_a_batch_or_a_sample(sampling, batch, name):
    client = _client(sampling.users[name])
    sample = batch.samples.first()
    for url in (reverse("callbacks:batch", args=[batch.public_id]), reverse("callbacks:sample", args=[sample.public_id])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("callbacks:xlsx", args=[batch.public_id])).status_code == 404  # queued: as before
    assert client.post(reverse("callbacks:reveal", args=[sample.public_id])).status_code == 404
    assert client.post(reverse("callbacks:close", args=[batch.public_id])).status_code == 404
    index = client.get(reverse("callbacks:index"))
    assert index.status_code == (200 if name == "auditor" else 404)  # an auditor without batches: an empty list
    assert str(batch.public_id) not in index.content.decode()


def test_the_call_list_and_the_batches_page_by_cursor(sampling, batch, settings, django_assert_max_num_queries):
    settings.ZOUFANG_PAGE_SIZE = 3
    office = _client(sampling.users["office"])
    url = reverse("callbacks:batch", args=[batch.public_id])
    with django_assert_max_num_queries(40) as first_queries:
        first = office.get(url)
    assert [r["sample"].position for r in first.context["rows"]] == [1, 2, 3]
    cursor = first.context["page"].next_cursor
    with django_assert_max_num_queries(len(first_queries)):
        second = office.get(url, {"after": cursor})
    assert [r["sample"].position for r in second.context["rows"]] == [4]
    assert second.context["page"].next_cursor is None
    assert "第一页" in second.content.decode()
    assert sum(t.total.counts["sampled"] for t in second.context["tables"][:1]) == 4  # the results: every sample
    forged = office.get(url, {"after": cursor[:-1] + ("A" if cursor[-1] != "A" else "B")})
    assert [r["sample"].position for r in forged.context["rows"]] == [1, 2, 3]  # a stranger's cursor: page one
    for seed in (3, 4):
        services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=1, seed=seed)
    settings.ZOUFANG_PAGE_SIZE = 2
    with django_assert_max_num_queries(30) as index_queries:
        listed = office.get(reverse("callbacks:index"))
    assert [b.number for b in listed.context["page"].rows] == [3, 2]
    with django_assert_max_num_queries(len(index_queries)):
        rest = office.get(reverse("callbacks:index"), {"after": listed.context["page"].next_cursor})
    assert [(b.number, b.sampled) for b in rest.context["page"].rows] == [(1, 4)]


def test_a_draw_posted_twice_makes_one_batch_and_a_refusal_says_why(sampling):
    from zoufang.jobs import services as jobs
    from zoufang.jobs.models import Download

    office = _client(sampling.users["office"])
    form = {"campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31",
            "count": "3", "percent": "", "flagged_percent": "", "caller": "", "key": str(uuid.uuid4())}
    assert office.post(reverse("callbacks:index"), form).status_code == 302
    drawn = set(CallbackBatch.objects.get().samples.values_list("visit_id", flat=True))
    assert office.post(reverse("callbacks:index"), form).status_code == 302  # sent twice (a reload): one batch
    assert CallbackBatch.objects.count() == 1
    assert set(CallbackBatch.objects.get().samples.values_list("visit_id", flat=True)) == drawn
    assert CallbackBatch.objects.get().inputs["size"] == 3
    upside_down = office.post(reverse("callbacks:index"), {**form, "starts_on": "2017-06-01", "key": str(uuid.uuid4())})
    assert upside_down.status_code == 200  # refused at once, on the form, nothing queued
    assert "走访日期的起止颠倒了。" in upside_down.content.decode()
    assert Download.objects.filter(kind="callbacks_draw").count() == 1  # the form sent twice: its one job
    # Refused when it runs (nothing left to draw from in June): the job fails with the reason and may be retried.
    failed = jobs.request(sampling.users["office"], "callbacks_draw", {
        "campaign": sampling.town.campaign.slug, "starts_on": "2017-06-01", "ends_on": "2017-06-30", "count": 2,
        "key": str(uuid.uuid4())})
    failed.refresh_from_db()
    assert (failed.status, failed.error) == ("failed", "该期间没有可抽查的走访记录（已抽过的不再抽）。")
    assert jobs.may_retry(failed)
    assert CallbackBatch.objects.count() == 1


def test_the_draw_offers_only_callers_the_campaigns_town_may_name(sampling):
    """Another town's own outside body (with h1's per-town units, a region of its own) is neither offered nor
    taken as the third party; shared ones (no region) and the town's own are."""
    from zoufang.regions.models import Region
    from zoufang.registry.models import Unit

    elsewhere = Region.objects.create(name="外镇", level=Region.Level.TOWN, parent=sampling.town.town.parent)
    theirs = Unit.objects.create(name="外镇民意调查所", kind=Unit.Kind.OUTSIDE_BODY, region=elsewhere)
    ours = Unit.objects.create(name="本镇民意调查所", kind=Unit.Kind.OUTSIDE_BODY, region=sampling.town.town)
    office = _client(sampling.users["office"])
    page = office.get(reverse("callbacks:index")).content.decode()
    assert "外镇民意调查所" not in page
    assert "本镇民意调查所" in page
    assert sampling.company.name in page
    refused = office.post(reverse("callbacks:index"), {
        "campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "percent": "50",
        "flagged_percent": "", "caller": theirs.pk, "key": str(uuid.uuid4())})
    assert refused.status_code == 200
    assert not CallbackBatch.objects.filter(caller=theirs).exists()
    assert ours.pk is not None


def test_a_draw_asked_for_another_towns_caller_is_not_queued(sampling):
    """However the job is asked for (the form, or a forged job request), the resolver takes no caller the town may
    not name, and no id that is not one."""
    from django.http import Http404

    from zoufang.callbacks.jobs import _draw_resolve
    from zoufang.regions.models import Region
    from zoufang.registry.models import Unit

    elsewhere = Region.objects.create(name="外镇", level=Region.Level.TOWN, parent=sampling.town.town.parent)
    theirs = Unit.objects.create(name="外镇民意调查所", kind=Unit.Kind.OUTSIDE_BODY, region=elsewhere)
    params = {"campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31",
              "rate": "1/2", "key": str(uuid.uuid4())}
    assert _draw_resolve(sampling.users["office"], {**params, "caller": str(sampling.company.public_id)})
    for caller in (str(theirs.public_id), "not-a-unit"):
        with pytest.raises(Http404):
            _draw_resolve(sampling.users["office"], {**params, "caller": caller})


def test_a_unit_that_visits_in_the_town_is_not_its_third_party(sampling):
    """Seed 000: the city's office has a third party call the town's visits back; 市妇联, which visits 1,360 of the
    town's households itself (附件1), is not a third party for them. An outside body named in the campaign's
    allocation tables, or whose cadres visit in it, is not offered as the caller, and a draw naming it is refused
    with the reason (the page, the job, the service)."""
    from django.http import Http404

    from zoufang.callbacks.jobs import _draw_resolve
    from zoufang.planning.models import FixedQuota
    from zoufang.registry.models import Cadre, Target, Unit
    from zoufang.registry.tests.factories import CadreFactory

    campaign = sampling.town.campaign
    fulian = Unit.objects.create(name="苏州市妇联", kind=Unit.Kind.OUTSIDE_BODY)
    FixedQuota.objects.create(campaign=campaign, table=FixedQuota.Table.UPPER_LEVEL, source="附件1", row_number=1,
                              label="苏州市妇联", region=sampling.town.shangxiatang,
                              target_kind=Target.Kind.REGISTERED_HOUSEHOLD, count=40).units.add(fulian)
    bureau = Unit.objects.create(name="市粮食局", kind=Unit.Kind.OUTSIDE_BODY)
    from zoufang.callbacks.tests.conftest import visit

    visit(sampling.town, sampling.town.enterprise, CadreFactory(name="粮食局干部", unit=bureau,
                                                                role=Cadre.Role.PARTY_MEMBER), 20)
    office = _client(sampling.users["office"])

    page = office.get(reverse("callbacks:index")).content.decode()
    offered = re.search(r'<select name="caller".*?</select>', page, re.S).group(0)
    assert sampling.company.name in offered
    assert "苏州市妇联" not in offered
    assert "市粮食局" not in offered

    form = {"campaign": campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "percent": "50",
            "flagged_percent": "", "key": str(uuid.uuid4())}
    assert office.post(reverse("callbacks:index"), {**form, "caller": fulian.pk}).status_code == 200
    params = {"campaign": campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "rate": "1/2",
              "key": str(uuid.uuid4())}
    with pytest.raises(Http404):
        _draw_resolve(sampling.users["office"], {**params, "caller": str(fulian.public_id)})
    with pytest.raises(services.CallbackError, match="苏州市妇联本身在.*走访.*不是第三方"):
        services.draw_batch(campaign, MAY, by=sampling.users["office"], count=2, caller=fulian)
    assert not CallbackBatch.objects.exists()


def test_the_city_office_draws_and_verifies_for_its_towns_as_the_readme_says(sampling, batch):
    """Seed 000 §三(三): the city's "六个一" office has the third party call its towns' visits back. Its account draws
    the batch, verifies what the caller found and follows it up on the pages, as the town's office does; the
    README's row for `city` says so, where it once said 只读 of everything (decision 0057)."""
    from pathlib import Path

    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    city = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=sampling.town.town.parent.parent)
    client = _client(city)
    assert "抽取新的一批" in client.get(reverse("callbacks:index")).content.decode()
    response = client.post(reverse("callbacks:index"), {
        "campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "count": "2",
        "flagged_percent": "", "caller": sampling.company.pk})
    assert response.status_code == 302
    assert CallbackBatch.objects.filter(created_by=city).count() == 1
    sample = _not_visited(sampling, batch)
    assert 'value="verify"' in client.get(reverse("callbacks:sample", args=[sample.public_id])).content.decode()
    _upheld_on_the_page(client, sample)

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `city` |"))
    assert "回访抽查" in row, "the README's row for the city office leaves out the callbacks it runs"


def test_the_city_office_reads_its_towns_residents_masked_in_a_batch_as_everywhere(sampling, batch):
    """The city office runs its towns' callbacks (decision 0057) but reads a town's residents masked everywhere else
    (issue 11: "drills into any town read-only, personal data masked"), and their phones masked here too: a batch's
    call list and a sample's page named them in full to it. The town's office reads its own residents in full."""
    from zoufang.accounts.masking import mask_name
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    city = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=sampling.town.town.parent.parent)
    samples = [s for s in batch.samples.select_related("visit__target") if s.visit.target.kind != "enterprise"]
    assert samples
    for user, full in ((city, False), (sampling.users["office"], True)):
        client = _client(user)
        listed = client.get(reverse("callbacks:batch", args=[batch.public_id])).content.decode()
        for sample in samples:
            name = sample.visit.target.name
            page = client.get(reverse("callbacks:sample", args=[sample.public_id])).content.decode()
            assert (name in listed, name in page) == (full, full), (user.username, name)
            if not full:
                assert mask_name(name) in listed
                assert mask_name(name) in page
