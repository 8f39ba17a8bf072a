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
