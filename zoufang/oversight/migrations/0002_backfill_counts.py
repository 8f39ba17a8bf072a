"""Count the campaigns already there (the kept counts start empty): what `zoufang oversight verify --repair` does."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import migrations
from django.db.models import Count, Exists, Min, OuterRef
from django.db.models.functions import TruncWeek

from zoufang import clock

from zoufang.oversight.counters import nodes


def backfill(apps: Any, schema_editor: Any) -> None:
    Campaign = apps.get_model("campaigns", "Campaign")
    Assignment = apps.get_model("planning", "Assignment")
    Visit = apps.get_model("visits", "Visit")
    CoverageTally = apps.get_model("oversight", "CoverageTally")
    VisitedTarget = apps.get_model("oversight", "VisitedTarget")
    WeeklyTally = apps.get_model("oversight", "WeeklyTally")
    for campaign_id in Campaign.objects.values_list("pk", flat=True):
        seen = (Visit.objects.filter(campaign_id=campaign_id).values("target_id")
                .annotate(n=Count("id"), first=Min("visited_at")).order_by())
        VisitedTarget.objects.bulk_create(
            (VisitedTarget(campaign_id=campaign_id, target_id=row["target_id"], visits=row["n"],
                           first_at=row["first"]) for row in seen.iterator()), batch_size=5000)
        visited = Exists(Visit.objects.filter(campaign_id=campaign_id, target_id=OuterRef("target_id")))
        grouped = (Assignment.objects.filter(campaign_id=campaign_id)
                   .values_list("target__kind", "target__region__path", "unit_id", "cadre_id")
                   .annotate(assigned=Count("id"), visited=Count("id", filter=visited)).order_by())
        counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        for kind, path, unit, cadre, assigned, seen_n in grouped.iterator():
            for key in nodes(kind, path or "", unit, cadre):
                counts[key][0] += assigned
                counts[key][1] += seen_n
        CoverageTally.objects.bulk_create(
            (CoverageTally(campaign_id=campaign_id, kind=kind, region=region, unit=unit, cadre=cadre,
                           assigned=a, visited=v) for (kind, region, unit, cadre), (a, v) in counts.items()),
            batch_size=5000)
        weeks: dict[Any, int] = defaultdict(int)
        firsts = (VisitedTarget.objects.filter(campaign_id=campaign_id, target__assignments__campaign_id=campaign_id)
                  .annotate(week=TruncWeek("first_at")).values_list("target__kind", "week").annotate(n=Count("id"))
                  .order_by())
        for kind, week, n in firsts:
            weeks[(kind, clock.local(week).date() if isinstance(week, dt.datetime) else week)] += n
        WeeklyTally.objects.bulk_create(WeeklyTally(campaign_id=campaign_id, kind=kind, week=week, first_visits=n)
                                        for (kind, week), n in weeks.items())


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_initial"),
        ("planning", "0005_fixedquota_joint_line_parts"),
        ("visits", "0002_visit_details_photos_diary"),
        ("campaigns", "0002_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
