"""Charts: ECharts from npm, drawn from the tables that carry the numbers, loaded only where a page has charts.

The library is installed by `make static` (npm ci, then copied to var/vendor/); `make test` always has it.
"""

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from zoufang.conftest import SHOTS, Town, browser_login
from zoufang.core.testwidths import shoot
from zoufang.planning.models import Quota
from zoufang.registry.models import Target, Unit

VENDOR = Path(django_settings.VAR_DIR) / "vendor"
LIBRARY = VENDOR / "echarts" / "echarts.min.js"
NODE_MODULES = Path(django_settings.BASE_DIR) / "node_modules"
FIRST_LOAD_BUDGET = 150 * 1024  # gzipped bytes: HTML, CSS and JS, the chart library aside (issue 11)


def _library_or_skip() -> None:
    if not NODE_MODULES.is_dir():
        pytest.skip("node_modules is absent: ECharts comes from `make static` (npm ci), which `make test` runs")
    assert LIBRARY.is_file(), f"{LIBRARY} missing although node_modules exists: run `make static`"


def _plan(town: Town) -> None:
    """A small plan: 派出所 (a town department) and 上下塘社区居委会 (a village committee) share the villages."""
    committee = Unit.objects.get(name="上下塘社区居委会")
    households = Target.Kind.REGISTERED_HOUSEHOLD
    Quota.objects.bulk_create([
        Quota(campaign=town.campaign, unit=town.police, region=town.shangxiatang, target_kind=households, count=2),
        Quota(campaign=town.campaign, unit=committee, region=town.shangxiatang, target_kind=households, count=1),
        Quota(campaign=town.campaign, unit=town.police, region=town.jijiadun, target_kind=households, count=2),
        Quota(campaign=town.campaign, unit=town.police, region=town.jijiadun, target_kind=Target.Kind.ENTERPRISE,
              count=1),
    ])


def _scripts_and_styles(html: str) -> list[str]:
    return re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+\.(?:js|css))"', html)


# --- served only where charts are drawn, and drawn from the table --------------------------------------------


@pytest.mark.django_db
def test_the_plan_page_loads_the_chart_scripts_and_the_cadres_page_does_not(town, login):
    _library_or_skip()
    _plan(town)
    plan = login(town.users["office"]).get(f"/plan/?campaign={town.campaign.slug}").content.decode()
    assert any("vendor/echarts/echarts.min" in src for src in _scripts_and_styles(plan))
    assert 'data-chart="stacked-bar"' in plan
    for username in ("dept", "village"):
        client = Client()
        client.force_login(town.users[username])
        for path in ("/me/", "/"):
            html = client.get(path).content.decode()
            assert "echarts" not in html, (username, path)
            assert "charts.js" not in html, (username, path)


@pytest.mark.django_db
def test_without_the_library_the_page_keeps_its_table_and_loads_no_chart_script(town, login, settings, tmp_path):
    """A checkout that never ran `make static`: nothing collected, nothing to find — the table stands alone."""
    _plan(town)
    settings.STATICFILES_DIRS = []
    settings.STATIC_ROOT = tmp_path
    response = login(town.users["office"]).get(f"/plan/?campaign={town.campaign.slug}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "echarts" not in html
    assert "charts.js" not in html
    assert 'data-chart="stacked-bar"' in html


def test_a_manifest_without_the_library_means_no_charts_rather_than_an_error(settings, tmp_path):
    """collectstatic run without the npm step: the hashed-name lookup would raise; the page goes without charts."""
    from zoufang.web.templatetags.charts import chart_scripts

    settings.STATICFILES_DIRS = []
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    (tmp_path / "staticfiles.json").write_text('{"paths": {"web/charts.js": "web/charts.0123456789ab.js"}, '
                                               '"version": "1.1", "hash": "0"}')
    assert chart_scripts() == ""


@pytest.mark.django_db
def test_collectstatic_serves_the_library_as_a_hashed_compressed_file(settings, tmp_path):
    _library_or_skip()
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", "--noinput", "-v0")
    hashed = [p.name for p in (tmp_path / "vendor" / "echarts").iterdir()]
    assert any(re.fullmatch(r"echarts\.min\.[0-9a-f]{12}\.js", name) for name in hashed), hashed
    assert any(re.fullmatch(r"echarts\.min\.[0-9a-f]{12}\.js\.gz", name) for name in hashed), hashed
    assert any(re.fullmatch(r"charts\.[0-9a-f]{12}\.js", p.name) for p in (tmp_path / "web").iterdir())
    # Only the one file the pages load: not the whole of node_modules.
    assert sorted(p.name for p in (tmp_path / "vendor").iterdir()) == ["echarts"]
    assert sorted({p.name.split(".")[0] for p in (tmp_path / "vendor" / "echarts").iterdir()}) == ["echarts"]


# --- the first load stays small ------------------------------------------------------------------------------


def _first_load_gzipped(client: Client, path: str) -> tuple[int, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    total = len(gzip.compress(response.content))
    loaded = []
    for url in _scripts_and_styles(html):
        if "vendor/echarts/" in url:
            continue  # the chart library: cached as a hashed static file, outside the budget
        name = urlsplit(url).path.removeprefix("/" + django_settings.STATIC_URL.strip("/") + "/")
        found = finders.find(name)
        assert found, url
        total += len(gzip.compress(Path(found).read_bytes()))
        loaded.append(name)
    return total, loaded


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "path"), [("office", "/"), ("leader", "/"), ("office", "/plan/"),
                                                ("dept", "/me/")])
def test_the_first_load_is_at_most_150_kb_gzipped_without_the_chart_library(town, username, path):
    _plan(town)
    client = Client()
    client.force_login(town.users[username])
    size, loaded = _first_load_gzipped(client, path)
    assert "web/site.css" in loaded
    assert size <= FIRST_LOAD_BUDGET, f"{path}: {size} bytes gzipped ({loaded})"


# --- in real Chromium ----------------------------------------------------------------------------------------

WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  e => window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""

CHART = """() => {
  const box = document.querySelector("div.chart");
  const chart = box && echarts.getInstanceByDom(box);
  if (!chart) return null;
  const option = chart.getOption();
  const canvas = box.querySelector("canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) inked++;
  return {
    animation: option.animation, categories: option.yAxis[0].data,
    series: option.series.map(s => [s.name, s.type, s.stack || null, s.data]),
    width: canvas.getBoundingClientRect().width, inked,
    next: box.nextElementSibling.className,
  };
}"""


@contextmanager
def _plan_page(browser: Any, url: str, town: Town, **options: Any) -> Iterator[Any]:
    """The office's plan page in a fresh context; on leaving, no CSP violation, console error or failed load."""
    context = browser.new_context(**options)
    page = context.new_page()
    errors: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        browser_login(page, url, "office")
        page.goto(f"{url}/plan/?campaign={town.campaign.slug}")
        page.wait_for_function("() => window.zoufangCharts && document.querySelector('div.chart canvas')")
        yield page
        page.wait_for_timeout(200)  # a last frame, and any report it causes
        assert page.evaluate("window.__violations") == []
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_plan_page_draws_its_stacked_bar_from_the_table(browser, live_server, town, settings, width, height):
    _library_or_skip()
    settings.ZOUFANG_TODAY = "2017-06-15"
    _plan(town)
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Reduced motion, as some users set it: no animation, and the screenshot shows the finished chart.
    viewport = {"width": width, "height": height}
    with _plan_page(browser, live_server.url, town, viewport=viewport, reduced_motion="reduce") as page:
        page.wait_for_timeout(200)  # the first frame
        drawn = page.evaluate(CHART)
        assert drawn["animation"] is False
        assert drawn["categories"] == ["上下塘社区", "计家墩村"]
        # One stacked series per group of visitors, each number read from the table below the chart.
        assert drawn["series"] == [
            ["上级单位", "bar", "total", [0, 0]], ["镇领导", "bar", "total", [0, 0]],
            ["镇部门", "bar", "total", [2, 3]], ["村、社区干部", "bar", "total", [1, 0]],
        ]
        assert drawn["width"] > width * 0.6
        assert drawn["inked"] > 1000
        assert "table-wrap" in drawn["next"]  # the numbers stay right below the chart
        assert page.locator("table.plan-villages").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, f"plan-chart-{width}")
        # The tooltip (HTML with inline style attributes) over a bar, within the page's CSP.
        chart = page.locator("div.chart")
        box = chart.bounding_box()
        chart.hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
        chart.hover(position={"x": box["width"] * 0.6, "y": box["height"] * 0.55})
        page.wait_for_function("() => document.querySelector('div.chart').innerText.includes('镇部门')")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_line_and_funnel_tables_draw_with_a_dashed_pace_line(browser, live_server, town, settings):
    """The other chart kinds the dashboards use, drawn by the same script from tables of their own."""
    _library_or_skip()
    settings.ZOUFANG_TODAY = "2017-06-15"
    _plan(town)
    with _plan_page(browser, live_server.url, town, viewport={"width": 390, "height": 844},
                    reduced_motion="no-preference") as page:  # the animation, as most users see it
        drawn = page.evaluate("""() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend",
            '<table id="weeks" data-chart="line" data-chart-series="2" data-chart-line="3"><thead><tr>' +
            '<th>周</th><th>累计走访</th><th>进度线</th></tr></thead><tbody>' +
            '<tr><th>第1周</th><td>1,200</td><td>1,000</td></tr><tr><th>第2周</th><td>1,900</td><td>2,000</td></tr>' +
            '<tr><th>第3周</th><td>—</td><td>3,000</td></tr></tbody><tfoot><tr><th>合计</th><td>9</td><td>9</td></tr></tfoot></table>' +
            '<table id="funnel" data-chart="funnel"><thead><tr><th>环节</th><th>件数</th></tr></thead><tbody>' +
            '<tr><td>收集</td><td>40</td></tr><tr><td>交办</td><td>30</td></tr><tr><td>办结</td><td>12</td></tr></tbody></table>');
          const line = zoufangCharts.draw(document.getElementById("weeks")).getOption();
          const funnel = zoufangCharts.draw(document.getElementById("funnel")).getOption();
          zoufangCharts.draw(document.getElementById("funnel"));  // again: still one chart
          return {
            weeks: line.xAxis[0].data,
            line: line.series.map(s => [s.name, s.type, s.data, s.lineStyle && s.lineStyle.type, s.step || null]),
            funnel: funnel.series[0].data.map(d => [d.name, d.value]),
            charts: document.querySelectorAll("div.chart canvas").length,
          };
        }""")
        assert drawn["weeks"] == ["第1周", "第2周", "第3周"]  # the footer's totals are not a week
        assert drawn["line"][0][:3] == ["累计走访", "line", [1200, 1900, None]]
        assert drawn["line"][0][4] is None  # the visits are a count that grows; the pace rises at a row, flat between
        assert drawn["line"][1] == ["进度线", "line", [1000, 2000, 3000], "dashed", "end"]
        assert drawn["funnel"] == [["收集", 40], ["交办", 30], ["办结", 12]]
        assert drawn["charts"] == 3
        assert page.evaluate("echarts.getInstanceByDom(document.querySelector('div.chart')).getOption().animation")
        page.wait_for_timeout(1500)  # the animation's end, for the screenshot
        shoot(page, "chart-kinds-390")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["dept", "village"])
def test_the_cadres_phone_page_never_requests_the_chart_library(browser, live_server, town, settings, username):
    settings.ZOUFANG_TODAY = "2017-06-15"
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        browser_login(page, live_server.url, username)
        page.goto(f"{live_server.url}/me/")
        page.wait_for_load_state("networkidle")
        assert any(url.endswith("/web/site.js") for url in requested)  # what it does load is seen
        assert not [url for url in requested if "echarts" in url or "charts.js" in url]
        assert page.evaluate("typeof window.echarts") == "undefined"
    finally:
        context.close()
