"""The two screens a page is made for, for browser tests (tests only, never the product).

A user flow behaves the same at any width; only the layout changes. So a browser test runs its flow once, at
the width most users of those pages have, and wherever it looks at a page, `look` checks that page at each
width: nothing scrolls sideways, and a screenshot is saved for a person to look at.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zoufang.core.testaxe import checked

# Where browser tests save their screenshots, to be looked at (zoufang/conftest.py makes it).
SHOTS = Path(os.environ.get("ZOUFANG_SHOTS", "/tmp/zoufang-shots"))  # noqa: S108 - screenshots to look at
# No screenshots at all: `make test`'s PostgreSQL half, whose pages are the SQLite half's (the checks still run).
NO_SHOTS = os.environ.get("ZOUFANG_NO_SHOTS", "") not in ("", "0")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = (PHONE, DESKTOP)
# After a resize, two animation frames: the layout is done and every ResizeObserver (the charts') has run.
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def each_width(page: Any) -> Iterator[int]:
    """Sets the page to each of WIDTHS in turn, yielding the width, then back to the size the flow runs at."""
    kept = page.viewport_size
    # The flow's own width last: one resize away and one back, none wasted.
    for size in sorted(WIDTHS, key=lambda size: size["width"] == kept["width"]):
        _resize(page, size)
        yield size["width"]
    _resize(page, kept)


def _resize(page: Any, size: dict[str, int]) -> None:
    if page.viewport_size != size:
        page.set_viewport_size(size)
        page.evaluate(SETTLED)


def fits(page: Any, width: int, name: str) -> None:
    """Nothing on the page is wider than the screen: wide tables scroll inside their own box."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:  # raised, not asserted: this is no test module (ruff S101) and -O keeps it
        raise AssertionError(f"{name} ({page.url}) is {scroll} px wide on a {width} px screen")


def look(page: Any, name: str, *, full_page: bool = True) -> None:
    """At each width the page fits the screen, and its screenshot is SHOTS/<name>-<width>.png; at the flow's
    width it passes the accessibility checks (core.testaxe)."""
    for width in each_width(page):
        fits(page, width, name)
        shoot(page, f"{name}-{width}", full_page=full_page)
    checked(page, name)


def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    """The screenshot of a page (or of a locator's element, full_page=False) as SHOTS/<name>.png, for a person to
    look at; none with ZOUFANG_NO_SHOTS."""
    if not NO_SHOTS:
        page.screenshot(path=str(SHOTS / f"{name}.png"), **({"full_page": True} if full_page else {}))


def rows_to_tap(form: Any) -> None:
    """On a phone, each option of each group of choices in `form` (_field.html's fieldset.options) is a row as wide
    as its group and at least 44 px high, a thumb's reach."""
    for group in form.locator("fieldset.options").all():
        width = group.bounding_box()["width"]
        for option in group.locator("label.option").all():
            box = option.bounding_box()
            if box["height"] < 44 or abs(box["width"] - width) > 1:  # raised, not asserted (ruff S101)
                raise AssertionError(f"{option.inner_text()!r} is {box['width']}×{box['height']} px in a "
                                     f"{width} px group")


def tap_far_end(form: Any, name: str, value: str) -> None:
    """Chooses an option by a tap at its row's far end, away from its circle or box; raises unless it took."""
    choice = f"input[name='{name}'][value='{value}']"
    option = form.locator("label.option", has=form.page.locator(choice))
    box = option.bounding_box()
    option.click(position={"x": box["width"] - 8, "y": box["height"] / 2})
    if not option.locator(choice).is_checked():
        raise AssertionError(f"a tap on the row of {name}={value} did not choose it")
