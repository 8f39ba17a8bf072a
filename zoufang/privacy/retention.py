"""保存期限 (个人信息保护法 第十九条): residents' personal data kept no longer than the campaigns that need it.

A person's target (a household or a notable person) is needed while a campaign whose area holds it is running, has
yet to start, or ended less than `ZOUFANG_PERSONAL_DATA_YEARS` years ago (default 3). Past that, `zoufang
personal-data expire` erases it as a request would (erasure.erase): the records stay, who they were about goes. A
dry run (the default) counts what would go; `--apply` erases; the worker runs it with its periodic work only when
`ZOUFANG_PERSONAL_DATA_EXPIRE` is on, once the office has read a dry run. A target with a case not yet closed is kept
and named. Targets outside every campaign's area are the registry's to keep (no campaign ever used them).
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.privacy.erasure import ERASED_NAME, PERSON_KINDS, Reason, erase, refusals
from zoufang.privacy.holdings import around
from zoufang.registry.models import Target

BATCH = 200  # targets erased in one transaction: a town's thousands in short ones, each all or nothing


@dataclass
class Expiry:
    applied: bool
    years: int
    expired: int = 0  # targets past the period (erased when applied)
    changed: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # why a target past the period was kept

    def summary(self) -> str:
        head = (_("保存期限（活动结束后 %(years)s 年）：已删除 %(n)s 个走访对象的个人信息") if self.applied
                else _("保存期限（活动结束后 %(years)s 年）：试运行，将删除 %(n)s 个走访对象的个人信息（加 --apply 执行）"))
        lines = [head % {"years": self.years, "n": self.expired}]
        lines += [_("  %(kind)s：改动 %(n)s 条") % {"kind": kind, "n": n} for kind, n in self.changed.items()]
        if self.kept:
            lines.append(_("  暂不删除 %(n)s 个（有未结案的问题）：") % {"n": len(self.kept)})
            lines += [f"    {reason}" for reason in self.kept]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "expired": self.expired, "changed": self.changed, "kept": len(self.kept)}


def _under(paths: list[str]) -> Q:
    return reduce(or_, (Q(region__path__startswith=p) for p in paths), Q(pk__in=[]))


def expired_targets(today: dt.date, years: int) -> QuerySet[Target]:
    """Persons' targets some campaign's area holds and none still needs, their data not yet erased."""
    campaigns = list(Campaign.objects.select_related("scope"))
    needed = [c.scope.path for c in campaigns if _add_years(c.ends_on, years) >= today]
    return (Target.objects.filter(_under([c.scope.path for c in campaigns]), kind__in=PERSON_KINDS)
            .exclude(_under(needed)).exclude(name=ERASED_NAME).select_related("region").order_by("pk"))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def expire(*, apply: bool = False, today: dt.date | None = None, years: int | None = None) -> Expiry:
    today = today or clock.today()
    years = settings.ZOUFANG_PERSONAL_DATA_YEARS if years is None else years
    report = Expiry(applied=apply, years=years)
    why = _("超出保存期限自动删除个人信息（%(reason)s：活动结束后 %(years)s 年）") % {
        "reason": Reason.EXPIRED.label, "years": years}
    pks = list(expired_targets(today, years).values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            batch = list(Target.objects.filter(pk__in=pks[start:start + BATCH]).exclude(name=ERASED_NAME)
                         .select_for_update(of=("self",)).select_related("region").order_by("pk"))
            for target in batch:
                holdings = around([target], lock=True)
                refused = refusals(holdings, today)
                if refused:
                    report.kept += refused
                    continue
                report.expired += 1
                if apply:
                    for kind, n in erase(holdings, by=None, why=why).items():
                        report.changed[kind] = report.changed.get(kind, 0) + n
    return report
