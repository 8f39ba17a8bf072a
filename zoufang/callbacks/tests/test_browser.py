"""The whole round in real Chromium: the office draws a batch, the survey company's caller reveals a phone and
records two calls, the office upholds the "not visited" and reopens the unanswered problem, and sees the effect
on the cadre's and the unit's lines and on the case. Every page is shot at 390 and 1280 px."""

from typing import Any

import pytest

from zoufang.callbacks import services
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.callbacks.tests.conftest import MAY
from zoufang.callbacks.tests.test_calls import _closed_case
from zoufang.cases.models import Case
from zoufang.conftest import SHOTS, browser_login
from zoufang.core.testwidths import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shoot(page: Any, name: str) -> None:
    """The page at phone and desktop width: nothing wider than the screen, a picture of each."""
    look(page, f"callbacks-{name}")


def _sample_link(page: Any, sample: CallbackSample) -> None:
    with page.expect_navigation():
        page.click(f"a[href='/callbacks/samples/{sample.public_id}/'] >> nth=0")


def test_draw_call_verify_and_see_the_effect(browser: Any, live_server: Any, cases_town: Any, sampling: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    office = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    caller = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        browser_login(office, live_server.url, "office")
        office.click("nav >> text=回访抽查")
        office.select_option("select[name=campaign]", sampling.town.campaign.slug)
        office.fill("input[name=starts_on]", "2017-05-01")
        office.fill("input[name=ends_on]", "2017-05-31")
        office.fill("input[name=count]", "4")
        office.select_option("select[name=caller]", label=sampling.company.name)
        _shoot(office, "draw")
        office.click("form button[type=submit] >> text=抽样")
        office.wait_for_url("**/downloads/*/")  # drawn in the background: the job's page, then the batch
        office.locator("a:has-text('打开第 1 批回访抽查')").wait_for(timeout=15000)
        _shoot(office, "draw-job")
        with office.expect_navigation():
            office.click("a:has-text('打开第 1 批回访抽查')")
        batch = CallbackBatch.objects.get()
        assert office.locator("h1").inner_text() == "第 1 批回访抽查"
        _shoot(office, "batch-drawn")
        first, second = list(batch.samples.select_related("visit__target").order_by("position"))[:2]
        case = _closed_case(cases_town, second.visit)

        browser_login(caller, live_server.url, "caller")
        caller.click("nav >> text=回访抽查")
        with caller.expect_navigation():
            caller.click("text=第 1 批回访抽查")
        assert "按单位" not in caller.content()
        _sample_link(caller, first)
        assert first.visit.target.phone not in caller.content()
        with caller.expect_navigation():
            caller.click("text=显示完整号码（记入审计）")
        assert first.visit.target.phone in caller.locator("dl.fields").inner_text()
        _shoot(caller, "call")
        caller.check("input[name=kind][value=completed]")
        caller.check("input[name=q_visited][value=no]")
        caller.fill("textarea[name=q_opinion]", "从来没有干部来过")
        with caller.expect_navigation():
            caller.click("form button[type=submit] >> text=保存")
        assert "已记录：未接受走访" in caller.content()
        _sample_link(caller, second)
        caller.check("input[name=kind][value=completed]")
        caller.check("input[name=q_visited][value=yes]")
        caller.check("input[name=q_same_visitor][value=yes]")
        caller.check(f"input[name=q_mode][value={second.visit.mode}]")
        caller.check("input[name=q_answered][value=no]")
        with caller.expect_navigation():
            caller.click("form button[type=submit] >> text=保存")
        assert "已记录：走访属实" in caller.content()
        _shoot(caller, "batch-caller")

        office.reload()
        assert "待核实" in office.content()
        assert "待重办" in office.content()
        _sample_link(office, first)
        office.check("input[name=verify-upheld][value=yes]")
        office.fill("textarea[name=verify-explanation]", "干部称电话联系过，未上门")
        office.fill("textarea[name=verify-note]", "对象确认无人上门，记录为入户走访")
        _shoot(office, "verify")
        with office.expect_navigation():
            office.click("form button[type=submit] >> text=提交核实结论")
        _sample_link(office, second)
        assert case.number in office.content()
        office.fill("textarea[name=reopen-note]", "请承办单位重新答复反映人")
        with office.expect_navigation():
            office.click("form button[type=submit] >> text=重办")
        assert "已重办 1 件问题" in office.content()
        case.refresh_from_db()
        assert case.status == Case.Status.DISPATCHED
        assert case.reopen_count == 1

        with office.expect_navigation():
            office.click("text=返回名单")
        cadre = first.visit.cadre
        line = office.locator("table.oversight-table").nth(2).locator("tr", has=office.locator(
            "td", has_text=f"{cadre.name}（{cadre.unit.name}）"))
        headings = office.locator("table.oversight-table").nth(2).locator("thead th").all_inner_texts()
        assert line.locator("td").nth(headings.index("核实未走访")).inner_text() == "1"
        unit_line = office.locator("table.oversight-table").nth(0).locator("tr", has=office.locator(
            "td", has_text=cadre.unit.name))
        assert unit_line.locator("td").nth(headings.index("核实未走访")).inner_text() == "1"
        _shoot(office, "batch-results")
    finally:
        office.context.close()
        caller.context.close()


def test_a_caller_on_a_phone_answers_by_tapping_anywhere_on_an_option_s_row(browser: Any, live_server: Any,
                                                                             sampling: Any) -> None:
    """Every option of the call form is a row as wide as the form and at least 44 px high; a tap at its far end,
    away from the circle, chooses it; the answer saved is the script's value."""
    batch = services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=4, seed=2,
                                caller=sampling.company)
    sample = batch.samples.select_related("visit").first()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "caller")
        page.goto(f"{live_server.url}/callbacks/samples/{sample.public_id}/")
        form = page.locator("section.action-form form")
        groups = form.locator("fieldset.options")
        assert groups.count() == 6  # 拨打情况 and the script's five questions with choices
        for group in groups.all():
            width = group.bounding_box()["width"]
            for option in group.locator("label.option").all():
                box = option.bounding_box()
                assert box["height"] >= 44, option.inner_text()
                assert box["width"] == pytest.approx(width, abs=1), option.inner_text()

        def tap(name: str, value: str) -> None:
            option = form.locator("label.option", has=page.locator(f"input[name={name}][value='{value}']"))
            box = option.bounding_box()
            option.click(position={"x": box["width"] - 8, "y": box["height"] / 2})
            assert page.locator(f"input[name={name}][value='{value}']").is_checked()

        tap("kind", "completed")
        tap("q_visited", "yes")
        tap("q_same_visitor", "yes")
        tap("q_mode", sample.visit.mode)
        tap("q_answered", "none_raised")
        tap("q_satisfaction", "fairly")
        look(page, "callbacks-call-phone")
        with page.expect_navigation():
            page.click("form button[type=submit] >> text=保存")
        assert "已记录：走访属实" in page.content()
        assert sample.attempts.get().answers["satisfaction"] == "fairly"
    finally:
        context.close()
