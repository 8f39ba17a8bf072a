import datetime as dt
import os
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zoufang.accounts.models import AuditEvent
from zoufang.core.tests.test_office_spreadsheets import WPS_ET
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import id_number
from zoufang.web import import_views
from zoufang.web.import_views import PENDING_DIR, purge_stale_pending

pytestmark = pytest.mark.recorded_templates  # reads response.context

# The files' people are born on a day neither the factories (FACTORY_BORN onwards) nor other tests use: when the
# factories numbered households born 1970-01-01, id_number(901) collided with the 5,901st household a worker had
# made — a duplicate ID number, and a failed check, depending on which tests ran before.
FILE_BORN = dt.date(1981, 3, 3)
HEADER = "户别,村（社区）,村民小组,网格,户主姓名,家庭人口,联系电话,身份证号码,地址,困难家庭\n"


def _households(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("households.csv", (HEADER + "".join(rows)).encode("utf-8"), content_type="text/csv")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _upload(client: Any, town: Any, upload: SimpleUploadedFile, *, dry_run: bool) -> Any:
    data = {"kind": "households", "campaign": str(town.campaign.public_id), "file": upload}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/imports/", data)


GOOD = (
    f"户籍户,上下塘社区,第1居民小组,,张 三,4,13812345678,{id_number(901, born=FILE_BORN)},上下塘街12号,否\n",
    f"非户籍常住户,计家墩村,第1村民小组,,李四,2,,{id_number(902, born=FILE_BORN)},计家墩路3号,是\n",
)


def test_it_checks_a_file_then_imports_it_on_confirmation(town, login):
    client = login(town.users["office"])
    before = Target.objects.count()
    response = _upload(client, town, _households(*GOOD), dry_run=True)
    assert response.status_code == 302
    assert response["Location"] == "/imports/"
    page = client.get("/imports/")
    html = page.content.decode()
    assert 'accept=".xlsx,.xls,.xlsm,.csv"' in html  # the file chooser offers what the reader reads
    assert "检查通过，没有发现错误。数据尚未写入。" in html
    assert "将新增 <b>2</b>" in html
    assert Target.objects.count() == before
    token = page.context["pending"]["token"]

    assert client.post("/imports/", {"confirm": token}).status_code == 302
    html = client.get("/imports/").content.decode()
    assert "导入成功，数据已写入。" in html
    assert Target.objects.count() == before + 2
    assert Target.objects.get(name="张三").region.name == "第1居民小组"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, actor=town.users["office"]).count() == 1

    # The same confirmation again (a reload, a double click) imports nothing more.
    client.post("/imports/", {"confirm": token})
    assert "该文件已导入或已失效，请重新上传。" in client.get("/imports/").content.decode()
    assert Target.objects.count() == before + 2


def test_it_forgets_checked_files_never_confirmed_after_a_day(town, login, settings):
    client = login(town.users["office"])
    _upload(client, town, _households(*GOOD), dry_run=True)
    pending = settings.MEDIA_ROOT / PENDING_DIR
    [first] = list(pending.iterdir())
    day_and_a_bit_ago = (dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=25)).timestamp()
    os.utime(first, (day_and_a_bit_ago, day_and_a_bit_ago))  # its clerk walked away yesterday

    other = Client()  # another session checks a file today
    other.force_login(town.users["office"])
    _upload(other, town, _households(*GOOD), dry_run=True)
    assert first not in list(pending.iterdir())
    assert len(list(pending.iterdir())) == 1
    assert purge_stale_pending() == 0  # today's file waits for its confirmation

    # The clerk comes back to yesterday's page and confirms: told plainly, nothing imported.
    before = Target.objects.count()
    client.post("/imports/", {"confirm": client.session["zoufang_import_pending"]["token"]})
    assert "该文件已导入或已失效，请重新上传。" in client.get("/imports/").content.decode()
    assert Target.objects.count() == before


def test_it_imports_at_once_without_the_check_box(town, login):
    client = login(town.users["office"])
    before = Target.objects.count()
    _upload(client, town, _households(*GOOD), dry_run=False)
    assert "导入成功" in client.get("/imports/").content.decode()
    assert Target.objects.count() == before + 2


def test_it_lists_every_bad_row_and_writes_nothing(town, login):
    client = login(town.users["office"])
    before = Target.objects.count()
    bad_id = id_number(903, born=FILE_BORN)[:-1] + ("0" if id_number(903, born=FILE_BORN)[-1] != "0" else "1")
    upload = _households(
        GOOD[0],
        f"户籍户,上下塘社区,第1居民小组,,王五,3,,{bad_id},上下塘街13号,否\n",
        "户籍户,不存在村,,,赵六,3,,,某路1号,否\n",
    )
    _upload(client, town, upload, dry_run=False)
    html = client.get("/imports/").content.decode()
    assert "整个文件未写入" in html
    assert "第3行【身份证号码】：" in html
    assert "第4行【村（社区）】：" in html
    assert Target.objects.count() == before


def test_a_refused_file_s_notes_are_said_with_its_errors(town, login):
    """A refused file's notes (its rows left unchecked for a missing 地址 column) are in the red box with the count of
    its errors, not in small grey print above it where a clerk reading the errors passes them by (h5 saw it)."""
    client = login(town.users["office"])
    header = HEADER.replace(",地址", "")
    row = GOOD[0].replace(",上下塘街12号", "")
    upload = SimpleUploadedFile("households.csv", (header + row).encode("utf-8"), content_type="text/csv")
    _upload(client, town, upload, dry_run=True)
    html = client.get("/imports/").content.decode()
    box = html.split('<div class="notice notice-bad" role="alert">', 1)[1].split("</div>", 1)[0]
    assert "整个文件未写入" in box
    assert "各行未逐一检查" in box
    assert 'class="report-notes muted small"' not in html


def test_it_shows_the_report_only_once(town, login):
    client = login(town.users["office"])
    _upload(client, town, _households(*GOOD), dry_run=True)
    assert "检查结果" in client.get("/imports/").content.decode()
    assert "检查结果" not in client.get("/imports/").content.decode()


def test_it_rejects_other_file_types(town, login):
    client = login(town.users["office"])
    upload = SimpleUploadedFile("households.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = _upload(client, town, upload, dry_run=True)
    assert response.status_code == 200
    assert "只能上传 Excel（.xlsx、.xls、.xlsm）或 CSV 文件" in response.content.decode()

    upload = SimpleUploadedFile("户籍户.et", b"\xd0\xcf\x11\xe0", content_type="application/octet-stream")
    response = _upload(client, town, upload, dry_run=True)
    assert WPS_ET in response.content.decode()



def test_it_serves_a_template_per_kind(town, login):
    response = login(town.users["office"]).get("/imports/templates/households.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_it_lists_every_import_kind_with_its_chinese_label(town, login):
    html = login(town.users["office"]).get("/imports/").content.decode()
    for kind in ["regions", "units", "households", "enterprises", "allocation"]:
        assert f'href="/imports/templates/{kind}.xlsx"' in html
    assert "仅检查（不写入）" in html


@pytest.mark.parametrize("persona", ["outsider", "leader", "village", "auditor"])
@pytest.mark.parametrize("path", ["/imports/", "/imports/templates/households.xlsx"])
def test_it_answers_404_to_users_who_may_not_import(town, login, persona, path):
    assert login(town.users[persona]).get(path).status_code == 404


def test_it_answers_404_for_an_unknown_kind(town, login):
    assert login(town.users["office"]).get("/imports/templates/nothing.xlsx").status_code == 404


def test_it_asks_for_a_campaign_when_the_kind_needs_one(town, login):
    upload = SimpleUploadedFile("annex1.csv", "序号,走访单位\n".encode(), content_type="text/csv")
    response = login(town.users["office"]).post("/imports/", {"kind": "allocation", "file": upload, "dry_run": "on"})
    assert response.status_code == 200
    assert "需要选择走访活动" in response.content.decode()


def test_it_lists_every_change_of_an_update_and_writes_only_once_confirmed(town, login):
    client = login(town.users["office"])
    _upload(client, town, _households(*GOOD), dry_run=False)
    renamed = f"户籍户,计家墩村,第1村民小组,,张四,4,13812345678,{id_number(901, born=FILE_BORN)},上下塘街12号,否\n"

    # A plain import refuses the rename and says how to run it as an update.
    _upload(client, town, _households(renamed), dry_run=False)
    html = client.get("/imports/").content.decode()
    assert "户主姓名由“张三”改为“张四”" in html
    assert "按更新导入" in html
    assert Target.objects.get(id_number=id_number(901, born=FILE_BORN)).name == "张三"

    # As an update it is checked first even without 仅检查, every change listed, nothing written yet.
    data = {"kind": "households", "campaign": str(town.campaign.public_id), "file": _households(renamed),
            "update": "on"}
    client.post("/imports/", data)
    page = client.get("/imports/")
    html = page.content.decode()
    assert "将修改以下 1 个已登记对象" in html
    assert "户主姓名“张三”→“张四”；村（社区）“上下塘社区”→“计家墩村”" in html
    assert "确认以上变更，正式导入" in html
    assert Target.objects.get(id_number=id_number(901, born=FILE_BORN)).name == "张三"

    client.post("/imports/", {"confirm": page.context["pending"]["token"]})
    html = client.get("/imports/").content.decode()
    assert "已按更新修改以下 1 个已登记对象（已记入审计）" in html
    target = Target.objects.get(id_number=id_number(901, born=FILE_BORN))
    assert (target.name, target.region.name) == ("张四", "第1村民小组")
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(target.public_id),
                                   actor=town.users["office"])
    assert event.changes["fields"]["户主姓名"] == ["张三", "张四"]


def test_a_long_update_says_above_its_list_which_changes_are_left_out(town, login, monkeypatch):
    """Every rename is listed, of the other changes the first few: the line under the heading says so, with how many
    are left out, rather than a 'first n' under a list that is not the first n."""
    monkeypatch.setattr(import_views, "MAX_LISTED_CHANGES", 1)
    client = login(town.users["office"])
    third = f"户籍户,上下塘社区,第1居民小组,,王五,3,,{id_number(903, born=FILE_BORN)},上下塘街14号,否\n"
    _upload(client, town, _households(*GOOD, third), dry_run=False)
    changed = (GOOD[0].replace("13812345678", "13912345678"), GOOD[1].replace(",2,,", ",2,13912345679,"),
               third.replace("王五", "王武"))
    client.post("/imports/", {"kind": "households", "campaign": str(town.campaign.public_id),
                              "file": _households(*changed), "update": "on"})
    page = client.get("/imports/").content.decode()
    listed = re.search(r'<ol class="report-changes">(.*?)</ol>', page, re.S)
    assert listed is not None
    assert [re.sub(r"：.*", "", item) for item in re.findall(r"<li>(.*?)</li>", listed.group(1))] == [
        f"第2行 身份证号码{id_number(901, born=FILE_BORN)[:6]}********{id_number(901, born=FILE_BORN)[-4:]}",
        f"第4行 身份证号码{id_number(903, born=FILE_BORN)[:6]}********{id_number(903, born=FILE_BORN)[-4:]}"]
    note = "名称、村或类别的修改全部列出；另有 1 个对象只改了其他信息（如电话、地址），未列出，每一个的原值和新值都将在导入时记入审计。"
    assert note in page
    assert page.index(note) < page.index('<ol class="report-changes">')
    assert "只列出前" not in page


def test_it_names_the_columns_it_ignored(town, login):
    client = login(town.users["office"])
    upload = SimpleUploadedFile("households.csv", ("序号," + HEADER.rstrip("\n") + ",备注\n1," + GOOD[0].rstrip("\n")
                                                   + ",新迁入\n").encode("utf-8"), content_type="text/csv")
    _upload(client, town, upload, dry_run=True)
    assert "已忽略列：序号、备注" in client.get("/imports/").content.decode()


def test_it_says_how_a_joint_allocation_line_was_split(town, login):
    from zoufang.regions.models import Region
    from zoufang.registry.models import Unit

    for name in ("市发改委", "市水利局"):
        Unit.objects.create(name=name, kind=Unit.Kind.CITY_DEPARTMENT)
    rows = []
    for serial, village in enumerate(Region.objects.filter(level=Region.Level.VILLAGE).order_by("name"), start=1):
        held = Target.objects.filter(kind=Target.Kind.REGISTERED_HOUSEHOLD, archived_on__isnull=True,
                                     region__path__startswith=village.path).count()
        rows.append(f"{serial},市发改委,{village.name},{held},0\n")
    body = ("附件2\n市级机关部门分配表\n序号,走访单位,村、社区名称,户籍总户数（户）,走访户数\n" + "".join(rows)
            + "市发改委、水利局走访企业,7家\n")
    upload = SimpleUploadedFile("上级表.csv", body.encode("utf-8"), content_type="text/csv")
    client = login(town.users["office"])
    client.post("/imports/", {"kind": "allocation", "campaign": str(town.campaign.public_id), "file": upload,
                              "dry_run": "on"})
    html = client.get("/imports/").content.decode()
    assert "检查通过" in html
    assert "未指定来源表名称，取自表中的标注：“附件2”" in html
    assert "联合走访，平均分配：市发改委4家、市水利局3家" in html
    assert "共 <b>3</b>行" in html  # two villages and the joint line, stored as two shares


def test_a_file_of_many_rows_is_checked_by_a_job_then_imported_by_another_once_confirmed(town, login, monkeypatch,
                                                                                        settings):
    """Above QUEUE_ROWS (5,000; one here) the check (仅检查) is a job (docs/jobs.md) whose page shows the report the
    import page shows, with the confirmation; confirming queues the import, whose page shows its report. The rows
    are written once, and the checked file is gone afterwards."""
    from zoufang.jobs import services
    from zoufang.jobs.models import Download

    monkeypatch.setattr(import_views, "QUEUE_ROWS", 1)
    client = login(town.users["office"])
    before = Target.objects.count()
    checked = _upload(client, town, _households(*GOOD), dry_run=True)
    assert "/downloads/" in checked["Location"]
    page = client.get(checked["Location"]).content.decode()
    assert "检查通过，没有发现错误。数据尚未写入。" in page
    assert "将新增 <b>2</b>" in page
    assert "正式导入“households.csv”" in page
    assert Target.objects.count() == before
    check = Download.objects.get(kind="registry_check")
    assert (check.status, check.total) == ("done", 2)  # progress counted the rows
    confirm = f"/imports/checked/{check.public_id}/"
    assert f'action="{confirm}"' in page
    asked = client.post(confirm)
    assert asked.status_code == 302
    assert "/downloads/" in asked["Location"]
    page = client.get(asked["Location"]).content.decode()
    assert "导入成功，数据已写入。" in page
    assert "新增 <b>2</b>" in page
    assert "households.csv" in page
    assert Target.objects.count() == before + 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, actor=town.users["office"]).count() == 1
    download = Download.objects.get(kind="registry_import")
    assert services.report(download)["created"] == 2
    assert not list((settings.MEDIA_ROOT / import_views.QUEUED_DIR).iterdir())  # the checked file is gone
    assert not list((settings.MEDIA_ROOT / import_views.PENDING_DIR).iterdir())
    assert not services.retry(download)  # done: never imported again
    again = client.post(confirm, follow=True)  # the same confirmation again: nothing more, said, the import shown
    assert "该文件刚才已确认导入，未重复导入；下面是那次导入的任务。" in again.content.decode()
    assert again.redirect_chain[-1][0] == asked["Location"]
    assert Target.objects.count() == before + 2
    assert Download.objects.filter(kind="registry_import").count() == 1
    assert services.run(download.pk) == "done"  # delivered twice: nothing happens
    assert Target.objects.count() == before + 2


def test_a_job_s_check_of_many_rows_lists_every_bad_row_in_chinese_and_writes_nothing(town, login, monkeypatch,
                                                                                      settings):
    from zoufang.jobs.models import Download

    monkeypatch.setattr(import_views, "QUEUE_ROWS", 1)
    client = login(town.users["office"])
    before = Target.objects.count()
    upload = _households(GOOD[0], "户籍户,不存在村,,,赵六,3,,,某路1号,否\n")
    for dry_run in (True, False):  # checked only, or checked and imported by one job: all or nothing either way
        asked = _upload(client, town, upload, dry_run=dry_run)
        upload.seek(0)
        page = client.get(asked["Location"]).content.decode()
        assert "整个文件未写入" in page
        assert "第3行【村（社区）】：" in page
        assert "正式导入" not in page
    assert Target.objects.count() == before
    assert set(Download.objects.values_list("kind", "status")) == {("registry_check", "done"),
                                                                   ("registry_import", "done")}
    assert not list((settings.MEDIA_ROOT / import_views.PENDING_DIR).iterdir())  # a failed check keeps no file


def test_a_job_whose_file_is_gone_says_so_in_chinese_and_the_confirmation_is_refused(town, login, monkeypatch,
                                                                                     settings):
    from django.core.files.storage import default_storage

    from zoufang.jobs import services
    from zoufang.jobs.models import Download

    monkeypatch.setattr(import_views, "QUEUE_ROWS", 1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    client = login(town.users["office"])
    _upload(client, town, _households(*GOOD), dry_run=True)
    check = Download.objects.get(kind="registry_check")
    default_storage.delete(check.params["path"])  # purged (a day unconfirmed) before the worker took the job
    assert services.run(check.pk) == "failed"
    check.refresh_from_db()
    assert "上传的文件已不在" in check.error
    assert services.may_retry(check)
    refused = client.post(f"/imports/checked/{check.public_id}/", follow=True)
    assert "该文件已导入或已失效，请重新上传。" in refused.content.decode()
    assert not Download.objects.filter(kind="registry_import").exists()


@pytest.mark.parametrize("persona", ["leader", "dept", "outsider"])
def test_only_the_office_that_asked_confirms_a_checked_file(town, login, monkeypatch, persona):
    from zoufang.jobs.models import Download

    monkeypatch.setattr(import_views, "QUEUE_ROWS", 1)
    _upload(login(town.users["office"]), town, _households(*GOOD), dry_run=True)
    check = Download.objects.get(kind="registry_check")
    assert login(town.users[persona]).post(f"/imports/checked/{check.public_id}/").status_code == 404
    assert not Download.objects.filter(kind="registry_import").exists()


def test_it_counts_a_file_s_rows_without_reading_its_cells():
    import io

    from openpyxl import Workbook

    from zoufang.core.tabular import count_rows

    book = Workbook()
    for number in range(1234):
        book.active.append([number, "x"])
    book.create_sheet("说明").append(["说明"] * 3)
    data = io.BytesIO()
    book.save(data)
    assert count_rows(data) == 1234
    assert data.tell() == 0
    assert count_rows(io.BytesIO(b"a,b\n1,2\n3,4")) == 3
    assert count_rows(io.BytesIO(b"")) == 0
    assert count_rows(io.BytesIO(b"PK\x03\x04 not a workbook")) == 0
