"""Seed 002's rules on a synthetic 孟河镇: leaders' 3+3+3 and 3 村民小组, departments 1–2 villages and ≥30
households per cadre, village cadres take the rest, and 上下谈一级."""

from collections import Counter, defaultdict

import pytest

from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.menghe import DEPARTMENTS, build_menghe_town
from zoufang.planning.models import Assignment
from zoufang.planning.services import run_plan
from zoufang.registry.models import Cadre, Target

HOUSEHOLDS = (Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.RESIDENT_HOUSEHOLD)


@pytest.fixture
def menghe(db):
    campaign = build_menghe_town()
    report = run_plan(campaign)
    return campaign, report


def test_it_covers_every_target_of_the_synthetic_town_exactly_once(menghe):
    campaign, _report = menghe
    result = check_plan(campaign)
    assert is_clean(result), result
    assert result["targets"]["cadre"] > 0
    assert build_menghe_town() == campaign  # a second build changes nothing
    assert run_plan(campaign, dry_run=True).changed == 0


def test_it_gives_each_leader_3_key_enterprises_3_smes_3_key_projects_and_3_groups(menghe):
    campaign, _report = menghe
    for leader in Cadre.objects.filter(unit__name="镇党政班子", unit__region=campaign.scope):
        mine = Assignment.objects.filter(campaign=campaign, cadre=leader).select_related("target__region")
        enterprises = [a.target for a in mine if a.target.kind == Target.Kind.ENTERPRISE]
        assert sum(t.is_key for t in enterprises) == 3
        assert sum(not t.is_key and t.scale == Target.Scale.SMALL_MEDIUM for t in enterprises) == 3
        assert len(enterprises) == 6
        projects = [a.target for a in mine if a.target.kind == Target.Kind.PROJECT]
        assert len(projects) == 3
        assert all(t.is_key for t in projects)
        groups = {a.target.region_id for a in mine if a.target.kind in HOUSEHOLDS}
        assert len(groups) == 3
        posted = leader.linked_regions.get()
        assert {g.parent_id for g in posted.children.filter(pk__in=groups)} == {posted.pk}
        # whole groups: every household of those groups is the leader's
        for group in groups:
            assert not Target.objects.filter(region_id=group, kind__in=HOUSEHOLDS).exclude(
                assignments__cadre=leader).exists()


def test_it_keeps_departments_in_two_villages_with_30_households_per_cadre(menghe):
    campaign, report = menghe
    villages = defaultdict(set)
    per_cadre = Counter()
    mine = Assignment.objects.filter(campaign=campaign, cadre__role=Cadre.Role.PARTY_MEMBER)
    assert set(mine.values_list("target__kind", flat=True)) == {*HOUSEHOLDS, Target.Kind.CADRE}  # heads talk to staff
    for a in mine.filter(target__kind__in=HOUSEHOLDS).select_related("target__region__parent", "unit"):
        villages[a.unit.name].add(a.target.region.parent_id)
        per_cadre[a.cadre_id] += 1
    assert len(villages) == len(DEPARTMENTS) + 1  # and 党委宣统口, which also leads the 名士 visits
    spread = {u["unit"] for u in report.spread_units}
    assert all(len(v) <= 2 or unit in spread for unit, v in villages.items())
    assert set(per_cadre.values()) == {30}
    assert len(per_cadre) == Cadre.objects.filter(role=Cadre.Role.PARTY_MEMBER, unit__region__path__startswith=campaign.scope.path).count()


def test_it_pairs_every_cadre_with_the_one_a_level_above(menghe):
    campaign, _report = menghe
    interviews = Assignment.objects.filter(campaign=campaign, target__kind=Target.Kind.CADRE).select_related(
        "target__cadre")
    assert interviews.count() == Cadre.objects.filter(unit__region__path__startswith=campaign.scope.path, supervisor__isnull=False).count()
    for a in interviews:
        assert a.cadre_id == a.target.cadre.supervisor_id


def test_it_gives_every_notable_person_to_the_united_front_office_to_lead(menghe):
    """Seed 002 §四4: 名士 “由镇党委宣统口牵头”, in the villages and those registered under the town alike."""
    campaign, report = menghe
    notables = Target.objects.filter(kind=Target.Kind.NOTABLE_PERSON)
    assert notables.count() == 8 * 2 + 6
    held = Assignment.objects.filter(campaign=campaign, target__in=notables)
    assert held.count() == notables.count()
    assert set(held.values_list("unit__name", "cadre")) == {("党委宣统口", None)}  # it places its people
    assert check_plan(campaign)["unassigned"]["notable_person"] == 0
    # Its three cadres still visit households like every department's (≥30 each).
    for cadre in Cadre.objects.filter(unit__name="党委宣统口", unit__region=campaign.scope):
        mine = Assignment.objects.filter(campaign=campaign, cadre=cadre, target__kind__in=HOUSEHOLDS).count()
        assert mine >= 30


def test_it_passes_an_interview_up_when_the_one_above_has_left(menghe):
    """A department head leaves: their staff are interviewed by the head's own superior, and the plan still proves."""
    import datetime as dt

    campaign, _report = menghe
    head = Cadre.objects.filter(unit__region=campaign.scope, role=Cadre.Role.PARTY_MEMBER,
                                reports__isnull=False, supervisor__isnull=False).distinct().order_by("id").first()
    staff = list(head.reports.all())
    Cadre.objects.filter(pk=head.pk).update(archived_on=dt.date(2018, 3, 15))
    report = run_plan(campaign)
    assert is_clean(check_plan(campaign))
    for cadre in staff:
        assert Assignment.objects.get(campaign=campaign, target__cadre=cadre).cadre_id == head.supervisor_id
    assert any("由更上一级访谈" in note for note in report.notes)


def test_an_imported_household_table_counts_in_a_town_that_plans_households_as_one_class(db):
    """Seed 002 plans 群众家庭 (registered and resident together); an imported 附件 row is stored per kind
    (户籍户 by default). The planner matched the stored kind against its class and silently planned as if the
    table did not exist; a leader's decided row now stands, as in a town that plans the kinds apart."""
    from zoufang.planning.models import FixedQuota

    campaign = build_menghe_town()
    leader = Cadre.objects.filter(unit__name="镇党政班子", unit__region=campaign.scope).order_by("pk").first()
    village = leader.linked_regions.order_by("pk").first()
    FixedQuota.objects.create(campaign=campaign, table=FixedQuota.Table.LEADER_HOUSEHOLDS, source="附件3-1",
                              row_number=3, label=leader.name, cadre=leader, region=village,
                              target_kind=Target.Kind.REGISTERED_HOUSEHOLD, count=7)
    run_plan(campaign)
    held = Assignment.objects.filter(campaign=campaign, cadre=leader, target__kind__in=HOUSEHOLDS)
    assert held.count() == 7
    assert {a.target.region.path.startswith(village.path) for a in held.select_related("target__region")} == {True}
