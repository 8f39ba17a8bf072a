"""Stored flags written before decision 0045 say their moments the old way until a scan rewrites them, and a
finished campaign's is never scanned again: 2017-06-14 22:10–22:40 (pace, night, late bulk), 06-14 23:46 (distance),
走访于 06-01 至 06-14 (late bulk). Rewrite them as `clock` says them today (2017年6月14日 23:46, decision 0050).

A day written without its year is the latest such day not after the day it was written on: the scan's for a
distance flag's visit, the sitting's for a late-bulk flag's visits (a visit comes before what reports it).
"""

import datetime as dt
import re
from typing import Any

from django.db import migrations

from zoufang import clock

KINDS = ("pace", "distance", "night", "late_bulk")  # the others' words are the cadre's, or say no moment
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (?=\d\d:\d\d)")
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2}) (?=\d\d:\d\d )")
VISITED = re.compile(r"（走访于 (\d{2})-(\d{2}) 至 (\d{2})-(\d{2})）")
BATCH = 500


def _not_after(month: int, day: int, latest: dt.date) -> dt.date:
    """The latest day of this month and day that is not after `latest` (29 February: the latest leap year's)."""
    year = latest.year if (month, day) <= (latest.month, latest.day) else latest.year - 1
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            year -= 1


def reworded(evidence: str, scanned_on: dt.date) -> str:
    """A flag's stored sentence with its moments as `clock` writes them; a sentence without old ones unchanged."""
    text, said_on = evidence, scanned_on
    if found := DAY.match(text):
        said_on = dt.date(*map(int, found.groups()))
        text = f"{clock.day(said_on)} {text[found.end():]}"
    elif found := MONTH_DAY.match(text):
        text = f"{clock.day(_not_after(*map(int, found.groups()), scanned_on))} {text[found.end():]}"
    if found := VISITED.search(text):
        months_days = list(map(int, found.groups()))
        first, last = _not_after(*months_days[:2], said_on), _not_after(*months_days[2:], said_on)
        text = f"{text[:found.start()]}（走访于 {clock.day(first)} 至 {clock.period_end(first, last)}）{text[found.end():]}"
    return text


def reword(apps: Any, schema_editor: Any) -> None:
    ScannedFlag = apps.get_model("integrity", "ScannedFlag")
    changed = []
    for flag in ScannedFlag.objects.filter(kind__in=KINDS).select_related("scan").only(
            "evidence", "scan__computed_at").iterator(chunk_size=BATCH):
        text = reworded(flag.evidence, clock.local(flag.scan.computed_at).date())
        if text != flag.evidence:
            flag.evidence = text
            changed.append(flag)
    ScannedFlag.objects.bulk_update(changed, ["evidence"], batch_size=BATCH)  # written once the reading is done


class Migration(migrations.Migration):
    dependencies = [("integrity", "0004_flag_scans")]

    # Back, the sentences stay as now: the old wording is not worth restoring.
    operations = [migrations.RunPython(reword, migrations.RunPython.noop, elidable=True)]
