"""A 专报 on cases picked where the office reads them (decisions 0077, 0079): 问题办理's ticked boxes, its filtered
list, or one case's own page send their cases here; which of them may go into one 专报, and how many, is decided
here, not on the case list."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.cases.access import visible_cases
from zoufang.cases.models import Case
from zoufang.core import request_keys
from zoufang.documents.access import may_write
from zoufang.documents.special import PICKED, SubjectError

# The case list carries at most this many picks from page to page: enough to see that a 专报 would take too many
# (and say so), and a URL of a few thousand characters at most.
CARRIED = 2 * PICKED


def carried_picks(query: Any) -> list[str]:
    """The case ids a query picks (`pick=`), well-formed ones only, each once, at most CARRIED, in the order picked."""
    picks = [str(value) for value in query.getlist("pick") if request_keys.parsed(value)]
    return list(dict.fromkeys(picks))[:CARRIED]


def pickable(user: Any, case: Case) -> bool:
    """Whether the user may put the case in a 专报: not merged (counted in the case it went into), and a case of a
    campaign whose documents the user writes (its campaign and scope loaded: the grants are cached, no query)."""
    return case.status != Case.Status.MERGED and may_write(user, case.campaign)


def still_picked(user: Any, picks: list[str]) -> list[str]:
    """Of carried picks, those that are the user's own pickable cases, in the order picked: one query (none without
    picks)."""
    if not picks:
        return []
    found = {str(case.public_id) for case in visible_cases(user).filter(public_id__in=picks)
             .select_related("campaign__scope") if pickable(user, case)}
    return [pick for pick in picks if pick in found]


@dataclass(frozen=True)
class Picked:
    """The cases a 专报 is asked for: their campaign, their numbers in the list's order, and the merged ones left out."""

    campaign: Campaign
    numbers: list[str]
    merged: int


def picked_cases(user: Any, cases: QuerySet[Case], *, filtered: bool) -> Picked:
    """`cases` (already the viewer's own) as one 专报's picks, or SubjectError saying why not: none, cases of two
    campaigns, more than PICKED, or a campaign whose documents the user may not write."""
    chosen = list(cases.exclude(status=Case.Status.MERGED).select_related("campaign__scope")
                  .order_by("-raised_at", "id")[: PICKED + 1])
    campaigns = {case.campaign for case in chosen}
    if not chosen:
        raise SubjectError(_("当前筛选结果中没有可写入专报的问题。") if filtered else _("请先勾选要写入专报的问题。"))
    if len(campaigns) > 1:
        raise SubjectError(_("一份专报只能选同一走访活动的问题：选定的问题分属%(names)s，请只选其中一个活动的问题。") % {
            "names": "、".join(f"“{c.name}”" for c in sorted(campaigns, key=lambda c: c.name))})
    if len(chosen) > PICKED:
        raise SubjectError(_("一份专报最多选定%(n)s件问题，请缩小筛选范围或逐件勾选。") % {"n": PICKED})
    if not may_write(user, chosen[0].campaign):
        raise SubjectError(_("只有本活动的走访办可以编写专报。"))
    merged = cases.filter(status=Case.Status.MERGED).count()
    return Picked(chosen[0].campaign, [case.number for case in chosen], merged)
