"""Another town's 附件1 … 附件4-2, whatever their header looks like: every variant of the seed's tables is read to
the same rows as the seed's own (variants.py), or refused whole, naming the row, the column, the rule and the fix."""

import pytest

from zoufang.core.tabular import read_rows
from zoufang.planning.tables import parse_allocation_table, parse_department_table, parse_leader_table
from zoufang.planning.tests.variants import ANNEXES, DATA, DEPTHS, FORMATS, variant


def _allocation(table):
    return {"rows": [(r.serial, r.unit, r.village, r.region_total, r.count, r.continued, r.note, r.counts,
                      r.split.shares if r.split else None) for r in table.rows],
            "lines": [(line.label, line.units, line.count) for line in table.enterprise_lines],
            "totals": list(table.totals.values()), "title": table.title}


def _leaders(table):
    return {"rows": [(r.serial, r.leader, r.leader_as_written, r.village, r.count, r.continued, r.note, r.counts)
                     for r in table.rows], "totals": list(table.totals.values()), "title": table.title}


def _departments(table):
    return {"columns": table.columns, "totals": table.totals, "members": table.party_member_total,
            "rows": [(r.serial, r.unit, r.party_members, r.figures, r.note) for r in table.rows]}


READERS = {
    "annex1": (parse_allocation_table, _allocation), "annex2": (parse_allocation_table, _allocation),
    "annex3-1": (lambda rows: parse_leader_table(rows, with_villages=True), _leaders),
    "annex3-2": (lambda rows: parse_leader_table(rows, with_villages=False), _leaders),
    "annex4-1": (parse_department_table, _departments), "annex4-2": (parse_department_table, _departments),
}


def _read(annex, source, filename):
    parse, view = READERS[annex]
    table = parse(read_rows(source, filename))
    assert not table.issues, [str(issue) for issue in table.issues]
    return view(table), table


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("annex", ANNEXES)
@pytest.mark.parametrize("dress", [False, True], ids=["plain", "dressed"])
def test_every_variant_of_a_seed_table_reads_to_the_seed_rows(annex, depth, form, dress):
    seed, _table = _read(annex, (DATA / f"{annex}.csv").open("rb"), f"{annex}.csv")
    assert seed["rows"]
    suffix = "csv" if form == "csv" else "xls" if form == "xls" else "xlsx"
    read, table = _read(annex, variant(annex, depth, form, dress=dress), f"{annex}.{suffix}")
    assert read == seed
    if dress and annex not in ("annex4-1", "annex4-2"):
        assert any("小计" in said for said in table.skipped)
        assert any("表注" in said for said in table.skipped)


def _rows(rows, merges=()):
    from zoufang.registry.tests.test_import_support import xlsx_file

    return read_rows(xlsx_file(rows, merges), "附件.xlsx")


def test_a_subtotal_that_does_not_add_up_is_refused_with_the_difference():
    table = parse_leader_table(_rows([
        ["序号", "走访领导", "走访村、社区", "走访户数", "备注"],
        ["1", "王  文", "周家浜村", "10", None], [None, None, "马援庄村", "10", None], ["小计", None, None, "21户"],
        ["2", "吴  恽", "张家厍村", "20", None], ["王文、吴恽小计", None, None, "20户"], ["合计", None, None, "40户"]]),
        with_villages=True)
    assert [str(e) for e in table.issues] == [
        "第4行【走访户数】：小计为21户，自上一小计（或表头）以下各行之和为20户，相差1户"]


def test_a_department_table_naming_one_count_column_twice_is_refused():
    table = parse_department_table(_rows([
        ["序号", "单位", "党员人数", "走访户数", None, None],
        [None, None, None, "户籍户口", "外来常住户", "户籍户（户）"],
        ["1", "机关二支部", "43", "215", "387", "215"]], ["A1:A2", "B1:B2", "C1:C2", "D1:F1"]))
    assert [str(e) for e in table.issues] == [
        "第2行【户籍户】：D列“户籍户口”和F列“户籍户”都是“户籍户口”，无法确定读哪一列：请删去多余的一列，或把两列的数相加后合为一列"]


def test_a_total_on_top_of_the_rows_is_checked_against_them_all():
    table = parse_allocation_table(_rows([
        ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"], ["合计", None, None, "810", "425"],
        ["1", "市府办", "干家甸社区", "417", "357"], [None, None, "顾家浜村", "393", "67"]]))
    assert [str(e) for e in table.issues] == ["第2行【走访户数】：合计为425户，各行之和为424户，相差1户"]
