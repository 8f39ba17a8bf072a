"""The 审计记录 page in real Chromium: filtered on a desktop, as the audit administrator works; fits a phone too."""

import pytest

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator, ensure_user
from zoufang.conftest import PASSWORD, browser_login
from zoufang.core.testwidths import DESKTOP, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_audit_page_fits_the_screen_and_filters(browser, live_server, town):
    ensure_administrator("auditadmin", PASSWORD, full_name="审计管理员", role=RoleGrant.Role.AUDIT_ADMIN)
    temp = ensure_user("linshi", PASSWORD, full_name="临时工小李", role=RoleGrant.Role.OFFICE, region=town.town)
    target = town.households["jijiadun"][0]
    audit.record(temp, AuditEvent.Action.UPDATE, target, summary="管理后台修改：" + target.name,
                 changes={"address": ["上下塘街1号", "上下塘街99号"], "phone": ["139****1111", "139****2222"]})
    audit.record(town.users["office"], AuditEvent.Action.READ, target, summary="网页查看走访对象完整信息")
    temp.delete()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    browser_login(page, live_server.url, "auditadmin")
    page.click("nav >> text=审计记录")
    assert page.locator("h1").inner_text() == "审计记录"
    assert "临时工小李（linshi）［账号已删除］" in page.locator("main").inner_text()
    look(page, "audit")
    page.select_option("select[name=action]", "read")
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    main = page.locator("main").inner_text()
    assert "网页查看走访对象完整信息" in main
    assert "临时工小李" not in main
    context.close()
