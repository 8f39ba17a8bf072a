"""全覆盖 on the 锦溪镇 2017 demo: the figures equal counts taken directly, and the kept read equals the recount."""

from typing import Any

from zoufang import clock
from zoufang.oversight import fullcoverage as fc
from zoufang.oversight.access import Reach
from zoufang.registry.models import Target
from zoufang.visits.models import Visit


def test_on_the_demo_the_hardship_households_visited_are_the_direct_count(demo: Any, db: Any) -> None:
    hardship = Target.objects.filter(hardship=True, archived_on__isnull=True, region__path__startswith=demo.scope.path,
                                     kind__in=Target.HOUSEHOLD_KINDS)
    direct = Visit.objects.filter(campaign=demo, target__in=hardship).values("target_id").distinct().count()
    assert direct > 0
    whole = Reach(demo, whole=True)
    kept = {getattr(i, "requirement", i).key: i for i in fc.full_coverage(whole, clock.today()).items}
    recounted = {getattr(i, "requirement", i).key: i for i in fc.full_coverage(whole, clock.today(), recount=True).items}
    assert kept["hardship_households"].total.visited == direct
    assert kept["hardship_households"].total.targets == hardship.count()
    for key in ("households", "hardship_households", "key_enterprises_projects"):
        a, b = kept[key], recounted[key]
        assert (a.total.targets, a.total.assigned, a.total.visited) == (b.total.targets, b.total.assigned,
                                                                        b.total.visited), key
        assert [(r.label, r.targets, r.assigned, r.visited) for r in a.villages] == \
            [(r.label, r.targets, r.assigned, r.visited) for r in b.villages], key
        assert [(r.label, r.assigned, r.visited) for r in a.units] == [(r.label, r.assigned, r.visited)
                                                                       for r in b.units], key
    assert kept["villages_linked"].linked == len(kept["villages_linked"].villages) == 22
