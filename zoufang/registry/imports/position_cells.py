"""The optional position columns every target and region import accepts: 经度 and 纬度, or one 坐标 cell."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang.core.table_reading import Table
from zoufang.core.tabular import Column, SheetRow, as_found
from zoufang.regions.positions import CHINA_LATITUDE, CHINA_LONGITUDE, in_china
from zoufang.registry.imports.base import ImportContext
from zoufang.registry.imports.records import halfwidth
from zoufang.registry.models import PositionSource

LONGITUDE, LATITUDE, COORDINATES = "经度", "纬度", "坐标"
_PLACES = Decimal("0.000001")
_SPLIT = re.compile(r"[,，;；\s]+")

COLUMNS = (
    Column(LONGITUDE, False, _l("WGS-84（GPS）经度，如 120.901234；与纬度同时填写或同时留空；留空按地址或村（社区）位置补全"),
           "", ("东经",), 12, text=True),
    Column(LATITUDE, False, _l("WGS-84（GPS）纬度，如 31.181234；与经度同时填写或同时留空"), "", ("北纬",), 12, text=True),
    Column(COORDINATES, False, _l("也可只填这一列：“经度,纬度”（或“纬度,经度”），如 120.901234,31.181234"), "",
           ("经纬度", "坐标（经度,纬度）"), 24, text=True),
)


def _number(ctx: ImportContext, row: int, column: str, text: str) -> Decimal | None:
    try:
        value: Decimal | None = Decimal(halfwidth(text).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        ctx.error(row, column, _("应为数字（度，小数形式），如 120.901234") + as_found(text))
        return None
    return value.quantize(_PLACES)


def position_cells(ctx: ImportContext, table: Table, row: SheetRow) -> dict[str, Any]:
    """{latitude, longitude, position_source: imported} from the row, {} when it gives none; errors name the
    row and the column."""
    n = row.number
    lon_text, lat_text, both_text = (table.value(row, c) for c in (LONGITUDE, LATITUDE, COORDINATES))
    if both_text and (lon_text or lat_text):
        ctx.error(n, COORDINATES, _("已填写经度、纬度两列时，坐标列应留空"))
        return {}
    if both_text:
        parts = [p for p in _SPLIT.split(halfwidth(both_text)) if p]
        if len(parts) != 2:
            ctx.error(n, COORDINATES, _("应为“经度,纬度”两个数，以逗号分隔，如 120.901234,31.181234") + as_found(both_text))
            return {}
        first, second = (_number(ctx, n, COORDINATES, p) for p in parts)
        if first is None or second is None:
            return {}
        longitude, latitude = (first, second) if first > second else (second, first)
        column_lon = column_lat = COORDINATES
    elif lon_text or lat_text:
        if not (lon_text and lat_text):
            ctx.error(n, LATITUDE if lon_text else LONGITUDE, _("经度和纬度须同时填写或同时留空"))
            return {}
        given_lon, given_lat = _number(ctx, n, LONGITUDE, lon_text), _number(ctx, n, LATITUDE, lat_text)
        if given_lon is None or given_lat is None:
            return {}
        longitude, latitude = given_lon, given_lat
        column_lon, column_lat = LONGITUDE, LATITUDE
    else:
        return {}
    if not in_china(latitude, longitude):
        if not CHINA_LONGITUDE[0] <= longitude <= CHINA_LONGITUDE[1]:
            ctx.error(n, column_lon, _("经度%(value)s不在中国境内（应在%(low)s到%(high)s之间）")
                      % {"value": longitude, "low": CHINA_LONGITUDE[0], "high": CHINA_LONGITUDE[1]})
        if not CHINA_LATITUDE[0] <= latitude <= CHINA_LATITUDE[1]:
            ctx.error(n, column_lat, _("纬度%(value)s不在中国境内（应在%(low)s到%(high)s之间）")
                      % {"value": latitude, "low": CHINA_LATITUDE[0], "high": CHINA_LATITUDE[1]})
        return {}
    return {"latitude": latitude, "longitude": longitude, "position_source": PositionSource.IMPORTED}
