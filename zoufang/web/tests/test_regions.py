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


def test_it_tells_an_outsider_there_is_no_scope(town, login):
    html = login(town.users["outsider"]).get("/regions/").content.decode()
    assert "您的账号尚未分配走访范围，请联系走访办。" in html
