"""Workbooks an office locked: with an open password (打开密码) the file is refused in one message on every way in
(the imports page, `zoufang import`, the holiday schedule) and nothing is written; with a sheet or the workbook's
structure protected (工作表保护, 工作簿保护) and no open password it imports as any other file (decision 0069)."""

import io

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl.workbook.protection import WorkbookProtection

from zoufang.core.tabular import password_message
from zoufang.core.tests.locked_workbooks import UNO, needs_uno, with_open_password, xls_with_open_password
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import id_number, make_town, xlsx_file
from zoufang.workdays.models import DayOverride
from zoufang.workdays.services import import_schedule

HEADER = ["户别", "村（社区）", "户主姓名", "身份证号码", "地址"]
ROWS = [HEADER, ["户籍户", "上下塘社区", "张三", id_number(1), "上下塘街1号"],
        ["户籍户", "计家墩村", "李四", id_number(2), "计家墩路3号"]]


def _protected_xlsx() -> bytes:
    """Every cell locked (审阅→保护工作表, with a password) and the structure locked (保护工作簿)."""
    def protect(sheet):
        sheet.protection.sheet = True
        sheet.protection.password = "1234"
        sheet.parent.security = WorkbookProtection(workbookPassword="1234", lockStructure=True)
    return xlsx_file(ROWS, setup=protect).getvalue()


def _xls(*, protected: bool = False) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("户籍户")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    if protected:
        sheet.protect = book.protect = True
        sheet.password = book.password = "1234"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def locked_xls(tmp_path_factory) -> bytes:
    """One .xls saved with an open password by LibreOffice, shared by the module's tests (about 7 s to make)."""
    if UNO:
        return xls_with_open_password(_xls(), tmp_path_factory.mktemp("locked"))
    return b""


@pytest.fixture(scope="module")
def locked_xlsx() -> bytes:
    return with_open_password(xlsx_file(ROWS).getvalue())  # about 1 s: the key is hashed 100,000 times


@pytest.fixture
def campaign(db):
    return make_town()


def _refused(report) -> None:
    assert [error.message for error in report.errors] == [password_message()]
    assert not Target.objects.exists()


def test_an_xlsx_with_an_open_password_is_refused_in_one_message(campaign, locked_xlsx):
    data = locked_xlsx
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 file, as Excel and WPS save it
    _refused(run_import("households", io.BytesIO(data), filename="户籍户.xlsx", campaign=campaign))
    _refused(run_import("households", io.BytesIO(data), filename="户籍户.xls", campaign=campaign))


@needs_uno
def test_an_xls_with_an_open_password_is_refused_in_one_message(campaign, locked_xls):
    _refused(run_import("households", io.BytesIO(locked_xls), filename="户籍户.xls", campaign=campaign))


def test_a_protected_sheet_and_structure_without_an_open_password_import(campaign):
    for data, name in [(_protected_xlsx(), "户籍户.xlsx"), (_xls(protected=True), "户籍户.xls")]:
        Target.objects.all().delete()
        report = run_import("households", io.BytesIO(data), filename=name, campaign=campaign)
        assert not report.errors, name
        assert sorted(Target.objects.values_list("name", flat=True)) == ["张三", "李四"], name


@pytest.mark.django_db
def test_the_command_and_the_holiday_schedule_say_it_too(tmp_path, capsys, locked_xlsx):
    make_town()
    locked = tmp_path / "户籍户.xlsx"
    locked.write_bytes(locked_xlsx)
    with pytest.raises(CommandError):
        call_command("import", "households", str(locked), "--campaign", "jinxi-2017")
    assert password_message() in capsys.readouterr().out
    assert not Target.objects.exists()
    schedule = with_open_password(xlsx_file([["日期", "类型", "说明"], ["2017-10-01", "休息", "国庆节"]]).getvalue())
    report = import_schedule(io.BytesIO(schedule), filename="2017.xlsx")
    assert [error.message for error in report.errors] == [password_message()]
    assert not DayOverride.objects.exists()


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_the_imports_page_says_it_and_writes_nothing(town, login, settings, tmp_path, locked_xls, locked_xlsx,
                                                    kind):
    if kind == "xls" and not locked_xls:
        pytest.skip("LibreOffice with python3-uno (make browser) is not installed")
    settings.MEDIA_ROOT = tmp_path
    data = locked_xls if kind == "xls" else locked_xlsx
    client = login(town.users["office"])
    before = Target.objects.count()
    for dry_run in (True, False):
        upload = SimpleUploadedFile(f"户籍户.{kind}", data, content_type="application/octet-stream")
        form = {"kind": "households", "campaign": str(town.campaign.public_id), "file": upload}
        response = client.post("/imports/", {**form, **({"dry_run": "on"} if dry_run else {})}, follow=True)
        assert response.status_code == 200
        assert password_message() in response.content.decode()
    assert Target.objects.count() == before
