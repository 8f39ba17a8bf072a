"""The 锦溪镇 2017 demo, built once for this module through the office's import path."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from zoufang.accounts import scope
from zoufang.demo.loader import load_demo
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.regions.positions import distance_m
from zoufang.registry.models import Cadre, PositionSource, Target, Unit


@pytest.fixture
def stats(demo, db):
    out = StringIO()
    call_command("stats", campaign="jinxi-2017", json=True, stdout=out)
    return json.loads(out.getvalue())


def test_it_has_the_seeds_villages_and_households(stats):
    assert stats["regions"]["village"] == 22
    assert stats["regions"]["town"] == 1
    assert stats["targets"]["registered_household"] == 13815
    assert stats["targets"]["resident_household"] == 3017
    assert stats["targets"]["enterprise"] == 1260


def test_it_has_the_leaders_and_the_departments_party_members(stats):
    assert stats["cadres"]["town_leader"] == 15
    assert stats["cadres"]["party_member"] == 365


def test_it_gives_each_village_its_registered_household_count(demo, db):
    shangxiatang = Region.objects.get(name="上下塘社区", parent=demo.scope)
    assert Target.objects.filter(
        kind=Target.Kind.REGISTERED_HOUSEHOLD, region__path__startswith=shangxiatang.path
    ).count() == 2667
    assert Target.objects.filter(
        kind=Target.Kind.REGISTERED_HOUSEHOLD, region__path__startswith=Region.objects.get(name="阮家浜村").path
    ).count() == 215


def test_it_keeps_the_29_departments_with_their_party_members(demo, db):
    departments = Unit.objects.filter(kind=Unit.Kind.TOWN_DEPARTMENT)
    assert departments.count() == 29
    police = departments.get(name="派出所")
    assert police.party_member_count == 31
    assert police.cadres.count() == 31


def test_it_stores_the_upper_levels_tables_as_fixed_quotas(demo, db):
    quotas = FixedQuota.objects.filter(campaign=demo)
    households = quotas.filter(target_kind=Target.Kind.REGISTERED_HOUSEHOLD)
    assert sum(q.count for q in households.filter(source="附件1")) == 1360
    assert sum(q.count for q in households.filter(source="附件2")) == 9880
    assert sum(q.count for q in households.filter(source="附件3-1")) == 750
    enterprises = quotas.filter(target_kind=Target.Kind.ENTERPRISE)
    assert sum(q.count for q in enterprises.filter(source="附件1")) == 53
    assert sum(q.count for q in enterprises.filter(source="附件2")) == 101
    assert sum(q.count for q in enterprises.filter(source="附件3-2")) == 300
    gujiabang = households.get(source="附件2", region__name="顾家浜村", units__name="市府办")
    assert gujiabang.count == 67


def test_it_names_the_leaders_with_their_linked_villages(demo, db):
    wangwen = Cadre.objects.get(name="王文")
    assert wangwen.role == Cadre.Role.TOWN_LEADER
    assert set(wangwen.linked_regions.values_list("name", flat=True)) == {"周家浜村", "马援庄村", "三联村", "孟子浜村", "虬泽村"}
    assert Cadre.objects.get(name="吴恽").supervisor == wangwen


def test_it_marks_synthetic_residents_as_demo_data(demo, db):
    assert not Target.objects.filter(is_demo=False).exists()


def test_its_enterprises_and_projects_name_whom_to_ask_for(demo, db):
    kinds = (Target.Kind.ENTERPRISE, Target.Kind.PROJECT)
    assert not Target.objects.filter(kind__in=kinds, contact_name="").exists()
    assert not Target.objects.filter(kind=Target.Kind.ENTERPRISE, legal_representative="").exists()


def test_every_village_and_target_has_a_plausible_position(demo, db):
    villages = Region.objects.filter(level=Region.Level.VILLAGE, path__startswith=demo.scope.path)
    assert not villages.filter(latitude__isnull=True).exists()
    targets = Target.objects.filter(region__path__startswith=demo.scope.path).select_related("region")
    assert not targets.filter(latitude__isnull=True).exclude(region__level=Region.Level.TOWN).exists()
    assert {t.position_source for t in targets if t.latitude is not None} == set(PositionSource)
    centre = (31.183, 120.905)  # 锦溪 old town
    for village in villages:
        assert distance_m(float(village.latitude), float(village.longitude), *centre) < 6000, village.name
    for target in targets.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD)[:500]:
        village = target.region.parent if target.region.level == Region.Level.GRID else target.region
        while village.level != Region.Level.VILLAGE:
            village = village.parent
        assert distance_m(float(target.latitude), float(target.longitude),
                          float(village.latitude), float(village.longitude)) < 800


def test_it_links_a_centre_household_to_every_grid(demo, db):
    grids = Region.objects.filter(level=Region.Level.GRID, path__startswith=demo.scope.path)
    assert grids.exists()
    assert not grids.filter(centre_household__isnull=True).exists()
    grid = grids.first()
    assert grid.centre_household.region == grid


def test_it_creates_the_demo_accounts_with_their_scope(demo, db):
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    village_targets = scope.visible_targets(users["village"])
    shangxiatang = Region.objects.get(name="上下塘社区")
    assert village_targets.count() == Target.objects.filter(region__path__startswith=shangxiatang.path).count()
    assert not village_targets.exclude(region__path__startswith=shangxiatang.path).exists()
    assert scope.visible_targets(users["outsider"]).count() == 0
    assert users["dept"].cadre.unit.name == "派出所"
    assert users["leader"].cadre.name == "王文"
    assert users["village"].first_name == users["village"].cadre.name
    # The one published password hashed once for every demo account (accounts.services.demo_password).
    assert len({user.password for user in users.values()}) == 1
    assert users["office"].check_password(settings.ZOUFANG_DEMO_PASSWORD)


def test_it_has_a_callback_round_in_progress_for_the_survey_company(demo, db):
    from django.contrib.auth import get_user_model

    from zoufang.callbacks import access, findings
    from zoufang.callbacks.models import CallbackBatch
    from zoufang.callbacks.sampling import redraw_matches

    batch = CallbackBatch.objects.get(campaign=demo)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["minyi", "auditor", "office"])}
    assert batch.is_open
    assert batch.caller.name == "苏州民意调查有限公司"
    assert redraw_matches(batch)
    assert all(access.is_caller(users[name], batch) for name in ("minyi", "auditor"))
    samples = list(batch.samples.all())
    outcomes = {s.outcome for s in samples}
    assert {"", "confirmed", "different", "refused", "unreachable", "not_visited"} <= outcomes
    assert {s.verification for s in samples} >= {"pending", "upheld"}
    assert any(s.says_unanswered and findings.answered_cases(s).exists() for s in samples)


def test_it_reloads_without_changing_anything(demo, db):
    before = Target.objects.count(), Cadre.objects.count(), FixedQuota.objects.count()
    load_demo()
    assert (Target.objects.count(), Cadre.objects.count(), FixedQuota.objects.count()) == before


def test_its_integrity_flags_point_at_the_planted_fabricators_and_hardly_anyone_else(demo, db):
    from django.contrib.auth import get_user_model

    from zoufang.integrity import flags
    from zoufang.visits.demo import CADRE_ACCOUNTS
    from zoufang.visits.models import Visit

    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[username for username, _label, _pattern in CADRE_ACCOUNTS]).select_related("cadre")}
    cadre_of = {pattern: users[username].cadre.pk for username, _label, pattern in CADRE_ACCOUNTS}
    assert len({users[username].cadre.unit_id for username in users}) == len(CADRE_ACCOUNTS)
    kinds: dict[int, set[str]] = {}
    for cadre_flags in flags.by_cadre(demo):
        kinds[cadre_flags.cadre.pk] = {f.kind for f in cadre_flags.flags if f.is_open or f.is_upheld}
        if cadre_flags.upheld_flags:  # the office has upheld (查实) one flag, the desk-entry fabricator's
            assert cadre_flags.cadre.pk == cadre_of["desk_bulk"]
            assert [f.kind for f in cadre_flags.upheld_flags] == ["late_bulk"]
    assert "late_bulk" in kinds[cadre_of["desk_bulk"]]
    assert {"copied_text"} <= kinds[cadre_of["copied_text"]]
    assert {"distance", "pace"} <= kinds[cadre_of["phantom"]]
    assert cadre_of[""] not in kinds
    # The honest: at most two with a flag, each only what the callback round found (a visit remembered as a call).
    honest = {pk: found for pk, found in kinds.items() if pk not in cadre_of.values()}
    assert len(honest) <= 2
    assert all(found <= {"callbacks"} for found in honest.values())
    # "Not visited" answers fall on the fabricators' visits.
    not_visited = set(Visit.objects.filter(callback_samples__outcome="not_visited").values_list("cadre_id", flat=True))
    assert len(not_visited) >= 1
    assert not_visited <= set(cadre_of.values())
    # The honest notes differ: hardly two alike (a few short “无诉求” ones may be).
    summaries = list(Visit.objects.filter(campaign=demo).values_list("summary", flat=True))
    assert len(set(summaries)) > 0.9 * len(summaries)


def test_its_office_has_issued_a_circular_and_the_first_briefing_from_the_demo_s_figures(demo, db):
    import hashlib

    from zoufang.documents.models import Document
    from zoufang.oversight import figures

    issued = {d.kind: d for d in Document.objects.filter(campaign=demo, status=Document.Status.ISSUED)}
    assert set(issued) == {"circular", "briefing", "special"}
    circular, briefing = issued["circular"], issued["briefing"]
    assert circular.reference == "锦走访办〔2017〕1号"
    assert briefing.reference == "第1期"
    assert (issued["special"].reference, issued["special"].subject["kind"]) == ("第1期", "category")  # its own series
    assert (str(circular.period_starts_on), str(circular.period_ends_on)) == ("2017-04-01", "2017-06-15")
    for document in (circular, briefing):
        assert hashlib.sha256(bytes(document.content)).hexdigest() == document.sha256
    # The circular's progress paragraph quotes the dashboard's own figure for the campaign.
    total = figures.coverage(demo, "unit", circular.period_ends_on).total
    progress = next(s["text"] for s in circular.sections if s["key"] == "progress")
    assert f"已走访{total.visited}个" in progress.replace(" ", "")
