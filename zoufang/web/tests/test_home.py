import datetime as dt
import re
import uuid
from typing import Any

import pytest

from zoufang.campaigns.models import Campaign, Phase
from zoufang.visits.models import Visit


def _visit(town: Any, target: Any) -> Visit:
    return Visit.objects.create(campaign=town.campaign, target=target, cadre=town.users["dept"].cadre,
                                client_uuid=uuid.uuid4(), content_hash="x", mode=Visit.Mode.HOME, summary="了解情况",
                                visited_at=dt.datetime(2017, 5, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))


def _cells(html: str, row_label: str) -> list[str]:
    """The numbers of one row of the counts table, in column order."""
    match = re.search(rf"<tr>\s*<th scope=\"row\">(?:<a [^>]*>)?{row_label}(?:</a>)?</th>(.*?)</tr>", html, re.S)
    assert match, f"no row {row_label}"
    return re.findall(r"<td class=\"num[^\"]*\">(?:<a [^>]*>)?(\d+)", match.group(1))


def test_it_shows_the_office_the_counts_per_village_with_totals(town, login):
    response = login(town.users["office"]).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "锦溪镇测试走访" in html
    # Columns: 户籍户, 非户籍常住户, 企业, 小计
    assert _cells(html, "上下塘社区") == ["3", "0", "0", "3"]
    assert _cells(html, "计家墩村") == ["2", "0", "1", "3"]
    assert _cells(html, "合计") == ["5", "0", "1", "6"]


def test_it_shows_the_office_campaign_wide_figures(town, login):
    html = login(town.users["office"]).get("/").content.decode()
    assert 'class="figures"' in html
    assert re.search(r'<span class="value">2</span><span class="label">村（社区）</span>', html)
    assert re.search(r'<span class="value">5</span><span class="label">户籍户</span>', html)


def test_the_office_s_figures_name_the_cadres_of_no_listed_role_as_cadres(town, login):
    """Beside 部门党员干部 and 村（社区）干部, the cadres of the role 其他 read 其他干部: a bare 其他 counts nothing a clerk can
    name."""
    from zoufang.registry.models import Cadre

    Cadre.objects.create(name="工会甲", unit=town.police, role=Cadre.Role.OTHER)
    html = login(town.users["office"]).get("/").content.decode()
    assert re.search(r'<span class="value">1</span><span class="label">其他干部</span>', html)
    assert '<span class="label">其他</span>' not in html


def test_it_shows_a_village_cadre_only_their_village_row(town, login):
    html = login(town.users["village"]).get("/").content.decode()
    assert _cells(html, "上下塘社区") == ["3", "0", "0", "3"]
    assert "计家墩村" not in html
    assert 'class="figures"' not in html


@pytest.mark.parametrize(("persona", "offered"), [("village", True), ("leader", True), ("office", False)])
def test_it_offers_a_visiting_cadre_their_list_at_the_top_of_the_home_page(town, login, persona, offered):
    """A cadre's day starts at 首页 on a phone: 我的走访 is a button by the campaign's name, not only a tab in the menu;
    the office, who records no visits, is offered none."""
    html = login(town.users[persona]).get("/").content.decode()
    head = html[html.index('<div class="page-head">'):html.index('<section class="panel"')]
    assert ('<a class="btn" href="/me/">我的走访</a>' in head) is offered


def test_it_sends_a_cadre_account_with_no_role_to_its_list_not_to_the_office(town, login):
    """干部账号 opens cadres' accounts granting no role: such a cadre has a list to walk, not a missing scope."""
    html = login(town.users["dept"]).get("/").content.decode()
    assert "尚未分配走访范围" not in html
    assert "您的走访名单在“我的走访”中。" in html
    assert '<a class="btn" href="/me/">我的走访</a>' in html


def test_a_user_who_reads_no_targets_of_a_village_is_not_shown_its_row_of_zeros(town, login):
    """The third-party caller may open no target (only the visits drawn for it): its table was every village in
    zeros. A row counts what the user may open; with none, the page says so instead of a table of nothing."""
    html = login(town.users["auditor"]).get("/").content.decode()
    assert '<table class="counts">' not in html
    # Nor an empty villages panel: a third party's caller has calls to make, not villages (the next test).
    assert "暂无可显示的村（社区）" not in html
    assert 'id="callbacks-title"' in html
    # The office reads every village, a village with nothing to visit too: a gap is what it looks for.
    html = login(town.users["office"]).get("/").content.decode()
    assert "上下塘社区" in html
    assert "计家墩村" in html


def test_it_tells_an_outsider_to_ask_the_office_for_a_scope(town, login):
    html = login(town.users["outsider"]).get("/").content.decode()
    assert "您的账号尚未分配走访范围，请联系走访办。" in html
    assert "锦溪镇测试走访" not in html


def test_it_sends_a_system_administrator_to_the_admin_not_to_the_office(town, login):
    """系统管理员 and 安全管理员 have no campaign by design (they read no residents): their work is in the admin."""
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_administrator

    for role in (RoleGrant.Role.SYSADMIN, RoleGrant.Role.SECURITY_ADMIN):
        admin = ensure_administrator(f"admin-{role}", "x", full_name="管理员", role=role)
        html = login(admin).get("/").content.decode()
        assert "请联系走访办" not in html
        assert "您的账号负责系统管理，不查看走访数据。" in html
        assert html.count('href="/admin/"') == 2  # the menu's, and the page's own
    # Anyone else without a campaign, given the admin site or not, is to ask the office for a scope.
    outsider = town.users["outsider"]
    outsider.is_staff = True
    outsider.save(update_fields=["is_staff"])
    assert "请联系走访办" in login(outsider).get("/").content.decode()


def test_it_marks_the_current_phase(town, login, settings):
    settings.ZOUFANG_TODAY = "2017-04-10"
    Phase.objects.create(campaign=town.campaign, key="focus", name="集中走访", starts_on=dt.date(2017, 3, 1),
                         ends_on=dt.date(2017, 4, 30), sort_order=1)
    Phase.objects.create(campaign=town.campaign, key="summary", name="总结", starts_on=dt.date(2017, 6, 1),
                         ends_on=dt.date(2017, 6, 30), sort_order=2)
    html = login(town.users["office"]).get("/").content.decode()
    assert re.search(r'<li class="now">\s*<strong>集中走访</strong>', html)
    assert re.search(r'<li class="future">\s*<strong>总结</strong>', html)
    assert "第 100 天 / 共 365 天" in html


def test_it_lets_the_user_switch_campaigns_by_slug(town, login):
    Campaign.objects.create(slug="jinxi-2016", name="锦溪镇2016年走访", scope=town.town,
                            starts_on=dt.date(2016, 1, 1), ends_on=dt.date(2016, 12, 31))
    client = login(town.users["office"])
    assert "<h1>锦溪镇测试走访</h1>" in client.get("/").content.decode()
    assert "<h1>锦溪镇2016年走访</h1>" in client.get("/?campaign=jinxi-2016").content.decode()


@pytest.mark.parametrize("path", ["/", "/regions/", "/targets/"])
def test_it_sends_anonymous_users_to_the_login_page(client, path, db):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_third_party_caller_starts_the_day_from_its_open_batches(town, login):
    """The callers of 第三方回访 own no village: their home is the batches they are calling, each with how many of its
    visits are called, linked to the batch; closed batches, another caller's and another campaign's are not."""
    from zoufang.callbacks.models import CallbackBatch, CallbackSample
    from zoufang.registry.models import Unit

    def batch(number: int, **fields: object) -> CallbackBatch:
        return CallbackBatch.objects.create(campaign=fields.pop("campaign", town.campaign), number=number,
                                            period_starts_on=dt.date(2017, 5, 1),
                                            period_ends_on=dt.date(2017, 5, 31), seed=number, **fields)

    client = login(town.users["auditor"])
    html = client.get("/").content.decode()
    assert "目前没有正在回访的批次" in html
    calling = batch(1)
    visits = [_visit(town, target) for target in town.households["shangxiatang"]]
    for position, visit in enumerate(visits):
        CallbackSample.objects.create(batch=calling, visit=visit, position=position, reason=CallbackSample.Reason.RANDOM,
                                      outcome=CallbackSample.Outcome.CONFIRMED if position == 0 else "")
    batch(2, status=CallbackBatch.Status.CLOSED)
    other = Unit.objects.create(name="另一调查公司", kind=Unit.Kind.OUTSIDE_BODY)
    batch(3, caller=other)
    html = client.get("/").content.decode()
    panel = html[html.index('id="callbacks-title"'):]
    panel = panel[:panel.index("</section>")]
    assert panel.count('href="/callbacks/') == 2  # the one open batch of theirs, and 全部批次
    assert f'href="/callbacks/{calling.public_id}/"' in panel
    assert "1 / 3" in panel
    assert "第 1 批回访抽查已回访" in panel
    assert "目前没有正在回访的批次" not in panel


def test_the_publicity_group_starts_the_day_from_the_nominations_to_review(town, login):
    """The 宣传报道组 owns no village either: its home counts the 典型 waiting for review and those published."""
    from zoufang.accounts.models import RoleGrant
    from zoufang.accounts.services import ensure_user
    from zoufang.exemplars.models import Exemplar

    publicity = ensure_user("xuanchuan", "x", full_name="宣传报道组", role=RoleGrant.Role.PUBLICITY, region=town.town)
    client = login(publicity)
    html = client.get("/").content.decode()
    assert "暂无可显示的村（社区）" not in html
    assert "目前没有待审核的推荐" in html
    for target, status in zip(town.households["shangxiatang"] + town.households["jijiadun"], (
            Exemplar.Status.PENDING, Exemplar.Status.PENDING, Exemplar.Status.PUBLISHED, Exemplar.Status.DECLINED),
            strict=False):
        Exemplar.objects.create(campaign=town.campaign, kind=Exemplar.Kind.PRACTICE, title="做法", text="做法",
                                status=status, visit=_visit(town, target))
    html = client.get("/").content.decode()
    panel = html[html.index('id="review-title"'):]
    panel = panel[:panel.index("</section>")]
    figures = dict((label, int(value)) for value, label in re.findall(
        r'<a class="value" href="[^"]+">(\d+)</a><span class="label">([^<]+)</span>', panel))
    assert figures == {"待审核的推荐": 2, "已发布的典型": 1}
    assert f'href="/exemplars/{town.campaign.slug}/review/"' in panel
    # The office has its dashboard, not these panels.
    office = login(town.users["office"]).get("/").content.decode()
    assert 'id="review-title"' not in office
    assert 'id="callbacks-title"' not in office
