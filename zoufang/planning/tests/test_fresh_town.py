"""A town with other numbers, imported as tables in the seed's layout, plans with no code of its own."""

import io
from pathlib import Path

import openpyxl
import pytest

from zoufang.core.tabular import read_rows
from zoufang.demo.loader import SeedFigures
from zoufang.demo.synthetic import VillageShape
from zoufang.planning import tables
from zoufang.planning.check import check_plan, is_clean
from zoufang.planning.export import write_workbook
from zoufang.planning.models import Quota
from zoufang.planning.services import run_plan
from zoufang.planning.tests.towns import REGISTRY_STEPS, build_town

TOWN = "周庄镇"
VILLAGES = [VillageShape("甲村", False, 300, 60, 40), VillageShape("乙社区", True, 500, 120, 50),
            VillageShape("丙村", False, 200, 30, 10)]
DEPARTMENTS = [("党政办", 6), ("派出所", 9), ("卫生院", 4)]
FILES = {
    "units.csv": "单位名称,单位类型,所属区划,党员人数,排序\n镇党政班子,镇党政班子,周庄镇,,1\n"
                 "市文明办,市级机关部门,,,101\n市总工会,其他单位,,,102\n",
    "departments.csv": "序号,单位,党员人数\n" + "".join(f"{i},{u},{n}\n" for i, (u, n) in enumerate(DEPARTMENTS, 1)),
    "leaders.csv": "姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n赵一,镇党政班子,镇党政领导,镇长,,,甲村\n"
                   "钱二,镇党政班子,镇党政领导,副镇长,,镇党政班子/赵一,乙社区、丙村\n",
    "annex1.csv": "市总工会走访调研居民户、企业分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                  "1,市总工会,甲村,300,30\n2,市总工会,乙社区,500,30\n3,市总工会,丙村,200,30\n"
                  "合计,,,1000户,90户\n市总工会走访企业,10家\n",
    "annex2.csv": "市级机关部门走访调研居民户、企业分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n"
                  "1,市文明办,甲村,300,200\n,,乙社区,500,300\n,,丙村,200,100\n合计,,,1000户,600户\n",
    "annex3-1.csv": "镇领导走访调研分配表（居民户）\n序号,走访领导,走访村、社区,走访户数,备注\n"
                    "1,赵一,甲村,50,\n2,钱二,乙社区,30,\n,,丙村,20,\n合计,,100户,\n",
    "annex3-2.csv": "镇领导走访调研分配表（企业）\n序号,走访领导,走访企业数,备注\n1,赵一,20,\n2,钱二,20,\n合计,40家,\n",
}


STEPS = [*REGISTRY_STEPS, ("allocation", "annex1.csv", "附件1"), ("allocation", "annex2.csv", "附件2"),
         ("leader_households", "annex3-1.csv", "附件3-1"), ("leader_enterprises", "annex3-2.csv", "附件3-2")]


@pytest.fixture
def zhouzhuang(db, tmp_path: Path):
    return build_town(tmp_path, TOWN, "zhouzhuang-2017", SeedFigures(VILLAGES, DEPARTMENTS), FILES, STEPS)


def test_it_plans_a_fresh_town_from_its_own_tables(zhouzhuang):
    report = run_plan(zhouzhuang)
    result = check_plan(zhouzhuang)
    assert is_clean(result), result
    assert result["targets"]["registered_household"] == 1000
    assert report.relaxed == []

    def planned(**filters):
        return sum(Quota.objects.filter(campaign=zhouzhuang, **filters).values_list("count", flat=True))

    # 1000 − 90 − 600 − 100 = 210 registered: 19 party members × 5, the rest to the village cadres (兜底).
    assert planned(target_kind="registered_household", cadre__role="party_member") == 95
    assert planned(target_kind="registered_household", cadre__role="village_cadre") == 115
    # 210 resident households: 19 × 9 at most, 39 left to the village cadres.
    assert planned(target_kind="resident_household", cadre__role="party_member") == 171
    # 100 enterprises − 10 − 40 = 50 for 19 party members at 2–3: everyone 2, the first 12 get 3.
    assert planned(target_kind="enterprise", cadre__role="party_member") == 50

    out = io.BytesIO()
    write_workbook(zhouzhuang, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    for other in list(book.sheetnames):
        if other != "附件4-2":
            del book[other]
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    table = tables.parse_department_table(read_rows(buffer, "附件4-2.xlsx"))
    assert [(r.unit, r.party_members, r.figures["走访企业数"]) for r in table.rows] == [
        ("党政办", 6, 18), ("派出所", 9, 24), ("卫生院", 4, 8)]
