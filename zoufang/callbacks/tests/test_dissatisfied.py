"""What the third party heard reaches the office: a person not satisfied with the visit is listed with what they
said, the visit and the cadre, and the office records what it did (audited, once, never over another's note); the
draw form shows the campaign's configured rate and flagged share and takes them when left empty."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang import clock
from zoufang.accounts.models import AuditEvent
from zoufang.callbacks import findings, results, services
from zoufang.callbacks.models import CallbackAttempt, CallbackBatch, CallbackSample
from zoufang.callbacks.tests.conftest import MAY
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 7  # the session, user, second factor and grants; the office's campaigns; the rows; one count
SAID = {"visited": "yes", "same_visitor": "yes", "mode": "home", "when": "五月初", "answered": "none_raised"}


@pytest.fixture
def batch(sampling: Any, settings: Any) -> Any:
    """May's batch, its first four samples called: 满意, 不满意 (with a reason), 基本满意, and one not reached."""
    settings.ZOUFANG_TODAY = "2017-06-06"
    drawn = services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=4, seed=2,
                                caller=sampling.company)
    samples = list(drawn.samples.select_related("visit").order_by("position"))
    for sample, satisfaction in zip(samples, ["satisfied", "unsatisfied", "fairly"], strict=False):
        opinion = {"opinion": "干部只待了两分钟，问题没听完"} if satisfaction == "unsatisfied" else {}
        services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                                answers={**SAID, "mode": sample.visit.mode, "satisfaction": satisfaction, **opinion})
    services.record_attempt(samples[3], by=sampling.users["caller"], kind=CallbackAttempt.Kind.NO_ANSWER)
    return drawn


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _unsatisfied(batch: Any) -> CallbackSample:
    return batch.samples.select_related("visit__cadre__unit", "batch__campaign").get(answers__satisfaction="unsatisfied")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_office_lists_the_dissatisfied_with_what_they_said_the_visit_and_the_cadre(sampling, batch):
    sample = _unsatisfied(batch)
    office = _client(sampling.users["office"])

    page = _text(office.get(reverse("callbacks:dissatisfied")).content.decode())

    assert "共 1 人表示不满意，待跟进 1 人" in page
    assert "干部只待了两分钟，问题没听完" in page
    assert f"{sample.visit.cadre.name}（{sample.visit.cadre.unit.name}）" in page
    assert sample.visit.target.name in page
    assert f"{clock.day(sample.visit.visited_at, short=True)} {sample.visit.get_mode_display()}" in page
    batch_page = _text(office.get(reverse("callbacks:batch", args=[batch.public_id])).content.decode())
    assert f"第 {sample.position} 号：对走访不满意（{sample.visit.cadre.name}），待跟进" in batch_page
    assert "待跟进 1" in _text(office.get(reverse("callbacks:index")).content.decode())


def test_the_list_and_the_sample_page_name_the_village_with_the_group(sampling, batch):
    """A household's group or grid alone (“第1居民小组”) does not say where it is: the village comes first."""
    sample = _unsatisfied(batch)
    region = Region.objects.select_related("parent__parent").get(pk=sample.visit.target.region_id)
    assert region.level in (Region.Level.GROUP, Region.Level.GRID)  # else the test could not fail
    where = region.local_name()
    assert region.parent.name in where
    office = _client(sampling.users["office"])
    assert where in _text(office.get(reverse("callbacks:dissatisfied")).content.decode())
    assert where in _text(office.get(reverse("callbacks:sample", args=[sample.public_id])).content.decode())


def test_the_list_counts_its_people_once_for_the_header(sampling, batch):
    """共 N 人 and 待跟进 M 人 come from one count of the list (the pager is a keyset one and counts nothing); the
    page's queries are pinned, so that a row's lookup or a second count is seen."""
    office = _client(sampling.users["office"])
    office.get(reverse("callbacks:dissatisfied"))  # the session's first request settles its own checks
    with CaptureQueriesContext(connection) as queries:
        page = _text(office.get(reverse("callbacks:dissatisfied")).content.decode())
    assert "共 1 人表示不满意，待跟进 1 人" in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()
              and "callbacks_callbacksample" in q["sql"]]
    assert len(counts) == 1, counts
    assert len(queries.captured_queries) == PAGE_QUERIES, "\n".join(q["sql"][:160] for q in queries.captured_queries)


def test_the_sample_page_s_three_note_forms_each_name_and_id_their_own_fields(sampling, batch):
    """重新交办 and 不满意跟进 on one page (核实 too, for a person who says nobody came): each form's fields carry its
    prefix (name and id), so no two elements share an id, each label points at its own box, and each form's POST
    reads its own note."""
    sample = batch.samples.order_by("-position").first()  # the one not reached: now unanswered and dissatisfied
    services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                            answers={**SAID, "answered": "no", "satisfaction": "unsatisfied"})
    office = _client(sampling.users["office"])
    url = reverse("callbacks:sample", args=[sample.public_id])
    page = office.get(url).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    assert set(re.findall(r'<label for="([^"]+)"', page)) <= set(ids)
    names = set(re.findall(r'name="([^"]+)"', page))
    assert {"reopen-note", "follow_up-note"} <= names
    assert "note" not in names
    response = office.post(url, {"do": "follow_up", "follow_up-note": "已上门致歉", "note": "别的表的字"})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.dissatisfied_note == "已上门致歉"


@pytest.mark.parametrize("name", ["auditor", "caller", "leader", "dept", "village", "outsider"])
def test_no_one_but_the_office_reads_the_list_or_follows_up(sampling, batch, name):
    client = _client(sampling.users[name])
    sample = _unsatisfied(batch)
    assert client.get(reverse("callbacks:dissatisfied")).status_code == 404
    refused = client.post(reverse("callbacks:sample", args=[sample.public_id]), {"do": "follow_up", "follow_up-note": "已处理"})
    assert refused.status_code == 404
    sample.refresh_from_db()
    assert sample.dissatisfied_handled_at is None


def test_the_office_records_what_it_did_once_audited_and_counted(sampling, batch):
    sample = _unsatisfied(batch)
    office = _client(sampling.users["office"])
    url = reverse("callbacks:sample", args=[sample.public_id])
    assert "对走访不满意：登记跟进" in office.get(url).content.decode()

    response = office.post(url, {"do": "follow_up", "follow_up-note": "已电话致歉，派出所安排再次上门"})
    assert response.status_code == 302
    assert response["Location"] == reverse("callbacks:dissatisfied")
    again = office.post(url, {"do": "follow_up", "follow_up-note": "已电话致歉，派出所安排再次上门"})  # a resend: the same
    assert again.status_code == 302

    sample.refresh_from_db()
    assert sample.dissatisfied_note == "已电话致歉，派出所安排再次上门"
    assert sample.dissatisfied_handled_by == sampling.users["office"]
    events = AuditEvent.objects.filter(object_id=str(sample.public_id), summary__contains="不满意跟进")
    assert [e.changes for e in events] == [{"dissatisfied_note": ["", "已电话致歉，派出所安排再次上门"]}]
    page = _text(office.get(reverse("callbacks:dissatisfied")).content.decode())
    assert "待跟进 0 人" in page
    assert "已电话致歉，派出所安排再次上门" in page
    assert "对走访不满意：登记跟进" not in office.get(url).content.decode()
    total = results.as_dict(results.tables(batch)[0])["total"]
    assert (total["unsatisfied"], total["followed_up"]) == (1, 1)


def test_a_second_clerk_s_other_note_is_refused_and_names_the_first(sampling, batch):
    first, second = _unsatisfied(batch), _unsatisfied(batch)  # two pages opened before either was sent
    findings.follow_up_dissatisfied(first, by=sampling.users["office"], note="已上门解释")
    with pytest.raises(services.CallbackError, match=r"已于 .* 由.*登记跟进（已上门解释），本次未覆盖"):
        findings.follow_up_dissatisfied(second, by=sampling.users["office"], note="已转派出所")
    second.refresh_from_db()
    assert second.dissatisfied_note == "已上门解释"
    office = _client(sampling.users["office"])
    response = office.post(reverse("callbacks:sample", args=[first.public_id]), {"do": "follow_up", "follow_up-note": "另写"},
                           follow=True)
    assert "本次未覆盖" in response.content.decode()


def test_only_a_dissatisfied_answer_is_followed_up_and_a_note_is_required(sampling, batch):
    satisfied = batch.samples.select_related("batch__campaign").get(answers__satisfaction="satisfied")
    with pytest.raises(services.CallbackError, match="不是“不满意”"):
        findings.follow_up_dissatisfied(satisfied, by=sampling.users["office"], note="无")
    with pytest.raises(services.CallbackError, match="请填写跟进情况"):
        findings.follow_up_dissatisfied(_unsatisfied(batch), by=sampling.users["office"], note="  ")


def test_the_draw_form_shows_the_campaign_s_rate_and_flagged_share_and_takes_them_when_left_empty(sampling):
    office = _client(sampling.users["office"])
    page = office.get(reverse("callbacks:index")).content.decode()

    assert re.search(r'name="percent"[^>]*placeholder="5"', page)
    assert re.search(r'name="flagged_percent"[^>]*placeholder="30"', page)
    assert f"{sampling.town.campaign.name}：抽查比例 5%，疑点走访占比 30%" in page
    response = office.post(reverse("callbacks:index"), {
        "campaign": sampling.town.campaign.slug, "starts_on": "2017-05-01", "ends_on": "2017-05-31", "percent": "",
        "count": "", "flagged_percent": ""})
    assert response.status_code == 302, _text(response.content.decode())
    assert office.get(response["Location"] + "status.json").json()["status"] == "done"
    batch = CallbackBatch.objects.get()
    assert (batch.rate, batch.count, batch.flagged_share) == (Decimal("0.0500"), None, Decimal("0.3000"))
    assert batch.inputs["size"] == 1  # 5 % of May's nine visits, rounded up


def test_the_city_office_reads_who_was_dissatisfied_and_what_they_said_masked(sampling, batch):
    """The city office runs its towns' callbacks (decision 0057) and follows up the dissatisfied, but reads a town's
    residents masked as everywhere: their names, and numbers in what they told the caller. The town's office and
    the caller who heard it read it as recorded."""
    from zoufang.accounts.masking import mask_name
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.conftest import PASSWORD

    sample = _unsatisfied(batch)
    said = "干部只待了两分钟，问题没听完，请回电13912345678，身份证320583198001011234"
    CallbackSample.objects.filter(pk=sample.pk).update(answers={**sample.answers, "opinion": said})
    name = sample.visit.target.name
    city = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=sampling.town.town.parent.parent)
    sample_url = reverse("callbacks:sample", args=[sample.public_id])
    for user, full in ((city, False), (sampling.users["office"], True), (sampling.users["caller"], True)):
        client = _client(user)
        pages = [client.get(sample_url).content.decode()]
        if user is not sampling.users["caller"]:
            pages.append(client.get(reverse("callbacks:dissatisfied")).content.decode())
        for page in pages:
            assert ("13912345678" in page, "320583198001011234" in page, name in page) == (full, full, full), \
                user.username
            if not full:
                assert mask_name(name) in page
                assert "两分钟" in page
