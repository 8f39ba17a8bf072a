"""A town the product has never seen (千灯镇, 昆山市) set up as a deployment does it and walked in real Chromium:
the campaign from the shipped rules by the command line, the office's account by the break-glass superuser in the
admin, the office's first login (second factor, the administrator's password replaced), its own tables imported
on the import page (a draft with bad rows first), the plan previewed and confirmed, and a department's party member
on a phone recording a visit, with the questionnaire the campaign names, whose problem waits for the office to
register it."""

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import expect

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases.models import Case
from zoufang.core.testwidths import shoot
from zoufang.forms.models import FormAnswer
from zoufang.planning.models import Assignment
from zoufang.registry.models import Cadre, Target
from zoufang.visits.models import Visit
from zoufang.web.tests import qiandeng

# In both halves of make test, where the other browser tests run in SQLite's only (decision 0053).
pytestmark = [pytest.mark.browser, pytest.mark.every_database, pytest.mark.django_db(transaction=True)]

ROOT_PASSWORD = "Qd-Root-2025x"  # noqa: S105 - a test account's
FIRST_PASSWORD = "Qd-Office-2025a"  # noqa: S105 - set by the superuser
OWN_PASSWORD = "Qd-Office-2025b"  # noqa: S105 - the clerk's own
CADRE_PASSWORD = "Qd-Cadre-2025x"  # noqa: S105


def _log_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _enrol(page: Any) -> None:
    """Scan the QR code, as a phone's authenticator would, from the key printed under it."""
    secret = re.search(r"密钥：\s*([A-Z2-7 ]+)", page.inner_text("body"))
    assert secret is not None
    key = secret.group(1).replace(" ", "")
    page.fill("input[name=code]", f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}")
    page.click("form button[type=submit]")
    with page.expect_navigation():
        page.click("text=我已保存，继续")


def _import(page: Any, url: str, kind: str, path: Path) -> str:
    """Check the file first (仅检查), then import it when the check passed; the report as the clerk reads it."""
    page.goto(f"{url}/imports/")
    page.select_option("select[name=kind]", kind)
    page.select_option("select[name=campaign]", label=qiandeng.TOWN + "2025年度常态化推进“六个一”基层走访调研")
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.click("form button:has-text('上传')")
    report = page.inner_text("main")
    if "检查通过" in report:
        with page.expect_navigation():
            page.click("button:has-text('正式导入')")
        report = page.inner_text("main")
        assert "导入成功，数据已写入" in report, report[:1500]
    return report


def test_it_walks_a_new_town_from_its_own_tables_to_a_visit_with_a_problem(browser, live_server, settings,
                                                                           tmp_path: Path):
    settings.ZOUFANG_TODAY = "2025-06-16"
    call_command("campaign", "load", str(qiandeng.campaign_yaml(tmp_path)), stdout=None)
    files = qiandeng.all_files(tmp_path)
    get_user_model().objects.create_superuser("root", "root@example.cn", ROOT_PASSWORD)
    url = live_server.url

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    try:
        # The superuser adds the office's account with its role over the town.
        _log_in(page, url, "root", ROOT_PASSWORD)
        _enrol(page)
        page.goto(f"{url}/admin/auth/user/add/")
        assert "After you" not in page.inner_text("main")
        page.fill("input[name=username]", "qd_office")
        page.fill("input[name=password1]", FIRST_PASSWORD)
        page.fill("input[name=password2]", FIRST_PASSWORD)
        page.click("text=添加另一个 角色授权")
        page.select_option("select[name=role_grants-0-role]", "office")
        page.click("#role_grants-0 .field-region .select2-selection")
        page.keyboard.type(qiandeng.TOWN)
        page.click(f".select2-results__option:text-is('{qiandeng.TOWN}')")
        expect(page.locator("#role_grants-0 .field-region .select2-selection__rendered")).to_contain_text(qiandeng.TOWN)
        with page.expect_navigation():
            page.click("input[name=_save]")
        assert RoleGrant.objects.filter(user__username="qd_office", role="office", region__name=qiandeng.TOWN).exists(), \
            (page.url, [e.inner_text() for e in page.query_selector_all(".errornote, .errorlist")])  # what was refused
        page.click("text=注销")
        page.context.clear_cookies()

        # The clerk's first login: the second factor, then a password of their own.
        _log_in(page, url, "qd_office", FIRST_PASSWORD)
        _enrol(page)
        assert "/account/password/" in page.url
        assert "初始密码" in page.inner_text("main")
        page.fill("input[name=old_password]", FIRST_PASSWORD)
        page.fill("input[name=new_password1]", OWN_PASSWORD)
        page.fill("input[name=new_password2]", OWN_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{url}/")
        shoot(page, "second-town-home-empty-1280")

        # The town's own tables, in the order the README gives; the households' draft first.
        for kind in ("regions", "units", "departments", "cadres"):
            _import(page, url, kind, files[kind])
        draft = _import(page, url, "households", files["households_draft"])
        assert "整个文件未写入" in draft
        assert "第8行【身份证号码】" in draft
        assert "第13行【村（社区）】：千灯镇没有名为“马鞍山村”的村（社区）" in draft
        assert "是合计行，未导入" in draft
        shoot(page, "second-town-import-draft-1280")
        assert not Target.objects.filter(kind__in=["registered_household", "resident_household"]).exists()
        for kind in ("households", "enterprises", "projects", "allocation"):
            _import(page, url, kind, files[kind])
        assert Target.objects.count() == sum(sum(v[2:]) for v in qiandeng.VILLAGES) + 2

        # Plan: preview, confirm, proven.
        page.goto(f"{url}/plan/")
        page.click("text=预览重新分配")
        page.wait_for_selector("text=重新分配预览（尚未写入）")
        preview = page.inner_text("main")
        assert "[" not in preview
        assert "党政办、经发局：" in preview
        shoot(page, "second-town-plan-preview-1280")
        page.click("button:has-text('确认重新分配')")
        page.wait_for_selector("text=已重新分配")
        page.goto(f"{url}/plan/")
        assert "不重不漏：已核验" in page.inner_text("main")
        shoot(page, "second-town-plan-1280")
    finally:
        desk.close()

    # A party member of 党政办 on a phone. No page links a cadre to an account: the shell does (see the report).
    cadre = Cadre.objects.filter(unit__name="党政办", assignments__isnull=False).distinct().first()
    assert cadre is not None
    ensure_user("qd_cadre", CADRE_PASSWORD, cadre=cadre)
    target = Assignment.objects.filter(cadre=cadre).select_related("target").first().target
    phone = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    page = phone.new_page()
    try:
        _log_in(page, url, "qd_cadre", CADRE_PASSWORD)
        page.goto(f"{url}/me/")
        shoot(page, "second-town-my-list-390")
        card = page.locator(f'[data-target="{target.public_id}"]')
        card.locator("summary").click()
        card.locator("[data-record]").click()
        page.wait_for_selector(".visit-form")
        page.fill("#v-summary", "了解家庭收入和子女上学情况")
        # The questionnaire the campaign names, published by `campaign load`: the visit asks it.
        assert "“六个一”基层走访调研问题、意见采集表" in page.inner_text(".visit-form")
        page.locator('[data-q="six_ones_form.aspects"] input[value="public_opinion"]').check()
        page.fill('[data-q="six_ones_form.public_opinion"] textarea', "群众希望公交站加装遮雨棚")
        page.locator('[data-q="six_ones_form.satisfaction"] input[value="satisfied"]').check()
        page.click("#v-add-opinion")
        page.select_option("[data-o=kind]", "problem")
        page.select_option("[data-o=category]", "1.2")
        page.fill("[data-o=description]", "村口公交站没有遮雨棚")
        shoot(page, "second-town-visit-form-390")
        page.click("text=保存并发送")
        page.wait_for_selector(f'[data-target="{target.public_id}"] .state:text("已走访")')
    finally:
        phone.close()
    assert Visit.objects.filter(target=target, cadre=cadre).count() == 1
    answer = FormAnswer.objects.get(visit__target=target, form__key="six_ones_form")
    assert answer.data["public_opinion"] == "群众希望公交站加装遮雨棚"
    assert Case.objects.get(description="村口公交站没有遮雨棚").status == "draft"
