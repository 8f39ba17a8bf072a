"""The planner's fast write path (COPY / raw rows, the proof's counting in SQL) keeps its results to the row.

The digests below were taken with the planner as it stood before the fast path (main at 9ad0645): every
assignment (target, unit, cadre, pin) and every quota row (visitor, village, kind, count, source) of a plan
from scratch, and of the re-plan after five cadres leave, on the 锦溪镇 demo; and the plan of a generated
town of the benchmark's shape. A change of the planner's results must change them on purpose.

The demo's two digests were taken again when 附件4-1 became one source (“附件4-1”) instead of one per column
(“附件4-1（户籍户口）”, “附件4-1（外来常住户）”): with the quota rows' sources named the old way, the new plans hash
to the old digests exactly — the same assignments and quotas, only the source's name changed.
"""

import datetime as dt
import hashlib

import pytest

from zoufang.campaigns.models import Campaign
from zoufang.oversight import counters
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.models import Assignment, Quota
from zoufang.planning.services import run_plan
from zoufang.registry.models import Cadre

DEMO_FROM_SCRATCH = "170ce4ac452b4cb7c2bf3099ca5308b182be87708d2d23335f22294c0300997a"
DEMO_AFTER_FIVE_LEFT = "960ae64a155ae5f3404e00fd0f8fb9dd2bc203a45c5d8c69b66e9a7f5369ccad"
BENCH_TOWN = "9531b4711842ec0780779e730d96e97c1b69ec76aec1de2a9fad81ba717de543"


def plan_digest(campaign: Campaign) -> tuple[int, str]:
    """(assignments, sha256 of the plan by names): ids differ between databases, names and order do not."""
    lines = sorted(
        f"A|{kind}|{target}|{address}|{unit}|{cadre or ''}|{pinned}"
        for kind, target, address, unit, cadre, pinned in Assignment.objects.filter(campaign=campaign).values_list(
            "target__kind", "target__name", "target__address", "unit__name", "cadre__name", "pinned"))
    count = len(lines)
    lines += sorted(
        f"Q|{unit}|{cadre or ''}|{region or ''}|{kind}|{n}|{source}"
        for unit, cadre, region, kind, n, source in Quota.objects.filter(campaign=campaign).values_list(
            "unit__name", "cadre__name", "region__name", "target_kind", "count", "source"))
    return count, hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_the_demo_plans_as_before_from_scratch_and_after_five_cadres_leave(demo, db):
    Assignment.objects.filter(campaign=demo).delete()
    run_plan(demo)
    assert is_clean(check_plan(demo))
    assert plan_digest(demo) == (18_126, DEMO_FROM_SCRATCH)
    assert counters.verify(demo.pk).ok

    leaving = list(Cadre.objects.filter(role=Cadre.Role.PARTY_MEMBER).order_by("unit__sort_order", "id")[::70][:5])
    Cadre.objects.filter(pk__in=[c.pk for c in leaving]).update(archived_on=dt.date(2017, 6, 1))
    report = run_plan(demo)
    assert report.moved
    assert plan_digest(demo) == (18_126, DEMO_AFTER_FIVE_LEFT)
    assert counters.verify(demo.pk).ok


@pytest.mark.django_db
def test_a_generated_town_of_the_benchmarks_shape_plans_as_before():
    from zoufang.planning.bench import build_city

    campaign, targets = build_city("基准镇", 0.002)
    run_plan(campaign)
    assert is_clean(check_plan(campaign))
    assert plan_digest(campaign) == (targets, BENCH_TOWN)
    assert counters.verify(campaign.pk).ok
