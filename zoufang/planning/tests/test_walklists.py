"""Walk lists on the 锦溪镇 demo: one per visitor, every target on exactly one, no phone or ID on paper."""

import io
import re
from collections import Counter
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn

from zoufang.accounts.models import AuditEvent
from zoufang.jobs.testing import queued_file
from zoufang.planning.export import write_docx
from zoufang.planning.models import Assignment
from zoufang.planning.walklists import COLUMNS, walk_lists, write_unit_walk_lists
from zoufang.registry.models import Target, Unit


@pytest.fixture(scope="module")
def book(demo_plan_workbook):
    return openpyxl.load_workbook(io.BytesIO(demo_plan_workbook))


@pytest.fixture(scope="module")
def printable(demo, django_db_blocker) -> bytes:
    """The town's printable plan (write_docx), written once for the two tests that read it."""
    out = io.BytesIO()
    with django_db_blocker.unblock():
        write_docx(demo, out)
    return out.getvalue()


def visitors(campaign) -> Counter:
    """How many targets each visitor (unit, cadre or none) holds: what the lists must add up to."""
    return Counter(Assignment.objects.filter(campaign=campaign).values_list("unit_id", "cadre_id"))


def listed(sheet) -> list[tuple]:
    """A walk-list sheet's rows below its header, its 合计 line left out."""
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if list(row[:len(COLUMNS)]) == COLUMNS)
    return [row for row in rows[at + 1:] if row[0] is not None and not str(row[0]).startswith("合计")]


def test_it_gives_every_visitor_a_sheet_and_every_target_one_line(book, demo, db):
    assert book.sheetnames[:8] == ["附件1", "附件2", "附件3-1", "附件3-2", "附件4-1", "附件4-2", "各单位分村", "走访名单"]
    held = visitors(demo)
    sheets = [name for name in book.sheetnames if name.startswith("名单")]
    assert len(sheets) == len(held)  # the upper levels' reserved blocks too, not only cadres
    lines = [row for name in sheets for row in listed(book[name])]
    assert len(lines) == sum(held.values()) == Target.objects.filter(archived_on__isnull=True).exclude(
        kind__in=["cadre", "notable_person"]).count()
    assert [row[0] for row in listed(book[sheets[0]])][:3] == [1, 2, 3]


def test_it_indexes_the_lists_with_links_and_counts(book, demo, db):
    index = list(book["走访名单"].iter_rows(min_row=2, values_only=True))
    assert index[0] == ("序号", "走访单位", "走访人", "村（社区）", "走访对象", "合计", "名单工作表")
    rows = index[1:]
    assert [r[6] for r in rows] == [n for n in book.sheetnames if n.startswith("名单")]
    for row in rows[:5] + rows[-5:]:
        assert len(listed(book[row[6]])) == row[5]
    link = book["走访名单"].cell(3, 7).hyperlink
    assert link.location == f"'{rows[0][6]}'!A1" or link.target == f"#'{rows[0][6]}'!A1"
    leader = get_user_model().objects.get(username="leader").cadre
    mine = next(r for r in rows if r[2] == leader.name)
    assert mine[1] == leader.unit.name
    assert mine[5] == Assignment.objects.filter(campaign=demo, cadre=leader).count()


def test_it_puts_a_cadres_targets_in_walking_order_without_phone_or_id(book, demo, db):
    dept = get_user_model().objects.get(username="dept").cadre
    name = next(r[6] for r in book["走访名单"].iter_rows(min_row=3, values_only=True) if r[2] == dept.name)
    rows = listed(book[name])
    mine = Assignment.objects.filter(campaign=demo, cadre=dept).select_related("target")
    assert sorted(r[2] for r in rows) == sorted(a.target.name for a in mine)
    kinds = [r[1] for r in rows]
    assert kinds == sorted(kinds, key=["户籍户", "外来常住户", "企业", "项目"].index)  # grouped by kind
    cells = {str(v) for row in rows for v in row if v}
    for a in mine:
        assert not any(a.target.phone and a.target.phone in c for c in cells)
        assert not any(a.target.id_number and a.target.id_number in c for c in cells)
    header = book[name].cell(2, 1).value
    assert f"走访单位：{dept.unit.name}　走访人：{dept.name}" in header
    assert f"共 {len(rows)} 个" in header


def test_it_orders_addresses_as_numbers(demo, db):
    """Within one 村民小组 of one grid, 9号 comes before 10号 (text order would put 10号 first)."""
    seen = 0
    for walk in walk_lists(demo, unit=Unit.objects.get(name="派出所")):
        assert [i.sort_key for i in walk.items] == sorted(i.sort_key for i in walk.items)
        streets: dict[tuple[str, str], list[int]] = {}
        for item in walk.items:
            match = re.fullmatch(r"(.*\D)(\d+)号", item.address)
            if item.kind == "registered_household" and match:
                streets.setdefault((item.group, match.group(1)), []).append(int(match.group(2)))
        for numbers in streets.values():
            assert numbers == sorted(numbers)
            seen += len(numbers) > 1
    assert seen


def docx_tables(data: bytes) -> list[list[list[str]]]:
    """Every table's rows as text, read from the XML (python-docx's cell lookup is quadratic in rows)."""
    document = Document(io.BytesIO(data))
    return [[["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))]
             for tr in tbl.iter(qn("w:tr"))] for tbl in document.element.body.iter(qn("w:tbl"))]


def test_the_printable_docx_holds_every_walk_list_after_the_tables(printable, demo, db):
    tables = docx_tables(printable)
    held = visitors(demo)
    assert len(tables) == 7 + len(held)
    lists = tables[7:]
    assert all(t[0] == COLUMNS for t in lists)
    assert sum(len(t) - 1 for t in lists) == sum(held.values())
    assert sorted(len(t) - 1 for t in lists) == sorted(held.values())
    text = "\n".join(p.text for p in Document(io.BytesIO(printable)).paragraphs)
    leader = get_user_model().objects.get(username="leader").cadre
    assert f"走访单位：{leader.unit.name}　走访人：{leader.name}" in text


def test_every_printed_table_is_laid_out_by_its_grid_across_the_page(printable):
    """Fixed layout and a grid as wide as the text block: Word and WPS take the columns as given instead of measuring
    every cell of a thousand-row list to fit them (autofit), and the table fills the page between the margins."""
    document = Document(io.BytesIO(printable))
    section = document.sections[0]
    printable_twips = round((section.page_width - section.left_margin - section.right_margin) / 635)
    tables = list(document.element.body.iter(qn("w:tbl")))
    assert tables
    for tbl in tables:
        properties = tbl.find(qn("w:tblPr"))
        assert properties.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(column.get(qn("w:w"))) for column in tbl.find(qn("w:tblGrid")).iter(qn("w:gridCol"))]
        assert abs(sum(grid) - printable_twips) <= len(grid), grid  # whole twips, a rounding each
        width = properties.find(qn("w:tblW"))
        assert (width.get(qn("w:type")), int(width.get(qn("w:w")))) == ("dxa", sum(grid))


def test_a_walk_list_s_number_and_header_fit_their_column_on_one_line_and_no_row_breaks_across_pages(printable):
    """The 序号 column holds its header and a four-digit number on one line (a cadre's list runs to thousands of
    rows; 0.9 cm printed "51" over "0"), and a row is never cut by a page break (its text half on each page)."""
    document = Document(io.BytesIO(printable))
    lists = [tbl for tbl in document.element.body.iter(qn("w:tbl"))
             if [t.text for t in tbl.find(qn("w:tr")).iter(qn("w:t"))][:len(COLUMNS)] == COLUMNS]
    assert lists
    margins_twips = 2 * 108  # Word's default cell margins, left and right (0.19 cm)
    font_twips = 9 * 20  # the lists' 9 pt
    needed = max(2 * font_twips, 4 * font_twips // 2)  # two Chinese characters; four digits, half an em each
    for tbl in lists:
        first = int(next(tbl.find(qn("w:tblGrid")).iter(qn("w:gridCol"))).get(qn("w:w")))
        assert first - margins_twips >= needed, first
        for row in tbl.iter(qn("w:tr")):
            assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_unit_downloads_its_own_lists_one_per_cadre(client, demo, db, fmt):
    unit = Unit.objects.get(name="派出所")
    client.force_login(get_user_model().objects.get(username="office"))
    response = queued_file(client, f"/plan/units/{unit.public_id}/walk-lists.{fmt}?campaign=jinxi-2017")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E6%B4%BE%E5%87%BA%E6%89%80" in response["Content-Disposition"]  # 派出所…
    cadres = Counter(Assignment.objects.filter(campaign=demo, unit=unit).values_list("cadre_id", flat=True))
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert len(book.sheetnames) == 1 + len(cadres)
        assert sorted(len(listed(book[n])) for n in book.sheetnames[1:]) == sorted(cadres.values())
    else:
        assert sorted(len(t) - 1 for t in docx_tables(response.content)) == sorted(cadres.values())
    assert AuditEvent.objects.filter(action="export", object_id=str(unit.public_id)).exists()


@pytest.mark.parametrize(("username", "status"), [
    ("paichusuo", 200),  # 派出所's own handler hands them out
    ("leader", 200),
    ("jianguansuo", 404),  # another unit's handler
    ("dept", 404),  # a cadre of 派出所: their own list is on 我的走访
    ("outsider", 404),
])
def test_a_units_lists_go_to_its_office_leaders_and_handlers_only(client, demo, db, username, status):
    unit = Unit.objects.get(name="派出所")
    client.force_login(get_user_model().objects.get(username=username))
    assert queued_file(client, f"/plan/units/{unit.public_id}/walk-lists.xlsx?campaign=jinxi-2017").status_code == status


def test_the_handlers_desk_links_to_the_units_lists(client, demo, db):
    unit = Unit.objects.get(name="派出所")
    client.force_login(get_user_model().objects.get(username="paichusuo"))
    page = client.get("/cases/desk/").content.decode()
    assert f"/plan/units/{unit.public_id}/walk-lists.xlsx?campaign=jinxi-2017" in page
    assert "派出所走访名单（xlsx）" in page


def test_a_unit_without_targets_gets_a_page_that_says_so(demo, db, tmp_path):
    unit = Unit.objects.create(name="新设科室", kind=Unit.Kind.TOWN_DEPARTMENT, region=demo.scope)
    assert write_unit_walk_lists(demo, unit, tmp_path / "empty.docx", "docx") == 0
    assert "新设科室在本次走访中没有分配走访对象。" in [p.text for p in Document(tmp_path / "empty.docx").paragraphs]


def test_the_command_exports_one_units_lists(demo, db, tmp_path):
    out = StringIO()
    call_command("plan", "export", "--campaign", "jinxi-2017", "--unit", "派出所", "--out", str(tmp_path / "p.xlsx"),
                 stdout=out)
    n = len(set(Assignment.objects.filter(campaign=demo, unit__name="派出所").values_list("cadre_id", flat=True)))
    assert f"派出所 {n} 份走访名单" in out.getvalue()
    assert len(openpyxl.load_workbook(tmp_path / "p.xlsx").sheetnames) == n + 1
    with pytest.raises(Exception, match="未登记"):
        call_command("plan", "export", "--campaign", "jinxi-2017", "--unit", "没有这个单位", "--out",
                     str(tmp_path / "q.xlsx"))


@pytest.mark.parametrize(("username", "offered"), [("leader", True), ("paichusuo", True), ("jianguansuo", False)])
def test_the_units_progress_page_offers_its_lists_to_whom_they_go(client, demo, db, username, offered):
    """A leader may have a unit's lists (above), and now a page offers them: the unit's 走访进度 page. Before, only
    分配 → 单位 (the office's) and the handler's desk did, and a leader's request came from no page at all."""
    unit = Unit.objects.get(name="派出所")
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(f"/oversight/jinxi-2017/units/{unit.public_id}/")
    form = f'action="/plan/units/{unit.public_id}/walk-lists.xlsx?campaign=jinxi-2017"'
    assert (response.status_code == 200 and form in response.content.decode()) == offered


def _closings(data: bytes) -> list[str]:
    """The text of the paragraph right after each table of the body."""
    body = Document(io.BytesIO(data)).element.body
    found = []
    for table in body.iter(qn("w:tbl")):
        following = table.getnext()
        found.append("".join(t.text or "" for t in following.iter(qn("w:t"))) if following is not None else "")
    return found


@pytest.mark.parametrize("streamed", [True, False])
def test_every_printed_walk_list_ends_in_its_total_as_the_workbook_does(demo, db, streamed, request):
    """合计：户籍户 5 户，企业 3 家，共 8 个 under each visitor's table: what the clerk counts the list by."""
    out = io.BytesIO()
    if streamed:  # the town's printable plan: its walk lists written a row at a time
        closings = _closings(request.getfixturevalue("printable"))[7:]  # after the seven allocation tables
        walks = list(walk_lists(demo))
    else:  # one unit's lists, built as one document
        unit = Assignment.objects.filter(campaign=demo).select_related("unit").first().unit
        write_unit_walk_lists(demo, unit, out, "docx")
        closings = _closings(out.getvalue())
        walks = list(walk_lists(demo, unit=unit))
    assert closings == [f"合计：{walk.total()}" for walk in walks]


def test_the_printed_plan_and_a_unit_s_walk_lists_print_digits_in_the_face_of_the_chinese(printable, demo, db):
    from zoufang.core.tests.docxfonts import mixed_fonts

    unit = Assignment.objects.filter(campaign=demo).select_related("unit").first().unit
    out = io.BytesIO()
    write_unit_walk_lists(demo, unit, out, "docx")
    assert mixed_fonts(printable) == []
    assert mixed_fonts(out.getvalue()) == []
