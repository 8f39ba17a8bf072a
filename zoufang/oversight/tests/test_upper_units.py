"""An upper-level unit's own account across towns (issue 11: 市级机关部门 … see their blocks in every town):
市文明办 holds quotas in 甲镇 and 乙镇; its handler sees both towns' own blocks and nothing of 市总工会's work."""

import pytest
from django.urls import reverse

from zoufang.jobs.testing import queued_file
from zoufang.oversight.tests.two_towns import two_towns  # noqa: F401 — the module's towns, built once

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def towns(two_towns, settings):  # noqa: F811
    settings.ZOUFANG_TODAY = "2017-06-15"
    return two_towns


def test_it_shows_the_unit_handler_both_towns_own_blocks(client, towns, api_token):
    data = client.get("/api/v1/oversight/units", **api_token("wenming")).json()
    assert [unit["name"] for unit in data] == ["市文明办"]
    by_town = {town["town"]: town for town in data[0]["towns"]}
    assert set(by_town) == {"甲镇", "乙镇"}
    # Hand-counted: 30 households in 甲镇 (3 visited), 20 in 乙镇 (1 visited).
    assert (by_town["甲镇"]["total"]["assigned"], by_town["甲镇"]["total"]["visited"]) == (30, 3)
    assert (by_town["乙镇"]["total"]["assigned"], by_town["乙镇"]["total"]["visited"]) == (20, 1)
    assert (data[0]["total"]["assigned"], data[0]["total"]["visited"]) == (50, 4)
    # Pace (seed 000's rule from 1 March): 3 months ended by 15 June → 3 × ⌈30/5⌉ = 18 and 3 × ⌈20/5⌉ = 12.
    assert by_town["甲镇"]["total"]["pace"]["due_today"] == 18
    assert by_town["甲镇"]["total"]["pace"]["behind"] == 15
    assert data[0]["total"]["pace"]["due_today"] == 30
    assert data[0]["total"]["pace"]["behind"] == 26
    cadres = {row["label"]: (row["assigned"], row["visited"]) for row in by_town["甲镇"]["cadres"]}
    assert cadres == {"文明甲（市文明办）": (5, 3), "文明乙（市文明办）": (5, 0)}  # cadres only
    unnamed = by_town["甲镇"]["unnamed"]  # the 20 given to no cadre yet: their own figure, by village
    assert (unnamed["total"]["assigned"], unnamed["total"]["visited"]) == (20, 0)
    assert sum(row["assigned"] for row in unnamed["rows"]) == 20


def test_it_lists_the_towns_on_the_handlers_home_and_links_each_towns_unit_page(client, towns):
    client.force_login(towns.users["wenming"])
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == reverse("oversight:units")
    page = client.get(reverse("oversight:units")).content.decode()
    assert "甲镇：本单位走访干部" in page
    assert "乙镇：本单位走访干部" in page
    for campaign in (towns.jia, towns.yi):
        url = reverse("oversight:unit", args=[campaign.slug, towns.upper.public_id])
        assert url in page
        assert client.get(url).status_code == 200
    assert "市总工会" not in page
    assert "工会甲" not in page


def test_it_shows_no_other_units_work(client, towns, api_token):
    api = api_token("wenming")
    client.force_login(towns.users["wenming"])
    other = reverse("oversight:unit", args=[towns.jia.slug, towns.other.public_id])
    assert client.get(other).status_code == 404
    assert client.get(reverse("oversight:dashboard", args=[towns.jia.slug])).status_code == 200  # its own unit page
    rows = client.get(f"/api/v1/oversight/{towns.jia.slug}/rows?what=visits", **api).json()
    assert rows["count"] == 3
    assert all(row[5] == "文明甲" for row in rows["rows"])
    coverage = client.get(f"/api/v1/oversight/{towns.jia.slug}/coverage?by=unit", **api).json()
    assert [row["label"] for row in coverage["rows"]] == ["市文明办"]
    refused = client.get(f"/api/v1/oversight/{towns.jia.slug}/rows?what=visits&unit={towns.other.public_id}", **api)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["unit"]


def test_it_shows_the_other_unit_only_its_one_town(client, towns, api_token):
    data = client.get("/api/v1/oversight/units", **api_token("zonggonghui")).json()
    client.force_login(towns.users["zonggonghui"])
    assert [(unit["name"], [t["town"] for t in unit["towns"]]) for unit in data] == [("市总工会", ["甲镇"])]
    assert data[0]["total"]["visited"] == 1
    assert client.get(reverse("oversight:unit", args=[towns.yi.slug, towns.upper.public_id])).status_code == 404


def test_it_gives_nobody_else_the_page(client, towns, api_token):
    assert client.get("/api/v1/oversight/units", **api_token("wenming1")).json() == []
    client.force_login(towns.users["wenming1"])  # a cadre with a login: their own list, not the unit's page
    assert client.get(reverse("oversight:units")).status_code == 404


def test_it_downloads_the_towns_as_xlsx(client, towns):
    import io

    from openpyxl import load_workbook

    client.force_login(towns.users["wenming"])
    response = queued_file(client, reverse("oversight:units"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    values = [[c for c in row] for row in first.iter_rows(values_only=True)]
    assert values[2][:3] == [values[2][0], 30, 3]
    assert values[-1][:3] == ["合计", 50, 4]
    # the towns, then each town's cadres and the targets it has given to none of them yet (未落实到人)
    assert [sheet.title.split("：")[-1][:6] for sheet in book.worksheets[1:]] == ["本单位走访干", "本单位尚未落"] * 2
    # Built on the queue (docs/jobs.md): the same workbook as the tables written in the request; a GET with the
    # old ?format=xlsx is the page.
    from zoufang.jobs.testing import cells
    from zoufang.oversight import export
    from zoufang.oversight.views import units_across

    found = units_across(towns.users["wenming"])
    expected = export.xlsx([t for item in found for t in item.tables()], heading=found[0].unit.name)
    assert cells(response.content) == cells(expected)
    assert client.get(reverse("oversight:units") + "?format=xlsx")["Content-Type"].startswith("text/html")
    client.force_login(towns.users["wenming1"])
    assert client.post(reverse("oversight:units")).status_code == 404


def test_a_sheet_title_names_the_unit_once(client, towns):
    """“文明办在各镇的走访覆盖与进度”, not “文明办 文明办在各镇…”; a town's sheet still says whose it is."""
    import io

    from openpyxl import load_workbook

    client.force_login(towns.users["wenming"])
    book = load_workbook(io.BytesIO(queued_file(client, reverse("oversight:units")).content))
    titles = [sheet["A1"].value for sheet in book.worksheets]
    assert titles[:2] == ["市文明办在各镇的走访覆盖与进度", "市文明办 甲镇：本单位走访干部的覆盖与进度"]
