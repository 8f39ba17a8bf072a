"""The submission inserts its visit and answers with core.rawrows.Inserts: the rows, the signals and the
instances must be what `save()` makes, on SQLite and PostgreSQL."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save, pre_save

from zoufang.core.rawrows import Inserts
from zoufang.forms.models import Form, FormAnswer
from zoufang.oversight.models import VisitedTarget
from zoufang.visits.models import Visit

pytestmark = pytest.mark.django_db

COMPARED = ["campaign_id", "target_id", "cadre_id", "visited_at", "mode", "summary", "co_visitors", "latitude",
            "longitude", "location_accuracy", "settled_on_spot", "registration_due", "recorded_late",
            "created_by_id", "modified_by_id", "version", "content_hash"]


def _visit(town: Any, target: Any) -> Visit:
    return Visit(campaign=town.campaign, target=target, cadre=town.users["dept"].cadre, client_uuid=uuid.uuid4(),
                 content_hash="a" * 64, visited_at=dt.datetime(2017, 6, 14, 2, 30, tzinfo=dt.UTC), mode="home",
                 summary="了解情况", created_by=town.users["dept"])


def test_a_visit_inserted_is_the_visit_save_makes_and_its_listeners_hear_it(visiting):
    heard: list[tuple[str, Any, bool]] = []

    def before(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(("pre", instance, instance._state.adding))

    def after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post", instance, created and instance.pk is not None))

    pre_save.connect(before, sender=Visit, dispatch_uid="test-inserts-pre")
    post_save.connect(after, sender=Visit, dispatch_uid="test-inserts-post")
    try:
        inserted, saved = _visit(visiting, visiting.enterprise), _visit(visiting, visiting.households["shangxiatang"][0])
        Inserts(Visit).save([inserted])
        saved.save()
    finally:
        pre_save.disconnect(dispatch_uid="test-inserts-pre", sender=Visit)
        post_save.disconnect(dispatch_uid="test-inserts-post", sender=Visit)
    assert heard[:2] == [("pre", inserted, True), ("post", inserted, True)]
    assert not inserted._state.adding
    assert inserted._state.db == saved._state.db
    assert inserted.created_at is not None
    assert inserted.modified_at is not None
    stored = Visit.objects.get(pk=inserted.pk)
    assert stored.public_id == inserted.public_id
    assert stored.client_uuid == inserted.client_uuid
    twin = Visit.objects.get(pk=saved.pk)
    assert {f: getattr(stored, f) for f in COMPARED if f != "target_id"} == \
        {f: getattr(twin, f) for f in COMPARED if f != "target_id"}
    # The kept counts' listeners ran in the same transaction: the target's visit row is there.
    assert VisitedTarget.objects.filter(campaign=visiting.campaign, target=visiting.enterprise).exists()


def test_several_answers_get_their_own_keys_in_order_and_a_duplicate_key_is_refused(visiting):
    visit = _visit(visiting, visiting.enterprise)
    Inserts(Visit).save([visit])
    forms = list(Form.objects.filter(key__in=["enterprise_survey", "six_ones_form"]).order_by("key"))
    answers = [FormAnswer(visit=visit, form=form, form_version=form.versions.order_by("-number").first(),
                          data={"n": index}) for index, form in enumerate(forms)]
    Inserts(FormAnswer).save(answers)
    assert [FormAnswer.objects.get(pk=a.pk).data for a in answers] == [{"n": 0}, {"n": 1}]
    again = _visit(visiting, visiting.enterprise)
    again.client_uuid = visit.client_uuid
    with pytest.raises(IntegrityError), transaction.atomic():
        Inserts(Visit).save([again])
