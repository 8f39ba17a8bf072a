"""The cadre's pages: 我的走访, a visit, photos without EXIF, contact cards, diary and ledgers."""

import datetime as dt
import io
import json
import re
import uuid
from typing import Any

import openpyxl
import pytest
from PIL import Image

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.core.testdownloads import saved_name
from zoufang.jobs.testing import queued_file
from zoufang.visits import on_phone, photos
from zoufang.visits.models import DiaryEntry, Visit, VisitPhoto
from zoufang.visits.tests.conftest import payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def visit(client, visiting, api_token) -> Visit:
    response = client.post("/api/v1/visits", payload(visiting.enterprise), content_type="application/json",
                           **api_token("dept"))
    assert response.status_code == 201
    return Visit.objects.get(public_id=response.json()["id"])


def test_it_lists_my_targets_by_village_and_group_with_the_pace(login, visiting, visit):
    response = login(visiting.users["dept"]).get("/me/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("上下塘社区") < page.index("第1居民小组") < page.index("计家墩村")
    assert "1/3" in page  # visited / assigned
    assert "本月应至少走访 1 个，已走访 1 个" in page  # ⌈3 × 1/5⌉
    assert "按进度要求，到本月底累计应走访 2 个" in page  # May and June
    assert "落后 1 个" in page
    assert "完成全部走访还剩 2 个" in page
    # The household's ID number is masked for a visitor; its phone is not (to arrange the visit).
    household = visiting.households["shangxiatang"][0]
    assert household.id_number not in page
    assert household.phone in page
    assert "待走访" in page
    assert "共 2 个未走访" not in page  # both unvisited are listed in full
    read = AuditEvent.objects.get(actor=visiting.users["dept"], action="read")
    assert read.summary == "我的走访显示完整电话或身份证号：3条"
    # Not assigned: not listed.
    assert visiting.households["jijiadun"][0].name not in page


def test_the_pace_says_the_ended_months_requirement_is_met(login, visiting, visit):
    """May has ended: ⌈3 × 1/5⌉ = 1 was due by its end; the enterprise visited in June makes it up."""
    page = login(visiting.users["dept"]).get("/me/").content.decode()
    assert "已结束的月份共要求走访 1 个，已走访 1 个，已达到要求" in page
    assert "逾期未完成" not in page


def test_the_pace_says_the_ended_months_requirement_is_not_met(login, visiting):
    """The same cadre with nothing visited: the one May required is past due, said in red."""
    page = login(visiting.users["dept"]).get("/me/").content.decode()
    assert '已结束的月份共要求走访 1 个，已走访 0 个，<strong class="bad nowrap">逾期未完成 1 个</strong>' in page
    assert "已达到要求" not in page


def _pace_panel(page: str) -> str:
    """The 进度 panel's words, tags dropped (a day's <time> within its sentence)."""
    panel = re.sub(r"</?time[^>]*>", "", page[page.index('<section class="panel pace'):])
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel[:panel.index("</section>")]))


def test_the_pace_names_the_day_a_late_plan_was_given_once(login, visiting):
    """Given on 1 June, after the rule's 1 May: the pace counts from 1 June, and the panel says that day once."""
    visiting.campaign.plan_given_on = dt.date(2017, 6, 1)
    visiting.campaign.save()
    panel = _pace_panel(login(visiting.users["dept"]).get("/me/").content.decode())
    assert "进度自走访分配下达之日（2017年6月1日）起计算" in panel
    assert panel.count("2017年6月1日") == 1


def test_the_pace_says_the_end_date_once(login, visiting):
    """The rule's sentence says 2017年9月30日前全部完成: the line counting down to it says only what is left."""
    panel = _pace_panel(login(visiting.users["dept"]).get("/me/").content.decode())
    assert "2017年9月30日前全部完成" in panel
    assert panel.count("2017年9月30日") == 1
    assert "完成全部走访还剩 3 个" in panel


def test_the_pace_names_the_end_date_its_sentence_does_not_say(login, visiting):
    """Rules per kind, each done before the campaign's own end: the count-down names the day it counts to."""
    visiting.campaign.config = {**visiting.campaign.config, "pace": {
        "starts_on": "2017-05-01", "complete_by": "2017-09-30", "rules": [
            {"target_kinds": ["registered_household", "resident_household"], "monthly_min_share": "1/5",
             "complete_by": "2017-08-31"},
            {"target_kinds": ["enterprise"], "monthly_min_share": "1/4", "complete_by": "2017-08-31"}]}}
    visiting.campaign.save()
    panel = _pace_panel(login(visiting.users["dept"]).get("/me/").content.decode())
    assert "2017年9月30日前完成全部走访，还剩 3 个" in panel


def test_the_pace_says_the_end_passed_once_in_words(login, visiting, settings):
    """After 30 September: the note says the deadline passed, as a day is written; no line still counts down to it."""
    settings.ZOUFANG_TODAY = "2017-10-09"
    panel = _pace_panel(login(visiting.users["dept"]).get("/me/").content.decode())
    assert "已过 2017年9月30日 的完成期限，尚有 3 个未走访" in panel
    assert "2017-09-30" not in panel
    assert "前完成全部走访" not in panel


def test_it_says_so_when_nothing_is_assigned(login, town):
    page = login(town.users["dept"]).get("/me/").content.decode()
    assert "还没有分配给您的走访对象" in page


def test_an_account_with_no_cadre_has_no_my_visits_pages(login, town):
    """我的走访 and its card, diary and ledger are a cadre's: the office (no cadre of its own) is answered 404, as on
    every page a role has no use for, and its menu does not offer them (before: a 200 page saying 未关联走访干部,
    and a 403 for the other three)."""
    client = login(town.users["office"])
    for url in ("/me/", "/me/card/", "/me/diary/", "/me/ledger.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.post("/me/diary/", {"entry_date": "2017-06-14", "text": "走访"}).status_code == 404
    assert "/me/" not in client.get("/").content.decode()
    assert login(town.users["dept"]).get("/me/").status_code == 200


def test_the_summary_a_send_fetches_is_the_pages_own_parts_with_no_number_in_them(login, visiting, visit):
    """After a send the phone fetches /me/summary/ (visits.js): the page's own parts, rendered by the same templates
    (figures, 进度, 待走访 by name as on the page), with no phone or ID number in them, so nothing to audit; the
    form data of a target due comes along only when its card is not on the page (over LARGE_LIST)."""
    client = login(visiting.users["dept"])
    page = client.get("/me/").content.decode()
    audited = AuditEvent.objects.count()
    response = client.get("/me/summary/")
    fragment = response.content.decode().strip()
    parts, due_data = fragment.split('<script id="due-data" type="application/json">')
    assert response["Cache-Control"] == "no-store"
    assert fragment.startswith('<div data-part="progress">')
    assert "1/3" in fragment
    between_tags = re.compile(r">\s+<")  # the page indents its includes
    assert between_tags.sub("><", parts.strip()) in between_tags.sub("><", page)
    assert json.loads(due_data.removesuffix("</script>")) == {"targets": {}, "forms": {}}  # every card on the page
    for household in visiting.households["shangxiatang"][:2]:
        assert household.name in parts  # 待走访
        assert household.phone not in fragment
        assert household.id_number not in fragment
    assert AuditEvent.objects.count() == audited
    assert login(visiting.users["office"]).get("/me/summary/").content.decode().strip() == ""  # no cadre: nothing


def test_it_shows_the_registration_deadline_and_the_case_on_the_visit(login, visiting, visit):
    page = login(visiting.users["office"]).get(f"/visits/{visit.public_id}/").content.decode()
    assert '须在 <time datetime="2017-06-16">2017年6月16日</time> 前登记' in page
    assert "厂房扩建用地指标不足" in page
    assert "待登记" in page
    assert "服务意识" in page


def test_the_visitor_can_call_the_target_back_from_the_visit_page(login, visiting, visit):
    """The phone the cadre sees in full is a tel: link there, as on the target's page; a masked one is only text."""
    phone = visiting.enterprise.phone
    page = login(visiting.users["dept"]).get(f"/visits/{visit.public_id}/").content.decode()
    assert f'<dt>电话</dt><dd class="code"><a href="tel:{phone}">{phone}</a></dd>' in page
    masked = login(visiting.users["leader"]).get(f"/visits/{visit.public_id}/").content.decode()
    assert '<dt>电话</dt><dd class="code">138****9999</dd>' in masked


def test_it_hides_a_visit_from_an_outsider(login, visiting, visit):
    assert login(visiting.users["outsider"]).get(f"/visits/{visit.public_id}/").status_code == 404


def _jpeg_with_location(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    image = Image.new("RGB", (2400, 1200), color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 10.0, 0.0), 3: "E", 4: (120.0, 54.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def test_it_stores_a_photo_without_its_exif_location(client, login, visiting, visit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = io.BytesIO(_jpeg_with_location())
    upload.name = "IMG_0001.jpg"
    response = login(visiting.users["dept"]).post(f"/visits/{visit.public_id}/photos/", {"photo": upload})
    assert response.status_code == 302
    photo = VisitPhoto.objects.get(visit=visit)
    stored = Image.open(photo.image.path)
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert (photo.width, photo.height) == (1600, 800)
    served = client.get(f"/visits/{visit.public_id}/photos/{photo.public_id}.jpg")
    assert served.status_code == 200
    assert b"GPS" not in b"".join(served.streaming_content)


def test_it_takes_a_photo_through_the_api(client, visiting, visit, api_token, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = io.BytesIO(_jpeg_with_location())
    upload.name = "IMG_0002.jpg"
    response = client.post(f"/api/v1/visits/{visit.public_id}/photos", {"photo": upload}, **api_token("dept"))
    assert response.status_code == 201, response.content
    assert not Image.open(VisitPhoto.objects.get().image.path).getexif()


def test_a_photo_from_someone_who_sees_the_visit_but_did_not_make_it_is_refused_403(
        client, visiting, visit, api_token, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    message = "照片：只有本次走访的走访人可以上传照片"
    upload = io.BytesIO(_jpeg_with_location())
    upload.name = "IMG_0003.jpg"
    refused = client.post(f"/api/v1/visits/{visit.public_id}/photos", {"photo": upload}, **api_token("office"))
    assert refused.status_code == 403
    assert refused.json() == {"detail": message, "code": "forbidden", "errors": {"photo": message}}
    upload.seek(0)
    page = login(visiting.users["office"]).post(f"/visits/{visit.public_id}/photos/", {"photo": upload})
    assert page.status_code == 403
    assert message in page.content.decode()
    assert not VisitPhoto.objects.exists()


def test_it_refuses_a_photo_from_someone_else_or_too_large(login, visiting, visit, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(photos.VisitRefused, match="只有本次走访的走访人"):
        photos.add_visit_photo(visiting.users["office"], visit, _jpeg_with_location())
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    with pytest.raises(photos.VisitRefused, match="照片：不能超过"):
        photos.add_visit_photo(visiting.users["dept"], visit, _jpeg_with_location())
    monkeypatch.setattr(photos, "MAX_BYTES", 10_000)
    with pytest.raises(photos.VisitRefused, match="不是可识别的图片"):
        photos.add_visit_photo(visiting.users["dept"], visit, b"not an image")


def test_it_prints_contact_cards_with_the_campaigns_hotline(login, visiting):
    page = login(visiting.users["dept"]).get("/me/card/").content.decode()
    cadre = visiting.users["dept"].cadre
    assert page.count('class="contact-card"') == 8
    assert cadre.name in page
    assert cadre.phone in page
    assert "派出所" in page
    assert "0512-12345" in page


def test_an_empty_diary_says_what_it_is_for_and_where_it_goes(login, visiting):
    """Not a bare 还没有日记。: a cadre who has never kept one is told what to write and that the 台账 carries it."""
    page = login(visiting.users["dept"]).get("/me/diary/").content.decode()
    assert "还没有日记。走访中的见闻、群众的想法和自己的体会可以记在这里，日记随走访台账一并导出。" in page


def test_it_writes_a_diary_entry_and_refuses_an_empty_one(login, visiting):
    client = login(visiting.users["dept"])
    assert client.post("/me/diary/", {"entry_date": "2017-06-14", "text": "走访计家墩村，群众关心道路"}).status_code == 302
    entry = DiaryEntry.objects.get()
    assert entry.cadre == visiting.users["dept"].cadre
    assert entry.campaign == visiting.campaign
    assert AuditEvent.objects.get(summary__startswith="民情走访日记").summary == "民情走访日记 2017年6月14日"
    page = client.post("/me/diary/", {"entry_date": "2017-06-20", "text": " "}).content.decode()
    assert "内容：必填" in page
    assert "日期：不能晚于今天" in page
    assert DiaryEntry.objects.count() == 1


def _rows(content: bytes, sheet: str) -> list[list[Any]]:
    # Streamed workbooks carry no <dimension> and leave trailing empty cells out: the read-only reader then
    # gives each row only its written cells, so rows are padded to the widest one, as Excel shows them.
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(row) for row in book[sheet].iter_rows(values_only=True)]
    width = max((len(row) for row in rows), default=0)
    return [row + [None] * (width - len(row)) for row in rows]


def test_it_exports_the_cadres_ledger_and_diary(login, visiting, visit):
    client = login(visiting.users["dept"])
    client.post("/me/diary/", {"entry_date": "2017-06-14", "text": "走访锦溪精密机械"})
    response = client.get("/me/ledger.xlsx")
    assert response.status_code == 200
    # Saved under the words the unit's ledger is saved under (派出所走访台账.xlsx), not ledger.xlsx.
    assert saved_name(response) == "派出所党员甲走访台账.xlsx"
    assert response["Content-Disposition"].startswith('attachment; filename="ledger.xlsx"; ')  # for old clients
    rows = _rows(response.content, "走访台账")
    record = dict(zip(rows[1], rows[2], strict=True))
    assert record["走访对象"] == "锦溪精密机械有限公司"
    assert record["走访时间"] == "2017年6月14日 10:30"
    assert record["村（社区）"] == "计家墩村"
    assert record["问题意见（条）"] == 1
    diary = _rows(response.content, "民情走访日记")  # a title naming whose diary, the header, then the entries
    assert "民情走访日记" in diary[0][0]
    assert diary[2][1:] == ["派出所党员甲", "走访锦溪精密机械"]


def test_it_exports_a_units_ledger_to_the_office_but_not_to_an_outsider(login, visiting, visit):
    url = f"/units/{visiting.police.public_id}/ledger.xlsx"
    assert queued_file(login(visiting.users["outsider"]), url).status_code == 404
    response = queued_file(login(visiting.users["office"]), url)
    assert response.status_code == 200
    assert len(_rows(response.content, "走访台账")) == 3


def test_it_exports_a_units_ledger_to_its_handler(login, visiting, visit):
    handler = visiting.users["outsider"]
    RoleGrant.objects.create(user=handler, role=RoleGrant.Role.UNIT_HANDLER, unit=visiting.police)
    assert queued_file(login(handler), f"/units/{visiting.police.public_id}/ledger.xlsx").status_code == 200


def test_it_serves_the_service_worker_and_manifest(client):
    assert client.get("/me/sw.js")["Content-Type"] == "application/javascript"
    assert client.get("/me/manifest.webmanifest").json()["start_url"] == "/me/"


def test_the_offline_copies_are_named_once_for_the_service_worker_and_for_logout(client, monkeypatch):
    """sw.js keeps its copies under the name on_phone gives, and every page (one shown to no one logged in too:
    site.js drops the copies there) hands site.js the prefix it deletes on 退出."""
    monkeypatch.setattr(on_phone, "CACHES", "zoufang-offline")
    monkeypatch.setattr(on_phone, "CACHE", "zoufang-offline-v7")
    assert 'var CACHE = "zoufang-offline-v7";' in client.get("/me/sw.js").content.decode()
    stored = re.search(r'<script id="phone-storage" type="application/json">(.*?)</script>',
                       client.get("/login/").content.decode())
    assert stored
    assert json.loads(stored.group(1))["caches"] == "zoufang-offline"
    assert on_phone.CACHE.startswith(on_phone.CACHES)


def test_it_shows_the_office_the_visits_forms_and_ledgers(login, visiting, visit):
    client = login(visiting.users["office"])
    page = client.get("/visits/").content.decode()
    assert "锦溪精密机械有限公司" in page
    assert "派出所" in page
    assert "企业走访调查表" in page
    assert "<title>走访记录" in page
    assert page.count("最近登记的走访") == 1  # once, in the page: not again inside <title>
    answers = queued_file(client, "/forms/enterprise_survey/answers.xlsx")
    assert answers.status_code == 200
    rows = _rows(answers.content, "企业走访调查表")
    assert dict(zip(rows[0], rows[1], strict=True))["廉洁履职"] == "好"
    assert client.get("/forms/enterprise_survey.xlsx").status_code == 200
    assert client.get("/forms/no_such_form.xlsx").status_code == 404


def test_the_office_page_says_what_each_questionnaire_download_is_for(login, visiting, visit):
    """A clerk reads what a download is, not a tool's word: the answers as 答案明细 for every reader of the page; the
    definition file, in the XLSForm standard's own sheets, only for whoever keeps the questionnaires, and said so."""
    from zoufang.forms.models import FormVersion

    office = login(visiting.users["office"]).get("/visits/").content.decode()
    leader = login(visiting.users["leader"]).get("/visits/").content.decode()
    for page in (office, leader):
        assert "下载答案明细xlsx" in page
        assert "答案导出" not in page
        assert "下载定义（XLSForm）" not in page
    assert "调查表定义文件" in office
    assert "XLSForm 标准格式" in office
    assert "调查表定义文件" not in leader
    assert "XLSForm" not in leader
    assert "survey（题目）" not in leader
    definition = login(visiting.users["office"]).get("/forms/cadre_survey.xlsx")
    assert saved_name(definition) == "干部调查问卷-定义文件（XLSForm）.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(definition.content))
    assert book.sheetnames == ["survey", "choices", "settings", "说明"]  # the standard's sheets first, as it names them
    said = " ".join(str(cell) for row in book["说明"].iter_rows(values_only=True) for cell in row if cell)
    assert "干部调查问卷" in said
    assert "XLSForm 标准格式" in said
    assert "survey" in said
    upload = io.BytesIO(definition.content)
    upload.name = "cadre_survey.xlsx"
    again = login(visiting.users["office"]).post("/forms/upload/", {"definition": upload}, follow=True)
    assert "干部调查问卷：内容未变，仍为第 1 版" in again.content.decode()  # the 说明 sheet is read as no question
    assert FormVersion.objects.filter(form__key="cadre_survey").count() == 1
    answers = _rows(queued_file(login(visiting.users["office"]), "/forms/enterprise_survey/answers.xlsx").content,
                    "企业走访调查表")
    assert answers[0][:5] == ["走访编号", "走访时间", "走访对象", "走访人", "版本"]


def test_the_answers_are_built_on_the_queue_as_the_request_built_them(login, visiting, visit, api_token):
    """答案明细 runs on the queue (docs/jobs.md): the same workbook as written in the request (and as the API's),
    asked for by POST, audited; a form that does not exist is refused when asked."""
    from zoufang.forms.api import visible_answers
    from zoufang.forms.export import answers_workbook
    from zoufang.forms.models import Form
    from zoufang.jobs.models import Download
    from zoufang.jobs.testing import cells

    office = visiting.users["office"]
    client = login(office)
    assert client.get("/forms/enterprise_survey/answers.xlsx").status_code == 405  # a button, never a link
    queued = queued_file(client, "/forms/enterprise_survey/answers.xlsx")
    form = Form.objects.get(key="enterprise_survey")
    expected = answers_workbook(form, list(visible_answers(office, form)), office)
    assert cells(queued.content) == cells(expected)
    assert len(cells(queued.content)[0][1]) == 2  # the header and the one visit
    assert "enterprise_survey" in client.get("/visits/").content.decode()  # the form's button is on the page
    download = Download.objects.get(kind="form_answers")
    assert (download.user, download.params) == (office, {"key": "enterprise_survey", "fmt": "xlsx"})
    assert AuditEvent.objects.filter(action="export", summary="导出企业走访调查表答案 1 份").exists()
    api = client.get("/api/v1/forms/enterprise_survey/answers.xlsx", **api_token("office"))
    assert cells(b"".join(api.streaming_content)) == cells(expected)  # streamed from a temporary file
    assert client.post("/forms/no_such_form/answers.xlsx").status_code == 404


def test_it_publishes_a_new_version_from_an_uploaded_workbook(login, visiting, visit):
    from zoufang.forms import xlsform
    from zoufang.forms.models import FormVersion

    client = login(visiting.users["office"])
    version = FormVersion.objects.get(form__key="cadre_survey")
    rows = {**version.rows, "survey": [*version.rows["survey"], {"type": "text", "name": "extra", "label": "补充"}]}
    upload = io.BytesIO(xlsform.write_xlsx(rows))
    upload.name = "cadre_survey.xlsx"
    response = client.post("/forms/upload/", {"definition": upload}, follow=True)
    assert "干部调查问卷：已发布第 2 版" in response.content.decode()
    broken = io.BytesIO(xlsform.write_xlsx({**rows, "survey": [{"type": "select_one nowhere", "name": "q"}]}))
    broken.name = "broken.xlsx"
    response = client.post("/forms/upload/", {"definition": broken}, follow=True)
    assert "broken.xlsx：survey 第 2 行：选项列表 “nowhere”未在 choices 中定义" in response.content.decode()
    # The form is on 走访记录: a leader reads that page and may not publish (403); a plain cadre has no such page,
    # so its upload is answered as the page is (404).
    assert login(visiting.users["leader"]).post("/forms/upload/", {"definition": upload}).status_code == 403
    assert login(visiting.users["dept"]).post("/forms/upload/", {"definition": upload}).status_code == 404


def test_a_questionnaire_workbook_spanning_the_whole_grid_is_refused_before_it_is_read(login, visiting, visit):
    """A few kilobytes with cells at A1 and XFD1048576: calamine would ask for 17 billion cells and abort the
    worker (as the imports were before core.workbook_scan); the office gets the imports' message."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"], book.active["XFD1048576"] = "type", "x"
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "huge.xlsx"
    response = login(visiting.users["office"]).post("/forms/upload/", {"definition": upload}, follow=True)
    assert "huge.xlsx：工作表“Sheet”的数据区域有1048576行×16384列" in response.content.decode()


def test_it_loads_my_list_in_the_same_number_of_queries_for_three_or_thirty_targets(login, visiting, visit,
                                                                                     django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zoufang.planning.models import Assignment
    from zoufang.registry.tests.factories import TargetFactory

    client = login(visiting.users["dept"])
    with CaptureQueriesContext(connection) as few:
        client.get("/me/")
    cadre = visiting.users["dept"].cadre
    for target in TargetFactory.create_batch(27, region=visiting.households["shangxiatang"][0].region):
        Assignment.objects.create(campaign=visiting.campaign, target=target, unit=visiting.police, cadre=cadre)
    with django_assert_max_num_queries(len(few)):
        assert "1/30" in client.get("/me/").content.decode()


def test_it_shows_visits_and_questionnaires_read_only_in_the_admin(client, visiting, visit, admin_user):
    from zoufang.forms.models import FormVersion

    client.force_login(admin_user)
    assert client.get("/admin/visits/visit/").status_code == 200
    assert client.get(f"/admin/visits/visit/{visit.pk}/change/").status_code == 200
    assert client.get("/admin/visits/visit/add/").status_code == 403
    version = FormVersion.objects.first()
    assert client.get(f"/admin/forms/formversion/{version.pk}/change/").status_code == 200


def test_a_large_list_shows_one_village_at_a_time_within_the_phones_budget(login, visiting, visit):
    """A 兜底 village cadre with 1,000 targets: one village's cards, the villages as chips, search across all."""
    import gzip

    from zoufang.planning.models import Assignment
    from zoufang.registry.tests.factories import TargetFactory
    from zoufang.visits.page import LARGE_LIST

    cadre = visiting.users["dept"].cadre
    shangxiatang = visiting.households["shangxiatang"][0].region
    jijiadun = visiting.households["jijiadun"][0].region
    batch = [*TargetFactory.create_batch(600, region=shangxiatang, id_number=""),
             *TargetFactory.create_batch(397, region=jijiadun, id_number="")]
    Assignment.objects.bulk_create(Assignment(campaign=visiting.campaign, target=t, unit=visiting.police, cadre=cadre)
                                   for t in batch)
    client = login(visiting.users["dept"])
    page = client.get("/me/", HTTP_ACCEPT_ENCODING="gzip")
    assert len(page.content) <= 150 * 1024 // 2  # gzipped, leaving room for the scripts and styles
    html = gzip.decompress(page.content).decode()
    assert "1/1000" in html  # progress still counts everything
    assert html.count('class="my-target"') == 602  # 上下塘社区 alone: its 600, two of the fixture's, not 计家墩村
    assert 'class="current">上下塘社区 <span class="muted small">0/602</span>' in html
    assert '计家墩村 <span class="muted small">1/398</span>' in html  # the fixture's enterprise, visited
    assert len(batch) + 3 > LARGE_LIST

    village = jijiadun.parent if jijiadun.level != "village" else jijiadun
    other = client.get(f"/me/?village={village.public_id}").content.decode()
    assert other.count('class="my-target"') == 398
    found = client.get("/me/", {"q": batch[-1].name}).content.decode()
    assert found.count('class="my-target"') == 1
    assert batch[-1].address in found
    assert "没有找到“不存在的人”" in client.get("/me/", {"q": "不存在的人"}).content.decode()


def test_the_ledger_names_each_place_column_for_what_it_holds(client, login, visiting, visit, api_token):
    """A household in 第6网格 of 第1居民小组 shows the group under 村（居）民小组 and the grid under 网格; the
    enterprise, directly in its village, leaves both empty."""
    from zoufang.regions.models import Region
    from zoufang.visits.tests.conftest import household_answers

    household = visiting.households["shangxiatang"][0]
    grid = Region(name="第6网格", level=Region.Level.GRID, parent=household.region)
    grid.save()
    household.region = grid
    household.save()
    sent = payload(household, answers=household_answers(), opinions=[], visited_at="2017-06-14T16:00:00+08:00")
    assert client.post("/api/v1/visits", sent, content_type="application/json", **api_token("dept")).status_code == 201
    rows = _rows(login(visiting.users["dept"]).get("/me/ledger.xlsx").content, "走访台账")
    records = {r["走访对象"]: r for r in (dict(zip(rows[1], row, strict=True)) for row in rows[2:])}
    assert "村民小组" not in rows[1]
    home = records[household.name]
    assert (home["村（社区）"], home["村（居）民小组"], home["网格"]) == ("上下塘社区", "第1居民小组", "第6网格")
    firm = records["锦溪精密机械有限公司"]
    assert (firm["村（社区）"], firm["村（居）民小组"], firm["网格"]) == ("计家墩村", None, None)


def test_a_cadre_with_only_targets_outside_the_pace_rule_is_not_told_none_remain(login, visiting):
    """上下塘社区's cadre holds one project; the pace counts households and enterprises only: the card reads 0/1
    and the pace panel says which kinds it counts instead of “还剩 0 个”."""
    from zoufang.planning.models import Assignment
    from zoufang.registry.models import Target
    from zoufang.registry.tests.factories import TargetFactory

    project = TargetFactory(kind=Target.Kind.PROJECT, region=visiting.shangxiatang, name="河道整治项目", id_number="")
    cadre = visiting.users["village"].cadre
    Assignment.objects.create(campaign=visiting.campaign, target=project, unit=cadre.unit, cadre=cadre)
    page = login(visiting.users["village"]).get("/me/").content.decode()
    assert "0/1" in page
    assert "还剩 0 个" not in page
    assert "进度要求只计户籍户、非户籍常住户、企业，分配给您的走访对象不在其中" in page


def test_the_card_and_the_pace_count_the_same_visits(login, visiting, visit):
    """Another cadre's visit to one of dept's households is listed, but ticks off neither the card nor the pace."""
    import datetime as dt
    import uuid
    from zoneinfo import ZoneInfo

    household = visiting.households["shangxiatang"][0]
    Visit.objects.create(campaign=visiting.campaign, target=household, cadre=visiting.users["village"].cadre,
                         client_uuid=uuid.uuid4(), content_hash="-", mode=Visit.Mode.HOME,
                         visited_at=dt.datetime(2017, 6, 13, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    page = login(visiting.users["dept"]).get("/me/").content.decode()
    assert "1/3" in page  # the enterprise, visited by dept
    assert "还剩 2 个" in page
    assert "居委会干部甲" in page  # the other cadre's visit is still listed under the household


def test_a_retried_photo_upload_stores_the_photo_once(client, login, visiting, visit, api_token, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    key = str(uuid.uuid4())

    def send(data: bytes, key: str = key) -> Any:
        upload = io.BytesIO(data)
        upload.name = "IMG_0003.jpg"
        return client.post(f"/api/v1/visits/{visit.public_id}/photos", {"photo": upload, "key": key},
                           **api_token("dept"))

    first, again = send(_jpeg_with_location()), send(_jpeg_with_location())
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert VisitPhoto.objects.count() == 1
    other = send(_jpeg_with_location(color=(0, 90, 200)))
    assert other.status_code == 409
    assert "另一张照片" in other.json()["detail"]
    assert send(_jpeg_with_location(color=(0, 90, 200)), key=str(uuid.uuid4())).status_code == 201
    assert VisitPhoto.objects.count() == 2

    page = login(visiting.users["dept"])
    form_key = re.search(r'name="key" value="([0-9a-f-]{36})"',
                         page.get(f"/visits/{visit.public_id}/").content.decode()).group(1)
    for _attempt in range(2):  # the button pressed again after a lost answer: the same form, the same key
        upload = io.BytesIO(_jpeg_with_location(color=(10, 10, 10)))
        upload.name = "IMG_0004.jpg"
        answer = page.post(f"/visits/{visit.public_id}/photos/", {"photo": upload, "key": form_key}, follow=True)
    assert "未重复保存" in answer.content.decode()
    assert VisitPhoto.objects.count() == 3


def test_a_diary_entry_sent_twice_is_written_once(login, visiting):
    client = login(visiting.users["dept"])
    key = re.search(r'name="key" value="([0-9a-f-]{36})"', client.get("/me/diary/").content.decode()).group(1)
    sent = {"entry_date": "2017-06-14", "text": "走访计家墩村，群众关心道路", "key": key}
    assert client.post("/me/diary/", sent).status_code == 302
    again = client.post("/me/diary/", sent, follow=True)
    assert "未重复保存" in again.content.decode()
    assert DiaryEntry.objects.count() == 1
    changed = client.post("/me/diary/", {**sent, "text": "另记：村口路灯不亮"}).content.decode()
    assert "内容与本次不同" in changed
    assert "另记：村口路灯不亮" in changed  # what was typed is kept
    fresh = re.search(r'name="key" value="([0-9a-f-]{36})"', changed).group(1)
    assert fresh != key
    assert client.post("/me/diary/", {**sent, "text": "另记：村口路灯不亮", "key": fresh}).status_code == 302
    assert DiaryEntry.objects.count() == 2


def test_the_office_visit_list_counts_opinions_in_the_ledgers_unit(login, visiting, visit):
    """A phone shows each visit as a card (a cell beside its label): 问题意见（条） 1, as the ledger's column says it,
    not a bare 问题意见 1."""
    page = login(visiting.users["office"]).get("/visits/").content.decode()
    assert '<th scope="col">问题意见（条）</th>' in page
    assert 'data-label="问题意见（条）"' in page
