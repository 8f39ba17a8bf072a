"""Files an attacker would upload: a workbook whose XML declares entities (XXE, billion laughs), an .xls that is a
web page, a questionnaire of many megabytes, names that climb out of the upload folder or turn text right to left.
Each is refused in Chinese, quickly, with nothing written."""

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zoufang.forms.models import FormVersion
from zoufang.forms.services import load_shipped_forms
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_support import xlsx_file
from zoufang.web.forms import MAX_UPLOAD_MB
from zoufang.web.import_views import PENDING_KEY

pytestmark = pytest.mark.django_db
HEADER = ["户别", "村（社区）", "村民小组", "网格", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址", "困难家庭"]
ROW = ["户籍户", "上下塘社区", "第1居民小组", "", "张三", "4", "", "", "上下塘街12号", "否"]
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
                    for n in range(1, 10))
          + ']>')
NAME = "".join(f"&#{ord(c)};" for c in "张三")
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _with_doctype(workbook: io.BytesIO, doctype: str, entity: str) -> bytes:
    """The workbook with the part holding the name 张三 declaring `doctype` and the name replaced by `&entity;`."""
    out = io.BytesIO()
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename).decode()
            if NAME in data:  # the sheet, which holds its text as character references
                data = doctype + data.removeprefix(data[:data.index("?>") + 2] if data.startswith("<?xml") else "")
                data = data.replace(NAME, f"&{entity};")
            target.writestr(item, data)
    return out.getvalue()


def _upload(client: Any, town: Any, name: str, content: bytes) -> str:
    client.post("/imports/", {"kind": "households", "campaign": str(town.campaign.public_id), "dry_run": "on",
                              "file": SimpleUploadedFile(name, content)})
    return client.get("/imports/").content.decode()


@pytest.mark.parametrize(("doctype", "entity"), [(LAUGHS, "lol9"), (EXTERNAL, "xxe")])
def test_a_workbook_declaring_entities_is_refused_quickly_with_nothing_written(login, town, doctype, entity):
    content = _with_doctype(xlsx_file([HEADER, ROW]), doctype, entity)
    before = Target.objects.count()
    started = time.monotonic()
    page = _upload(login(town.users["office"]), town, "households.xlsx", content)
    assert time.monotonic() - started < 10
    assert "root:" not in page
    assert "lollol" not in page
    assert "文件无法读取：不是有效的 xlsx/csv 文件" in page
    assert Target.objects.count() == before


def test_an_xls_that_is_a_web_page_is_refused_in_chinese(login, town):
    page = _upload(login(town.users["office"]), town, "households.xls",
                   b"<html><body><table><tr><td>=cmd|' /C calc'!A0</td></tr></table></body></html>")
    assert "检查通过" not in page
    assert "无法读取" in page or "不是" in page
    assert "cmd|" not in page


@pytest.mark.parametrize("name", ["../../../settings.csv", "..\\..\\evil.csv", "\u202evsc.exe.csv"])
def test_a_file_name_never_becomes_a_path_and_is_shown_as_text(login, town, settings, name):
    rows = "\n".join(",".join(row) for row in [HEADER, ROW]).encode()
    client = login(town.users["office"])
    page = _upload(client, town, name, rows)
    pending = client.session.get(PENDING_KEY)
    assert pending is not None, page
    stored = Path(settings.MEDIA_ROOT, pending["path"]).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "imports" / "pending")
    assert ".." not in pending["path"]
    assert "\u202e" not in pending["path"]


def test_a_questionnaire_past_the_upload_limit_is_refused_before_it_is_read(login, visiting):
    load_shipped_forms()
    before = FormVersion.objects.count()
    content = b"PK\x03\x04" + b"\0" * (MAX_UPLOAD_MB * 1024 * 1024)
    response = login(visiting.users["office"]).post(
        "/forms/upload/", {"definition": SimpleUploadedFile("six_ones_form.xlsx", content)}, follow=True)
    assert f"six_ones_form.xlsx：文件超过 {MAX_UPLOAD_MB} MB，调查表的 XLSForm 文件不会这么大，请确认选对了文件" \
        in response.content.decode()
    assert FormVersion.objects.count() == before


@pytest.fixture
def visiting(town: Any) -> Any:
    from zoufang.visits.tests.conftest import make_visiting

    return make_visiting(town)
