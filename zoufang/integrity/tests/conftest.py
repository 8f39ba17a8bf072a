"""The visits tests' town with a campaign, questionnaires and the 派出所 party member assigned, and a cadre who
entered a month's visits at the desk in one evening."""

import datetime as dt
import uuid
from typing import Any

import pytest

from zoufang import clock
from zoufang.visits.models import Visit
from zoufang.visits.tests.conftest import visiting

__all__ = ["desk_entry", "visiting"]
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _visit(town: Any, target: Any, at: dt.datetime, recorded: dt.datetime, summary: str = "") -> Visit:
    with clock.frozen(recorded):
        return Visit.objects.create(campaign=town.campaign, target=target, cadre=town.users["dept"].cadre,
                                    client_uuid=uuid.uuid4(), content_hash="x", visited_at=at,
                                    mode=Visit.Mode.HOME, summary=summary)


@pytest.fixture
def desk_entry(visiting: Any) -> list[Visit]:
    """Six visits of May written up together one evening in June (批量补录), and one honest visit."""
    targets = [*visiting.households["shangxiatang"], *visiting.households["jijiadun"], visiting.enterprise]
    sitting = dt.datetime(2017, 6, 12, 21, 0, tzinfo=BEIJING)
    batch = [_visit(visiting, targets[i % len(targets)], dt.datetime(2017, 5, 2 + 3 * i, 10, tzinfo=BEIJING),
                    sitting + dt.timedelta(minutes=3 * i), summary=f"第{i}次") for i in range(6)]
    _visit(visiting, targets[0], dt.datetime(2017, 6, 13, 10, tzinfo=BEIJING),
           dt.datetime(2017, 6, 13, 19, tzinfo=BEIJING))
    return batch
