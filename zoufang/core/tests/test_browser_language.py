"""The test browser speaks Chinese as the users' browsers do: its own widgets and messages, not only the pages'
(conftest.CHROMIUM_ENV, Debian's chromium-l10n). The full browser's: the headless shell, which the PostgreSQL half
runs the other browser tests in, has no language packs (decision 0017). The downloads' Chinese names, which an
ASCII character set turned into "download", are checked by the browser tests that download (assessment, documents,
jobs)."""

import pytest

pytestmark = pytest.mark.browser


def test_chromiums_own_messages_are_chinese(full_browser):
    page = full_browser.new_page()
    try:
        page.set_content('<form><input id="name" required></form>')
        message = page.evaluate("document.getElementById('name').validationMessage")
        assert message == "请填写此字段。"
        assert page.evaluate("navigator.language") == "zh-CN"
    finally:
        page.close()
