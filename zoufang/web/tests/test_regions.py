import re

NODE = re.compile(r'class="name" href="[^"]+">([^<]+)</a><span class="level">[^<]+</span><span class="count">(\d+) 个对象')


def _node_counts(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in NODE.findall(html)}


def test_it_shows_the_office_the_town_tree_with_counts(town, login):
    html = login(town.users["office"]).get("/regions/").content.decode()
    assert _node_counts(html) == {
        "锦溪镇": 6, "上下塘社区": 3, "第1居民小组": 3, "计家墩村": 3, "第1村民小组": 2,
    }
    assert "苏州市" not in html


def test_it_shows_a_village_cadre_only_their_branch(town, login):
    html = login(town.users["village"]).get("/regions/").content.decode()
    assert _node_counts(html) == {"锦溪镇": 3, "上下塘社区": 3, "第1居民小组": 3}


def test_it_links_each_node_to_its_targets(town, login):
    html = login(town.users["office"]).get("/regions/").content.decode()
    assert f'href="/targets/?region={town.jijiadun.public_id}"' in html


def test_it_tells_an_outsider_there_is_no_scope_on_the_home_page_and_has_no_tree(town, login):
    """No region in scope: the menu has no 区划 and the page is not there (as its menu item, scope.may_list_regions);
    the home page says whom to ask."""
    client = login(town.users["outsider"])
    assert "您的账号尚未分配走访范围，请联系走访办。" in client.get("/").content.decode()
    assert 'href="/regions/"' not in client.get("/").content.decode()
    assert client.get("/regions/").status_code == 404


def test_it_tells_a_unit_handler_without_an_area_where_its_units_targets_are(town, login):
    from zoufang.accounts.models import RoleGrant

    RoleGrant.objects.create(user=town.users["outsider"], role=RoleGrant.Role.UNIT_HANDLER, unit=town.police)
    html = login(town.users["outsider"]).get("/regions/").content.decode()
    assert "您的账号按承办单位授权，没有按区划分配的范围。" in html
    assert '<a href="/targets/">走访对象</a>' in html
    assert "请联系走访办" not in html


def _grids(town, name, villages, grids, targets):
    """More of the town: villages with grids and targets in each grid."""
    from zoufang.regions.models import Region
    from zoufang.registry.tests.factories import TargetFactory

    for v in range(villages):
        village = Region.objects.create(name=f"{name}{v}", level=Region.Level.VILLAGE, parent=town.town)
        for g in range(grids):
            grid = Region.objects.create(name=f"{name}{v}第{g}网格", level=Region.Level.GRID, parent=village)
            TargetFactory.create_batch(targets, region=grid)


def test_it_draws_towns_and_villages_at_a_citys_scale_and_counts_below_them(town, login, monkeypatch):
    """Above WHOLE_TREE regions the groups and grids wait for their village to be opened; the counts still hold
    every target below."""
    monkeypatch.setattr("zoufang.web.tree.WHOLE_TREE", 3)
    client = login(town.users["office"])
    html = client.get("/regions/").content.decode()
    assert _node_counts(html) == {"锦溪镇": 6, "上下塘社区": 3, "计家墩村": 3}
    assert f'href="?open={town.shangxiatang.public_id}#r-{town.shangxiatang.public_id}">展开下级</a>' in html
    assert "点“展开下级”查看村民小组和网格" in html
    opened = client.get(f"/regions/?open={town.shangxiatang.public_id}").content.decode()
    assert _node_counts(opened) == {"锦溪镇": 6, "上下塘社区": 3, "第1居民小组": 3, "计家墩村": 3}
    assert _node_counts(client.get("/regions/?open=not-a-uuid").content.decode()) == _node_counts(html)


def test_it_draws_the_tree_in_the_same_queries_for_a_few_regions_as_for_many(town, login, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr("zoufang.web.tree.WHOLE_TREE", 3)
    client = login(town.users["office"])

    def queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _grids(town, "新村", 1, 2, 1)
    few = queries("/regions/"), queries(f"/regions/?open={town.shangxiatang.public_id}")
    _grids(town, "东村", 4, 5, 3)
    assert (queries("/regions/"), queries(f"/regions/?open={town.shangxiatang.public_id}")) == few
    html = client.get("/regions/").content.decode()
    assert _node_counts(html)["锦溪镇"] == 6 + 2 + 4 * 5 * 3
    assert _node_counts(html)["东村3"] == 15
    assert "东村3第4网格" not in html
