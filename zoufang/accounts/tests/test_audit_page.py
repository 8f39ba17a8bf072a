"""审计记录: the audit administrator's page, its filters and its xlsx export; a 404 for everyone else."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator, ensure_user
from zoufang.conftest import PASSWORD
from zoufang.core.testdownloads import saved_name

pytestmark = pytest.mark.recorded_templates  # reads response.context

Role = RoleGrant.Role


@pytest.fixture
def auditadmin(town: Any) -> Any:
    return ensure_administrator("auditadmin", PASSWORD, full_name="审计管理员", role=Role.AUDIT_ADMIN)


@pytest.fixture
def trail(town: Any) -> dict[str, Any]:
    target = town.households["jijiadun"][0]
    temp = ensure_user("linshi", PASSWORD, full_name="临时工小李", role=Role.OFFICE, region=town.town)
    now = clock.now()  # audit rows follow the product's clock (a pinned day included)
    events = {
        "read": audit.append(AuditEvent(actor=town.users["office"], actor_ref=town.users["office"].pk,
                                        actor_username="office", actor_name="锦溪镇走访办", action="read",
                                        object_type="registry.Target", object_id=str(target.public_id),
                                        summary="网页查看走访对象完整信息"), at=now - dt.timedelta(days=20)),
        "update": audit.record(temp, AuditEvent.Action.UPDATE, target, summary="修改地址",
                               changes={"address": ["旧地址1号", "新地址2号"]}),
    }
    temp.delete()
    return {"target": target, **events}


@pytest.mark.parametrize("who", ["office", "leader", "auditor", "outsider", "sysadmin", "security", "root"])
def test_nobody_but_the_audit_administrator_finds_the_page(town, client, trail, who):
    if who == "root":
        account = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    elif who in ("sysadmin", "security"):
        account = ensure_administrator(who, PASSWORD, full_name=who, role=Role.SYSADMIN if who == "sysadmin"
                                       else Role.SECURITY_ADMIN)
    else:
        account = town.users[who]
    client.force_login(account)
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/?format=xlsx").status_code == 404
    assert "审计记录" not in client.get("/").content.decode()


def test_the_audit_administrator_reads_the_trail_in_chinese(client, auditadmin, trail):
    client.force_login(auditadmin)
    home = client.get("/").content.decode()
    assert 'href="/audit/"' in home
    html = client.get("/audit/").content.decode()
    assert "审计记录保存 180 天（不少于 180 天）" in html
    assert "临时工小李（linshi）［账号已删除］" in html
    assert "地址：旧地址1号 → 新地址2号" in html
    assert "走访对象" in html
    assert "锦溪镇走访办（office）" in html


@pytest.mark.parametrize(("query", "expected"), [
    ("who=临时工", {"修改地址"}),
    ("who=office", {"网页查看走访对象完整信息"}),
    ("action=read", {"网页查看走访对象完整信息"}),
    ("object_type=registry.Target", {"网页查看走访对象完整信息", "修改地址"}),
    ("date_to={ten_days_ago}", {"网页查看走访对象完整信息"}),
    ("date_from={ten_days_ago}&action=update", {"修改地址"}),
])
def test_the_filters_narrow_the_list(client, auditadmin, trail, query, expected):
    ten_days_ago = (clock.today() - dt.timedelta(days=10)).isoformat()
    client.force_login(auditadmin)
    response = client.get("/audit/?" + query.format(ten_days_ago=ten_days_ago))
    shown = {row.event.summary for row in response.context["rows"]}
    assert shown & {"网页查看走访对象完整信息", "修改地址"} == expected


def test_it_filters_by_the_record(client, auditadmin, trail):
    client.force_login(auditadmin)
    response = client.get(f"/audit/?object_id={trail['target'].public_id}")
    assert {row.event.summary for row in response.context["rows"]} == {"网页查看走访对象完整信息", "修改地址"}
    response = client.get("/audit/?date_from=2026-05-02&date_to=2026-05-01")
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_the_xlsx_export_holds_the_filtered_rows_and_is_itself_audited(client, auditadmin, trail):
    client.force_login(auditadmin)
    response = client.get("/audit/?format=xlsx&action=update")
    assert response.status_code == 200
    assert re.fullmatch(r"审计记录-\d{8}-\d{4}\.xlsx", saved_name(response))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["审计记录"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "审计记录"
    assert rows[1][0].startswith("筛选条件：操作：修改\n导出时间：")
    assert rows[2][:4] == ("序号", "时间", "操作人", "操作")
    body = [row for row in rows[3:] if any(row)]
    assert len(body) == 1
    assert body[0][2] == "临时工小李（linshi）［账号已删除］"
    assert body[0][3] == "修改"
    assert body[0][6] == "地址：旧地址1号 → 新地址2号"
    assert body[0][7] == trail["update"].hash[:8]
    ids = [row for row in book["编号与校验值"].iter_rows(min_row=4, values_only=True) if any(row)]
    update = trail["update"]
    assert ids == [(update.seq, body[0][1], update.object_id, update.hash)]  # the whole hash, to verify against
    assert "说明" in book.sheetnames
    export = AuditEvent.objects.latest("seq")
    assert (export.action, export.actor_username, export.changes) == ("export", "auditadmin", {"action": "update"})
    assert audit.verify().ok


def test_the_export_says_its_days_and_moments_as_people_do(client, auditadmin, trail):
    """“起始日期：2017年6月1日”, “导出时间：2017年…日 10:30”, each row's 时间 “2017年6月14日 23:46:05”: never 2017-06-01."""
    client.force_login(auditadmin)
    response = client.get("/audit/?format=xlsx&date_from=2000-06-01")
    sheet = load_workbook(io.BytesIO(response.content))["审计记录"]
    assert sheet["A2"].value.startswith("筛选条件：起始日期：2000年6月1日\n导出时间：")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", sheet["A2"].value)
    times = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert times
    assert all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}", time) for time in times), times


def test_the_export_prints_readably_on_a4_across(client, auditadmin, trail):
    """Read back from the file: A4 landscape one page wide, the title, filter and headers repeated on each page,
    columns that fit the page at a readable scale (not 300 characters of width squeezed onto one), texts wrapped."""
    client.force_login(auditadmin)
    book = load_workbook(io.BytesIO(client.get("/audit/?format=xlsx").content))
    for name in ("审计记录", "编号与校验值"):
        sheet = book[name]
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", int(sheet.PAPERSIZE_A4))
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows.replace("$", "") == "1:3"
        assert "&P" in sheet.oddFooter.center.text
        assert sheet["A2"].value.startswith("筛选条件：全部审计记录\n导出时间：")
    sheet = book["审计记录"]
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGH"]
    assert sheet.max_column == len(widths)
    assert sum(widths) <= 130  # LibreOffice prints them at about 85 % on A4 across: 9 pt text, not 5
    assert max(widths) < 40
    body = [row for row in sheet.iter_rows(min_row=4) if row[0].value]
    assert body
    assert all(cell.alignment.wrap_text for row in body for cell in row)
    assert len(body[0][7].value) == 8
    full = {row[0]: row[3] for row in book["编号与校验值"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert full == dict(AuditEvent.objects.filter(seq__in=full).values_list("seq", "hash"))
    assert len(full) == len(body) == AuditEvent.objects.exclude(action="export").count()


def test_the_log_pages_after_a_cursor_in_constant_queries(client, auditadmin, trail, settings):
    """Newest first, a page at a time after the last row shown (keyset on the unique seq): every event once
    walking the pages, filters kept, each page in the same number of queries; the total counted to a bound."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ZOUFANG_PAGE_SIZE = 2
    office = trail["read"].actor
    for number in range(5):
        audit.record(office, AuditEvent.Action.READ, trail["target"], summary=f"查看{number}")
    client.force_login(auditadmin)
    expected = list(AuditEvent.objects.filter(action="read").order_by("-seq").values_list("seq", flat=True))
    client.get("/audit/")  # the session's first request does its own bookkeeping: not the page's cost
    seen, counts, url = [], [], "/audit/?action=read"
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        seen += [row.event.seq for row in response.context["rows"]]
        counts.append(len(queries))
        assert f"共 <b>{len(expected)}</b> 条" in response.content.decode()
        cursor = response.context["page"].next_cursor
        url = f"/audit/?action=read&after={cursor}" if cursor else ""
    assert seen == expected
    assert len(set(counts)) == 1, counts
    assert "更早的记录" not in response.content.decode()
    assert "回到最新" in response.content.decode()
    assert client.get("/audit/?after=garbage").status_code == 200  # a bad cursor: the first page
