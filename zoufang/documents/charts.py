"""Charts for the documents: matplotlib bar charts drawn with a CJK font, returned as PNG bytes.

The font is looked for where Debian's fonts-noto-cjk puts it (`make browser` installs it), then anywhere under
the system's font folders; without one a chart would print boxes, so drawing fails with a message that says so.
"""

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# The faces most Chinese offices' machines and Debian's packages have, best first.
CJK_FONT_NAMES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSerifCJK-Regular.ttc",
                  "SourceHanSansSC-Regular.otf", "wqy-microhei.ttc", "wqy-zenhei.ttc", "simhei.ttf", "simsun.ttc",
                  "msyh.ttc", "DroidSansFallbackFull.ttf")
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
BAR = "#2f5597"
MAX_BARS = 28  # bars in one part of a chart: at most 6.5 in high on a 6 in wide figure, 162 mm printed 150 mm wide
COLOURS = (BAR, "#70ad47", "#c00000")  # the plotted columns in order: blue, green, red (超期 is the third)
WIDTH_IN = 6.0
ROW_IN, BAR_IN, FRAME_IN = 0.08, 0.12, 0.6  # a row's gap, each of its bars, the axes and margins (legend)
TITLE_IN = 0.3
LEAST_BAR_IN, LEAST_SHARE = 0.05, 0.5  # drawn to fit: bars down to 5/12 of their height, the chart to half its own


class ChartFontMissing(RuntimeError):
    """No font with Chinese characters is installed: a chart would show boxes."""


@lru_cache(maxsize=1)
def cjk_font() -> Path:
    for name in CJK_FONT_NAMES:
        for folder in FONT_DIRS:
            if folder.is_dir():
                found = next(iter(sorted(folder.rglob(name))), None)
                if found is not None:
                    return found
    raise ChartFontMissing(_("没有找到中文字体，无法绘制统计图：请安装中文字体（如 Debian 的 fonts-noto-cjk 软件包，"
                             "make browser 会安装它）后再生成。"))


def chart_parts(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The block's chart, in parts of at most MAX_BARS bars each (a town has 60 units: one chart of them all
    would be taller than the page), the rows shared out evenly and in their order; one part when it fits."""
    rows = block["rows"][:-1] if block.get("total_row") else block["rows"]
    per_row = max(1, len(block["plot"]))
    parts = max(1, -(-len(rows) * per_row // MAX_BARS))
    size = -(-len(rows) // parts)
    if parts == 1:
        return [block]
    return [{**block, "rows": rows[start:start + size], "total_row": False,
             "caption": _("%(caption)s（%(n)s/%(of)s）") % {"caption": block["caption"], "n": n, "of": parts}}
            for n, start in enumerate(range(0, len(rows), size), 1)]


def bar_charts(block: dict[str, Any]) -> list[bytes]:
    """The block's chart parts (`chart_parts`), each drawn at its own height."""
    return [bar_chart(part) for part in chart_parts(block)]


def bar_chart(block: dict[str, Any], height: float | None = None) -> bytes:
    """A horizontal bar chart of the block's rows (the 合计 row left out): one bar per plotted column; `height`
    inches high (between `least_height_in` and `height_in`, to fit the room on its page), else its own height."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=str(cjk_font()), size=9)
    rows = block["rows"][:-1] if block.get("total_row") else block["rows"]
    labels = [str(row[0]) for row in rows][::-1]
    columns = block["plot"]
    figure, axes = pyplot.subplots(figsize=(WIDTH_IN, height or height_in(block)), dpi=200)
    try:
        bar_height = 0.8 / len(columns)
        positions = range(len(labels))
        for n, column in enumerate(columns):
            values = [_number(row[column]) for row in rows][::-1]
            offsets = [p - 0.4 + bar_height * (n + 0.5) for p in positions]
            bars = axes.barh(offsets, values, height=bar_height, color=COLOURS[n % len(COLOURS)],
                             label=str(block["header"][column]))
            axes.bar_label(bars, labels=[_shown(v, block.get("percent")) for v in values], padding=2,
                           fontproperties=font)
        axes.set_yticks(list(positions), labels=labels, fontproperties=font)
        if block.get("percent"):
            axes.set_xlim(0, 110)
        else:  # counts: whole numbers on the axis
            from matplotlib.ticker import MaxNLocator

            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(axis="x", labelsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if len(columns) > 1:
            axes.legend(prop=font, loc="best", frameon=False)
        if titled(block):
            axes.set_title(str(block["caption"]), fontproperties=FontProperties(fname=str(cjk_font()), size=11))
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        pyplot.close(figure)


def titled(block: dict[str, Any]) -> bool:
    """A chart printed with its table has its caption inside the image; a figure has it printed under it."""
    return block.get("kind") != "figure"


def height_in(block: dict[str, Any], *, bar: float = BAR_IN) -> float:
    """The drawing's height for its rows and plotted columns (a 6 in wide figure: 25 mm a printed inch)."""
    rows = len(block["rows"]) - (1 if block.get("total_row") else 0)
    per_row = ROW_IN + bar * max(1, len(block["plot"]))
    return max(1.6, per_row * rows + FRAME_IN + (TITLE_IN if titled(block) else 0.0))


def least_height_in(block: dict[str, Any]) -> float:
    """The lowest a chart of the block may be drawn to fit a page's room: a row never lower than its 9 pt label."""
    return max(height_in(block, bar=LEAST_BAR_IN), height_in(block) * LEAST_SHARE)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _shown(value: float, percent: bool | None) -> str:
    return f"{value:.1f}" if percent else f"{value:.0f}"
