"""The campaign's working mechanisms (每月一会商、每季一通报、半年一交流、全年一考核, 工作总结和重要情况报告 …) with their
status, read from what the product already holds: the documents issued (documents), the monthly agenda (cases),
the assessment's runs (assessment), the units' summaries (documents.summaries). No figure is made here. A key the
product has nothing for is shown with its name and description only (decision 0076)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.periods import period_end
from zoufang.campaigns.schema import FREQUENCIES
from zoufang.core.queryparams import month_value

if TYPE_CHECKING:  # documents reads campaigns: imported inside the functions that need it
    from zoufang.documents.summaries import Due


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Line:
    """One line of a mechanism's status: 2017年第二季度 — 已印发 …; `state` colours it (done, missing, now, later,
    ended, or none)."""

    label: str
    text: str
    state: str = ""


@dataclass
class Mechanism:
    key: str
    name: str
    every: str  # 每月, 每季, 不定期（随时） …
    description: str
    lines: list[Line] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    note: str = ""  # what the product keeps of it, where it keeps nothing


# ---------------------------------------------------------------- the pages a viewer may open


def _stats(user: Any, campaign: Campaign) -> bool:
    from zoufang.web.dashboard import sees_campaign_stats

    return sees_campaign_stats(user, campaign)


def _lists(user: Any) -> bool:
    """The monthly agenda and the weekly lists (cases.report_views' own check)."""
    from zoufang.accounts import scope
    from zoufang.cases.report_views import LIST_ROLES

    return scope.has_role(user, *LIST_ROLES)


def _cases(user: Any) -> bool:
    from zoufang.cases.access import may_list_cases

    return may_list_cases(user)


def _exemplars(user: Any, campaign: Campaign) -> bool:
    from zoufang.exemplars.access import reads_published, sees_every_draft

    return reads_published(user, campaign) or sees_every_draft(user, campaign)


def _summaries(user: Any, campaign: Campaign) -> bool:
    from zoufang.documents.summaries import due_of

    return due_of(campaign) is not None and _stats(user, campaign)


# Each page: whether the viewer opens it (the page's own access predicate), its label and its address.
PAGES: dict[str, tuple[Callable[[Any, Campaign], bool], Callable[[Campaign, dt.date], Link]]] = {
    "dashboard": (_stats, lambda c, _today: Link(_("工作进度与督查"), f"{reverse('web:home')}?campaign={c.slug}")),
    "agenda": (lambda user, _c: _lists(user), lambda _c, today: Link(
        _("%(month)s会商议题") % {"month": clock.month(today)}, f"{reverse('cases:agenda')}?month={month_value(today)}")),
    "weekly": (lambda user, _c: _lists(user), lambda _c, _today: Link(_("每周问题清单和建议清单"),
                                                                      reverse("cases:weekly"))),
    "documents": (_stats, lambda c, _today: Link(_("通报简报"), reverse("documents:index", args=[c.slug]))),
    "cases": (lambda user, _c: _cases(user), lambda _c, _today: Link(_("问题登记交办"), reverse("cases:list"))),
    "exemplars": (_exemplars, lambda c, _today: Link(_("典型"), reverse("exemplars:list", args=[c.slug]))),
    "assessment": (_stats, lambda c, _today: Link(_("考核"), reverse("assessment:campaign", args=[c.slug]))),
    "summaries": (_summaries, lambda c, _today: Link(_("各单位工作总结"), reverse("documents:summaries", args=[c.slug]))),
}


def viewer_links(user: Any, campaign: Campaign, pages: tuple[str, ...], today: dt.date) -> list[Link]:
    return [PAGES[page][1](campaign, today) for page in pages if PAGES[page][0](user, campaign)]


# ---------------------------------------------------------------- the statuses


@dataclass
class Issued:
    """The campaign's issued documents, read once for the page (never their files)."""

    rows: list[dict[str, Any]]

    @classmethod
    def of(cls, campaign: Campaign) -> "Issued":
        from zoufang.documents.models import Document

        rows = Document.objects.filter(campaign=campaign, status=Document.Status.ISSUED) \
            .order_by("issued_at", "pk").values("kind", "reference", "title", "issued_at")
        return cls([{**row, "day": timezone.localdate(row["issued_at"])} for row in rows])

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["kind"] == kind]

    def last(self, label: str, kind: str) -> Line:
        found = self.of_kind(kind)
        if not found:
            return Line(label, _("尚未印发"))
        row = found[-1]
        return Line(label, _("%(reference)s %(title)s（%(day)s印发）") % {
            "reference": row["reference"], "title": row["title"], "day": clock.day(row["day"])})


QUARTERS = (gettext_noop("%(year)s年第一季度"), gettext_noop("%(year)s年第二季度"), gettext_noop("%(year)s年第三季度"),
            gettext_noop("%(year)s年第四季度"))


def _quarters(campaign: Campaign, issued: Issued, today: dt.date) -> list[Line]:
    """Each quarter of the campaign's period: its 通报 (by the day issued), 未印发 once it ended without one; the
    current one and those to come are not flagged."""
    lines, start = [], campaign.starts_on.replace(month=(campaign.starts_on.month - 1) // 3 * 3 + 1, day=1)
    circulars = issued.of_kind("circular")
    while start <= campaign.ends_on:
        end = period_end("quarter", start, start)
        label = _(QUARTERS[(start.month - 1) // 3]) % {"year": start.year}
        inside = [row for row in circulars if start <= row["day"] <= end]
        if inside:
            text = _("已印发 %(reference)s（%(day)s）") % {"reference": inside[-1]["reference"],
                                                      "day": clock.day(inside[-1]["day"])}
            if len(inside) > 1:
                text = _("已印发 %(n)s 期，最近一期 %(reference)s（%(day)s）") % {
                    "n": len(inside), "reference": inside[-1]["reference"], "day": clock.day(inside[-1]["day"])}
            lines.append(Line(label, text, "done"))
        elif end < today:
            lines.append(Line(label, _("未印发"), "missing"))
        elif start <= today:
            lines.append(Line(label, _("本季度尚未印发"), "now"))
        else:
            lines.append(Line(label, _("未到"), "later"))
        start = end + dt.timedelta(days=1)
    return lines


def _half_years(campaign: Campaign, today: dt.date) -> list[Line]:
    lines, year = [], campaign.starts_on.year
    while dt.date(year, 1, 1) <= campaign.ends_on:
        for first, last, name in ((dt.date(year, 1, 1), dt.date(year, 6, 30), _("%(year)s年上半年")),
                                  (dt.date(year, 7, 1), dt.date(year, 12, 31), _("%(year)s年下半年"))):
            start, end = max(first, campaign.starts_on), min(last, campaign.ends_on)
            if start > end:
                continue
            state, said = (("ended", _("已结束")) if end < today else ("later", _("未开始")) if start > today
                           else ("now", _("进行中")))
            lines.append(Line(name % {"year": year}, f"{clock.span(start, end)}（{said}）", state))
        year += 1
    return lines


def _assessment(campaign: Campaign) -> Line:
    from zoufang.assessment.models import Assessment

    runs = Assessment.objects.filter(campaign=campaign).order_by("-ends_on", "-number", "-pk")
    frozen = runs.filter(status=Assessment.Status.FROZEN).first()
    if frozen is not None:
        text = _("%(title)s：已定稿") % {"title": frozen.title}
        if frozen.frozen_at:
            text += _("（%(day)s）") % {"day": clock.day(frozen.frozen_at)}
        return Line(_("考核"), text, "done")
    draft = runs.first()
    if draft is not None:
        return Line(_("考核"), _("%(title)s：已试算，待审定") % {"title": draft.title}, "now")
    return Line(_("考核"), _("尚未开展（考核期 %(span)s）") % {"span": clock.span(campaign.starts_on, campaign.ends_on)})


def _reporting(user: Any, campaign: Campaign, due: "Due | None", today: dt.date) -> tuple[list[Line], list[Link]]:
    """The units' summaries against their due date (`summaries.due_of`, read once for the page)."""
    from zoufang.accounts import scope
    from zoufang.documents import summaries

    if due is None:
        return [], []
    roster = summaries.roster(campaign)
    line = Line(_("工作总结"), _("%(label)s截止 %(day)s，已提交 %(n)s / %(total)s 个单位") % {
        "label": due.label, "day": clock.day(due.day), "n": roster.submitted, "total": len(roster.rows)},
        "done" if roster.rows and roster.submitted == len(roster.rows) else "")
    handled = set(scope.handled_unit_ids(user))
    own = [Link(_("本单位%(label)s：%(unit)s") % {"label": due.label, "unit": row.unit.name},
                reverse("documents:summary_unit", args=[campaign.slug, row.unit.public_id]))
           for row in roster.rows if row.unit.pk in handled]
    return [line], viewer_links(user, campaign, ("summaries",), today) + own


# The mechanisms whose status is a document issued (monthly 会商材料, quarterly 通报, 孟河镇's 专报、简报、通报).
CONSULTATION = ("monthly_consultation", "consultation")
CIRCULAR = ("quarterly_circular", "supervision_circular", "bulletins")


def mechanisms_of(user: Any, campaign: Campaign, entries: list[dict[str, Any]], today: dt.date) -> list[Mechanism]:
    from zoufang.documents.summaries import due_of

    keys = {entry["key"] for entry in entries}
    due = due_of(campaign)
    issued = Issued.of(campaign) if keys & {*CONSULTATION, *CIRCULAR} else Issued([])
    shown = []
    for entry in entries:
        key = entry["key"]
        found = Mechanism(key=key, name=entry["name"], every=_(FREQUENCIES.get(entry["every"], entry["every"])),
                          description=entry.get("description", ""))
        if key in CONSULTATION:
            found.lines = [issued.last(_("最近一期会商材料"), "consultation")]
            found.links = viewer_links(user, campaign, ("agenda", "documents"), today)
        elif key in CIRCULAR:
            found.lines = [issued.last(_("最近一期通报"), "circular")]
            if key == "bulletins":  # seed 002 六2: 专报、简报、通报
                found.lines[:0] = [issued.last(_("最近一期专报"), "special"), issued.last(_("最近一期简报"), "briefing")]
            if key == "quarterly_circular":
                found.lines += _quarters(campaign, issued, today)
            found.links = viewer_links(user, campaign, ("documents",), today)
        elif key == "half_year_exchange":
            found.note = _("按工作安排组织交流，平台不单独记录交流材料。")
            found.lines = _half_years(campaign, today)
        elif key == "annual_assessment":
            found.lines = [_assessment(campaign)]
            found.links = viewer_links(user, campaign, ("assessment",), today)
        elif key == "reporting":
            found.lines, found.links = _reporting(user, campaign, due, today)
        elif key == "weekly_lists":
            found.links = viewer_links(user, campaign, ("weekly",), today)
        shown.append(found)
    if "reporting" not in keys:  # a file asking for summaries without naming the mechanism (孟河镇's)
        shown += _summaries_asked(user, campaign, due, today)
    return shown


def _summaries_asked(user: Any, campaign: Campaign, due: "Due | None", today: dt.date) -> list[Mechanism]:
    """The units' summaries as a mechanism of their own, named by the file's label and described by its note."""
    if due is None:
        return []
    lines, links = _reporting(user, campaign, due, today)
    return [Mechanism(key="reporting", name=due.label, every=_(FREQUENCIES["as_needed"]),
                      description=(campaign.config.get("summaries") or {}).get("note", ""), lines=lines, links=links)]
