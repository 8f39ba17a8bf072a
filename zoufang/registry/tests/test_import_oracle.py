"""Every import refuses a bad row whole, naming it (decision 0061).

For each registry import kind: a valid file of a few rows, filled into the template the office downloads, imports;
and for each of its columns, each bad value of that column's class, put in a row that is not the first, is refused
with nothing written and a Chinese message naming the row as Excel numbers it and the column's header. Every other
way a file or a batch of rows enters the product is listed, judged here or left out with the reason, and a new one
fails the survey until it is listed.
"""

import argparse
import inspect
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook
from stdnum.cn import uscc

from zoufang.core import sheetwriter
from zoufang.core.management.commands.openapi import OPENAPI_FILE
from zoufang.core.tabular import Column
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.imports.runner import KINDS, write_template
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.test_import_support import id_number
from zoufang.workdays import services as workdays

# Every way a file or a batch of rows enters the product, found by `test_the_survey_names_every_way_in`: page
# routes that read request.FILES, API operations taking a file or a list of objects, commands taking a file.
# Each is judged by this module's oracle (ORACLE) or left out with the reason (decision 0061).
ORACLE = "every registry kind, by this module's oracle"
PAGES = {
    "imports/": ORACLE,  # and its background check and import jobs (registry_check, registry_import): run_import
    "forms/upload/": "left out: an XLSForm definition (questions, not records), refused whole by forms.xlsform",
    "visits/<uuid:public_id>/photos/": "left out: one photo, no rows",
    "documents/<slug:slug>/summaries/units/<uuid:unit_id>/hand-in/":
        "left out: one unit's 工作总结 file kept as sent, no rows; its kind read from its content "
        "(documents.summaries.file_kind, decision 0071)",
}
API = {
    "post /api/v1/visits/{visit_id}/photos": "left out: one photo, no rows",
    "post /api/v1/visits": "left out: one visit with its opinions, a JSON body refused whole by its schema (400)",
}
COMMANDS = {
    "import": ORACLE,
    "plan table": ORACLE + " (departments, then department_quotas, in one transaction)",
    "workdays import": "the working-day schedule, by this module's oracle",
    "forms load": "left out: as forms/upload/",
    "campaign validate": "left out: a campaign's YAML configuration, not rows",
    "campaign load": "left out: as campaign validate",
    "restore": "left out: a whole encrypted backup, restored or refused as one",
}

WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def credit_code(serial: int) -> str:
    body = f"91320583MA1N{serial:05d}"
    return body + uscc.calc_check_digit(body)


# What a bad value of each column class is (decision 0061). Every column also gets a NUL, an Excel error, an
# uncomputed formula and, where it is required, an empty cell; every file a copy of its first row as its last.
TOO_LONG = "长" * 1001
NUL = "甲_x0000_乙"  # a NUL as another program escapes it in an xlsx (XML holds no NUL): read back as "\x00"
BAD: dict[str, tuple[str, ...]] = {
    "text": (TOO_LONG,),
    "name": (TOO_LONG,),
    "region": ("无此村", TOO_LONG),
    "unit": ("无此单位", TOO_LONG),
    "cadre": ("无此人", TOO_LONG),
    "choice": ("不知道", TOO_LONG),
    "bool": ("也许", TOO_LONG),
    "count": ("三个", "-1", "1.5", "99999999999999999999", TOO_LONG),
    "serial": (TOO_LONG,),
    "phone": ("12345", "1381234567x", TOO_LONG),
    "id_number": (id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1"), "12345", TOO_LONG),
    "credit_code": (credit_code(9)[:-1] + ("0" if credit_code(9)[-1] != "0" else "1"), "12345", TOO_LONG),
    "code": ("12ab", "1", "1" * 13),
    "longitude": ("东经", "999", TOO_LONG),
    "latitude": ("北纬", "99", TOO_LONG),
    "coordinates": ("一,二", "999,999", TOO_LONG),
    "date": ("2017-02-30", "明天", TOO_LONG),
}
FORMULA, ERROR = "=1/0+A1", "#N/A"
POSITION = {"经度": "longitude", "纬度": "latitude", "坐标": "coordinates"}
# A column one of the others stands for: left blank in the bad row when that one is tried (the valid files fill
# 经度 and 纬度 in their second row, and 坐标 nowhere).
ALONE = {"坐标": ("经度", "纬度")}

# Each kind's columns by class, in the template's order (a new column fails `test_every_column_has_a_class`).
CLASSES: dict[str, dict[str, str]] = {
    "regions": {"上级区划": "region", "名称": "name", "层级": "choice", "区划代码": "code", **POSITION},
    "units": {"单位名称": "name", "单位类型": "choice", "所属区划": "region", "党员人数": "count", "排序": "count"},
    "departments": {"序号": "serial", "单位": "name", "党员人数": "count", "户籍户口": "count", "外来常住户": "count"},
    "cadres": {"姓名": "name", "单位": "unit", "角色": "choice", "职务": "text", "手机号码": "phone",
               "上一级": "cadre", "挂钩村（社区）": "region"},
    "households": {"户别": "choice", "村（社区）": "region", "村民小组": "region", "网格": "region", "户主姓名": "name",
                   "家庭人口": "count", "联系电话": "phone", "身份证号码": "id_number", "地址": "text",
                   "困难家庭": "bool", **POSITION},
    "enterprises": {"企业名称": "name", "统一社会信用代码": "credit_code", "村（社区）": "region", "地址": "text",
                    "企业规模": "choice", "重点企业": "bool", "行业": "text", "法定代表人": "name", "联系人": "name",
                    "联系电话": "phone", **POSITION},
    "projects": {"项目名称": "name", "村（社区）": "region", "地址": "text", "重点项目": "bool", "项目阶段": "text",
                 "联系人": "name", "联系电话": "phone", "说明": "text", **POSITION},
    "notable_persons": {"姓名": "name", "村（社区）": "region", "领域": "text", "联系电话": "phone", "地址": "text",
                        "说明": "text", **POSITION},
    "allocation": {"序号": "serial", "走访单位": "unit", "村、社区名称": "region", "户籍总户数（户）": "count",
                   "走访户数": "count"},
    "leader_households": {"序号": "serial", "走访领导": "cadre", "走访村、社区": "region", "走访户数": "count",
                          "备注": "text"},
    "leader_enterprises": {"序号": "serial", "走访领导": "cadre", "走访企业数": "count", "备注": "text"},
    "department_quotas": {"序号": "serial", "单位": "unit", "党员人数": "count", "户籍户口": "count",
                          "外来常住户": "count"},
    "workdays": {"日期": "date", "类型": "choice", "说明": "text"},
}

# A valid file of each kind, in the template's column order, on the small town (zoufang/conftest.py) with what
# `_complete_town` adds; its second row, where the bad values go, fills every column it can. A continuation row of
# a table (序号 blank) belongs to the unit or leader above it.
VALID: dict[str, list[list[str]]] = {
    "regions": [["锦溪镇", "新建村", "村", "320583106101", "", "", ""],
                ["锦溪镇/新建村", "一组", "村民小组", "320583106102", "120.91", "31.18", ""],
                ["锦溪镇", "新华社区", "社区", "", "", "", "120.92,31.17"]],
    "units": [["水务站", "镇部门", "锦溪镇", "12", "1"], ["建管所", "镇部门", "锦溪镇", "8", "2"],
              ["计家墩村村委会", "村（居）委会", "锦溪镇/计家墩村", "5", "3"]],
    "departments": [["1", "派出所", "31", "1", "0"], ["2", "水利站", "12", "1", "0"], ["3", "环卫所", "9", "0", "1"]],
    "cadres": [["李明", "派出所", "部门党员干部", "民警", "13912345601", "", "上下塘社区"],
               ["周红", "派出所", "部门党员干部", "副所长", "13912345602", "派出所/李明", "计家墩村"],
               ["钱进", "水利站", "部门党员干部", "站长", "", "", "计家墩村"]],
    "households": [["户籍户", "上下塘社区", "第1居民小组", "第1网格", "周一", "3", "13812340101", id_number(101),
                    "上下塘街101号", "否", "", "", ""],
                   ["非户籍常住户", "计家墩村", "", "", "吴二", "2", "0512-57223456", id_number(102),
                    "计家墩村102号", "是", "120.91", "31.18", ""],
                   ["户籍户", "计家墩村", "第1村民小组", "", "郑三", "", "", "", "计家墩村103号", "", "", "", ""]],
    "enterprises": [["昆山甲有限公司", credit_code(1), "计家墩村", "计家墩村1号", "规模以上", "是", "机械", "王甲",
                     "李乙", "0512-57223456", "", "", ""],
                    ["昆山乙有限公司", credit_code(2), "上下塘社区", "上下塘街2号", "中小", "否", "纺织", "王乙", "李丙",
                     "13912345678", "120.91", "31.18", ""],
                    ["昆山丙有限公司", credit_code(3), "", "", "", "", "", "", "", "", "", "", ""]],
    "projects": [["古镇保护一期", "上下塘社区", "上下塘街", "是", "在建", "赵某", "13912345678", "", "", "", ""],
                 ["污水管网", "计家墩村", "计家墩村", "否", "前期", "钱某", "13912345679", "二期", "120.91", "31.18", ""],
                 ["老街改造", "", "", "", "", "", "", "", "", "", ""]],
    "notable_persons": [["李四", "计家墩村", "文化", "13912345678", "", "", "", "", ""],
                        ["王五", "上下塘社区", "教育", "13912345679", "上下塘街5号", "退休教师", "120.91", "31.18", ""],
                        ["陈六", "", "", "", "", "", "", "", ""]],
    "allocation": [["1", "市交通局", "上下塘社区", "3", "1"], ["2", "市妇联", "上下塘社区", "3", "1"],
                   ["", "", "计家墩村", "2", "1"]],
    "leader_households": [["1", "王文", "上下塘社区", "1", ""], ["2", "吴洁", "上下塘社区", "1", "新任"],
                          ["", "", "计家墩村", "1", ""]],
    "leader_enterprises": [["1", "王文", "1", ""], ["2", "吴洁", "0", "新任"], ["3", "顾强", "1", ""]],
    "department_quotas": [["1", "派出所", "31", "1", "0"], ["2", "水利站", "12", "1", "0"],
                          ["3", "环卫所", "9", "0", "1"]],
    "workdays": [["2017-10-01", "放假", "国庆节"], ["2017-09-30", "上班", "国庆节调休上班"], ["2017-10-02", "放假", ""]],
}


@dataclass(frozen=True)
class Importer:
    """What the oracle needs of an import: its columns, its blank template, and how the office runs it."""

    columns: tuple[Column, ...]
    write_template: Callable[[IO[bytes]], None]
    run: Callable[[Any, IO[bytes], str], Any]  # (town, file, filename) → a report with `ok` and `errors`
    wrote: Callable[[Any], bool]  # whether the report of an accepted file says it stored something


def _registry_kind(kind: str) -> Importer:
    spec = KINDS[kind]

    def run(town: Any, file: IO[bytes], filename: str) -> Any:
        return run_import(kind, file, filename=filename, campaign=town.campaign if spec.needs_campaign else None,
                          by=town.users["office"], source_label="附件")

    return Importer(spec.columns, partial(write_template, kind), run, lambda report: bool(report.created
                                                                                          or report.updated))


IMPORTERS: dict[str, Importer] = {
    **{kind: _registry_kind(kind) for kind in KINDS},
    "workdays": Importer(
        workdays.COLUMNS, partial(sheetwriter.write_template, columns=workdays.COLUMNS, title="放假安排"),
        lambda town, file, filename: workdays.import_schedule(file, filename=filename, by=town.users["office"]),
        lambda report: bool(report.days)),
}


def _complete_town(town: Any) -> None:
    """What the valid files name beyond the small town: a grid, departments, upper units, more town leaders."""
    group = Region.objects.get(name="第1居民小组", parent=town.shangxiatang)
    Region.objects.create(name="第1网格", level=Region.Level.GRID, parent=group)
    for name, members in (("水利站", 12), ("环卫所", 9)):
        Unit.objects.create(name=name, kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town, party_member_count=members)
    for name in ("市交通局", "市妇联"):
        Unit.objects.create(name=name, kind=Unit.Kind.CITY_DEPARTMENT)
    leadership = Unit.objects.get(name="镇党政班子")
    for name in ("吴洁", "顾强"):
        Cadre.objects.create(name=name, unit=leadership, role=Cadre.Role.TOWN_LEADER)


@dataclass(frozen=True)
class Place:
    """A column of the template: its position, the header text the clerk reads there, and its spec header."""

    at: int
    shown: str
    header: str


def _template(kind: str) -> tuple[bytes, int, list[Place]]:
    """The kind's downloaded template, how many header rows it has, and its columns as placed."""
    out = io.BytesIO()
    IMPORTERS[kind].write_template(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    places = []
    for at in range(len(rows[0])):
        shown = next(str(row[at]) for row in reversed(rows) if at < len(row) and row[at])
        header = next(c.header for c in IMPORTERS[kind].columns if shown == c.header or shown in c.parts)
        places.append(Place(at, shown, header))
    return out.getvalue(), len(rows), places


def _filled(template: bytes, rows: list[list[str]], formula_at: tuple[int, int] | None = None) -> io.BytesIO:
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    first = sheet.max_row + 1
    for row in rows:
        sheet.append(row)
    for (r, c) in [formula_at] if formula_at else []:
        sheet.cell(first + r, c + 1).value = FORMULA  # saved by openpyxl without a result, as a program writes it
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@dataclass
class Variant:
    label: str
    file: io.BytesIO
    filename: str
    row: int  # as Excel numbers it
    columns: set[str]  # the names an error may give the column by


def _variants(kind: str) -> Iterator[Variant]:
    template, header_rows, places = _template(kind)
    valid = VALID[kind]
    bad_row = 1  # the second data row: an error must not be found only on the first
    excel_row = header_rows + bad_row + 1
    spec_columns = {c.header: c for c in IMPORTERS[kind].columns}
    for place in places:
        names = {place.shown, place.header}
        klass = CLASSES[kind][place.shown]
        values = [*BAD[klass], NUL, ERROR]
        if spec_columns[place.header].required and klass != "serial":
            values.append("")
        for value in values:
            rows = [list(row) for row in valid]
            rows[bad_row][place.at] = value
            for other in ALONE.get(place.shown, ()):  # checked on its own, not beside the columns it stands for
                rows[bad_row][[p.shown for p in places].index(other)] = ""
            yield Variant(f"{kind} {place.shown} {value[:12]!r}", _filled(template, rows), f"{kind}.xlsx",
                          excel_row, names)
        yield Variant(f"{kind} {place.shown} formula", _filled(template, valid, (bad_row, place.at)),
                      f"{kind}.xlsx", excel_row, names)
    duplicate = [*valid, list(valid[0])]
    yield Variant(f"{kind} duplicate of the first row", _filled(template, duplicate), f"{kind}.xlsx",
                  header_rows + len(duplicate), set())


def _writes(run: Callable[[], Any]) -> tuple[Any, list[str]]:
    """What `run()` returned and the tables it wrote, rolled back after."""
    tables: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if written := WRITE.match(sql):
            tables.append(written.group(1))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(spy):
            result = run()
        transaction.set_rollback(True)
    return result, tables


def _judge(variant: Variant, report: Any, tables: list[str]) -> list[str]:
    """What is wrong with how the import met the bad file: empty when it was refused whole, naming it."""
    errors = [str(error) for error in report.errors]
    wrong = []
    if report.ok:
        return [f"{variant.label}: imported"]
    if tables:
        wrong.append(f"{variant.label}: refused but wrote {sorted(set(tables))}")
    named = [e for e in report.errors if e.row == variant.row
             and (not variant.columns or any(name in e.column for name in variant.columns))]
    if not named:
        wrong.append(f"{variant.label}: no error names row {variant.row} and column {sorted(variant.columns)}: "
                     f"{errors[:3]}")
    elif not all(CHINESE.search(str(e.message)) for e in named):
        wrong.append(f"{variant.label}: not in Chinese: {[str(e) for e in named]}")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_every_bad_value_of_every_column_is_refused_whole_naming_its_row_and_column(town, kind):
    _complete_town(town)
    importer = IMPORTERS[kind]
    wrong: list[str] = []
    for variant in _variants(kind):
        try:
            report, tables = _writes(lambda v=variant: importer.run(town, v.file, v.filename))
        except Exception as exc:  # noqa: BLE001 - the office's page would answer 500: listed with the rest
            wrong.append(f"{variant.label}: raised {exc!r}")
            continue
        wrong += _judge(variant, report, tables)
    template, _rows, _places = _template(kind)
    report = importer.run(town, _filled(template, VALID[kind]), f"{kind}.xlsx")
    assert report.ok, [str(error) for error in report.errors]
    assert importer.wrote(report)
    assert not wrong, "\n".join(wrong)


def test_every_column_has_a_class():
    for kind in IMPORTERS:
        _template_bytes, _rows, places = _template(kind)
        assert [p.shown for p in places] == list(CLASSES[kind]), kind
        assert len(VALID[kind][0]) == len(places), kind


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _reads_files(pattern: URLPattern) -> bool:
    try:
        source = inspect.getsource(inspect.unwrap(pattern.callback))
    except (OSError, TypeError):  # a callable without Python source of its own (the API's router)
        return False
    return "request.FILES" in source


def _file_arguments(parser: argparse.ArgumentParser, path: list[str]) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _file_arguments(sub, [*path, name])
        elif not action.option_strings and ("文件" in str(action.metavar or "") or action.dest in ("file", "files")) \
                and "输出" not in str(action.metavar or ""):
            yield " ".join(path)


def test_the_survey_names_every_way_in():
    """A new upload page, file or batch API operation, or file-reading command fails here until it is judged."""
    pages = {route for route, pattern in _routes(get_resolver().url_patterns)
             if not route.startswith("admin/") and _reads_files(pattern)}  # the admin: one record per form
    document = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]

    def batch(content: dict[str, Any]) -> bool:
        if "multipart/form-data" in content:
            return True
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        return any(p.get("type") == "array" and ("$ref" in p.get("items", {}) or p["items"].get("type") == "object")
                   for p in properties.values())

    operations = {f"{method} {path}" for path, item in document["paths"].items() for method, operation in item.items()
                  if batch(operation.get("requestBody", {}).get("content", {}))}
    commands = {line for name, app in get_commands().items() if app.startswith("zoufang")
                for line in _file_arguments(load_command_class(app, name).create_parser("zoufang", name), [name])}
    assert (pages, operations, commands) == (set(PAGES), set(API), set(COMMANDS))
