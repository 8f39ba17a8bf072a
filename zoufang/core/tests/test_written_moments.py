"""One way of writing a day and a moment (decision 0045): pages say them as files and 我的下载 do (2017年6月14日
23:46), through `clock` and its template filters, in a <time> whose datetime stays ISO; a table of many rows may
drop the current year's year; no template or module formats a day for people its own way."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

import zoufang
from zoufang import clock

ROOT = Path(zoufang.__file__).parent
MOMENT = dt.datetime(2017, 6, 14, 15, 46, 5, tzinfo=dt.UTC)  # 23:46:05 in Beijing


def _page(text: str, **values: object) -> str:
    return Template("{% load moments %}" + text).render(Context(values))


@pytest.fixture
def pinned(settings):
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_it_writes_a_moment_as_the_files_do_in_a_time_element(pinned):
    assert _page("{{ at|minute }}", at=MOMENT) == (
        '<time datetime="2017-06-14T23:46:05+08:00">2017年6月14日 23:46</time>')
    assert _page("{{ at|second }}", at=MOMENT) == (
        '<time datetime="2017-06-14T23:46:05+08:00">2017年6月14日 23:46:05</time>')
    assert _page("{{ at|day }}", at=MOMENT) == '<time datetime="2017-06-14">2017年6月14日</time>'
    assert _page("{{ on|day }}", on=dt.date(2017, 6, 5)) == '<time datetime="2017-06-05">2017年6月5日</time>'
    assert _page("{{ on|month }}", on=dt.date(2017, 6, 5)) == '<time datetime="2017-06">2017年6月</time>'


def test_a_moments_day_is_beijings(pinned):
    late = dt.datetime(2017, 6, 4, 16, 5, tzinfo=dt.UTC)  # 00:05 on 5 June in Beijing
    assert _page("{{ at|day }}", at=late) == '<time datetime="2017-06-05">2017年6月5日</time>'
    assert clock.day(late) == "2017年6月5日"
    assert clock.time_of_day(late) == "00:05"


def test_a_table_drops_the_year_only_of_the_current_year(pinned):
    assert clock.minute(MOMENT, short=True) == "6月14日 23:46"
    assert clock.day(dt.date(2016, 12, 30), short=True) == "2016年12月30日"
    assert _page('{{ at|minute:"short" }}', at=MOMENT) == (
        '<time datetime="2017-06-14T23:46:05+08:00">6月14日 23:46</time>')
    assert _page('{{ on|day:"short" }}', on=dt.date(2016, 12, 30)) == (
        '<time datetime="2016-12-30">2016年12月30日</time>')
    with pytest.raises(TemplateSyntaxError):
        _page('{{ at|minute:"Y-m-d" }}', at=MOMENT)


def test_a_span_says_the_ends_year_only_where_it_differs():
    assert _page("{{ a|period:b }}", a=dt.date(2017, 6, 5), b=dt.date(2017, 6, 11)) == (
        '<time datetime="2017-06-05">2017年6月5日</time>—<time datetime="2017-06-11">6月11日</time>')
    assert clock.span(dt.date(2017, 12, 25), dt.date(2018, 1, 7)) == "2017年12月25日至2018年1月7日"


def test_nothing_writes_nothing_and_words_stay_words(pinned):
    assert _page('{{ at|minute|default:"—" }}', at=None) == "—"
    assert _page("{{ due|day }}", due="暂停计时 <b>") == "暂停计时 &lt;b&gt;"


# --- the guards ----------------------------------------------------------------------------------------------

# Django's own ways of writing a day: each page would choose its own format.
TEMPLATE_FORMATTING = re.compile(r"\{\{[^}]*\|(?:date|time|naturaltime|naturalday|timesince|timeuntil)\b[^}]*\}\}")
# …except into a form's value or a link's query, which a browser or the server reads (ISO).
MACHINE_SLOT = re.compile(r"""(?:value=["']|\?\w+=)$""")


def _template_offences(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_FORMATTING.finditer(text):
            if not MACHINE_SLOT.search(text[:match.start()]):
                found.append(f"{path.relative_to(root.parent)}: {match.group()}")
    return found


def test_no_page_writes_a_day_its_own_way():
    assert _template_offences(ROOT) == []


# Two days joined by hand (2017年1月1日 至 2017年12月31日, 1月1日 — 5月31日): a span is `period`'s 2017年1月1日—12月31日.
HAND_SPAN = re.compile(r"""\|day(?::"short")?\s*\}\}\s*(?:至|—|–)\s*\{\{[^}]*\|day|\bwith \w+=\S+\|day \w+=\S+\|day\b""")


def test_no_page_joins_two_days_into_a_span_by_hand():
    found = [f"{path.relative_to(ROOT.parent)}: {match.group()}" for path in sorted(ROOT.rglob("*.html"))
             for match in HAND_SPAN.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
    assert HAND_SPAN.search('{{ a.starts_on|day }} 至 {{ a.ends_on|day }}')
    assert HAND_SPAN.search('{% blocktranslate with start=c.starts_on|day end=c.ends_on|day %}')
    assert not HAND_SPAN.search('{{ a.starts_on|period:a.ends_on }}')


# A table's cell writes a day or a moment short (decision 0045: the year only where it is not the current year), as
# every list does; a page whose table wrote 2017年6月2日 06:15 beside another's 6月2日 06:15 read two ways. Detail pages
# (<dl>), sentences and headings keep the whole day. A cell that must keep its year is listed with its reason.
WHOLE_IN_CELL = re.compile(r"\|(?:minute|day|second)\b(?!:\"short\")")
WHOLE_CELLS_KEPT: dict[str, str] = {}


def _whole_cells(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        name = str(path.relative_to(root.parent))
        if name in WHOLE_CELLS_KEPT:
            continue
        text = path.read_text(encoding="utf-8")
        for cell in re.finditer(r"<td\b.*?</td>", text, re.DOTALL):
            found += [f"{name}: {cell.group()[:80]}" for _match in WHOLE_IN_CELL.finditer(cell.group())]
    return found


def test_a_tables_cell_writes_its_day_short():
    assert _whole_cells(ROOT) == []
    assert WHOLE_IN_CELL.search("<td>{{ row.taken|minute }}</td>")
    assert WHOLE_IN_CELL.search("<td>{{ a.as_of|day }}</td>")
    assert not WHOLE_IN_CELL.search('<td>{{ row.taken|minute:"short" }}</td>')
    assert not WHOLE_IN_CELL.search("<td>{{ a.starts_on|period:a.ends_on }}</td>")  # a span says its end's year once


# strftime, or an f-string's date format (`{x:%Y-%m-%d}`): a day written for people outside the clock.
PYTHON_FORMATTING = re.compile(r"strftime\(|\{[^{}]*:%[^{}]*\}")
FILE_STAMP = re.compile(r":%Y%m%d(?:-%H%M)?\}")  # a file name's day: zoufang-ratings-20170615.xlsx
MACHINE_FORMS = {
    "zoufang/clock.py": "the clock writes them",
    "zoufang/core/templatetags/moments.py": "a <time>'s ISO month",
    "zoufang/core/widgets.py": "an <input type=date>'s value",
    "zoufang/core/queryparams.py": "a query parameter's own form, said back when it is malformed",
    "zoufang/ratings/grades.py": "a month's key, not shown",
}


def _python_offences(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = str(path.relative_to(root.parent))
        if "tests" in path.parts or "migrations" in path.parts or name in MACHINE_FORMS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if PYTHON_FORMATTING.search(FILE_STAMP.sub("", line)):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_module_but_the_clock_writes_a_day_for_people():
    assert _python_offences(ROOT) == []


def test_the_guards_catch_the_old_ways():
    assert TEMPLATE_FORMATTING.search('{{ e.at|date:"Y-m-d H:i" }}')
    assert MACHINE_SLOT.search('<input name="from" value="')
    assert not MACHINE_SLOT.search("<dd>")
    assert MACHINE_SLOT.search('<a href="?month=')
    for line in ('f"{clock.local(row.at):%m-%d %H:%M}"', 'timezone.localtime(x).strftime("%H:%M")'):
        assert PYTHON_FORMATTING.search(FILE_STAMP.sub("", line)), line
    assert not PYTHON_FORMATTING.search(FILE_STAMP.sub("", 'f"{title}-{clock.today():%Y%m%d}.xlsx"'))
