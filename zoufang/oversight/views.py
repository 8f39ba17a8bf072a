"""督查统计 pages: the campaign's dashboard, a unit's page, the rows behind a figure; each list as xlsx."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts import scope
from zoufang.core import paging, snapshot
from zoufang.core.dbrouter import reads_from_replica
from zoufang.core.downloads import attachment
from zoufang.core.queryparams import Asked, BadParameter, refused, unseen_rule
from zoufang.documents import summaries
from zoufang.oversight import across, drill, export, figures, fullcoverage, fullcoverage_tables
from zoufang.oversight import board as boards
from zoufang.oversight import city as cities
from zoufang.oversight.access import Reach, campaign_for, city_region
from zoufang.regions.models import Region
from zoufang.registry.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook built in the request, saved as `filename`.xlsx: named in Chinese as the background downloads are
    (jobs.kinds), percent-encoded as RFC 6266 asks (Django's own header)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = attachment(f"{filename}.xlsx")
    return response


def _seen_unit(reach: Reach, public_id: Any) -> Unit | None:
    try:
        unit = Unit.objects.filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        unit = None
    return unit if unit is not None and reach.may_read_unit(unit) else None


def _unit(reach: Reach, public_id: Any) -> Unit:
    unit = _seen_unit(reach, public_id)
    if unit is None:
        raise Http404
    return unit


def _board(user: Any, reach: Reach, unit_id: Any = None, behind_limit: int | None = boards.BEHIND_SHOWN,
           query: Any = None, only: str | None = None) -> tuple[boards.Board, Unit | None]:
    today = clock.today()
    if unit_id:
        unit = _unit(reach, unit_id)
        return boards.unit_board(reach, unit, today), unit
    if not reach.whole:
        raise Http404
    return boards.campaign_board(reach, today, user, behind_limit, query, only), None


@login_required
@reads_from_replica
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    if not reach.whole:
        if len(reach.units) == 1:
            return unit(request, slug, reach.units[0].public_id)
        raise Http404
    board, _unit_none = _board(request.user, reach, query=request.GET)
    boards.paginate(board, Asked.page(request))
    return render(request, "oversight/dashboard.html", {"campaign": reach.campaign, "board": board})


@login_required
@reads_from_replica
def unit(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    board, found = _board(request.user, reach, unit_id)
    boards.paginate(board, Asked.page(request))
    summary = summaries.card(request.user, reach.campaign, found) if found is not None else None
    return render(request, "oversight/unit.html", {"campaign": reach.campaign, "board": board, "unit": found,
                                                   "walk_lists": _reads_unit_records(request.user, found),
                                                   "summary": summary})


def _reads_unit_records(user: Any, unit: Unit | None) -> bool:
    """Whether the unit's page offers its walk lists: to whom they are given (scope.unit_records: the office, its
    leaders and assessors, the unit's handlers), so that no one may ask for them from a page they never see."""
    if unit is None:
        return False
    try:
        scope.unit_records(user, unit.public_id)
    except Http404:
        return False
    return True


def board_scope(user: Any, slug: str, unit_id: Any = None) -> tuple[Reach, Unit | None]:
    """Who may download a board: a unit's (given) within the reach, else the whole campaign's; Http404 otherwise."""
    reach = campaign_for(user, slug)
    if unit_id:
        return reach, _unit(reach, unit_id)
    if not reach.whole:
        raise Http404
    return reach, None


def board_tables(user: Any, slug: str, key: str, unit_id: Any = None) -> tuple[list[Any], str, str]:
    """The dashboard's tables (one, or every one for "all") as its xlsx lists them: every row, not the worst twenty;
    with the heading and the file's stem. Http404 outside the user's reach."""
    reach = campaign_for(user, slug)
    # The page shows the worst twenty behind pace; its download lists every one. One key builds its table alone.
    board, found = _board(user, reach, unit_id, behind_limit=None, only=None if key == "all" else key)
    # A unit's board (a few small tables) is built whole: the key picks its table here.
    tables = [table for table in board.ordered() if key in ("all", table.key)]
    if not tables:
        raise Http404
    heading = f"{reach.campaign.name}{' ' + found.name if found else ''}"
    title = _("督查统计") if key == "all" else tables[0].title
    return tables, heading, f"{reach.campaign.name}{found.name if found else ''}{title}-{board.today:%Y%m%d}"


# A table this long is written by the task worker, not in a request: a city campaign's 100,000 cadres behind pace
# after the deadline took 28 s to write (docs/oversight.md); a town's 2,000 units, a fraction of a second.
IN_REQUEST_ROWS = 2000


@login_required
@reads_from_replica
def table_xlsx(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One table of the dashboard: built in the request up to IN_REQUEST_ROWS rows; a longer one is a page that
    offers to build it in the background (`table_xlsx_all` with the table's key). The whole board is
    `table_xlsx_all`."""
    unit_id = request.GET.get("unit")
    if unit_id and _seen_unit(campaign_for(request.user, slug), unit_id) is None:
        return refused(request, BadParameter("unit", unseen_rule(_("单位"))))
    with snapshot.held():  # a long table's pages (PagedRows) read at one moment (decision 0024)
        tables, heading, stem = board_tables(request.user, slug, key, unit_id)
        table = tables[0]  # one key, one table ("all" is `table_xlsx_all`'s)
        if len(table.rows) > IN_REQUEST_ROWS:
            return render(request, "oversight/long_table.html", {
                "slug": slug, "key": key, "unit": unit_id or "", "heading": heading, "table": table,
                "count": len(table.rows)})
        data = export.xlsx(tables, heading=heading)
    return xlsx_response(data, stem)


@login_required
@require_POST
def table_xlsx_all(request: HttpRequest, slug: str) -> HttpResponse:
    """Every table of a town's (or a unit's) board, or the one a `key` names: built in the background
    (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "oversight_all", {"slug": slug, "unit": request.POST.get("unit", ""),
                                            "key": request.POST.get("key", "all")})


@login_required
@reads_from_replica
def rows(request: HttpRequest, slug: str) -> HttpResponse:
    """The first rows behind a figure; every row (POST, the 下载xlsx button) is built in the background."""
    if request.method == "POST":
        from zoufang.jobs.views import start

        return start(request, "oversight_rows", {**request.POST.dict(), "slug": slug})
    reach = campaign_for(request.user, slug)
    asked = Asked.page(request)
    narrowing = drill.narrowing(reach, asked)
    today = clock.today()
    # A page after the last row shown (keyset), the total counted no further than 10,000: a city's drill-down
    # costs what a village's does. A cursor this list did not write shows the first page, said.
    page = asked.cursor("after", lambda after: drill.page(reach, narrowing, request.user, today, after, drill.LIMIT))
    return render(request, "oversight/rows.html", {
        "campaign": reach.campaign, "table": page.table, "page": page, "narrowing": narrowing,
        "total": min(page.count, paging.COUNT_CAP), "capped": page.capped,
        "narrowing_params": list(QueryDict(narrowing.query()).items()),
    })


def _city_board(request: HttpRequest, region: Region) -> cities.CityBoard:
    """The towns side by side for the year asked (default: this year), ranked by the figure asked (pace)."""
    year, order = city_params(Asked.page(request))
    return cities.city_board(region, clock.today(), year=year, order=order)


def city_page(request: HttpRequest, region: Region) -> HttpResponse:
    """A city office's home and /oversight/city/<region>/: read-only, each town one click from its dashboard."""
    board = _city_board(request, region)
    return render(request, "oversight/city.html", {
        "region": region, "city_region": region, "board": board, "orders": [(key, label) for key, (label, *_rest) in figures.TOWN_ORDERS.items()],
        "xlsx_query": request.GET.urlencode() and f"?{request.GET.urlencode()}",
    })


@login_required
@reads_from_replica
def city(request: HttpRequest, region_id: Any) -> HttpResponse:
    return city_page(request, city_region(request.user, region_id))


def city_params(asked: Asked) -> tuple[int | None, str]:
    """The year and the order asked (default: this year, by pace); a bad one is the default with a notice on the
    page, a 400 for a download (decision 0035)."""
    year = asked.year()
    order = asked.choice("sort", figures.TOWN_ORDERS, "pace", lambda key: str(figures.TOWN_ORDERS[key][0]))
    return year, order


def city_tables(region: Region, key: str, year: int | None, order: str, *,
                full_coverage: bool = False) -> tuple[list[Any], str, str]:
    """The city page's tables (one, or every one for "all") with the heading and the file's stem; `full_coverage`:
    with 各镇全覆盖情况 (only the download built on the task queue asks for it: city_board)."""
    board = cities.city_board(region, clock.today(), year=year, order=order, full_coverage=full_coverage)
    tables = [table for table in board.ordered() if key in ("all", table.key)]
    if not tables:
        raise Http404
    heading = _("%(region)s%(year)s年") % {"region": region.name, "year": board.figures.year}
    title = _("各镇走访进度") if key == "all" else tables[0].title
    return tables, heading, f"{heading}{title}-{board.figures.today:%Y%m%d}"


@login_required
@reads_from_replica
def city_xlsx(request: HttpRequest, region_id: Any, key: str) -> HttpResponse:
    """One table of the city page: built in the request. Every town's tables together is `city_xlsx_all`."""
    region = city_region(request.user, region_id)
    try:
        asked = city_params(Asked.download(request))
    except BadParameter as error:
        return refused(request, error)
    tables, heading, stem = city_tables(region, key, *asked)
    return xlsx_response(export.xlsx(tables, heading=heading), stem)


@login_required
@require_POST
def city_xlsx_all(request: HttpRequest, region_id: Any) -> HttpResponse:
    """Every table of the city page (all its towns): built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "oversight_city_all", {"region": str(region_id), "year": request.POST.get("year", ""),
                                                 "sort": request.POST.get("sort", "")})


def units_across(user: Any) -> list[across.UnitAcross]:
    """The units the user handles that hold quotas in some town, each across its towns; Http404 when none."""
    today = clock.today()
    found = [across.unit_across(user, unit, today) for unit in across.handled_units(user)]
    found = [item for item in found if item.towns]
    if not found:
        raise Http404
    return found


@login_required
@reads_from_replica
def units(request: HttpRequest) -> HttpResponse:
    """The home of a unit's handlers across towns (an upper-level unit): per town its coverage, pace and cadres.
    Every table as xlsx (POST, 全部下载xlsx) is built in the background."""
    if request.method == "POST":
        from zoufang.jobs.views import start

        return start(request, "oversight_units", {})
    return render(request, "oversight/units.html", {"units": units_across(request.user), "today": clock.today()})


# -- 全覆盖 (fullcoverage.py): the requirements' figures, their tables as xlsx, the rows behind a gap --------------------

@login_required
@reads_from_replica
def full_coverage(request: HttpRequest, slug: str) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    result = fullcoverage.full_coverage(reach, clock.today())
    return render(request, "oversight/full_coverage.html", {
        "campaign": reach.campaign, "full_coverage": result, "tables": fullcoverage_tables.tables(result)})


@login_required
@reads_from_replica
def full_coverage_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    result = fullcoverage.full_coverage(reach, clock.today())
    return xlsx_response(export.xlsx(fullcoverage_tables.tables(result), heading=reach.campaign.name),
                         _("%(campaign)s全覆盖情况-%(day)s") % {"campaign": reach.campaign.name,
                                                                    "day": f"{result.today:%Y%m%d}"})


@login_required
@reads_from_replica
def full_coverage_rows(request: HttpRequest, slug: str) -> HttpResponse:
    """The first rows behind a gap; every row (POST, the 下载xlsx button) is built in the background (a gap can be
    a whole town's households: docs/jobs.md)."""
    if request.method == "POST":
        from zoufang.jobs.views import start

        return start(request, "full_coverage_rows", {**request.POST.dict(), "slug": slug})
    reach = campaign_for(request.user, slug)
    asked = fullcoverage_tables.gap_asked(reach, request.GET)
    table, count = fullcoverage_tables.gap_rows(reach, asked["item"], asked["gap"], request.user,
                                                region=asked["region"], unit=asked["unit"])
    return render(request, "oversight/full_coverage_rows.html", {
        "campaign": reach.campaign, "table": table, "total": min(count, paging.COUNT_CAP),
        "capped": count > paging.COUNT_CAP, "asked_params": [
            (name, request.GET[name]) for name in fullcoverage_tables.GAP_PARAMS if request.GET.get(name)],
        **asked})
