"""Another town's tables whatever their header looks like, through the import: a variant of the seed's 附件2 stores
exactly the quotas the seed's own does; an ambiguous or over-deep header is refused whole, nothing written, the
report naming the sheet, the row, the columns, the rule and what to do."""

import pytest

from zoufang.planning.models import FixedQuota
from zoufang.planning.tests.variants import DATA, variant
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_allocation import campaign, seed_town  # noqa: F401 - the seed's town
from zoufang.registry.tests.test_import_support import id_number, xlsx_file

STORED = ("serial", "label", "target_kind", "count", "region__name", "stated_region_total", "units__name", "part",
          "table_title")


def _quotas(source: str) -> list[tuple[object, ...]]:
    return sorted(FixedQuota.objects.filter(source=source).values_list(*STORED))


@pytest.mark.django_db
@pytest.mark.parametrize(("depth", "form", "suffix"), [(3, "xls", "xls"), (2, "csv", "csv"), (3, "wps", "xlsx")])
def test_a_variant_of_annex_2_stores_the_quotas_the_seed_table_does(campaign, depth, form, suffix):  # noqa: F811
    seed = run_import("allocation", DATA / "annex2.csv", campaign=campaign, source_label="附件2")
    assert seed.ok, [str(e) for e in seed.errors]
    stored = _quotas("附件2")
    FixedQuota.objects.all().delete()
    report = run_import("allocation", variant("annex2", depth, form, dress=True), filename=f"附件2.{suffix}",
                        campaign=campaign, source_label="附件2")
    assert report.ok, [str(e) for e in report.errors]
    assert (report.total_rows, report.created) == (seed.total_rows, seed.created)
    assert _quotas("附件2") == stored
    assert any("小计行，已与其上各行核对" in note for note in report.notes)
    assert any("表注，未导入" in note for note in report.notes)


def _annex2_header(*columns: list[object]) -> list[list[object]]:
    return [["序号", "走访单位", "村、社区名称", "户籍总户数（户）", *columns[0]], *[["", "", "", "", *c] for c in columns[1:]]]


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "merges", "data", "said"), [
    (_annex2_header(["走访户数", "走访户数（户）"]), [], ["357", "357"],
     ["第1行【走访户数】：E列“走访户数”、F列“走访户数（户）”都可作为“走访户数”，无法确定读哪一列。请只保留一列“走访户数”："
      "多余的列删去，或改成别的列名（只作说明的内容可移到“备注”列）"]),
    (_annex2_header(["走访户数", "走访户数", None], [None, "户籍户", "外来常住户"]), ["A1:A2", "B1:B2", "C1:C2", "D1:D2",
                                                                              "E1:E2", "F1:G1"], ["357", "300", "57"],
     ["第1行【走访户数】：E列“走访户数”、F列“走访户数／户籍户”、G列“走访户数／外来常住户”都可作为“走访户数”，无法确定读哪一列。"
      "请只保留一列“走访户数”：多余的列删去，或改成别的列名（只作说明的内容可移到“备注”列）"]),
    (_annex2_header(["走访调研", None], ["走访任务", None], ["走访户数", None], ["户籍户", "外来常住户"]),
     ["A1:A4", "B1:B4", "C1:C4", "D1:D4", "E1:F1", "E2:F2", "E3:F3"], ["357", "0"],
     ["第1行：表头超过三行（到第4行仍是表头）：只能读一至三行的表头。请删去最上面的分组行，或把它并入下面一行，使表头不超过三行"]),
    (_annex2_header(["走访任务", None], ["走访户数", None], ["户籍户", "户籍户口"]),
     ["A1:A3", "B1:B3", "C1:C3", "D1:D3", "E1:F1", "E2:F2"], ["300", "57"],
     ["第3行【户籍户口】：F列与E列“户籍户”是同一类对象，列重复出现：请删去其中一列，或把两列的数相加后合为一列"]),
], ids=["two-counts", "plain-and-split", "four-rows", "same-kind-twice"])
def test_an_ambiguous_or_too_deep_header_is_refused_whole_in_words(campaign, header, merges, data, said):  # noqa: F811
    rows = [*header, ["1", "市府办", "干家甸社区", "417", *data]]
    report = run_import("allocation", xlsx_file(rows, merges), filename="附件2.xlsx", campaign=campaign,
                        source_label="附件2")
    assert [str(e) for e in report.errors] == said
    assert report.notes[0] == "读取的是工作表“Sheet”，下列行号、列名都指这张工作表"
    assert not FixedQuota.objects.exists()


@pytest.mark.django_db
def test_a_register_under_a_three_row_header_imports_as_meant(campaign):  # noqa: F811
    one, two = id_number(31), id_number(32)
    rows = [
        ["锦溪镇户籍户花名册"],
        ["序号", "户别", "村（社区）", "户主信息", None, None, "家庭住址"],
        [None, None, None, "基本情况", None, "联系方式", None],
        [None, None, None, "户主\n姓名", "身份证号码\n注：18位", None, None],
        [1, "户籍户", "上下塘社区", "张三", one, "13812345678", "上下塘街1号"],
        [2, "户籍户", "干家甸社区", "李四", two, "13812345679", "干家甸1号"],
        ["注：困难家庭另表登记"],
    ]
    merges = ["A2:A4", "B2:B4", "C2:C4", "D2:F2", "D3:E3", "F3:F4", "G2:G4"]
    report = run_import("households", xlsx_file(rows, merges), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 2
    assert sorted(Target.objects.filter(id_number__in=[one, two]).values_list("name", "phone", "region__name")) == [
        ("张三", "13812345678", "上下塘社区"), ("李四", "13812345679", "干家甸社区")]


@pytest.mark.django_db
def test_a_register_with_two_columns_that_could_be_the_phone_is_refused(campaign):  # noqa: F811
    rows = [
        ["户别", "村（社区）", "户主姓名", "身份证号码", "联系电话", None, "地址"],
        [None, None, None, None, "手机", "固定电话", None],
        ["户籍户", "上下塘社区", "张三", id_number(33), "13812345678", "0512-57223456", "上下塘街1号"],
    ]
    before = Target.objects.count()
    report = run_import("households", xlsx_file(rows, ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1", "G1:G2"]),
                        filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【联系电话】：E列“联系电话／手机”、F列“联系电话／固定电话”都可作为“联系电话”，无法确定读哪一列。"
        "请只保留一列“联系电话”：多余的列删去，或改成别的列名（只作说明的内容可移到“备注”列）"]
    assert Target.objects.count() == before


@pytest.mark.django_db
def test_a_unit_table_whose_header_wps_repeated_across_a_merge_imports(campaign):  # noqa: F811
    rows = [["单位名称", "单位名称", "单位类型", "所属区划"], ["市水利局", None, "市级部门", "锦溪镇"]]
    report = run_import("units", xlsx_file(rows), filename="单位.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert Unit.objects.filter(name="市水利局").exists()
    rows[1][1] = "市水务局"  # written under both copies: which is the name? refused, never guessed
    refused = run_import("units", xlsx_file(rows), filename="单位.xlsx", campaign=campaign)
    assert [e.column for e in refused.errors] == ["单位名称"]
    assert "A列“单位名称”、B列“单位名称”都可作为“单位名称”" in refused.errors[0].message


@pytest.mark.django_db
def test_a_unit_row_under_a_header_wps_repeated_is_data_not_a_header_row(campaign):  # noqa: F811
    rows = [["单位名称", "单位名称", "单位类型"], ["市水利局", None, None], ["市水务局", None, "市级部门"]]
    report = run_import("units", xlsx_file(rows), filename="单位.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "单位类型")]
    assert not Unit.objects.filter(name__in=["市水利局", "市水务局"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("above", [[None, None, None, None, None, None, None, "2017年3月"],
                                   [None, None, None, None, None, None, "填报日期：2017年3月"],
                                   ["填报单位：锦溪镇", None, None, None, "联系人：张三"]])
def test_a_line_above_the_header_is_neither_a_column_nor_a_group(campaign, above):  # noqa: F811
    rows = [["锦溪镇户籍户花名册"], above, ["户别", "村（社区）", "户主姓名", "身份证号码", "联系电话", "地址", "备注"],
            ["户籍户", "上下塘社区", "张三", id_number(34), "13812345678", "上下塘街1号", None]]
    report = run_import("households", xlsx_file(rows), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 1
