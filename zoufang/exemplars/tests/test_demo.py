"""The 锦溪镇 demo's 典型: published ones (one the resident agreed to be named in), one waiting for the 宣传报道组,
in the 简报 of June, and the 宣传报道组's own account."""

import datetime as dt

from django.contrib.auth import get_user_model

from zoufang.accounts import scope
from zoufang.documents.content import briefing
from zoufang.exemplars import presenters
from zoufang.exemplars.models import Exemplar


def test_the_demo_has_published_pending_and_consented_typical_cases(demo, db):
    rows = list(Exemplar.objects.filter(campaign=demo))
    assert sum(e.status == Exemplar.Status.PUBLISHED for e in rows) >= 2
    assert sum(e.status == Exemplar.Status.PENDING for e in rows) == 1
    consented = [e for e in rows if e.has_consent]
    assert len(consented) == 1
    assert consented[0].consent_person in presenters.public_text(consented[0])
    text = briefing(demo, dt.date(2017, 6, 1), dt.date(2017, 6, 15), dt.date(2017, 6, 15)).sections
    typical = next(s for s in text if s["key"] == "typical")["text"]
    assert "路灯坏了" in typical
    assert "社区网格员随访" not in typical  # pending: not in the 简报


def test_the_publicity_account_sees_the_regions_and_no_resident(demo, db):
    xuanchuan = get_user_model().objects.get(username="xuanchuan")
    assert scope.roles(xuanchuan) == {"publicity"}
    assert scope.visible_regions(xuanchuan).filter(pk=demo.scope.pk).exists()
    assert not scope.visible_targets(xuanchuan).exists()
    assert not scope.visible_visits(xuanchuan).exists()
