"""Every shipped questionnaire renders on a phone, marks and enforces its required questions, shows its choices."""

import json
from typing import Any

import pytest

from zoufang.conftest import SHOTS, browser_login
from zoufang.core.testwidths import shoot
from zoufang.forms import xlsform
from zoufang.forms.models import Form
from zoufang.forms.services import check_answers, load_shipped_forms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _answer(page: Any, key: str, node: dict[str, Any]) -> None:
    box = page.locator(f'[data-q="{key}.{node["name"]}"]')
    if node["type"].startswith("select"):
        box.locator("input").first.check()
    elif node["type"] in ("integer", "decimal"):
        box.locator("input").fill("1")
    else:
        box.locator("textarea, input").first.fill("已填写")


def test_it_renders_and_validates_every_questionnaire(browser, live_server, town):
    load_shipped_forms()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        browser_login(page, live_server.url, "office")
        for form in Form.objects.all():
            version = form.current_version()
            assert version is not None
            page.goto(f"{live_server.url}/forms/{form.key}/")
            page.wait_for_selector(f'[data-form="{form.key}"]')
            top = [n for n in xlsform.outside_repeats(version.spec["items"]) if n["kind"] == "question"]
            for node in top:
                assert page.locator(f'[data-q="{form.key}.{node["name"]}"]').count() == 1, node["name"]
                if node["type"].startswith("select"):
                    shown = page.locator(f'[data-q="{form.key}.{node["name"]}"] .choice').all_inner_texts()
                    assert shown == [label for _name, label in version.spec["choices"][node["list"]]]
            # Empty: every visible required question says 必填 and nothing is accepted.
            page.click("text=保存并发送")
            required = [n for n in top if n.get("required") and not n.get("relevant")]
            for node in required:
                message = page.locator(f'[data-q="{form.key}.{node["name"]}"] .q-error').inner_text()
                assert message == "必填", (form.key, node["name"])
            # Answer the required questions with the first choice (or text): the phone and the server agree.
            for node in required:
                _answer(page, form.key, node)
            # What the answers made relevant (e.g. 收集的社情民意 after its aspect is chosen) is now required too.
            for node in top:
                box = page.locator(f'[data-q="{form.key}.{node["name"]}"]')
                if node.get("required") and node.get("relevant") and box.is_visible():
                    _answer(page, form.key, node)
            page.click("text=保存并发送")
            page.wait_for_selector("text=预览：校验通过（未保存）")
            answers = json.loads(page.locator("#visit-form").get_attribute("data-answers"))[form.key]
            assert check_answers(version, answers)[1] == {}, form.key
            shoot(page, f"form-{form.key}-390")
        assert not errors
    finally:
        context.close()
