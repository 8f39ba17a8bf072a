"""Issue 9 item 19: the seed-002 campaign (孟河镇) loaded as a second demo town beside 锦溪镇, reachable by its own
office and by no one else, with visits of the seed's four kinds and its forms 附件2-2、2-4…2-7 filled in."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test.utils import override_settings

from zoufang.accounts import scope
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.demo import menghe
from zoufang.demo import zhouzhuang as zhouzhuang_demo
from zoufang.demo.menghe import load_menghe_demo, shift_years
from zoufang.forms.models import FormAnswer
from zoufang.forms.services import check_answers
from zoufang.planning.models import Assignment
from zoufang.registry.models import Target
from zoufang.visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context
MENGHE = "/plan/?campaign=menghe-dazoufang"


@pytest.fixture
def users(both_towns):
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def demo_day(settings):
    settings.ZOUFANG_TODAY = "2017-06-15"  # as `make run` pins it


@pytest.fixture(scope="module")
def loaddemo_if_empty(both_towns, django_db_blocker):
    """`loaddemo --if-empty` run once on the two towns, on the demo day, as `make run` runs it on a database loaded
    before 周庄镇 was: its output. It loads 周庄镇 (15 s), which the module's last three tests share, each its own
    writes rolled back as usual; 周庄镇 itself goes with the module's savepoint (the tests that must not see it
    come before them)."""
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(ZOUFANG_TODAY="2017-06-15"):
        call_command("loaddemo", if_empty=True, stdout=out)
    return out.getvalue()


def _under(path):
    return lambda region: region.path.startswith(path)


def test_the_menghe_office_reaches_its_campaigns_plan_and_not_jinxis(both_towns, users, client):
    jinxi, campaign = both_towns
    client.force_login(users[menghe.OFFICE])
    page = client.get(MENGHE)
    assert page.status_code == 200
    text = page.content.decode()
    assert campaign.name in text
    assert "不重不漏：已核验" in text
    assert "孟河社区" in text
    assert "锦溪" not in text
    # Another town's campaign asked by name: its own plan instead, said so, nothing of 锦溪 (decision 0035).
    other = client.get("/plan/?campaign=jinxi-2017")
    assert other.context["campaign"] == campaign
    assert "所指的走访活动不存在或不在您的可见范围内" in other.content.decode()
    assert "锦溪" not in other.content.decode()
    assert client.get("/plan/").context["campaign"] == campaign


def test_the_jinxi_office_does_not_reach_menghe(both_towns, users, client):
    jinxi, campaign = both_towns
    client.force_login(users["office"])
    asked = client.get(MENGHE)  # 孟河's campaign asked by name: 锦溪's own plan, said so (decision 0035)
    assert asked.context["campaign"] == jinxi
    assert "所指的走访活动不存在或不在您的可见范围内" in asked.content.decode()
    assert "孟河" not in asked.content.decode()
    for url in ("/", "/visits/", "/cases/", "/targets/", "/regions/", "/plan/"):
        assert "孟河" not in client.get(url).content.decode(), url
    visit = Visit.objects.filter(campaign=campaign).first()
    assert client.get(f"/visits/{visit.public_id}/").status_code == 404
    case = Case.objects.filter(campaign=campaign).first()
    assert client.get(f"/cases/{case.public_id}/").status_code == 404


def test_each_office_sees_only_its_own_town(both_towns, users):
    from zoufang.cases.access import visible_cases

    for username, (own, other) in {"office": both_towns, menghe.OFFICE: both_towns[::-1]}.items():
        user = users[username]
        assert scope.visible_targets(user).exists()
        assert not scope.visible_targets(user).exclude(region__path__startswith=own.scope.path).exists()
        assert not scope.visible_targets(user).filter(region__path__startswith=other.scope.path).exists()
        assert list(scope.visible_campaigns(user)) == [own]
        assert list(scope.managed_campaigns(user)) == [own]
        assert scope.visible_visits(user).exists()
        assert not scope.visible_visits(user).exclude(campaign=own).exists()
        assert visible_cases(user).exists()
        assert not visible_cases(user).exclude(campaign=own).exists()
        assert not scope.visible_units(user).filter(region__path__startswith=other.scope.path).exists()


def test_the_menghe_office_reaches_home_visits_and_cases_of_menghe(both_towns, users, client, demo_day):
    _jinxi, campaign = both_towns
    client.force_login(users[menghe.OFFICE])
    home = client.get("/")
    assert home.context["campaign"] == campaign
    assert home.context["period"].state == "now"  # the demo day falls inside the campaign
    phases = {row.phase.key: row.state for row in home.context["phases"]}
    assert phases == {"concentrated_visits": "past", "lists_and_solutions": "past", "summary": "now",
                      "regular_visits": "future"}
    assert f'href="{MENGHE}"' in home.content.decode()  # the office's way to the plan of this campaign
    visits = client.get("/visits/")
    assert visits.status_code == 200
    assert len(visits.context["visits"]) == 20
    assert all(v.campaign_id == campaign.pk for v in visits.context["visits"])
    cases = client.get("/cases/")
    assert cases.status_code == 200
    assert "孟河" in cases.content.decode()
    assert "锦溪" not in cases.content.decode()


def test_the_campaign_runs_in_the_demo_year_with_the_shipped_month_and_day():
    shipped = {"period": {"starts_on": "2018-03-01", "ends_on": "2018-12-31"},
               "phases": [{"starts_on": dt.date(2016, 2, 29)}], "pace": {"complete_by": "2018-04-30", "note": "4月底"}}
    assert shift_years(shipped, -1) == {
        "period": {"starts_on": "2017-03-01", "ends_on": "2017-12-31"},
        "phases": [{"starts_on": dt.date(2015, 2, 28)}], "pace": {"complete_by": "2017-04-30", "note": "4月底"}}


def test_it_has_visits_of_the_four_kinds_with_their_forms_filled(both_towns):
    _jinxi, campaign = both_towns
    visits = Visit.objects.filter(campaign=campaign).select_related("target")
    kinds = set(visits.values_list("target__kind", flat=True))
    assert {Target.Kind.ENTERPRISE, Target.Kind.PROJECT, Target.Kind.CADRE, Target.Kind.NOTABLE_PERSON} <= kinds
    assert kinds & {Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.RESIDENT_HOUSEHOLD}
    answers = FormAnswer.objects.filter(visit__campaign=campaign).select_related("form", "form_version", "visit")
    by_form = {}
    for answer in answers:
        by_form.setdefault(answer.form.key, []).append(answer)
        assert check_answers(answer.form_version, answer.data)[1] == {}
    # 附件2-2 企业走访调查表, 2-4 村（社区）调查表, 2-5 群众入户调查表, 2-6 干部调查问卷, 2-7 名士意见建议采集表
    assert set(by_form) == {"enterprise_survey", "village_survey", "household_survey", "cadre_survey",
                            "notable_person_form"}
    enterprise = by_form["enterprise_survey"][0].data
    assert {"operation_state", "service_awareness", "service_efficiency", "integrity", "innovation_advice"} <= set(
        enterprise)
    # The 村（社区）调查表 once per village, with the first household visit there
    villages = [a.visit.target.region.parent_id for a in by_form["village_survey"]]
    assert len(villages) == len(set(villages)) == 8
    household_visits = visits.filter(target__kind__in=Target.HOUSEHOLD_KINDS)
    assert household_visits.count() == len(by_form["household_survey"])
    for visit in visits.exclude(target__kind=Target.Kind.PROJECT):
        assert visit.form_answers.exists(), visit.target.kind
    # every visit on or before the end of the concentrated visits
    assert visits.filter(visited_at__date__gt=dt.date(2017, 4, 30)).count() == 0
    assert visits.filter(visited_at__date__lt=campaign.starts_on).count() == 0


def test_a_visit_page_shows_its_filled_form(both_towns, users, client):
    _jinxi, campaign = both_towns
    client.force_login(users[menghe.OFFICE])
    visit = Visit.objects.filter(campaign=campaign, target__kind=Target.Kind.ENTERPRISE).order_by("id").first()
    page = client.get(f"/visits/{visit.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "企业走访调查表" in text
    assert "服务意识" in text


def test_the_visits_raised_cases_in_several_states(both_towns):
    _jinxi, campaign = both_towns
    cases = Case.objects.filter(campaign=campaign)
    states = set(cases.values_list("status", flat=True))
    assert {Case.Status.DRAFT, Case.Status.REGISTERED, Case.Status.DISPATCHED, Case.Status.ACCEPTED,
            Case.Status.CLOSED} <= states
    assert {c.category.code[0] for c in cases if c.category} == {"1", "2", "3", "4"}
    dispatched = cases.filter(unit__isnull=False).select_related("unit")
    assert {c.unit.name for c in dispatched} <= {"经发局", "人社局", "党委宣统口"}
    assert all(c.unit.region_id == campaign.scope_id for c in dispatched)


def test_the_menghe_cadre_has_a_walk_list_and_contact_cards(both_towns, users, client, demo_day):
    _jinxi, campaign = both_towns
    cadre_user = users[menghe.CADRE]
    assert Assignment.objects.filter(campaign=campaign, cadre=cadre_user.cadre).count() >= 30
    client.force_login(cadre_user)
    assert client.get("/me/").status_code == 200
    cards = client.get("/me/card/")
    assert cards.status_code == 200
    assert "走访联系卡" in cards.content.decode()
    assert cadre_user.cadre.phone  # the card carries the visitor's number
    assert cadre_user.cadre.phone in cards.content.decode()


def test_a_manager_of_both_campaigns_can_switch_the_plan_between_them(both_towns, client):
    """The class: a plan page for every campaign the user manages, and a way to it from the plan page."""
    jinxi, campaign = both_towns
    admin = get_user_model().objects.create_superuser("chief", password="x")  # noqa: S106
    client.force_login(admin)
    for shown in (jinxi, campaign):
        page = client.get(f"/plan/?campaign={shown.slug}")
        assert page.status_code == 200
        assert page.context["campaign"] == shown
        options = page.content.decode()
        assert f'value="{jinxi.slug}"' in options
        assert f'value="{campaign.slug}"' in options


def test_loading_again_changes_nothing(both_towns):
    _jinxi, campaign = both_towns

    def state():
        return (Visit.objects.filter(campaign=campaign).count(), FormAnswer.objects.count(),
                sorted(Case.objects.filter(campaign=campaign).values_list("status", flat=True)),
                Assignment.objects.filter(campaign=campaign).count(), Target.objects.count())

    before = state()
    load_menghe_demo()
    assert state() == before


def test_the_lead_units_handlers_see_their_own_cases_only(both_towns, users, client):
    from zoufang.cases.access import visible_cases

    _jinxi, campaign = both_towns
    for unit_name, username in menghe.HANDLERS.items():
        handler = users[username]
        mine = visible_cases(handler)
        assert mine.exists()
        assert not mine.exclude(unit__name=unit_name).exclude(co_handlers__name=unit_name).exists()
        assert handler.get_full_name() == f"孟河镇{unit_name}承办人"
        assert not mine.exclude(campaign=campaign).exists()
    client.force_login(users["menghe_jingfa"])
    desk = client.get("/cases/desk/")
    assert desk.status_code == 200
    assert "经发局" in desk.content.decode()


def test_its_enterprises_rate_departments_and_a_poor_grade_brings_a_supervision_item(both_towns, demo_day):
    from zoufang.ratings import figures
    from zoufang.ratings.models import SupervisionItem

    _jinxi, campaign = both_towns
    ratings = figures.campaign_ratings(campaign)
    assert ratings.total.answers > 20
    assert ratings.total.overall.count("poor") > 0
    assert ratings.total.old_answers == 0
    items = SupervisionItem.objects.filter(campaign=campaign)
    assert items.filter(status="done").exists()
    assert any(item.overdue for item in items.filter(status="open"))
    assert items.count() == sum(entry.poor for entry in ratings.units)  # one item per 差


def test_loaddemo_if_empty_skips_the_towns_loaded_adds_zhouzhuang_and_lists_the_accounts(both_towns, loaddemo_if_empty,
                                                                                       demo_day):
    assert "锦溪镇演示数据已存在" in loaddemo_if_empty
    assert "孟河镇演示数据已存在" in loaddemo_if_empty
    assert "正在载入周庄镇演示数据" in loaddemo_if_empty  # 昆山市's second town, for the city office
    _zhouzhuang_is_a_second_kunshan_town_ahead_of_jinxi(both_towns[0])
    out = StringIO()
    call_command("demoaccounts", stdout=out)
    for username in ("menghe ", "menghe_cadre", "city ", "zhouzhuang ", "zhouzhuang_jingfa"):
        assert username in out.getvalue()


def test_it_renames_zhouzhuangs_units_loaded_under_their_former_names_in_place(both_towns, loaddemo_if_empty, demo_day):
    from zoufang.accounts.models import RoleGrant
    from zoufang.registry.models import Cadre, Unit
    from zoufang.registry.unitnames import label, named

    campaign = Campaign.objects.get(slug=zhouzhuang_demo.SLUG)  # loaded by the module's loaddemo
    town = campaign.scope
    ours = Unit.objects.filter(region__path__startswith=town.path)
    short = {unit.name: unit.pk for unit in ours.filter(name__in=zhouzhuang_demo.FORMER_NAMES.values())}
    assert set(short) == {"镇党政班子", "综治办", "经发局", "社事局", "城建办"}  # as the town's own tables name them
    jingfa = RoleGrant.objects.get(user__username="zhouzhuang_jingfa", role=RoleGrant.Role.UNIT_HANDLER).unit
    assert jingfa is not None
    assert (jingfa.name, label(jingfa, town)) == ("经发局", "周庄镇 经发局")  # the city office's pages
    # A database loaded before decision 0032, its units named “周庄镇经发局” …
    for former, name in zhouzhuang_demo.FORMER_NAMES.items():
        Unit.objects.filter(pk=short[name]).update(name=former)
    counts = (Unit.objects.count(), Cadre.objects.count(), RoleGrant.objects.count())
    out = StringIO()
    call_command("loaddemo", if_empty=True, stdout=out)  # as `make run` does on an existing var/db.sqlite3
    assert "周庄镇演示数据已存在" in out.getvalue()
    assert "周庄镇单位改用简称：5 个" in out.getvalue()
    assert dict(ours.filter(pk__in=short.values()).values_list("name", "pk")) == short  # renamed in place
    assert (Unit.objects.count(), Cadre.objects.count(), RoleGrant.objects.count()) == counts
    assert named("经发局", town) == jingfa
    assert zhouzhuang_demo.rename_former_units() == 0
    zhouzhuang_demo.load_zhouzhuang_demo()
    assert (Unit.objects.count(), Cadre.objects.count(), RoleGrant.objects.count()) == counts


def test_it_renames_menghes_units_loaded_under_their_former_names_in_place(both_towns, loaddemo_if_empty, demo_day,
                                                                          client):
    from zoufang.accounts.models import RoleGrant
    from zoufang.planning.menghe import FORMER_NAMES
    from zoufang.registry.models import Cadre, Unit
    from zoufang.registry.unitnames import named

    _jinxi, campaign = both_towns
    town = campaign.scope
    ours = Unit.objects.filter(region__path__startswith=town.path)
    short = dict(ours.values_list("name", "pk"))
    assert set(short) == set(FORMER_NAMES.values())  # every unit as the town's clerks name it
    assert {"镇党政班子", "经发局", "人社局", "党委宣统口", "小河村村委会", "孟河社区居委会"} <= set(short)
    handlers = {name: RoleGrant.objects.get(user__username=username, role=RoleGrant.Role.UNIT_HANDLER).unit_id
                for name, username in menghe.HANDLERS.items()}
    assert handlers == {name: short[name] for name in menghe.HANDLERS}
    # A database loaded before, its units named “孟河镇经发局” …
    for former, name in FORMER_NAMES.items():
        Unit.objects.filter(pk=short[name]).update(name=former)

    def counts():
        return (ours.count(), Cadre.objects.filter(unit__in=ours).count(), RoleGrant.objects.filter(unit__in=ours).count())

    before = counts()
    out = StringIO()
    call_command("loaddemo", if_empty=True, stdout=out)  # as `make run` does (周庄镇 loaded by the module's run)
    assert "孟河镇演示数据已存在" in out.getvalue()
    assert f"孟河镇单位改用简称：{len(FORMER_NAMES)} 个" in out.getvalue()
    assert dict(ours.values_list("name", "pk")) == short  # renamed in place
    assert counts() == before
    assert named("经发局", town).pk == handlers["经发局"]
    assert menghe.rename_former_units() == 0
    load_menghe_demo()  # loading again registers nothing a second time
    assert counts() == before
    # The demo accounts still work: the cadre's walk list, the handler's desk.
    cadre_user = get_user_model().objects.get(username=menghe.CADRE)
    assert cadre_user.cadre.unit_id == short[menghe.CADRE_UNIT]
    client.force_login(cadre_user)
    assert client.get("/me/").status_code == 200
    client.force_login(get_user_model().objects.get(username="menghe_jingfa"))
    assert "经发局" in client.get("/cases/desk/").content.decode()


def _zhouzhuang_is_a_second_kunshan_town_ahead_of_jinxi(jinxi):
    from zoufang.accounts.models import RoleGrant
    from zoufang.oversight import figures
    from zoufang.registry.models import Unit

    zhouzhuang = Campaign.objects.get(slug=zhouzhuang_demo.SLUG)
    county = jinxi.scope.parent
    assert (zhouzhuang.scope.name, zhouzhuang.scope.parent) == ("周庄镇", county)
    assert zhouzhuang.config["pace"] == jinxi.config["pace"]  # seed 000's rules
    city = get_user_model().objects.get(username="city")
    assert RoleGrant.objects.filter(user=city, role=RoleGrant.Role.CITY_OFFICE, region=county).exists()
    # The upper-level units of 附件1/附件2 are the same rows in both towns.
    for name in ("苏州市妇联", "市府办", "市粮食局"):
        unit = Unit.objects.get(name=name)
        assert Assignment.objects.filter(campaign=zhouzhuang, unit=unit).exists(), name
        assert Assignment.objects.filter(campaign=jinxi, unit=unit).exists(), name
    towns = figures.town_figures(county, dt.date(2017, 6, 15))
    rows = {row.town.name: row for row in towns.rows}
    assert set(rows) == {"锦溪镇", "周庄镇"}
    assert rows["周庄镇"].coverage.assigned < 3000
    assert rows["周庄镇"].coverage.percent > 3 * rows["锦溪镇"].coverage.percent
    assert rows["周庄镇"].pace.behind == 0 < rows["锦溪镇"].pace.behind
    assert [row.town.name for row in towns.rows] == ["锦溪镇", "周庄镇"]  # worst first on pace
    assert rows["周庄镇"].cases.dispatched > 0
    assert rows["周庄镇"].cases.satisfied > 0
    assert rows["周庄镇"].coverage.visited == Visit.objects.filter(campaign=zhouzhuang).values("target").distinct().count()

    def state():
        return (Visit.objects.count(), Case.objects.count(), Assignment.objects.count(), Target.objects.count(),
                list(Case.objects.filter(campaign=zhouzhuang).order_by("id").values_list("status", flat=True)))

    before = state()
    zhouzhuang_demo.load_zhouzhuang_demo()  # safe to run twice
    assert state() == before
