"""Ratings benchmark (`make bench`, or `python -m zoufang.ratings.bench`): the overview read from the kept tallies
against the recount over every answer (issue 14: a page costs what it shows, not what is stored).

A campaign of N enterprise-survey answers (ZOUFANG_BENCH_RATINGS, default 20,000) from 80 cadres of 40 departments
is written with bulk inserts and its tallies built (`tallies.rebuild`); then the overview's figures are timed as the
page reads them (the campaign's figures, the first page of 20 departments worst first with the page count, the first
30 comments) against the full recount (`figures.recount`: every answer read and counted, what each request did
before). It prints the best of three and their ratio beside the goals (overview ≤ 100 ms, ≥ 20 × faster), on SQLite
in a temporary directory and again on PostgreSQL when DATABASE_URL is set; each run is one transaction rolled back.
"""

import datetime as dt
import os
import sys
import uuid
from typing import Any

from django.utils.translation import gettext as _

from zoufang.bench import best_of, each_backend, make_town

TIME_GOAL = 0.100
RATIO_GOAL = 20
UNITS, CADRES_PER_UNIT, ENTERPRISES = 40, 2, 400
PICKS = ["good", "good", "fairly_good", "good", "average", "fairly_good", "good", "poor"]


def populate(answers: int) -> Any:
    """A campaign rating its departments, with `answers` answers written in bulk and its tallies built."""
    from zoufang.forms.models import Form, FormAnswer
    from zoufang.forms.services import load_shipped_forms
    from zoufang.ratings import tallies
    from zoufang.registry.models import Cadre, Target, Unit
    from zoufang.visits.models import Visit

    campaign = make_town("评价基准镇")
    campaign.config = {"questionnaires": [{"key": "enterprise_survey", "name": "企业走访调查表",
                                           "target_kinds": ["enterprise"], "ratings": ["服务意识", "服务效率", "廉洁履职"]}]}
    campaign.save()
    load_shipped_forms()
    version = Form.objects.get(key="enterprise_survey").current_version()
    assert version is not None  # noqa: S101 - shipped
    units = [Unit.objects.create(name=f"基准部门{u:02d}", kind=Unit.Kind.TOWN_DEPARTMENT) for u in range(UNITS)]  # untranslated: bench data (generated registry rows)
    cadres = [Cadre.objects.create(name=f"基准干部{c}", unit=units[c % UNITS], role=Cadre.Role.PARTY_MEMBER,  # untranslated: bench data (generated registry rows)
                                   phone=f"139{c:08d}") for c in range(UNITS * CADRES_PER_UNIT)]
    targets = Target.objects.bulk_create([Target(kind=Target.Kind.ENTERPRISE, region=campaign.scope, name=f"基准企业{t}",  # untranslated: bench data (generated registry rows)
                                                 address=f"工业路{t}号") for t in range(ENTERPRISES)])  # untranslated: bench data (generated registry rows)
    start = dt.datetime(2017, 3, 1, 2, tzinfo=dt.UTC)
    visits = Visit.objects.bulk_create([Visit(
        campaign=campaign, target=targets[i % ENTERPRISES], cadre=cadres[(i * 7) % len(cadres)],
        client_uuid=uuid.uuid4(), content_hash="bench", mode=Visit.Mode.HOME,
        visited_at=start + dt.timedelta(hours=7 * i % (24 * 300))) for i in range(answers)], batch_size=2000)
    FormAnswer.objects.bulk_create([FormAnswer(visit=visit, form=version.form, form_version=version, data={
        "service_awareness": PICKS[i % 8], "service_efficiency": PICKS[(i * 3) % 8], "integrity": PICKS[(i * 5) % 8],
        **({"rating_reason": f"第{i}条意见"} if i % 4 == 0 else {})}) for i, visit in enumerate(visits)],  # untranslated: bench data (generated registry rows)
        batch_size=2000)
    tallies.rebuild(campaign.pk)
    return campaign


def run_backend(answers: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoufang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from zoufang.core import paging
    from zoufang.ratings import figures, tallies

    print(_("企业评价总览基准（%(vendor)s，%(answers)s 份调查表）") % {"vendor": connection.vendor, "answers": f'{answers:,}'})
    with transaction.atomic():
        campaign = populate(answers)

        def kept() -> None:
            figures.campaign_ratings(campaign, None, offset=0, size=20)
            figures.unit_count(campaign)
            figures.comment_rows(paging.keyset_page(figures.comments(campaign), None, 30).rows)
            paging.bounded_count(figures.comments(campaign))

        def recount() -> None:
            figures.recount(campaign.pk)

        fast, slow = best_of(kept), best_of(recount, 1 if answers > 50_000 else 3)
        ratio = slow / fast
        print(_("  总览（计数表：全活动、第一页 20 个部门、30 条意见） %(fast_ms)8.1f 毫秒"
                "（目标 ≤ %(goal_ms).0f 毫秒，%(reached)s）") % {
            "fast_ms": 1000 * fast, "goal_ms": 1000 * TIME_GOAL, "reached": _("达到") if fast <= TIME_GOAL else _("未达到"),
        })
        print(_("  全量重新统计（读每一份答案）                      %(slow_ms)8.1f 毫秒") % {"slow_ms": 1000 * slow})
        print(_("  比重新统计快 %(ratio).0f 倍（目标 ≥ %(ratio_goal)s 倍，%(reached)s）") % {
            "ratio": ratio, "ratio_goal": RATIO_GOAL, "reached": _("达到") if ratio >= RATIO_GOAL else _("未达到"),
        })
        if not tallies.verify(campaign.pk).ok:
            raise SystemExit(_("计数与重新统计不一致"))
        transaction.set_rollback(True)


def main() -> None:
    """SQLite in a temporary directory, then PostgreSQL when DATABASE_URL is set: one process each."""
    answers = int(os.environ.get("ZOUFANG_BENCH_RATINGS") or 20_000)
    if len(sys.argv) > 1 and sys.argv[1] == "--backend":
        run_backend(answers)
        return
    each_backend("zoufang.ratings.bench")

if __name__ == "__main__":
    main()
