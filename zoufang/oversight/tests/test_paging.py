"""Bounded tables: the API's figure lists a page (≤ 200 rows) at a time with a keyset cursor, the behind-pace list
with limit and cursor, and the pages' tables page by page (the xlsx still lists every row)."""

import io
from typing import Any

from openpyxl import load_workbook

from zoufang import clock
from zoufang.jobs.models import Download
from zoufang.jobs.testing import queued_file
from zoufang.oversight import figures, paged, views


def walk(client: Any, url: str, headers: dict[str, Any], key: str = "label") -> tuple[list[Any], list[dict[str, Any]]]:
    """Every page of a list, one row a page: the rows' labels and each page's answer."""
    labels, answers, after = [], [], None
    while True:
        answer = client.get(url + (f"&after={after}" if after else ""), **headers).json()
        answers.append(answer)
        labels += [row[key] for row in answer["rows"]]
        after = answer["next"]
        if after is None:
            return labels, answers


def test_the_api_pages_the_coverage_and_case_tables_with_a_cursor(counted: Any, api_token: Any,
                                                                  client: Any) -> None:
    slug, office = counted.campaign.slug, api_token("office")
    for what, by in (("coverage", "unit"), ("coverage", "village"), ("cases", "unit"), ("cases", "category"),
                     ("cases", "week"), ("coverage", "cadre")):
        whole = client.get(f"/api/v1/oversight/{slug}/{what}?by={by}", **office).json()
        assert whole["next"] is None
        assert whole["count"] == len(whole["rows"]) >= 2, (what, by)
        labels, answers = walk(client, f"/api/v1/oversight/{slug}/{what}?by={by}&page_size=1", office)
        assert labels == [row["label"] for row in whole["rows"]], (what, by)
        assert all(answer["count"] == whole["count"] and answer["total"] == whole["total"] for answer in answers)
    whole = client.get(f"/api/v1/oversight/{slug}/cases?by=unit", **office).json()
    cases = client.get(f"/api/v1/oversight/{slug}/cases?by=unit&page_size=2", **office).json()
    assert cases["rows"] == whole["rows"][:2]
    assert cases["count"] == 3  # 派出所, 镇党政班子, 未交办
    assert [row["label"] for row in client.get(f"/api/v1/oversight/{slug}/cases?by=unit&after={cases['next']}",
                                               **office).json()["rows"]] == ["未交办"]
    assert client.get(f"/api/v1/oversight/{slug}/cases?by=unit&after=nonsense", **office).status_code == 400
    assert client.get(f"/api/v1/oversight/{slug}/cases?by=unit&page_size=201", **office).status_code == 400


def test_the_behind_list_is_bounded_with_limit_and_cursor(counted: Any, api_token: Any, client: Any,
                                                          settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-08-01"  # three months ended: one target each due a month, three in all
    slug, office = counted.campaign.slug, api_token("office")
    first = client.get(f"/api/v1/oversight/{slug}/behind?by=cadre&page_size=1", **office).json()
    assert first["count"] == 2
    assert [row["label"] for row in first["rows"]] == ["派出所党员甲（派出所）"]
    assert first["rows"][0]["pace"]["behind"] == 2
    labels, _answers = walk(client, f"/api/v1/oversight/{slug}/behind?by=cadre&page_size=1", office)
    assert labels == ["派出所党员甲（派出所）", "王文（镇党政班子）"]
    whole = client.get(f"/api/v1/oversight/{slug}/behind?by=cadre", **office).json()
    assert whole["next"] is None
    assert len(whole["rows"]) == 2
    assert client.get(f"/api/v1/oversight/{slug}/behind?by=cadre&after=xyz", **office).status_code == 400
    assert client.get(f"/api/v1/oversight/{slug}/behind?by=cadre&page_size=500", **office).status_code == 400


def test_the_pages_show_a_table_page_by_page_and_the_xlsx_every_row(counted: Any, login: Any,
                                                                     monkeypatch: Any, settings: Any) -> None:
    monkeypatch.setattr(paged, "PAGE_MAX", 1)
    client = login(counted.users["office"])
    slug = counted.campaign.slug
    first = client.get(f"/oversight/{slug}/").content.decode()
    assert "第 1 / 2 页，共 2 行" in first
    assert "?p-coverage-unit=2#t-coverage-unit" in first
    second = client.get(f"/oversight/{slug}/?p-coverage-unit=2").content.decode()
    unit_table = second[second.index('id="t-coverage-unit"'):]
    unit_table = unit_table[:unit_table.index("</section>")]
    assert "镇党政班子" in unit_table
    assert ">派出所<" not in unit_table
    assert "?p-coverage-unit=1#t-coverage-unit" in unit_table
    assert client.get(f"/oversight/{slug}/?p-coverage-unit=abc").status_code == 200  # page 1
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{slug}/xlsx/coverage-unit/").content)).active
    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "派出所" in names
    assert "镇党政班子" in names
    # The behind-pace list's download: every cadre behind, read a page (here one row) at a time, worst first.
    settings.ZOUFANG_TODAY = "2017-09-30"  # the rule's deadline: every cadre with a target left is behind
    late = figures.coverage(counted.campaign, "cadre", clock.today()).behind()
    assert len(late) >= 2
    sheet = load_workbook(io.BytesIO(client.get(f"/oversight/{slug}/xlsx/behind-cadre/").content)).active
    listed = [row[0] for row in sheet.iter_rows(values_only=True) if row[1] is not None]
    assert [name for name in listed if name in {row.label for row in late}] == [row.label for row in late]
    # Longer than a request writes: a page that offers the background job, whose file holds the same rows.
    monkeypatch.setattr(views, "IN_REQUEST_ROWS", 1)
    offer = client.get(f"/oversight/{slug}/xlsx/behind-cadre/")
    assert offer["Content-Type"].startswith("text/html")
    text = offer.content.decode()
    assert f"这张表共 {len(late)} 行，由后台生成xlsx" in text
    assert f'action="/oversight/{slug}/xlsx/all/"' in text
    assert 'name="key" value="behind-cadre"' in text
    built = load_workbook(io.BytesIO(queued_file(client, f"/oversight/{slug}/xlsx/all/", {"key": "behind-cadre"})
                                     .content))
    assert built.sheetnames == [sheet.title]
    assert [[c.value for c in row] for row in built.active.iter_rows()] == \
        [[c.value for c in row] for row in sheet.iter_rows()]
    job = Download.objects.filter(kind="oversight_all").latest("created_at")
    assert job.title.endswith("进度落后的走访干部（落后多者在前）")
    assert queued_file(client, f"/oversight/{slug}/xlsx/all/", {"key": "nothing"}).status_code == 404
    home = client.get("/?p-cases-unit=2").content.decode()
    assert "第 2 / 3 页，共 3 行" in home
