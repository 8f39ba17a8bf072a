"""`zoufang import` and `zoufang import-template` on the command line."""

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import csv_file, id_number, make_town, xlsx_file

HEADER = ["户别", "村（社区）", "户主姓名", "身份证号码", "地址"]


@pytest.mark.django_db
def test_it_imports_from_the_command_line_and_lists_errors(tmp_path, capsys):
    make_town()
    good = tmp_path / "households.csv"
    good.write_bytes(csv_file([HEADER, ["户籍户", "上下塘社区", "张三", id_number(1), "上下塘街1号"]]).getvalue())
    call_command("import", "households", str(good), "--campaign", "jinxi-2017", "--dry-run")
    assert "试运行" in capsys.readouterr().out
    assert not Target.objects.exists()
    call_command("import", "households", str(good), "--campaign", "jinxi-2017")
    assert "新增1" in capsys.readouterr().out
    assert Target.objects.count() == 1

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([HEADER, ["户籍户", "上下塘社区", "李四", "123", "上下塘街2号"]]).getvalue())
    with pytest.raises(CommandError) as failure:
        call_command("import", "households", str(bad))
    assert failure.value.returncode == 1
    assert "第2行【身份证号码】：" in capsys.readouterr().out
    assert Target.objects.count() == 1


def test_it_writes_a_template_from_the_command_line(tmp_path):
    out = tmp_path / "cadres.xlsx"
    call_command("import-template", "cadres", "--out", str(out))
    header = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()[0]
    assert header == ["姓名", "单位", "角色", "职务", "手机号码", "上一级", "挂钩村（社区）"]


@pytest.mark.django_db
def test_it_shows_a_progress_bar_on_large_files_and_still_imports_them(tmp_path, capsys):
    make_town()
    rows = [HEADER] + [["户籍户", "计家墩村", f"户主{i}", id_number(i, born=f"19{60 + i // 1000:02d}0101"), f"路{i}号"]
                       for i in range(600)]
    path = tmp_path / "households.xlsx"
    path.write_bytes(xlsx_file(rows).getvalue())
    call_command("import", "households", str(path), "--campaign", "jinxi-2017")
    assert "新增600" in capsys.readouterr().out
    assert Target.objects.count() == 600


@pytest.mark.django_db
def test_it_refuses_a_rename_by_id_number_and_lists_it_with_update(tmp_path, capsys):
    make_town()
    number = id_number(2)
    first = tmp_path / "first.csv"
    first.write_bytes(csv_file([HEADER, ["户籍户", "上下塘社区", "张三", number, "上下塘街1号"]]).getvalue())
    call_command("import", "households", str(first), "--campaign", "jinxi-2017")
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(csv_file([HEADER, ["户籍户", "计家墩村", "李四", number, "上下塘街1号"]]).getvalue())
    capsys.readouterr()

    with pytest.raises(CommandError):
        call_command("import", "households", str(renamed), "--campaign", "jinxi-2017")
    assert "--update" in capsys.readouterr().out

    call_command("import", "households", str(renamed), "--campaign", "jinxi-2017", "--update", "--dry-run")
    out = capsys.readouterr().out
    assert "将修改以下1个已登记对象" in out
    assert "户主姓名“张三”→“李四”；村（社区）“上下塘社区”→“计家墩村”" in out
    assert Target.objects.get().name == "张三"

    call_command("import", "households", str(renamed), "--campaign", "jinxi-2017", "--update")
    assert "已修改以下1个已登记对象（已记入审计）" in capsys.readouterr().out
    assert Target.objects.get().name == "李四"
