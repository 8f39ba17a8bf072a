"""Every deadline of a case, computed here and nowhere else, on the official working-day calendar."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from zoufang import clock
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases.models import Case
from zoufang.cases.workflow import HANDLING
from zoufang.workdays.calendar import Calendar, add_working_days, working_days_between

DEFAULT_HANDLING_DAYS = 10


def registration_due(campaign: Campaign, raised_at: dt.datetime) -> dt.date:
    """The last day to register an opinion: the campaign's working days after the visit (seed 000: 2)."""
    days = int(campaign.config.get("registration_deadline_working_days", 2))
    return add_working_days(timezone.localtime(raised_at).date(), days).date


def is_registered_late(case: Case, registered_on: dt.date) -> bool:
    return case.registration_due is not None and registered_on > case.registration_due


def registration_standing(case: Case, today: dt.date) -> str:
    """Where a draft stands against its 登记期限: "late" past it (what the board counts as 逾期), "today" on it, ""
    before it or for a case already registered."""
    if case.status != Case.Status.DRAFT or case.registration_due is None or case.registration_due > today:
        return ""
    return "late" if case.registration_due < today else "today"


def handling_days(campaign: Campaign, category: CaseCategory | None, priority: str) -> int:
    """Working days a unit has: the shortest of the priority's limit and the category's (or the default)."""
    rules = (campaign.config.get("case_handling") or {}).get("handling_deadlines") or {}
    by_category = rules.get("categories") or {}
    days = int(rules.get("default", DEFAULT_HANDLING_DAYS))
    if category is not None:
        codes = [category.code] + ([category.parent.code] if category.parent_id and category.parent else [])
        for code in codes:
            if code in by_category:
                days = int(by_category[code])
                break
    by_priority = (rules.get("priorities") or {}).get(priority)
    return min(days, int(by_priority)) if by_priority else days


def paused_days_so_far(case: Case, today: dt.date) -> int:
    running = working_days_between(case.paused_since, today).days if case.paused_since else 0
    return case.paused_working_days + running


def handling_due(case: Case, today: dt.date) -> dt.date | None:
    """The unit's deadline: dispatch day + limit + approved extension + every working day the clock stood still."""
    if case.dispatched_on is None or case.handling_days is None:
        return None
    total = case.handling_days + case.extension_days + paused_days_so_far(case, today)
    return add_working_days(case.dispatched_on, total).date


def start_clock(case: Case, today: dt.date) -> None:
    """A (re)dispatch: a fresh limit counted from today."""
    case.dispatched_on = today
    case.handling_days = handling_days(case.campaign, case.category, case.priority)
    case.extension_days = 0
    case.paused_since = None
    case.paused_working_days = 0
    case.overdue_since = None
    refresh(case, today)


def pause(case: Case, today: dt.date) -> None:
    if case.paused_since is None:
        case.paused_since = today


def resume(case: Case, today: dt.date) -> None:
    if case.paused_since is not None:
        case.paused_working_days = paused_days_so_far(case, today)
        case.paused_since = None
    refresh(case, today)


def refresh(case: Case, today: dt.date) -> None:
    """Recompute the due date and the overdue mark (`overdue_since`: the day it first ran late, kept while the clock
    stands still; what is overdue now is `is_overdue` / `overdue_condition`, not the mark)."""
    case.handling_due = handling_due(case, today)
    if case.paused_since is not None:
        return
    if is_overdue(case, today):
        case.overdue_since = case.overdue_since or today
    else:
        case.overdue_since = None


def is_overdue(case: Case, today: dt.date) -> bool:
    """超期: being handled, its clock running, past its deadline. While the clock stands still (an extension request
    or a leader's signature pending) every paused working day moves the deadline on, so a paused case is not
    overdue, however late it was when the clock stopped (`working_days_left` keeps that)."""
    return (
        case.status in HANDLING
        and case.paused_since is None
        and case.handling_due is not None
        and today > case.handling_due
    )


def overdue_condition(today: dt.date) -> Q:
    """`is_overdue` as a query: what the desk, the board, lists, the API and the figures count as 超期. The
    stored `handling_due` is exact for a running clock (it only goes stale while paused, which this excludes)."""
    return Q(status__in=HANDLING, paused_since__isnull=True, handling_due__lt=today)


class CalendarCache:
    """One Calendar per span of years for a whole page: a list of 50 deadlines costs two queries, not 100."""

    def __init__(self) -> None:
        self.calendars: dict[tuple[int, int], Calendar] = {}

    def between(self, start: dt.date, end: dt.date) -> int:
        if end <= start:
            return 0
        key = (start.year, end.year)
        if key not in self.calendars:
            self.calendars[key] = Calendar(range(start.year, end.year + 1))
        return self.calendars[key].count(start, end)

    def add(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (`add_working_days` for a page of cases)."""
        day = start
        while days > 0:
            day += dt.timedelta(days=1)
            key = (day.year, day.year)
            if key not in self.calendars:
                self.calendars[key] = Calendar([day.year])
            days -= self.calendars[key].is_workday(day)
        return day


def standing_due(case: Case, today: dt.date, cache: CalendarCache | None = None) -> dt.date | None:
    """The handling deadline as it stands today (`handling_due`): the stored one, moved on while the clock is
    paused by each working day it has stood still since."""
    if case.handling_due is None or case.paused_since is None:
        return case.handling_due
    cache = cache or CalendarCache()
    return cache.add(case.handling_due, cache.between(case.paused_since, today))


def working_days_left(case: Case, today: dt.date, cache: CalendarCache | None = None) -> int | None:
    """Working days until the deadline (negative when past it); None without a deadline being handled to. While
    the clock is paused, as they stood when it stopped: the deadline moves on with every paused day."""
    if case.handling_due is None or case.status not in HANDLING:
        return None
    between = (cache or CalendarCache()).between
    on = min(case.paused_since or today, today)
    if on <= case.handling_due:
        return between(on, case.handling_due)
    return -between(case.handling_due, on)


def calendar_warning(case: Case) -> str:
    """A deadline that falls in a year without the official schedule may move once it is imported: say so."""
    from zoufang.workdays.calendar import WorkdayResult, package_knows
    from zoufang.workdays.models import OfficialYear

    dates = [d for d in (case.registration_due, case.handling_due) if d is not None]
    if case.dispatched_on:
        dates.append(case.dispatched_on)
    years = {d.year for d in dates}
    official = set(OfficialYear.objects.filter(year__in=years).values_list("year", flat=True))
    unknown = {y for y in years if y not in official and not package_knows(y)}
    return WorkdayResult(dates[0] if dates else clock.local(case.raised_at).date(), unknown).warning() if unknown else ""
