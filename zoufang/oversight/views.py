"""督查统计 pages: the campaign's dashboard, a unit's page, the rows behind a figure; each list as xlsx."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zoufang import clock
from zoufang.core.dbrouter import reads_from_replica
from zoufang.oversight import across, drill, export, figures
from zoufang.oversight import board as boards
from zoufang.oversight import city as cities
from zoufang.oversight.access import Reach, campaign_for, city_region
from zoufang.regions.models import Region
from zoufang.registry.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.xlsx"
    return response


def _unit(reach: Reach, public_id: Any) -> Unit:
    try:
        unit = Unit.objects.filter(public_id=public_id).first()
    except (ValueError, TypeError):
        unit = None
    if unit is None or not reach.may_read_unit(unit):
        raise Http404
    return unit


def _board(request: HttpRequest, reach: Reach, unit_id: Any = None,
           behind_limit: int | None = boards.BEHIND_SHOWN) -> tuple[boards.Board, Unit | None]:
    today = clock.today()
    if unit_id:
        unit = _unit(reach, unit_id)
        return boards.unit_board(reach, unit, today), unit
    if not reach.whole:
        raise Http404
    return boards.campaign_board(reach, today, request.user, behind_limit), None


@login_required
@reads_from_replica
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    if not reach.whole:
        if len(reach.units) == 1:
            return unit(request, slug, reach.units[0].public_id)
        raise Http404
    board, _unit_none = _board(request, reach)
    return render(request, "oversight/dashboard.html", {"campaign": reach.campaign, "board": board})


@login_required
@reads_from_replica
def unit(request: HttpRequest, slug: str, unit_id: Any) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    board, found = _board(request, reach, unit_id)
    return render(request, "oversight/unit.html", {"campaign": reach.campaign, "board": board, "unit": found})


@login_required
@reads_from_replica
def table_xlsx(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    # The page shows the worst twenty behind pace; its download lists every one.
    board, found = _board(request, reach, request.GET.get("unit"), behind_limit=None)
    tables = board.ordered()
    if key != "all":
        tables = [table for table in tables if table.key == key]
    if not tables:
        raise Http404
    heading = f"{reach.campaign.name}{' ' + found.name if found else ''}"
    return xlsx_response(export.xlsx(tables, heading=heading), f"{slug}-{key}-{board.today:%Y%m%d}")


@login_required
@reads_from_replica
def rows(request: HttpRequest, slug: str) -> HttpResponse:
    reach = campaign_for(request.user, slug)
    narrowing = drill.narrowing(reach, request.GET)
    today = clock.today()
    if request.GET.get("format") == "xlsx":
        table, _count = drill.table(reach, narrowing, request.user, today, limit=None)
        return xlsx_response(export.xlsx([table], heading=reach.campaign.name), f"{slug}-{narrowing.what}")
    table, count = drill.table(reach, narrowing, request.user, today)
    return render(request, "oversight/rows.html", {
        "campaign": reach.campaign, "table": table, "count": count, "narrowing": narrowing,
        "query": narrowing.query(), "cut": count > len(table.rows),
    })


def _city_board(request: HttpRequest, region: Region) -> cities.CityBoard:
    """The towns side by side for the year asked (default: this year), ranked by the figure asked (pace)."""
    order = request.GET.get("sort") or "pace"
    year = request.GET.get("year") or ""
    if order not in figures.TOWN_ORDERS or (year and not (year.isdigit() and 2000 <= int(year) <= 2100)):
        raise Http404
    return cities.city_board(region, clock.today(), year=int(year) if year else None, order=order)


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


@login_required
@reads_from_replica
def city_xlsx(request: HttpRequest, region_id: Any, key: str) -> HttpResponse:
    region = city_region(request.user, region_id)
    board = _city_board(request, region)
    tables = [table for table in board.ordered() if key in ("all", table.key)]
    if not tables:
        raise Http404
    heading = f"{region.name} {board.figures.year}"
    return xlsx_response(export.xlsx(tables, heading=heading), f"city-{key}-{board.figures.today:%Y%m%d}")


@login_required
@reads_from_replica
def units(request: HttpRequest) -> HttpResponse:
    """The home of a unit's handlers across towns (an upper-level unit): per town its coverage, pace and cadres."""
    today = clock.today()
    found = [across.unit_across(request.user, unit, today) for unit in across.handled_units(request.user)]
    found = [item for item in found if item.towns]
    if not found:
        raise Http404
    if request.GET.get("format") == "xlsx":
        tables = [table for item in found for table in item.tables()]
        return xlsx_response(export.xlsx(tables, heading=found[0].unit.name if len(found) == 1 else ""),
                             f"units-{today:%Y%m%d}")
    return render(request, "oversight/units.html", {"units": found, "today": today})
