"""A draft's sections, figures filled in: every number comes from zoufang.oversight.figures (or, for the 会商
materials, from the monthly agenda the 问题办理 pages show), and every sentence is a first draft the office edits.

A section is plain data, stored on the draft: {key, heading, text, optional, blocks}. A block is a table
({kind: "table", caption, header, rows}; with `attached`, printed in the 通报's 附件 as 表`number`), a chart with
the table of its numbers ({kind: "chart", …, plot: the columns drawn, percent}) or a figure, a chart alone of
what the text calls out ({kind: "figure", …}: its caption says which rows it draws and which table holds them
all). Text is what the office edits; blocks stay as generated.

The figures are as of the period's end (`as_of`), recounted for a day already past (decision 0023); the cases'
handling and the next steps can only be read as they stand today, and the text says so with both days.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zoufang.accounts.masking import Kind, mask
from zoufang.campaigns.models import Campaign
from zoufang.cases import lists
from zoufang.cases.models import Case
from zoufang.cases.presenters import village_name
from zoufang.clock import day
from zoufang.oversight import figures
from zoufang.oversight.pace import checkpoint_words

Section = dict[str, Any]
NUMERALS = "一二三四五六七八九十"
LISTED_CASES = 10  # the 简报 names at most this many of the period's solved problems
FIGURE_ROWS = 15  # a figure in the text draws at most this many rows (of one bar: 90 mm printed, 2/5 of the block)
FIGURE_BARS = 24  # … and at most this many bars: 12 rows of two, 8 of three


def shown_rows(rows: list[Any], plot: list[int]) -> list[Any]:
    """The first rows a figure of the `plot` columns draws (FIGURE_ROWS, FIGURE_BARS)."""
    return rows[:min(FIGURE_ROWS, FIGURE_BARS // max(1, len(plot)))]


@dataclass(frozen=True)
class Draft:
    title: str
    addressee: str
    sections: list[Section]


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (the （一） numbering of a list of asks)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def as_of(end: dt.date, today: dt.date) -> dt.date:
    """The day a draft's figures are read at: the period's end (a period never ends after today)."""
    return min(end, today)


def section(key: str, heading: str, text: str, blocks: list[dict[str, Any]] | None = None, *,
            optional: bool = False) -> Section:
    return {"key": key, "heading": heading, "text": text, "blocks": blocks or [], "optional": optional}


def numbered(sections: list[Section]) -> list[Section]:
    """“一、”, “二、” … before the headings, in the order the sections stand."""
    for n, item in enumerate(sections):
        item["heading"] = f"{NUMERALS[n]}、{item['heading']}"
    return sections


def chart(caption: str, header: list[str], rows: list[list[Any]], plot: list[int], *, percent: bool = False,
          total_row: bool = True) -> dict[str, Any]:
    """A chart of the `plot` columns (the last row, a 合计, not drawn), printed with the table of its numbers."""
    return {"kind": "chart", "caption": caption, "header": header, "rows": rows, "plot": plot, "percent": percent,
            "total_row": total_row}


def table(caption: str, header: list[str], rows: list[list[Any]], *, number: int | None = None) -> dict[str, Any]:
    """A table printed where it stands; with `number`, in the 通报's 附件 as 表`number`."""
    made: dict[str, Any] = {"kind": "table", "caption": caption, "header": header, "rows": rows}
    if number is not None:
        made.update(attached=True, number=number)
    return made


def figure(caption: str, header: list[str], rows: list[list[Any]], plot: list[int], *,
           percent: bool = False) -> dict[str, Any]:
    """A chart alone, of the rows the text calls out (no 合计); the caption says which, and where all of them are."""
    return {"kind": "figure", "caption": caption, "header": header, "rows": rows, "plot": plot, "percent": percent}


# ---------------------------------------------------------------------------------------------- coverage


def read_coverage(campaign: Campaign, by: str, on: dt.date, today: dt.date) -> figures.Coverage:
    """Coverage and pace as of `on`: the kept counts for today, recounted by the visits made by then for a day
    already past (as the assessment reads a past period's)."""
    return figures.coverage(campaign, by, on, until=on if on < today else None)


def _coverage_rows(rows: list[figures.CoverageRow]) -> list[list[Any]]:
    return [[row.label, row.assigned, row.visited, rate(row.percent), row.pace.due_today if row.pace else 0,
             row.pace.behind if row.pace else 0] for row in rows]


def coverage_header(what: str) -> list[str]:
    return [what, _("应走访"), _("已走访"), _("完成率（%）"), _("进度应完成"), _("落后")]


def coverage_block(coverage: figures.Coverage, what: str) -> dict[str, Any]:
    rows = _coverage_rows([*coverage.rows, coverage.total])
    caption = _("各%(what)s走访完成情况") % {"what": what}
    return chart(caption, coverage_header(what), rows, plot=[3], percent=True)


def coverage_table(coverage: figures.Coverage, what: str, number: int) -> dict[str, Any]:
    """Every unit or village with its figures, those behind pace first, worst first (the order the text names
    them in), then the others in their usual order; the 合计 last. Printed in the 附件."""
    late = coverage.behind(keyed=True)
    rest = [row for row in coverage.rows if all(row is not other for other in late)]
    caption = _("各%(what)s走访完成情况（截至%(day)s，进度滞后的%(what)s在前，按落后多少排列）") % {
        "what": what, "day": day(coverage.today)}
    return table(caption, coverage_header(what), _coverage_rows([*late, *rest, coverage.total]), number=number)


def behind_figure(coverage: figures.Coverage, what: str, number: int) -> list[dict[str, Any]]:
    """The units or villages behind pace, worst first, at most FIGURE_ROWS: how many targets each is short. The
    caption says which are drawn and that 附件表`number` holds every one of them (nothing when none is behind)."""
    late = _late(coverage)
    if not late:
        return []
    shown = shown_rows(late, [3])
    words = {"what": what, "count": len(late), "shown": len(shown), "number": number}
    if len(shown) < len(late):
        caption = _("落后最多的%(shown)s个%(what)s（共%(count)s个%(what)s进度滞后，全部%(what)s见附件表%(number)s）") % words
    else:
        caption = _("进度滞后的%(count)s个%(what)s（全部%(what)s见附件表%(number)s）") % words
    rows = [[row.label, pace.due_today, pace.visited, pace.behind] for row, pace in shown]
    return [figure(caption, [what, _("进度应完成"), _("已走访"), _("落后")], rows, plot=[3])]


def overall_sentence(coverage: figures.Coverage) -> str:
    total = coverage.total
    pace = total.pace
    text = _("截至%(day)s，应走访对象%(assigned)s个，已走访%(visited)s个，完成%(percent)s。") % {
        "day": day(coverage.today), "assigned": total.assigned, "visited": total.visited,
        "percent": percent(total.percent)}
    if pace is not None and pace.due_today:
        if pace.behind:
            text += _("按进度要求应完成%(due)s个，尚差%(behind)s个。") % {
                "due": pace.due_today, "behind": pace.behind}
        else:
            text += _("按进度要求应完成%(due)s个，已达到进度要求。") % {"due": pace.due_today}
    return text


BEHIND_NAMED = 5  # a longer list of units behind pace goes into a table under the sentence


def _late(coverage: figures.Coverage, *, keyed: bool = True) -> list[tuple[figures.CoverageRow, figures.Pace]]:
    """The units or villages behind pace, worst first, each with its pace; with `keyed=False` the row of the
    targets that have none (（未填村）, 未定单位) if it is behind (`Coverage.behind`)."""
    return [(row, row.pace) for row in coverage.behind(keyed) if row.pace is not None]


def behind_sentence(coverage: figures.Coverage, what: str, where: str | None = None) -> str:
    """The rows behind pace in a sentence, worst first; past `BEHIND_NAMED` the sentence names the worst and
    points to the table of them all: `behind_block`'s under it, or `where` (附件表1). The targets of no unit or
    village, if behind, in a sentence of their own."""
    text = _named_behind(coverage, what, where or _("下表"))
    for _row, pace in _late(coverage, keyed=False):
        text += _("另有未落实到%(what)s的走访对象，应完成%(due)s个，已走访%(visited)s个，落后%(behind)s个。") % {
            "what": what, "due": pace.due_today, "visited": pace.visited, "behind": pace.behind}
    return text


def _named_behind(coverage: figures.Coverage, what: str, where: str) -> str:
    late = _late(coverage)
    if not late:
        return _("各%(what)s走访进度均达到要求。") % {"what": what}
    named = "、".join(
        _("%(name)s（应完成%(due)s个，已走访%(visited)s个，落后%(behind)s个）") % {
            "name": row.label, "due": pace.due_today, "visited": pace.visited, "behind": pace.behind}
        for row, pace in late[:BEHIND_NAMED])
    if len(late) <= BEHIND_NAMED:
        return _("对照进度要求，以下%(count)s个%(what)s走访进度滞后：%(named)s。") % {
            "count": len(late), "what": what, "named": named}
    return _("对照进度要求，%(count)s个%(what)s走访进度滞后，落后最多的是%(named)s等，全部滞后%(what)s见%(where)s。") % {
        "count": len(late), "what": what, "named": named, "where": where}


def behind_block(coverage: figures.Coverage, what: str) -> list[dict[str, Any]]:
    """The table of every row behind pace when the sentence names only the worst (nothing otherwise)."""
    late = _late(coverage)
    if len(late) <= BEHIND_NAMED:
        return []
    rows = [[row.label, pace.due_today, pace.visited, pace.behind, rate(row.percent)] for row, pace in late]
    return [table(_("走访进度滞后的%(what)s") % {"what": what},
                  [what, _("进度应完成"), _("已走访"), _("落后"), _("完成率（%）")], rows)]


# ---------------------------------------------------------------------------------------------- cases


def case_header() -> list[str]:
    return [_("承办单位"), _("交办"), _("已办结"), _("按时办结率（%）"), _("解决率（%）"), _("满意率（%）"), _("超期")]


def _case_rows(cases: figures.CaseFigures) -> list[list[Any]]:
    """The units that were given cases, and the 合计 when there is any."""
    return [[row.label, row.dispatched, row.answered, rate(row.on_time_rate), rate(row.resolution_rate),
             rate(row.satisfaction_rate), row.overdue] for row in [*cases.rows, cases.total] if row.dispatched]


def case_block(cases: figures.CaseFigures) -> dict[str, Any]:
    rows = _case_rows(cases)
    return chart(_("各单位问题办理情况"), case_header(), rows, plot=[1, 2], total_row=bool(rows))


def handled_words(collected_by: dt.date, handled_on: dt.date) -> str:
    """“（截至5月31日收集的问题，办理情况截至6月15日）” when the two days differ, else “（截至6月15日）”."""
    if collected_by == handled_on:
        return _("（截至%(day)s）") % {"day": day(handled_on)}
    return _("（截至%(collected)s收集的问题，办理情况截至%(handled)s）") % {
        "collected": day(collected_by), "handled": day(handled_on)}


def case_blocks(cases: figures.CaseFigures, collected_by: dt.date, number: int) -> list[dict[str, Any]]:
    """The 通报's: a figure of the units given cases (交办, 已办结, 超期), those with most overdue first, at most
    FIGURE_ROWS; the table of every one of them in the 附件 as 表`number`. Nothing when no case was dispatched."""
    rows = _case_rows(cases)
    if not rows:
        return []
    units = sorted(rows[:-1], key=lambda row: (-row[6], -row[1]))
    shown = shown_rows(units, [1, 2, 6])
    words = {"shown": len(shown), "count": len(units), "number": number}
    if len(shown) < len(units):
        caption = _("超期和交办最多的%(shown)s个承办单位（共%(count)s个，全部见附件表%(number)s）") % words
    else:
        caption = _("各承办单位问题办理情况（%(count)s个，明细见附件表%(number)s）") % words
    header = case_header()
    return [figure(caption, header, shown, plot=[1, 2, 6]),
            table(_("各单位问题办理情况") + handled_words(collected_by, cases.today), header, rows, number=number)]


def overdue_sentence(cases: figures.CaseFigures) -> str:
    """The units with overdue cases, most first, by name (nothing when none is overdue)."""
    late = sorted((row for row in cases.rows if row.overdue and row.key is not None), key=lambda row: -row.overdue)
    if not late:
        return ""
    return _("超期未办结的问题涉及%(count)s个单位：%(named)s。") % {"count": len(late), "named": "、".join(
        _("%(name)s%(n)s件") % {"name": row.label, "n": row.overdue} for row in late)}


def percent(value: float | None) -> str:
    """“33.3%” in a sentence, “无” where nothing was there to count."""
    return _("无") if value is None else f"{value:.1f}%"


def case_sentence(cases: figures.CaseFigures, opening: str, handled_on: dt.date | None = None) -> str:
    """The cases' results in a sentence; with `handled_on` (the cases counted as of a past day, their handling
    only as it stands today) the sentence says the day the handling is read on."""
    total = cases.total
    if not total.total:
        return opening + _("未收集到问题和意见建议。")
    if handled_on is not None:
        return opening + _("共收集问题和意见建议%(total)s件。截至%(day)s，这些问题已交办%(dispatched)s件，") % {
            "total": total.total, "day": day(handled_on), "dispatched": total.dispatched} + _(
            "已办结%(answered)s件（其中解决%(resolved)s件），按时办结率%(on_time)s，解决率%(resolution)s，"
            "满意率%(satisfaction)s；超过办理期限尚未办结%(overdue)s件。") % {
            "answered": total.answered, "resolved": total.resolved, "on_time": percent(total.on_time_rate),
            "resolution": percent(total.resolution_rate), "satisfaction": percent(total.satisfaction_rate),
            "overdue": total.overdue}
    return opening + _(
        "共收集问题和意见建议%(total)s件，已交办%(dispatched)s件，已办结%(answered)s件（其中解决%(resolved)s件），"
        "按时办结率%(on_time)s，解决率%(resolution)s，满意率%(satisfaction)s；"
        "超过办理期限尚未办结%(overdue)s件。") % {
        "total": total.total, "dispatched": total.dispatched, "answered": total.answered, "resolved": total.resolved,
        "on_time": percent(total.on_time_rate), "resolution": percent(total.resolution_rate),
        "satisfaction": percent(total.satisfaction_rate), "overdue": total.overdue}


def requests_text(by_unit: figures.Coverage, cases: figures.CaseFigures, *, where: str | None = None,
                  read_on: dt.date | None = None) -> str:
    """What the office asks of whom, by name: the units behind pace (past BEHIND_NAMED, the worst by name and the
    others together, pointing to `where`, the table of them all), the units with overdue cases, then everyone.
    Asks look ahead, so they read the figures as they stand today: with `read_on` (the rest of the document, and
    the table `where`, as of an earlier day) a first line says so, and the others are named, not pointed to a
    table of another day's list."""
    asks = []
    late = _late(by_unit)
    for row, pace in late[:BEHIND_NAMED] if where else late:
        when = checkpoint_words(pace.next_on, pace.today) if pace.next_on and pace.today else _("本月底")
        asks.append(_("%(name)s要加快走访进度，%(when)s前还需走访%(gap)s个对象。") % {
            "name": row.label, "when": when, "gap": pace.next_gap})
    others = late[BEHIND_NAMED:] if where else []
    if others and read_on is None:
        asks.append(_("其余%(count)s个走访进度滞后的单位（见%(where)s）要对照进度要求，逐户逐企补齐差额。") % {
            "count": len(others), "where": where})
    elif others:
        asks.append(_("其余%(count)s个走访进度滞后的单位（%(names)s）要对照进度要求，逐户逐企补齐差额。") % {
            "count": len(others), "names": "、".join(row.label for row, _pace in others)})
    for line in sorted(cases.rows, key=lambda line: -line.overdue):
        if line.overdue and line.key is not None:
            asks.append(_("%(name)s有%(count)s件问题超过办理期限，要抓紧办结并答复反映人。") % {
                "name": line.label, "count": line.overdue})
    asks.append(_("各单位要对照进度要求，逐户逐企落实走访，做到不重不漏；收集的问题要在2个工作日内登记，"
                  "做到事事有回音、件件有落实。"))
    lines = [_("（%(n)s）%(ask)s") % {"n": chinese(n), "ask": ask} for n, ask in enumerate(asks, start=1)]
    if read_on is not None:
        lines.insert(0, _("以下按截至%(day)s的走访进度和问题办理情况提出：") % {"day": day(read_on)})
    return "\n".join(lines)


def callback_results(campaign: Campaign, start: dt.date, end: dt.date, *, read_on: dt.date | None = None,
                     number: int | None = None) -> Section | None:
    """The 通报's section on the third-party callbacks (回访抽查结果, seed 000 §三(三): "抽查结果将予以通报"): the
    visits of the period sampled, the calls that got through, what they found and the people's satisfaction, by
    unit and by village (the batch page's figures, `callbacks.results`), the cadres whose "not visited" the office
    upheld, named, and what the office did about the dissatisfied and the unanswered. None when no visit of the
    period was sampled: the section is left out, not printed empty. With `read_on` (a period already over), the
    calls made since are counted too, and the text says to which day; with `number`, a figure in the text and the
    tables in the 附件 as 表`number` (by unit) and 表`number`+1 (by village)."""
    from zoufang.callbacks import findings, results
    from zoufang.callbacks.models import CallbackSample
    from zoufang.callbacks.sampling import Period

    samples = list(CallbackSample.objects.filter(
        batch__campaign=campaign, visit__visited_at__date__gte=start, visit__visited_at__date__lte=end,
    ).select_related("visit__cadre__unit", "visit__target__region")
        .order_by("visit__cadre__unit__sort_order", "visit__cadre__unit__name", "id"))
    if not samples:
        return None
    outcome = CallbackSample.Outcome

    def row(line: Any) -> list[Any]:
        counts = line.counts
        return [line.name, counts["sampled"], line.reached, counts[outcome.CONFIRMED],
                counts[outcome.NOT_VISITED], counts[outcome.DIFFERENT], rate(line.satisfaction_rate),
                counts["upheld"]]

    by_unit = results.grouped(campaign, samples, "unit", by_name=False)
    by_village = results.grouped(campaign, samples, "village")
    header = [_("单位"), _("抽查"), _("接通"), _("走访属实"), _("未接受走访"), _("方式不符"),
              _("满意率（%）"), _("核实未走访")]
    rows = [row(line) for line in by_unit.lines] + [row(by_unit.total)]
    village_rows = [row(line) for line in by_village.lines] + [row(by_village.total)]
    total = by_unit.total.counts
    said = {"sampled": total["sampled"], "settled": total["settled"], "reached": by_unit.total.reached,
            "confirmed": total[outcome.CONFIRMED], "not_visited": total[outcome.NOT_VISITED],
            "different": total[outcome.DIFFERENT]}
    opening = (_("本期第三方回访抽查走访%(sampled)s次，截至%(day)s已回访%(settled)s次（接通%(reached)s次），") % {
        **said, "day": day(read_on)} if read_on is not None else
        _("本期第三方回访抽查走访%(sampled)s次，已回访%(settled)s次（接通%(reached)s次），") % said)
    text = opening + _("其中走访属实%(confirmed)s次，对象称未接受走访%(not_visited)s次、走访方式与记录不符%(different)s次。") % said
    upheld = findings.upheld_against(campaign, Period(start, end))
    if upheld:
        names = "、".join(f"{f.unit_name}{f.cadre_name}（{day(f.visited_on)}）" for f in upheld)
        text += _("经走访办核实确未走访%(n)s次：%(names)s，予以通报，并计入考核。") % {"n": len(upheld), "names": names}
    text += _satisfaction_sentence(by_unit.total)
    if number is None:
        return section("callbacks", _("回访抽查情况"), text, [chart(_("各单位回访抽查情况"), header, rows, plot=[1, 3])])
    units = sorted(rows[:-1], key=lambda line: -int(line[1]))
    shown = shown_rows(units, [1, 4])
    words = {"shown": len(shown), "count": len(units), "number": number}
    caption = (_("抽查最多的%(shown)s个单位（共%(count)s个单位被抽查，全部见附件表%(number)s）") if len(shown) < len(units)
               else _("各单位回访抽查情况（%(count)s个单位，明细见附件表%(number)s）")) % words
    return section("callbacks", _("回访抽查情况"), text + _("各村（社区）回访抽查情况见附件表%(n)s。") % {"n": number + 1}, [
        figure(caption, header, shown, plot=[1, 3]),
        table(_("各单位回访抽查情况"), header, rows, number=number),
        table(_("各村（社区）回访抽查情况"), [_("村（社区）"), *header[1:]], village_rows, number=number + 1)])


def _satisfaction_sentence(total: Any) -> str:
    """The people's satisfaction with the visits as the third party asked it, and what the office did about the
    dissatisfied and the unanswered; empty when nobody was asked."""
    counts = total.counts
    parts = []
    if total.asked:
        parts.append(_("接受回访的群众中，对走访满意%(satisfied)s人、基本满意%(fairly)s人、不满意%(unsatisfied)s人，"
                       "满意率%(rate)s") % {"satisfied": counts["satisfied"], "fairly": counts["fairly_satisfied"],
                                          "unsatisfied": counts["unsatisfied"], "rate": percent(total.satisfaction_rate)})
        if counts["unsatisfied"]:
            parts.append(_("不满意的%(n)s人走访办已跟进%(done)s人") % {"n": counts["unsatisfied"],
                                                                 "done": counts["followed_up"]})
    if counts["unanswered"]:
        parts.append(_("反映问题未得到回复%(n)s人") % {"n": counts["unanswered"]})
    return "；".join(parts) + "。" if parts else ""


def masked_case_text(case: Case, value: str, limit: int) -> str:
    """A case's own words in a document that leaves the office: numbers and the raiser's name masked, shortened."""
    names = [case.raiser_name, case.target.name if case.target_id and case.target else ""]
    text = " ".join(mask(Kind.FREE_TEXT, value, names=names).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def typical_cases(campaign: Campaign, start: dt.date, end: dt.date) -> Section:
    """The 简报's 典型经验: the 典型 the 宣传报道组 published in the period, their text masked as published
    (zoufang/exemplars); left out when there is none and the office writes nothing."""
    from zoufang.exemplars.presenters import briefing_text

    return section("typical", _("典型经验"), briefing_text(campaign, start, end), optional=True)


# ---------------------------------------------------------------------------------------------- documents


def circular(campaign: Campaign, start: dt.date, end: dt.date, today: dt.date) -> Draft:
    """通报 (每季一通报): the headline figures, the units and villages behind pace (named, and the worst drawn),
    the cases (the units with overdue ones named), the callbacks, the asks; every unit's and village's figures
    in the tables of the 附件 (decision 0023). Figures as of the period's end; the cases' handling and the asks
    as they stand today, the text naming both days when they differ."""
    on = as_of(end, today)
    past = on < today
    by_unit = read_coverage(campaign, "unit", on, today)
    by_village = read_coverage(campaign, "village", on, today)
    collected = figures.case_rows(campaign).filter(raised_at__lt=figures.day_end(on)) if past else None
    cases = figures.case_figures(campaign, "unit", today, collected)
    units, villages = _("单位"), _("村（社区）")
    where = {what: _("附件表%(n)s") % {"n": n} for n, what in ((1, units), (2, villages))}
    progress = overall_sentence(by_unit) + _("各单位、各村（社区）走访完成情况见附件表1、表2。")
    sections = [
        section("progress", _("走访进展情况"), progress,
                [coverage_table(by_unit, units, 1), coverage_table(by_village, villages, 2)]),
        section("behind", _("进度滞后单位"),
                behind_sentence(by_unit, units, where[units]) + "\n" + behind_sentence(by_village, villages, where[villages]),
                behind_figure(by_unit, units, 1) + behind_figure(by_village, villages, 2)),
    ]
    number = 3
    blocks = case_blocks(cases, on, number)
    number += bool(blocks)
    text = case_sentence(cases, _("截至%(day)s，") % {"day": day(on)}, today if past else None)
    overdue = overdue_sentence(cases)
    sections.append(section("cases", _("问题办理情况"), text + ("\n" + overdue if overdue else ""), blocks))
    callbacks = callback_results(campaign, start, end, read_on=today if past else None, number=number)
    if callbacks is not None:
        sections.append(callbacks)
    now = read_coverage(campaign, "unit", today, today) if past else by_unit
    sections.append(section("requests", _("下步工作要求"), requests_text(
        now, cases if not past else figures.case_figures(campaign, "unit", today), where=where[units],
        read_on=today if past else None)))
    title = _("关于%(period)s%(campaign)s开展情况的通报") % {"period": period_name(start, end), "campaign": campaign.name}
    return Draft(title, _("各村（社区），镇各部门、各单位："), numbered(sections))


def briefing(campaign: Campaign, start: dt.date, end: dt.date, today: dt.date) -> Draft:
    """简报: the period's figures, cumulative progress, the problems solved in the period, typical cases."""
    on = as_of(end, today)
    by_village = read_coverage(campaign, "village", on, today)
    raised = figures.case_figures(campaign, "unit", today, figures.cases_raised_between(campaign, start, end))
    solved = figures.cases_answered_between(campaign, start, end) \
        .select_related("category", "unit", "region__parent__parent", "target").order_by("answered_on", "id")
    added = figures.first_visited_between(campaign, start, end)
    period = _("%(start)s至%(end)s") % {"start": day(start), "end": day(end)}
    summary = _("%(period)s，全镇新走访对象%(added)s个。") % {"period": period, "added": added} + case_sentence(
        raised, _("本期"), today if on < today else None)
    solved_rows = list(solved[:LISTED_CASES])
    lines = [_("本期办结问题%(count)s件。") % {"count": solved.count()}]
    for n, case in enumerate(solved_rows, start=1):
        lines.append(_("%(n)s. %(village)s：%(what)s（%(unit)s：%(answer)s）") % {
            "n": n, "village": village_name(case) or _("未填村"), "what": masked_case_text(case, case.description, 40),
            "unit": case.unit.name if case.unit else "", "answer": masked_case_text(
                case, case.resolution or case.explanation, 60)})
    sections = [
        section("period", _("本期概况"), summary),
        section("progress", _("工作进展"), overall_sentence(by_village),
                [coverage_block(by_village, _("村（社区）"))]),
        section("solved", _("问题解决情况"), "\n".join(lines)),
        typical_cases(campaign, start, end),
    ]
    return Draft(_("%(campaign)s工作动态") % {"campaign": campaign.name}, "", numbered(sections))


def consultation(campaign: Campaign, start: dt.date, end: dt.date, today: dt.date) -> Draft:
    """The monthly 会商 materials: the month's agenda (cases.lists.monthly_agenda) and the units behind pace."""
    agenda = lists.monthly_agenda(figures.case_rows(campaign), start)
    signoff = [_("%(number)s %(unit)s：%(what)s（待%(leader)s签字）") % {
        "number": case.number, "unit": case.unit.name if case.unit else "", "leader": case.signoff_leader.name
        if case.signoff_leader else "", "what": masked_case_text(case, case.description, 50)}
        for case in agenda.signoff.cases]
    escalated = [_("%(route)s：%(number)s %(what)s（%(unit)s）") % {
        "route": route.label, "number": case.number, "what": masked_case_text(case, case.description, 50),
        "unit": case.unit.name if case.unit else ""}
        for route in agenda.escalated for case in route.cases]
    units = [[line.name, line.open, line.overdue, line.resolved_in_month,
              "、".join(case.number for case in line.overdue_cases) or "—"] for line in agenda.units]
    unit_text = _("各承办单位在办%(open)s件，其中超期%(overdue)s件；本月办结%(done)s件。") % {
        "open": sum(line.open for line in agenda.units), "overdue": sum(line.overdue for line in agenda.units),
        "done": sum(line.resolved_in_month for line in agenda.units)}
    if agenda.late_drafts:
        unit_text += _("另有%(count)s件超过登记期限尚未登记。") % {"count": agenda.late_drafts}
    by_unit = figures.coverage(campaign, "unit", today)
    none = _("无。")
    sections = [
        section("signoff", _("需分管领导签字的上报事项"), "\n".join(signoff) or none),
        section("escalated", _("提请会商协调的事项"), "\n".join(escalated) or none),
        section("units", _("各单位问题办理情况"), unit_text, [table(
            _("各单位在办和超期问题"), [_("承办单位"), _("在办"), _("超期"), _("本月办结"), _("超期件")], units)]
            if units else []),
        section("pace", _("走访进度"), overall_sentence(by_unit) + "\n" + behind_sentence(by_unit, _("单位")),
                behind_block(by_unit, _("单位"))),
        section("topics", _("会商议题"), _("（一）研究提请会商协调的事项，明确牵头单位和办理时限。\n"
                                           "（二）督促超期问题的承办单位限期办结。\n"
                                           "（三）研究走访进度滞后单位的推进措施。")),
    ]
    title = _("%(year)s年%(month)s月%(campaign)s会商材料") % {
        "year": start.year, "month": start.month, "campaign": campaign.name}
    return Draft(title, "", numbered(sections))


def period_name(start: dt.date, end: dt.date) -> str:
    """“2017年第二季度” for a calendar quarter, else “2017年5月1日至6月15日”."""
    quarter = (start.month - 1) // 3
    if start.day == 1 and start.month == quarter * 3 + 1 and end == quarter_end(start):
        return _("%(year)s年第%(quarter)s季度") % {"year": start.year, "quarter": NUMERALS[quarter]}
    return _("%(start)s至%(end)s") % {"start": day(start), "end": day(end)}


def quarter_start(value: dt.date) -> dt.date:
    return value.replace(month=(value.month - 1) // 3 * 3 + 1, day=1)


def quarter_end(value: dt.date) -> dt.date:
    start = quarter_start(value)
    following = start.replace(year=start.year + 1, month=1) if start.month == 10 else start.replace(month=start.month + 3)
    return following - dt.timedelta(days=1)


BUILDERS = {"circular": circular, "briefing": briefing, "consultation": consultation}
