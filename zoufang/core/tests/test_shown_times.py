"""No code formats a stored moment in UTC: a DateTimeField (named *_at, or `at`) is never formatted,
cut to a date or to an hour without first going through clock.local / clock.minute (Beijing time)."""

import re
from pathlib import Path

import zoufang

ROOT = Path(zoufang.__file__).parent
# `visit.visited_at.strftime(`, `case.raised_at.date()`, `f"{self.at:%H:%M}"`, `event.at.hour` ...
UTC_FORMATTING = re.compile(
    r"\b(?:\w+_at|\.at)\s*(?:\.\s*(?:strftime|date|time|hour|minute|isoformat)\b|:%)"
)
# Where the moment goes out as an ISO instant with its offset (API, logs, content hashes) the offset says it all.
ALLOWED = re.compile(r"astimezone\(|timezone\.localtime\(")


def _offences() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if UTC_FORMATTING.search(line) and not ALLOWED.search(line):
                found.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    return found


def test_no_stored_moment_is_shown_in_utc():
    assert _offences() == []


def test_the_guard_catches_the_ways_a_moment_slips_out_in_utc():
    for line in ('visit.visited_at.strftime("%Y-%m-%d %H:%M")', "case.raised_at.date()", 'f"{self.at:%Y-%m-%d}"',
                 'f"{self.created_at:%Y-%m-%d}"', "event.at.hour"):
        assert UTC_FORMATTING.search(line), line
    for line in ("clock.minute(visit.visited_at)", "clock.local(case.raised_at).date()", "visited_at__date__gte=x",
                 "self.visited_at.astimezone(dt.UTC).isoformat()"):
        assert not UTC_FORMATTING.search(line) or ALLOWED.search(line), line


def test_the_admins_audit_trail_records_a_moment_in_beijing_time_whatever_zone_it_came_in():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zoufang.accounts.admin_audit import _plain

    stored = dt.datetime(2017, 6, 14, 15, 46, tzinfo=dt.UTC)  # as read from the database
    edited = stored.astimezone(ZoneInfo("Asia/Shanghai"))  # as the admin form returns it: the same moment
    assert _plain(stored) == _plain(edited) == "2017-06-14 23:46:00"
