"""The demo's upper-level unit at work: 市府办 (附件2, 干家甸社区 and 顾家浜村) sends two of its own people, who
have visited a few of its households by the demo day, so its account (fuban) shows progress, not only quotas.

The plan gives 市府办 counts only (no cadre on its assignments: the unit names its own people), so the visits are
recorded against the unit's assignments with its cadres as visitors. Deterministic and safe to run twice.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.demo.loader import UPPER_UNIT
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre
from zoufang.registry.unitnames import named
from zoufang.visits import rules
from zoufang.visits.demo import honest_note, record_demo_visit, varied_fill

VISITORS = [("顾文涛", "科员"), ("沈佳怡", "科员")]
VISITED = 12  # of its households, one every few days from 3 April
FIRST_DAY = dt.date(2017, 4, 3)


def upper_unit_visits(campaign: Any, say: Callable[[str], Any]) -> None:
    unit = named(UPPER_UNIT, campaign.scope)  # a shared unit, as the campaign's town sees it (decision 0032)
    if unit is None:
        return
    visitors = [Cadre.objects.get_or_create(unit=unit, name=name, defaults={"role": Cadre.Role.OTHER, "title": title,
                                                                            "is_demo": True})[0]
                for name, title in VISITORS]
    mine = Assignment.objects.filter(campaign=campaign, unit=unit).select_related("target").order_by("id")
    created = 0
    rng = random.Random(f"{campaign.slug}:{UPPER_UNIT}")  # noqa: S311 - demo data, not security
    for index, assignment in enumerate(mine[:VISITED]):
        cadre = visitors[index % len(visitors)]
        day = FIRST_DAY + dt.timedelta(days=5 * index)
        visited_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + index % 6, 0)))
        created += record_demo_visit(
            campaign, assignment, visited_at, mode=rules.allowed_modes(campaign, assignment.target, cadre)[0],
            fill=varied_fill(rng), opinions=[], categories={}, cadre=cadre,
            summary=honest_note(rng, assignment.target, []),
        )
    say(_("上级单位走访演示（%(upper_unit)s）：新增 %(created)s 条") % {"upper_unit": UPPER_UNIT, "created": created})
