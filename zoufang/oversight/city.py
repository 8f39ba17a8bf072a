"""The city office's page: its towns side by side (figures.town_figures), as tables the page, xlsx and API share."""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from zoufang.campaigns.models import Campaign
from zoufang.oversight import figures, fullcoverage, fullcoverage_tables
from zoufang.oversight.access import Reach
from zoufang.oversight.board import rows_url
from zoufang.oversight.drill import Narrowing
from zoufang.oversight.figures import CaseFigures, TownFigures
from zoufang.oversight.tables import Table, case_table, coverage_rows_table, ranking_table
from zoufang.regions.models import Region


@dataclass
class CityBoard:
    figures: TownFigures
    years: list[int]
    tables: dict[str, Table] = field(default_factory=dict)

    def ordered(self) -> list[Table]:
        for key, table in self.tables.items():
            table.key = key
        return list(self.tables.values())


def campaign_years(region: Region) -> list[int]:
    """The years any campaign of a town under `region` runs in, latest first: the periods to compare."""
    years: set[int] = set()
    for starts_on, ends_on in Campaign.objects.filter(scope__path__startswith=region.path).values_list(
            "starts_on", "ends_on"):
        years.update(range(starts_on.year, ends_on.year + 1))
    return sorted(years, reverse=True)


def city_board(region: Region, today: dt.date, *, year: int | None = None, order: str = "pace",
               full_coverage: bool = False) -> CityBoard:
    """The ranking, coverage by town (the chart) and case results by town; each town links to its dashboard.
    `full_coverage`: also each town's 全覆盖 requirements, counted (the downloads ask: they run on the task queue;
    the page does not, since the counts read every selected target of every town, docs/oversight.md)."""
    result = figures.town_figures(region, today, year=year, order=order)
    dashboards = {row.town.pk: row.campaigns[0] for row in result.rows}

    def dashboard(town: Region | None) -> str | None:
        campaign = dashboards.get(town.pk) if town is not None else None
        return reverse("oversight:dashboard", args=[campaign.slug]) if campaign else None

    def cases(town: Region | None) -> str | None:
        campaign = dashboards.get(town.pk) if town is not None else None
        return rows_url(campaign, Narrowing("cases")) if campaign else None

    by_path = sorted(result.rows, key=lambda row: row.town.path)
    board = CityBoard(result, campaign_years(region))
    board.tables["towns"] = ranking_table(result, lambda row: dashboard(row.town))
    board.tables["coverage-town"] = coverage_rows_table("town", [row.coverage for row in by_path],
                                                        result.total.coverage,
                                                        lambda row: dashboard(row.key))
    board.tables["cases-town"] = case_table(
        CaseFigures("town", today, [row.cases for row in by_path], result.total.cases), lambda row: cases(row.key))
    if full_coverage:
        board.tables["full-coverage-town"] = fullcoverage_tables.towns_table([
            (row.town.name, fullcoverage.full_coverage(Reach(campaign, whole=True), today))
            for row in by_path for campaign in row.campaigns])
    return board
