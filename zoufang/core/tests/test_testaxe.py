"""The accessibility check the browser tests run on every page they look at (core.testaxe) does fail."""

import pytest

from zoufang.core.testaxe import checked

PAGE = '<!doctype html><html lang="zh-hans"><head><title>检查</title></head><body><main><h1>检查</h1>{}</main></body></html>'


def test_it_names_the_rule_and_the_element_a_page_breaks_and_passes_it_mended(browser):
    page = browser.new_page()
    try:
        page.set_content(PAGE.format('<details><summary><a href="/targets/">锦溪镇</a></summary><p>下级</p></details>'))
        with pytest.raises(AssertionError, match=r"(?s)nested-interactive.*summary"):
            checked(page, "summary-with-link")
        page.set_content(PAGE.format('<a href="/targets/">锦溪镇</a><details><summary>下级区划</summary><p>下级</p></details>'))
        checked(page, "summary-beside-link")  # a new document: the checker is evaluated in it again
    finally:
        page.close()
