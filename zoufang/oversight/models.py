"""Kept counts behind the coverage figures (docs/decisions/0005-kept-coverage-counts.md).

Derived data: `oversight.counters` keeps them in the transaction of every visit and assignment written through
the ORM, run_plan rebuilds a campaign's after it writes its plan, and `zoufang oversight verify` proves them
equal to a full recount (`--repair` rewrites them from one).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CoverageTally(models.Model):
    """Assigned and visited targets of one kind at one node of a campaign.

    The node is a combination of three plain ids, 0 meaning "not split by": (0, 0, 0) the whole campaign;
    (region, 0, 0) a region and everything under it; (0, unit, 0) a unit; (0, unit, cadre) a cadre's
    assignments in that unit; (region, unit, 0) a unit inside a region. Plain integers (not foreign keys) so
    the key is one unique index with no NULLs on SQLite and PostgreSQL alike.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("对象类型"), max_length=30)
    region = models.IntegerField(_("区划"), default=0)
    unit = models.IntegerField(_("单位"), default=0)
    cadre = models.IntegerField(_("干部"), default=0)
    assigned = models.IntegerField(_("已分配"), default=0)
    visited = models.IntegerField(_("已走访"), default=0)

    class Meta:
        verbose_name = _("覆盖计数")
        verbose_name_plural = _("覆盖计数")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region", "unit", "cadre", "kind"], name="tally_node"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.region}/{self.unit}/{self.cadre}/{self.kind}"


class VisitedTarget(models.Model):
    """A target with at least one visit in a campaign: how many, and the first one's time.

    Its row is the lock that makes "visited once, whoever visited it" race-free: the first visit inserts it
    and counts the target; a repeat only raises `visits`; the last visit removed deletes it and uncounts.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("registry.Target", on_delete=models.CASCADE, related_name="+")
    visits = models.IntegerField(_("走访次数"), default=0)
    first_at = models.DateTimeField(_("首次走访时间"))

    class Meta:
        verbose_name = _("已走访对象")
        verbose_name_plural = _("已走访对象")
        constraints = [models.UniqueConstraint(fields=["campaign", "target"], name="visited_target_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.target_id}"


class WeeklyTally(models.Model):
    """Assigned targets of one kind first visited in one (Beijing) week of a campaign: the weekly curve."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("对象类型"), max_length=30)
    week = models.DateField(_("周一"))
    first_visits = models.IntegerField(_("首次走访对象数"), default=0)

    class Meta:
        verbose_name = _("每周首次走访计数")
        verbose_name_plural = _("每周首次走访计数")
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "week"], name="weekly_tally_week")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.kind}/{self.week}"
