"""A draft's sections, figures filled in: every number comes from zoufang.oversight.figures (or, for the 会商
materials, from the monthly agenda the 问题办理 pages show), and every sentence is a first draft the office edits.

A section is plain data, stored on the draft: {key, heading, text, optional, blocks}. A block is a table
({kind: "table", caption, header, rows}) or a chart with the table of its numbers ({kind: "chart", …, plot:
the columns drawn, percent}). Text is what the office edits; blocks stay as generated.
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
from zoufang.oversight import figures
from zoufang.oversight.pace import checkpoint_words

Section = dict[str, Any]
NUMERALS = "一二三四五六七八九十"
LISTED_CASES = 10  # the 简报 names at most this many of the period's solved problems


@dataclass(frozen=True)
class Draft:
    title: str
    addressee: str
    sections: list[Section]


def day(value: dt.date) -> str:
    """“2017年6月15日”, as GB/T 9704 writes dates (Arabic numerals, no leading zeros)."""
    return _("%(year)s年%(month)s月%(day)s日") % {"year": value.year, "month": value.month, "day": value.day}


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


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


def table(caption: str, header: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"kind": "table", "caption": caption, "header": header, "rows": rows}


# ---------------------------------------------------------------------------------------------- coverage


def coverage_block(coverage: figures.Coverage, what: str) -> dict[str, Any]:
    header = [what, _("应走访"), _("已走访"), _("完成率（%）"), _("进度应完成"), _("落后")]
    rows = [[row.label, row.assigned, row.visited, rate(row.percent), row.pace.due_today if row.pace else 0,
             row.pace.behind if row.pace else 0] for row in coverage.rows]
    total = coverage.total
    rows.append([total.label, total.assigned, total.visited, rate(total.percent),
                 total.pace.due_today if total.pace else 0, total.pace.behind if total.pace else 0])
    caption = _("各%(what)s走访完成情况") % {"what": what}
    return chart(caption, header, rows, plot=[3], percent=True)


def overall_sentence(coverage: figures.Coverage) -> str:
    total = coverage.total
    pace = total.pace
    text = _("截至%(day)s，应走访对象%(assigned)s个，已走访%(visited)s个，完成%(percent)s。") % {
        "day": day(coverage.today), "assigned": total.assigned, "visited": total.visited,
        "percent": percent(total.percent)}
    if pace is not None and pace.due_today:
        if pace.behind:
            text += _("按进度要求截至目前应完成%(due)s个，尚差%(behind)s个。") % {
                "due": pace.due_today, "behind": pace.behind}
        else:
            text += _("按进度要求截至目前应完成%(due)s个，已达到进度要求。") % {"due": pace.due_today}
    return text


BEHIND_NAMED = 5  # a longer list of units behind pace goes into a table under the sentence


def _late(coverage: figures.Coverage, *, keyed: bool = True) -> list[tuple[figures.CoverageRow, figures.Pace]]:
    """The units or villages behind pace, worst first, each with its pace; with `keyed=False` the row of the
    targets that have none (（未填村）, 未定单位) if it is behind (`Coverage.behind`)."""
    return [(row, row.pace) for row in coverage.behind(keyed) if row.pace is not None]


def behind_sentence(coverage: figures.Coverage, what: str) -> str:
    """The rows behind pace in a sentence, worst first; past `BEHIND_NAMED` the sentence names the worst and
    points to `behind_block`'s table. The targets of no unit or village, if behind, in a sentence of their own."""
    text = _named_behind(coverage, what)
    for _row, pace in _late(coverage, keyed=False):
        text += _("另有未落实到%(what)s的走访对象，应完成%(due)s个，已走访%(visited)s个，落后%(behind)s个。") % {
            "what": what, "due": pace.due_today, "visited": pace.visited, "behind": pace.behind}
    return text


def _named_behind(coverage: figures.Coverage, what: str) -> str:
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
    return _("对照进度要求，%(count)s个%(what)s走访进度滞后，落后最多的是%(named)s等，全部滞后%(what)s见下表。") % {
        "count": len(late), "what": what, "named": named}


def behind_block(coverage: figures.Coverage, what: str) -> list[dict[str, Any]]:
    """The table of every row behind pace when the sentence names only the worst (nothing otherwise)."""
    late = _late(coverage)
    if len(late) <= BEHIND_NAMED:
        return []
    rows = [[row.label, pace.due_today, pace.visited, pace.behind, rate(row.percent)] for row, pace in late]
    return [table(_("走访进度滞后的%(what)s") % {"what": what},
                  [what, _("进度应完成"), _("已走访"), _("落后"), _("完成率（%）")], rows)]


# ---------------------------------------------------------------------------------------------- cases


def case_block(cases: figures.CaseFigures) -> dict[str, Any]:
    header = [_("承办单位"), _("交办"), _("已办结"), _("按时办结率（%）"), _("解决率（%）"), _("满意率（%）"),
              _("超期")]
    rows = [[row.label, row.dispatched, row.answered, rate(row.on_time_rate), rate(row.resolution_rate),
             rate(row.satisfaction_rate), row.overdue] for row in [*cases.rows, cases.total] if row.dispatched]
    return chart(_("各单位问题办理情况"), header, rows, plot=[1, 2], total_row=bool(rows))


def percent(value: float | None) -> str:
    """“33.3%” in a sentence, “无” where nothing was there to count."""
    return _("无") if value is None else f"{value:.1f}%"


def case_sentence(cases: figures.CaseFigures, opening: str) -> str:
    total = cases.total
    if not total.total:
        return opening + _("未收集到问题和意见建议。")
    return opening + _(
        "共收集问题和意见建议%(total)s件，已交办%(dispatched)s件，已办结%(answered)s件（其中解决%(resolved)s件），"
        "按时办结率%(on_time)s，解决率%(resolution)s，满意率%(satisfaction)s；"
        "超过办理期限尚未办结%(overdue)s件。") % {
        "total": total.total, "dispatched": total.dispatched, "answered": total.answered, "resolved": total.resolved,
        "on_time": percent(total.on_time_rate), "resolution": percent(total.resolution_rate),
        "satisfaction": percent(total.satisfaction_rate), "overdue": total.overdue}


def requests_text(by_unit: figures.Coverage, cases: figures.CaseFigures) -> str:
    """What the office asks of whom: each unit behind pace, each unit with overdue cases, by name."""
    asks = []
    for row, pace in _late(by_unit):
        when = checkpoint_words(pace.next_on, pace.today) if pace.next_on and pace.today else _("本月底")
        asks.append(_("%(name)s要加快走访进度，%(when)s前还需走访%(gap)s个对象。") % {
            "name": row.label, "when": when, "gap": pace.next_gap})
    for line in cases.rows:
        if line.overdue and line.key is not None:
            asks.append(_("%(name)s有%(count)s件问题超过办理期限，要抓紧办结并答复反映人。") % {
                "name": line.label, "count": line.overdue})
    asks.append(_("各单位要对照进度要求，逐户逐企落实走访，做到不重不漏；收集的问题要在2个工作日内登记，"
                  "做到事事有回音、件件有落实。"))
    return "\n".join(f"（{NUMERALS[n]}）{ask}" for n, ask in enumerate(asks[:len(NUMERALS)]))


def callback_results(campaign: Campaign, start: dt.date, end: dt.date) -> Section | None:
    """The 通报's section on the third-party callbacks (回访抽查结果, seed 000 §三(三): "抽查结果将予以通报"): the
    visits of the period sampled, what the calls found, by unit, and the cadres whose "not visited" the office
    upheld, named. None when no visit of the period was sampled: the section is left out, not printed empty."""
    from zoufang.callbacks import findings
    from zoufang.callbacks.models import CallbackSample
    from zoufang.callbacks.sampling import Period

    samples = list(CallbackSample.objects.filter(
        batch__campaign=campaign, visit__visited_at__date__gte=start, visit__visited_at__date__lte=end,
    ).select_related("visit__cadre__unit").order_by("visit__cadre__unit__sort_order", "visit__cadre__unit__name"))
    if not samples:
        return None
    outcome = CallbackSample.Outcome
    columns = ("sampled", "settled", outcome.CONFIRMED, outcome.NOT_VISITED, outcome.DIFFERENT, "upheld")
    by_unit: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(columns, 0)
    for sample in samples:
        counts = by_unit.setdefault(sample.visit.cadre.unit.name, dict.fromkeys(columns, 0))
        hits = ["sampled", *(["settled", sample.outcome] if sample.outcome else []),
                *(["upheld"] if sample.verification == CallbackSample.Verification.UPHELD else [])]
        for key in hits:
            if key in counts:
                counts[key] += 1
                total[key] += 1
    header = [_("单位"), _("抽查"), _("已回访"), _("走访属实"), _("未接受走访"), _("方式不符"), _("核实未走访")]
    rows = [[unit, *(counts[key] for key in columns)] for unit, counts in by_unit.items()]
    rows.append([_("合计"), *(total[key] for key in columns)])
    upheld = findings.upheld_against(campaign, Period(start, end))
    text = _("本期第三方回访抽查走访%(sampled)s次，已回访%(settled)s次，其中走访属实%(confirmed)s次，"
             "对象称未接受走访%(not_visited)s次、走访方式与记录不符%(different)s次。") % {
        "sampled": total["sampled"], "settled": total["settled"], "confirmed": total[outcome.CONFIRMED],
        "not_visited": total[outcome.NOT_VISITED], "different": total[outcome.DIFFERENT]}
    if upheld:
        names = "、".join(f"{f.unit_name}{f.cadre_name}（{day(f.visited_on)}）" for f in upheld)
        text += _("经走访办核实确未走访%(n)s次：%(names)s，予以通报，并计入考核。") % {"n": len(upheld), "names": names}
    block = chart(_("各单位回访抽查情况"), header, rows, plot=[1, 3])
    return section("callbacks", _("回访抽查情况"), text, [block])


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
    """通报 (每季一通报): progress by unit and village, units behind named, case results by unit, requests."""
    by_unit = figures.coverage(campaign, "unit", today)
    by_village = figures.coverage(campaign, "village", today)
    cases = figures.case_figures(campaign, "unit", today)
    sections = [
        section("progress", _("走访进展情况"), overall_sentence(by_unit),
                [coverage_block(by_unit, _("单位")), coverage_block(by_village, _("村（社区）"))]),
        section("behind", _("进度滞后单位"),
                behind_sentence(by_unit, _("单位")) + "\n" + behind_sentence(by_village, _("村（社区）")),
                behind_block(by_unit, _("单位")) + behind_block(by_village, _("村（社区）"))),
        section("cases", _("问题办理情况"), case_sentence(cases, _("截至%(day)s，") % {"day": day(today)}),
                [case_block(cases)]),
    ]
    callbacks = callback_results(campaign, start, end)
    if callbacks is not None:
        sections.append(callbacks)
    sections.append(section("requests", _("下步工作要求"), requests_text(by_unit, cases)))
    title = _("关于%(period)s%(campaign)s开展情况的通报") % {"period": period_name(start, end), "campaign": campaign.name}
    return Draft(title, _("各村（社区），镇各部门、各单位："), numbered(sections))


def briefing(campaign: Campaign, start: dt.date, end: dt.date, today: dt.date) -> Draft:
    """简报: the period's figures, cumulative progress, the problems solved in the period, typical cases."""
    by_village = figures.coverage(campaign, "village", today)
    raised = figures.case_figures(campaign, "unit", today, figures.cases_raised_between(campaign, start, end))
    solved = figures.cases_answered_between(campaign, start, end) \
        .select_related("category", "unit", "region__parent__parent", "target").order_by("answered_on", "id")
    added = figures.first_visited_between(campaign, start, end)
    period = _("%(start)s至%(end)s") % {"start": day(start), "end": day(end)}
    summary = _("%(period)s，全镇新走访对象%(added)s个。") % {"period": period, "added": added} + case_sentence(
        raised, _("本期"))
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
