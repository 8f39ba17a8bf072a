"""Nominate, review, edit (with a conflict), publish, decline: the actions, their rules and their audit rows."""

import importlib
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from zoufang.accounts import names
from zoufang.accounts.models import AuditEvent
from zoufang.exemplars import services
from zoufang.exemplars.models import Exemplar

TEXT = "派出所党员甲走访周梅家，记下老人就医难，当周联系社区医生上门。"


def nominate(town, source=None, by="dept", **extra):
    exemplar, created = services.nominate(source or town.visit, kind=Exemplar.Kind.PRACTICE, title="上门送医",
                                          text=TEXT, by=town.users[by], **extra)
    return exemplar


def test_it_lets_the_cadre_who_made_the_visit_nominate_it(typical):
    exemplar = nominate(typical)
    exemplar.refresh_from_db()
    assert exemplar.status == Exemplar.Status.PENDING
    # As the top bar names the cadre (the seed's 部门党员干部), not the product's umbrella 走访干部.
    assert exemplar.nominated_as == "部门党员干部"
    assert exemplar.nominated_as in names.role_names(typical.users["dept"])
    assert exemplar.campaign == typical.campaign
    assert list(exemplar.revisions.values_list("version", "title")) == [(1, "上门送医")]
    assert AuditEvent.objects.filter(object_id=str(exemplar.public_id), action="create").exists()


def test_a_stored_nomination_as_the_umbrella_word_says_the_cadres_role(typical):
    """exemplars/0004: a nomination stored before the role was said reads as a new one does; a nominator with no
    cadre keeps what was stored."""
    from django.apps import apps

    upgrade = importlib.import_module("zoufang.exemplars.migrations.0004_nominated_as_the_cadres_role")
    own = nominate(typical)
    office, _created = services.nominate(typical.case, kind=Exemplar.Kind.SOLVED, title="楼道灯当天修好",
                                         text="派出所接单当天修好楼道灯，居民满意。", by=typical.users["office"])
    Exemplar.objects.filter(pk__in=[own.pk, office.pk]).update(nominated_as="走访干部")
    assert upgrade.say_the_cadres_role(apps) == 1
    assert Exemplar.objects.get(pk=own.pk).nominated_as == "部门党员干部"
    assert Exemplar.objects.get(pk=office.pk).nominated_as == "走访干部"


@pytest.mark.parametrize(("who", "as_whom"), [("handler", "承办单位"), ("village", "村（社区）"), ("office", "走访办"),
                                              ("leader", "镇领导")])
def test_it_lets_the_unit_the_village_the_office_and_a_leader_nominate_a_case(typical, who, as_whom):
    exemplar, _created = services.nominate(typical.case, kind=Exemplar.Kind.SOLVED, title="楼道灯当天修好",
                                           text="派出所接单当天修好楼道灯，居民满意。", by=typical.users[who])
    assert exemplar.nominated_as == as_whom


@pytest.mark.parametrize("who", ["village2", "auditor", "outsider", "xuanchuan"])
def test_it_refuses_a_nomination_from_outside_the_scope(typical, who):
    with pytest.raises(PermissionDenied):
        nominate(typical, by=who)
    assert not Exemplar.objects.exists()


def test_it_answers_a_retried_submission_with_the_first_nomination(typical):
    token = uuid.uuid4()
    first = nominate(typical, submission_id=token)
    again, created = services.nominate(typical.visit, kind=Exemplar.Kind.PRACTICE, title="上门送医", text=TEXT,
                                       by=typical.users["dept"], submission_id=token)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(services.DuplicateSubmission):
        services.nominate(typical.visit, kind=Exemplar.Kind.PRACTICE, title="另一个标题", text=TEXT,
                          by=typical.users["dept"], submission_id=token)
    assert Exemplar.objects.count() == 1


def test_it_refuses_the_same_visit_twice_as_the_same_kind_and_names_the_field(typical):
    nominate(typical)
    with pytest.raises(services.ExemplarError, match="类型：该走访已被推荐为“好做法”"):
        nominate(typical, by="office")


@pytest.mark.parametrize(("title", "text", "message"), [("", TEXT, "标题：必填"), ("题" * 61, TEXT, "标题：不能超过 60"),
                                                        ("好做法", "太短", "事迹简介：至少写 10")])
def test_it_refuses_a_bad_write_up_with_the_field_and_the_rule(typical, title, text, message):
    with pytest.raises(services.ExemplarError, match=message):
        services.nominate(typical.visit, kind="practice", title=title, text=text, by=typical.users["dept"])


def test_it_refuses_half_a_consent(typical):
    with pytest.raises(services.ExemplarError, match="同意方式"):
        nominate(typical, consent_person="周梅")


def test_the_publicity_group_edits_keeping_each_version_and_a_stale_edit_changes_nothing(typical):
    exemplar = nominate(typical)
    xuanchuan = typical.users["xuanchuan"]
    read_by_two = exemplar.version
    services.edit(exemplar, title="上门送医：一户一档", text=TEXT + "（修改）", by=xuanchuan, version=read_by_two)
    with pytest.raises(services.StaleVersion):
        services.edit(exemplar, title="别人的修改", text=TEXT, by=xuanchuan, version=read_by_two)
    exemplar.refresh_from_db()
    assert exemplar.title == "上门送医：一户一档"
    assert exemplar.version == 2
    assert list(exemplar.revisions.values_list("version", flat=True)) == [1, 2]
    with pytest.raises(services.VersionRequired):
        services.publish(exemplar, by=xuanchuan, version=None)


def test_an_edit_or_a_publication_sent_twice_is_made_once(typical):
    """The same request again (a double click, a resend: decision 0058) is answered as done, nothing written."""
    exemplar = nominate(typical)
    xuanchuan = typical.users["xuanchuan"]
    for _sent in range(2):
        services.edit(exemplar, title="上门送医：一户一档", text=TEXT, by=xuanchuan, version=1)
    assert list(exemplar.revisions.values_list("version", flat=True)) == [1, 2]
    for _sent in range(2):
        services.publish(exemplar, by=xuanchuan, version=2)
    exemplar.refresh_from_db()
    assert (exemplar.status, exemplar.version) == ("published", 3)


@pytest.mark.parametrize("who", ["office", "dept", "leader"])
def test_only_the_publicity_group_edits_and_publishes(typical, who):
    exemplar = nominate(typical)
    with pytest.raises(PermissionDenied):
        services.edit(exemplar, title="改", text=TEXT, by=typical.users[who], version=1)
    with pytest.raises(PermissionDenied):
        services.publish(exemplar, by=typical.users[who], version=1)


def test_it_publishes_and_then_refuses_to_decline_or_edit(typical):
    exemplar = services.publish(nominate(typical), by=typical.users["xuanchuan"], version=1)
    assert exemplar.status == Exemplar.Status.PUBLISHED
    assert exemplar.published_at is not None
    assert exemplar.reviewed_by == typical.users["xuanchuan"]
    with pytest.raises(services.ExemplarError, match="已发布"):
        services.decline(exemplar, by=typical.users["xuanchuan"], version=exemplar.version, reason="重复")
    assert AuditEvent.objects.filter(object_id=str(exemplar.public_id), summary__startswith="发布").exists()


def test_it_declines_with_a_reason_the_nominator_reads(typical):
    exemplar = nominate(typical)
    with pytest.raises(services.ExemplarError, match="未采用理由：必填"):
        services.decline(exemplar, by=typical.users["xuanchuan"], version=1, reason=" ")
    exemplar = services.decline(exemplar, by=typical.users["xuanchuan"], version=1, reason="事迹尚不典型")
    assert (exemplar.status, exemplar.decline_reason) == (Exemplar.Status.DECLINED, "事迹尚不典型")
    # Declined, the visit may be put forward again.
    assert nominate(typical).pk != exemplar.pk


def test_it_records_who_agreed_how_when_and_by_whom(typical):
    import datetime as dt

    exemplar = nominate(typical)
    exemplar = services.record_consent(exemplar, person="周梅", method="written", on=dt.date(2017, 6, 10),
                                       by=typical.users["dept"], version=1)
    assert exemplar.has_consent
    assert (exemplar.consent_person, exemplar.consent_method, exemplar.consent_on) == (
        "周梅", "written", dt.date(2017, 6, 10))
    assert exemplar.consent_recorded_by == typical.users["dept"]
    assert exemplar.consent_recorded_at is not None
    with pytest.raises(services.ExemplarError, match="同意日期"):
        services.record_consent(exemplar, person="周梅", method="oral", on=dt.date(2017, 7, 1),
                                by=typical.users["dept"], version=exemplar.version)
    with pytest.raises(PermissionDenied):
        services.record_consent(exemplar, person="周梅", method="oral", on=dt.date(2017, 6, 1),
                                by=typical.users["village2"], version=exemplar.version)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_nominations_of_one_visit_as_one_kind_at_once_make_one_and_refuse_the_other(typical):
    """The cadre and the office nominate the same visit in the same second (each their own form, so each its own
    submission id): one nomination, the other told in Chinese, never two pending for the publicity group. Several
    rounds (the round's nomination declined before the next), so the two requests really meet."""
    for _round in range(6):
        start = threading.Barrier(2)
        outcomes: list[object] = [None, None]

        def nominate_at_once(i: int, who: str) -> None:
            try:
                start.wait()  # noqa: B023 - each round's threads are joined before the next round
                outcomes[i] = nominate(typical, by=who, submission_id=uuid.uuid4())  # noqa: B023
            except services.ExemplarError as refused:
                outcomes[i] = refused  # noqa: B023
            finally:
                connection.close()

        threads = [threading.Thread(target=nominate_at_once, args=(i, who)) for i, who in enumerate(["dept", "office"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        live = Exemplar.objects.filter(visit=typical.visit).exclude(status=Exemplar.Status.DECLINED)
        assert live.count() == 1
        refused = next(o for o in outcomes if isinstance(o, services.ExemplarError))
        assert "类型：该走访已被推荐为“好做法”" in str(refused)
        live.update(status=Exemplar.Status.DECLINED)  # may be nominated again, as after a decline


@pytest.mark.parametrize("who", ["superuser", "xuanchuan", "office", "leader", "dept", "village2", "handler",
                                 "auditor", "outsider"])
def test_who_reviews_and_who_records_consent_follow_one_rule(typical, who):
    """One rule for both: the 宣传报道组 over the campaign reviews; whoever reviews may also record the resident's
    consent, as the office and the nominator may. A superuser, the break-glass account that holds every permission
    (decision 0043, docs/security.md), does both, let in by the one area check (scope.holds_campaign_area)."""
    from django.contrib.auth import get_user_model

    from zoufang.exemplars import access

    users = {**typical.users, "superuser": get_user_model().objects.create_superuser("root", "", "Zf-root-2017!")}
    exemplar = nominate(typical)
    user = users[who]
    reviews = access.reviews(user, exemplar.campaign)
    consents = services.may_record_consent(user, exemplar)
    assert reviews == (who in {"superuser", "xuanchuan"})
    assert consents == (who in {"superuser", "xuanchuan", "office", "dept"})  # dept: the nominator
    assert consents or not reviews  # whoever reviews records consent too
