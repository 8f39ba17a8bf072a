"""The day a campaign's plan is first given (written) is kept: the pace counts from it when the rule's own start is
earlier (oversight/pace.py, decision 0041). A preview gives nothing; a later re-plan does not move the day. Every
change of the day is audited (who, old → new): the planner's, and the administrator's in the admin."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.demo.loader import SeedFigures
from zoufang.oversight.tests.conftest import FILES, VILLAGES
from zoufang.planning.services import run_plan
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town


def test_it_keeps_the_day_the_plan_was_first_given(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.ZOUFANG_TODAY = "2017-06-16"
    campaign = build_town(tmp_path, "周庄镇", "zhouzhuang-test", SeedFigures(VILLAGES, [("综治办", 2)]), FILES,
                          REGISTRY_STEPS)
    run_plan(campaign, dry_run=True)
    assert Campaign.objects.get(pk=campaign.pk).plan_given_on is None

    office = get_user_model().objects.create(username="planner", first_name="走访办")
    run_plan(campaign, by=office)
    assert Campaign.objects.get(pk=campaign.pk).plan_given_on == dt.date(2017, 6, 16)

    settings.ZOUFANG_TODAY = "2017-07-02"
    run_plan(campaign, by=office)
    assert Campaign.objects.get(pk=campaign.pk).plan_given_on == dt.date(2017, 6, 16)
    # The day is given once, and that is audited on its own: who, old → new.
    given = [(e.actor, e.changes["plan_given_on"]) for e in AuditEvent.objects.filter(
        object_type="campaigns.Campaign", object_id=str(campaign.public_id)).order_by("seq")
        if "plan_given_on" in e.changes]
    assert given == [(office, [None, "2017-06-16"])]
