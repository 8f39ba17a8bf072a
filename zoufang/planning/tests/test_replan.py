"""Change without upheaval: cadres leave, pins survive, the department tables are left to the planner."""

import datetime as dt

from zoufang.accounts.models import AuditEvent
from zoufang.oversight import counters
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.models import Assignment, FixedQuota, Quota
from zoufang.planning.services import reassign, run_plan, set_pinned
from zoufang.registry.models import Cadre


def test_it_moves_only_the_targets_of_five_cadres_who_left(demo, db):
    leaving = list(Cadre.objects.filter(role=Cadre.Role.PARTY_MEMBER).order_by("unit__sort_order", "id")[::70][:5])
    theirs = set(Assignment.objects.filter(campaign=demo, cadre__in=leaving).values_list("target_id", flat=True))
    before = dict(Assignment.objects.filter(campaign=demo).values_list("target_id", "cadre_id"))
    Cadre.objects.filter(pk__in=[c.pk for c in leaving]).update(archived_on=dt.date(2017, 6, 1))

    preview = run_plan(demo, dry_run=True)
    assert Assignment.objects.filter(campaign=demo, cadre__in=leaving).count() == len(theirs)  # nothing applied
    report = run_plan(demo)

    after = dict(Assignment.objects.filter(campaign=demo).values_list("target_id", "cadre_id"))
    moved = {t for t in before if before[t] != after.get(t)}
    assert moved == theirs
    assert {m.target_id for m in report.moves} == theirs == {m.target_id for m in preview.moves}
    assert all(m.after for m in report.moves)
    leaving_names = {f"{c.unit.name} {c.name}" for c in leaving}
    assert {m.before for m in report.moves} == leaving_names
    result = check_plan(demo)
    assert is_clean(result)
    assert AuditEvent.objects.filter(action="update", summary__startswith="重新分配").exists()
    assert counters.verify(demo.pk).ok  # the kept coverage counts were rebuilt with the plan


def test_it_keeps_the_offices_pins_through_replanning(demo, db):
    first, other = Assignment.objects.filter(
        campaign=demo, cadre__role=Cadre.Role.PARTY_MEMBER, target__kind="registered_household").order_by("id")[:2]
    set_pinned(first, True, by=None)
    moved = reassign(other, first.cadre_id, by=None)  # by hand, to a colleague: pinned too
    assert moved.pinned
    report = run_plan(demo)
    first.refresh_from_db()
    moved.refresh_from_db()
    assert first.pinned
    assert moved.pinned
    assert moved.cadre_id == first.cadre_id
    assert report.moved <= 1  # the pinned extra pushes at most one of the colleague's own households away
    assert AuditEvent.objects.filter(action="update", object_type="planning.Assignment").count() == 2
    assert counters.verify(demo.pk).ok  # moved by hand (reassign), then by the planner


def test_it_computes_the_departments_tables_from_the_rules_when_the_town_has_not(demo, db):
    FixedQuota.objects.filter(campaign=demo, table__in=["unit_households", "unit_enterprises"]).delete()
    Assignment.objects.filter(campaign=demo).delete()
    report = run_plan(demo)
    assert is_clean(check_plan(demo))
    assert not check_plan(demo)["relaxations"]
    assert report.relaxed == []

    def unit_total(name, kind):
        return sum(Quota.objects.filter(campaign=demo, unit__name=name, target_kind=kind)
                   .values_list("count", flat=True))

    # 附件4-2 follows from the rule exactly: 经服中心 13 → 37, 农服中心 12 → 24.
    assert unit_total("机关二支部", "enterprise") == 129
    assert unit_total("经服中心", "enterprise") == 37
    assert unit_total("农服中心", "enterprise") == 24
    assert unit_total("派出所", "registered_household") == 155
    # 附件4-1's own figures break its 8–9 rule (锦溪中学 168 < 22 × 8); by the rule the 97 extra
    # households go to the first 97 party members in the table's order.
    assert unit_total("锦溪中学", "resident_household") == 176
    assert unit_total("动迁办", "resident_household") == 80


def test_it_computes_the_leaders_table_as_the_seed_spreads_it_when_the_town_has_not(demo, db):
    """Without 附件3-1 each leader's 50 go evenly over their 挂钩 villages, 0 where nothing is left: the seed's
    own rows wherever the seed spreads evenly (王文 10 × 5, 吴洁 上下塘社区 50 and 干家甸社区 0 …)."""
    from zoufang.core.tabular import read_rows
    from zoufang.demo.loader import DATA
    from zoufang.planning import tables

    FixedQuota.objects.filter(campaign=demo, table="leader_households").delete()
    Assignment.objects.filter(campaign=demo).delete()
    run_plan(demo)
    assert is_clean(check_plan(demo))
    computed: dict[tuple[str, str], int] = {}
    for name, village, n in Quota.objects.filter(campaign=demo, cadre__role=Cadre.Role.TOWN_LEADER,
                                                 target_kind="registered_household").values_list(
            "cadre__name", "region__name", "count"):
        computed[(name, village)] = computed.get((name, village), 0) + n
    seed = {(r.leader, r.village): r.count for r in tables.parse_leader_table(
        read_rows(DATA / "annex3-1.csv"), with_villages=True).rows}
    # The town decided three leaders unevenly (吴恽 20/10/10/10, 陈勇 33/17, 顾强 31/19): the rule spreads them,
    # the odd ones to the villages first in the town's order.
    even = {("吴恽", "盛塘村"): 13, ("吴恽", "红霞村"): 13, ("吴恽", "张家厍村"): 12, ("吴恽", "袁甸村"): 12,
            ("陈勇", "联湖村"): 25, ("陈勇", "卫星村"): 25, ("顾强", "阮家浜村"): 25, ("顾强", "红霞村"): 25}
    assert computed == {key: n for key, n in seed.items() if key[0] not in {"吴恽", "陈勇", "顾强"}} | even
    assert computed[("吴洁", "干家甸社区")] == computed[("田野", "顾家浜村")] == 0
