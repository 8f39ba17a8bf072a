"""未落实到人 is its own figure, not a cadre: the targets a unit was given only as a count (an upper-level unit names
its people later) are counted by unit and village with their drill-down, and the rankings of cadres hold cadres
only — on the dashboard, its xlsx, the API and the unit page."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.oversight import figures
from zoufang.oversight.tests.conftest import visit
from zoufang.planning.models import Assignment
from zoufang.registry.tests.factories import TargetFactory

DAY = dt.date(2017, 9, 30)  # the pace's last day: every target is due, the unnamed ones behind


@pytest.fixture
def unnamed(counted: Any, settings: Any) -> Any:
    """派出所 given two more households of 上下塘 as a count only; one of them visited (by 派出所党员甲)."""
    settings.ZOUFANG_TODAY = "2017-09-30"
    given = TargetFactory.create_batch(2, region=counted.shangxiatang)
    for target in given:
        Assignment.objects.create(campaign=counted.campaign, target=target, unit=counted.police)
    visit(counted.campaign, given[0], counted.officer, "2017-06-10")
    counted.given = given
    return counted


def _numbers(result: figures.Coverage) -> list[tuple[str, int, int]]:
    return [(row.label, row.assigned, row.visited) for row in result.rows]


def test_it_counts_the_targets_given_to_no_cadre_by_unit_and_village_kept_as_recounted(unnamed):
    campaign = unnamed.campaign
    whole = figures.unnamed(campaign, "unit", DAY)
    assert _numbers(whole) == [("派出所", 2, 1)]
    assert (whole.total.assigned, whole.total.visited) == (2, 1)
    assert whole.total.kinds["registered_household"].assigned == 2
    recounted = figures.unnamed(campaign, "unit", DAY, figures.assignments(campaign).filter(pk__gt=0))
    assert _numbers(recounted) == _numbers(whole)
    mine = figures.unnamed(campaign, "village", DAY, figures.assignments(campaign, unit=unnamed.police))
    assert _numbers(mine) == [("上下塘社区", 2, 1)]
    assert figures.unnamed(campaign, "unit", DAY, figures.assignments(campaign, unit=unnamed.wangwen.unit)).rows == []


def test_the_rankings_of_cadres_hold_cadres_only(unnamed, login, api_token, client):
    campaign, slug = unnamed.campaign, unnamed.campaign.slug
    rows, count = figures.behind(campaign, "cadre", DAY, keyed=True)
    assert [row.label for row in rows] == ["派出所党员甲（派出所）", "王文（镇党政班子）"]  # 2 short, 1 short
    assert count == 2
    data = client.get(f"/api/v1/oversight/{slug}/behind?by=cadre", **api_token("office")).json()
    assert [row["id"] for row in data["rows"]] == [str(unnamed.officer.public_id), str(unnamed.wangwen.public_id)]
    assert data["count"] == 2
    page = login(unnamed.users["office"]).get(f"/oversight/{slug}/").content.decode()
    behind = page[page.index('id="t-behind-cadre"'):page.index('id="t-unnamed-unit"')]
    assert "未落实到人" not in behind
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{slug}/xlsx/behind-cadre/").content)).active
    assert not any("未落实到人" in str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_the_dashboard_shows_the_targets_given_to_no_cadre_beside_the_ranking(unnamed, login, client):
    slug, police = unnamed.campaign.slug, unnamed.police
    page = login(unnamed.users["office"]).get(f"/oversight/{slug}/").content.decode()
    assert 'id="t-unnamed-unit"' in page
    assert page.index('id="t-behind-cadre"') < page.index('id="t-unnamed-unit"')
    assert f"/oversight/{slug}/rows/?what=unnamed&amp;unit={police.public_id}" in page
    assert '>2</a></span><span class="label">未落实到人的对象' in page
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{slug}/xlsx/unnamed-unit/").content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["派出所", 2, 1] == values[2][:3]


def test_the_drill_down_lists_the_targets_given_to_no_cadre_masked(unnamed, login):
    slug = unnamed.campaign.slug
    page = login(unnamed.users["leader"]).get(f"/oversight/{slug}/rows/?what=unnamed").content.decode()
    assert "共 2 条" in page
    for target in unnamed.given:
        assert target.name in page
        assert target.phone not in page
    assert "未落实到人的对象" in page


def test_the_api_answers_the_targets_given_to_no_cadre(unnamed, client, api_token):
    slug = unnamed.campaign.slug
    data = client.get(f"/api/v1/oversight/{slug}/unnamed", **api_token("office")).json()
    assert (data["total"]["assigned"], data["total"]["visited"]) == (2, 1)
    assert [(row["id"], row["assigned"]) for row in data["rows"]] == [(str(unnamed.police.public_id), 2)]
    assert client.get(f"/api/v1/oversight/{slug}/unnamed", **api_token("outsider")).status_code == 404


def test_the_unit_page_lists_its_cadres_and_the_targets_it_has_not_given_to_one(unnamed, login):
    slug, police = unnamed.campaign.slug, unnamed.police
    page = login(unnamed.users["handler"]).get(f"/oversight/{slug}/units/{police.public_id}/").content.decode()
    cadres = page[page.index('id="t-coverage-cadre"'):page.index('id="t-unnamed-village"')]
    assert "派出所党员甲" in cadres
    assert "未落实到人" not in cadres
    assert f"/oversight/{slug}/rows/?what=unnamed&amp;unit={police.public_id}" in page
    assert '>2</a></span><span class="label">未落实到人的对象' in page


def test_the_office_sees_the_targets_given_to_no_cadre_by_village_down_to_the_rows(unnamed, login):
    """Beside the table by unit, the town's table by village: each village's row opens its targets (the drill-down,
    with its row download), and the table is downloaded as the others are."""
    slug, village = unnamed.campaign.slug, unnamed.shangxiatang
    client = login(unnamed.users["office"])
    page = client.get(f"/oversight/{slug}/").content.decode()
    table = page[page.index('id="t-unnamed-village"'):]
    table = table[:table.index("</table>")]
    assert "尚未落实到人的走访对象（按村，需指定走访干部）" in table
    assert "本单位" not in table
    rows = f"/oversight/{slug}/rows/?what=unnamed&amp;region={village.public_id}"
    assert f'<a href="{rows}">上下塘社区</a>' in table
    assert page.index('id="t-unnamed-unit"') < page.index('id="t-unnamed-village"')
    drill = client.get(rows.replace("&amp;", "&")).content.decode()
    assert "共 2 条" in drill
    assert all(target.name in drill for target in unnamed.given)
    assert 'name="what" value="unnamed"' in drill  # the row download's form, for this village's rows
    assert f'name="region" value="{village.public_id}"' in drill
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{slug}/xlsx/unnamed-village/").content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["上下塘社区", 2, 1] == values[2][:3]
