"""Issue 9 item 12: the README's path from an empty database to a planned town works as written.

The test reads the commands out of README.md (section “从空库到分配完成”), checks that `zoufang import
--help` shows the same ones, then runs every one of them in order in an empty directory and an empty
database. Before each `import` it fills the template the earlier `import-template` command wrote, the
way an office fills it: rows appended under the template's own header rows.
"""

import datetime as dt
import importlib
import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.campaigns.models import Campaign
from zoufang.planning.check import check_plan, is_clean
from zoufang.registry.identifiers import credit_code_check_digit
from zoufang.registry.models import Cadre, Target
from zoufang.registry.tests.factories import id_number

import_command = importlib.import_module("zoufang.registry.management.commands.import")

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "## 从空库到分配完成"
VILLAGES = ("上下塘社区", "计家墩村")
REGISTERED, RESIDENT, ENTERPRISES = 100, 30, 20  # per village


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ", 1)]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "the section has no ```bash block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def _credit_code(seq: int) -> str:
    body = f"91320583MA1P{seq:05d}"
    return body + credit_code_check_digit(body)


def _rows(kind: str) -> list[list[object]]:
    """What an office would type into each template for a town of two villages."""
    if kind == "regions":
        return [["锦溪镇", "上下塘社区", "社区", ""], ["锦溪镇", "计家墩村", "村", ""],
                ["锦溪镇/计家墩村", "一组", "村民小组", ""]]
    if kind == "units":
        return [["镇党政班子", "镇党政班子", "锦溪镇", "", 1], ["上下塘社区居委会", "村（居）委会", "锦溪镇/上下塘社区", "", 2],
                ["计家墩村村委会", "村（居）委会", "锦溪镇/计家墩村", "", 3], ["市交通局", "市级机关部门", "", "", 4]]
    if kind == "departments":  # 走访户数 left blank: the campaign's per-person rule decides
        return [[1, "派出所", 2, None, None], [2, "建管所", 2, None, None], ["合计", None, 4, None, None]]
    if kind == "cadres":
        return [["王文", "镇党政班子", "镇党政领导", "党委书记", "", "", "上下塘社区"],
                *[[f"派出所{i}", "派出所", "部门党员干部", "", "", "", ""] for i in (1, 2)],
                *[[f"建管所{i}", "建管所", "部门党员干部", "", "", "", ""] for i in (1, 2)],
                ["周书记", "上下塘社区居委会", "村（社区）干部", "书记", "", "", ""],
                ["钱书记", "计家墩村村委会", "村（社区）干部", "书记", "", "", ""]]
    if kind == "households":
        rows: list[list[object]] = []
        for v, village in enumerate(VILLAGES):
            group = "一组" if village == "计家墩村" else ""
            for i in range(REGISTERED + RESIDENT):
                seq = v * 500 + i
                kind_label = "户籍户" if i < REGISTERED else "非户籍常住户"
                rows.append([kind_label, village, group, "", f"{village[:2]}户主{i}", 3, "",
                             id_number(seq, born=dt.date(1960 + v, 1, 1)),
                             f"{village}{i + 1}号", "否"])
        return rows
    if kind == "enterprises":
        return [[f"昆山锦溪{v}{i}有限公司", _credit_code(v * 100 + i), village, "", "中小", "否", "", ""]
                for v, village in enumerate(VILLAGES) for i in range(ENTERPRISES)]
    if kind == "projects":
        return [["古镇保护二期", "上下塘社区", "", "是", "在建", ""], ["计家墩道路", "计家墩村", "", "", "", ""]]
    if kind == "allocation":
        return [[1, "市交通局", "计家墩村", REGISTERED, 30], ["合计", f"{REGISTERED}户", "30户"]]
    raise AssertionError(f"no rows for {kind}")


def _fill(path: Path, kind: str) -> None:
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]  # the data sheet; “说明” follows it
    for row in _rows(kind):
        sheet.append(row)
    workbook.save(path)


def test_it_shows_the_readme_commands_in_the_import_help():
    help_text = import_command.Command().create_parser("zoufang", "import").format_help()
    shown = [line.strip() for line in help_text.splitlines() if line.strip().startswith("zoufang ")]
    assert shown == readme_commands()
    for point in ("每一名要走访的人都要作为干部导入", "可以留空", "--label", "--update"):
        assert point in help_text


@pytest.mark.django_db(transaction=True)
def test_it_plans_the_town_following_the_readme_from_an_empty_database(tmp_path, monkeypatch):
    assert not Target.objects.exists()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "活动.yaml").write_bytes(shipped_campaign_path("jinxi-2017").read_bytes())
    commands = readme_commands()
    assert commands[0] == "zoufang campaign load 活动.yaml"
    for line in commands:
        program, *args = shlex.split(line)
        assert program == "zoufang"
        if args[0] == "import":
            _fill(tmp_path / args[2], args[1])
        out = io.StringIO()
        try:
            call_command(*args, stdout=out, stderr=out)
        except SystemExit as exit_:  # plan check exits 1 when anything is off
            pytest.fail(f"{line} exited {exit_.code}:\n{out.getvalue()}")
        assert "错误" not in out.getvalue(), f"{line}:\n{out.getvalue()}"
    assert Cadre.objects.count() == 7
    assert Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD).count() == 2 * REGISTERED
    assert is_clean(check_plan(Campaign.objects.get(slug="jinxi-2017")))
    assert (tmp_path / "分配表.xlsx").stat().st_size > 0
