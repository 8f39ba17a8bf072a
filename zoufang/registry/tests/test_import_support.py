"""Helpers for the import tests: a 锦溪镇 with the seed's villages, and spreadsheets built in memory."""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.identifiers import id_number_check_digit
from zoufang.registry.models import Target

# 附件1: each village's 户籍总户数 as the seed states it (they add up to 13815).
SEED_VILLAGES = [
    ("上下塘社区", 2667), ("干家甸社区", 417), ("虬泽村", 840), ("盛塘村", 496), ("马援庄村", 452),
    ("红霞村", 598), ("计家墩村", 350), ("张家厍村", 571), ("阮家浜村", 215), ("北管泾村", 345),
    ("孟子浜村", 795), ("联湖村", 336), ("周家浜村", 595), ("顾家浜村", 393), ("卫星村", 545),
    ("朱浜村", 816), ("三联村", 750), ("狭港村", 537), ("南前村", 416), ("陆泾村", 673),
    ("袁甸村", 537), ("长云村", 471),
]
# 附件2: (序号, 走访单位, 村、社区名称, 走访户数); 顾家浜村 appears under 市府办 as a continuation row.
ANNEX2 = [
    ("1", "市交通局", "上下塘社区", 2053), ("2", "市府办", "干家甸社区", 357), ("", "", "顾家浜村", 67),
    ("3", "市交通局", "虬泽村", 624), ("4", "市交通局", "盛塘村", 348), ("5", "市妇联", "马援庄村", 320),
    ("6", "市交通局", "红霞村", 430), ("7", "市交通局", "计家墩村", 232), ("8", "市商务局", "张家厍村", 381),
    ("9", "市交通局", "阮家浜村", 124), ("10", "市交通局", "北管泾村", 228), ("11", "市交通局", "孟子浜村", 588),
    ("12", "市商务局", "联湖村", 243), ("13", "市商务局", "周家浜村", 397), ("14", "市交通局", "顾家浜村", 266),
    ("15", "市商务局", "卫星村", 363), ("16", "市商务局", "朱浜村", 580), ("17", "市粮食局", "三联村", 500),
    ("18", "市粮食局", "狭港村", 358), ("19", "市商务局", "南前村", 277), ("20", "市商务局", "陆泾村", 449),
    ("21", "市交通局", "袁甸村", 381), ("22", "市粮食局", "长云村", 314),
]
TOTAL = dict(SEED_VILLAGES)


def region(name: str, level: str, parent: Region | None, code: str = "") -> Region:
    created = Region(name=name, level=level, parent=parent, code=code)
    created.save()
    return created


def make_town(villages: Iterable[str] = ("上下塘社区", "计家墩村")) -> Campaign:
    """锦溪镇 under 昆山市 with the named villages, and a campaign whose scope is the town."""
    county = region("昆山市", Region.Level.COUNTY, None)
    town = region("锦溪镇", Region.Level.TOWN, county)
    for name in villages:
        region(name, Region.Level.VILLAGE, town)
    return Campaign.objects.create(slug="jinxi-2017", name="锦溪镇2017年度“六个一”走访", scope=town,
                                   starts_on=dt.date(2017, 3, 1), ends_on=dt.date(2017, 12, 31))


def village(name: str) -> Region:
    return Region.objects.get(name=name, level=Region.Level.VILLAGE)


def add_registered_households(counts: dict[str, int]) -> None:
    """Registered households in bulk: only kind, region and name, as the allocation check needs."""
    targets = []
    for name, count in counts.items():
        place = village(name)
        targets.extend(Target(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=place, name=f"{name}户主{i}")
                       for i in range(count))
    Target.objects.bulk_create(targets, batch_size=2000)


def id_number(seq: int, born: str = "19700101") -> str:
    body = f"320583{born}{seq % 1000:03d}"
    return body + id_number_check_digit(body)


def csv_file(rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([["" if c is None else c for c in row] for row in rows])
    return io.BytesIO(text.getvalue().encode(encoding))


def xlsx_file(rows: Sequence[Sequence[object]], merges: Iterable[str] = (),
              setup: Callable[[Any], None] | None = None) -> io.BytesIO:
    """An xlsx of `rows`, with the cell `merges` (“B2:B4”) an office makes, and whatever else `setup(sheet)` does
    to the sheet before it is saved (rows hidden, a filter left on, cells struck through)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    if setup is not None:
        setup(sheet)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


_INLINE_STRING = re.compile(rb'(<c [^>]*)t="inlineStr"([^>]*>)(<is>.*?</is>)</c>', re.S)


def as_excel_saves(xlsx: io.BytesIO) -> io.BytesIO:
    """The workbook's text as Excel and WPS save it: openpyxl writes every string, rich text too, in its cell
    (`<is>`); Excel keeps each in xl/sharedStrings.xml, written after the sheets, and the cell holds its index."""
    source = zipfile.ZipFile(xlsx)
    items: list[bytes] = []

    def shared(cell: re.Match[bytes]) -> bytes:
        items.append(b"<si>" + cell.group(3)[4:-5] + b"</si>")
        return cell.group(1) + b't="s"' + cell.group(2) + b"<v>%d</v></c>" % (len(items) - 1)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = _INLINE_STRING.sub(shared, content)
            elif info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                          b'+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                          b'Target="sharedStrings.xml"/></Relationships>')
            target.writestr(info, content)
        target.writestr("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
                        % (len(items), len(items)) + b"".join(items) + b"</sst>")
    out.seek(0)
    return out


def annex1_rows() -> list[list[object]]:
    """附件1 as transcribed: title, header, a blank row, 22 rows, 合计, the enterprise line."""
    rows: list[list[object]] = [["苏州市妇联“六个一”走访调研居民户、企业分配表"],
                                ["序号", "走访单位", "村、社区  名称", "户籍总户数（户）", "走访户数"], ["", "", "", "", ""]]
    for serial, (name, total) in enumerate(SEED_VILLAGES, 1):
        rows.append([str(serial), "苏州市妇联", name, str(total), "100" if serial == 1 else "60"])
    rows.append(["合    计", "13815户", "1360户"])
    rows.append(["苏州市妇联走访企业", "53家"])
    return rows


def annex2_rows(total_line: Sequence[str] = ("合    计", "13815户", "9880户")) -> list[list[object]]:
    rows: list[list[object]] = [["昆山市级机关部门“六个一”走访调研居民户、企业分配表"],
                                ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"]]
    rows.extend([serial, unit, name, str(TOTAL[name]), str(count)] for serial, unit, name, count in ANNEX2)
    rows.append(list(total_line))
    rows.append(["昆山市粮食局、妇联走访企业", "101家"])
    return rows


def stored_state():
    """Every stored quota, field by field (position, version and units too), and every audit row but the imports'
    own (an import is audited whatever it changed: `imported_unchanged` checks those)."""
    rows = [(q.pk, q.source, q.row_number, q.part, q.serial, q.label, q.region_id, q.cadre_id, q.target_kind, q.count,
             q.stated_region_total, q.note, q.table_title, q.version, q.modified_at, sorted(u.pk for u in q.units.all()))
            for q in FixedQuota.objects.prefetch_related("units").order_by("pk")]
    events = AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).order_by("pk")
    return rows, list(events.values_list("pk", "action", "summary"))


def imported_unchanged(rows: int) -> None:
    """The last audit row is the import's own, saying it changed none of its `rows` rows."""
    last = AuditEvent.objects.order_by("-pk").first()
    assert last is not None
    assert last.action == AuditEvent.Action.IMPORT, last
    assert (last.changes["created"], last.changes["updated"], last.changes["deleted"]) == (0, 0, 0), last.changes
    assert last.changes["unchanged"] == rows, last.changes
