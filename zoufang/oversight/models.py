"""Kept counts behind the coverage figures (docs/decisions/0005-kept-coverage-counts.md).

Derived data: `oversight.counters` keeps them in the transaction of every visit and assignment written through
the ORM, run_plan rebuilds a campaign's after it writes its plan, and `zoufang oversight verify` proves them
equal to a full recount (`--repair` rewrites them from one).
"""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class CoverageTally(models.Model):
    """Assigned and visited targets of one kind at one node of a campaign.

    The node is a combination of three plain ids, 0 meaning "not split by": (0, 0, 0) the whole campaign;
    (region, 0, 0) a region and everything under it; (0, unit, 0) a unit; (0, unit, cadre) a cadre's
    assignments in that unit; (0, 0, -1) the campaign's assignments given to no cadre (the by-cadre table's
    未落实到人 row); (region, unit, 0) a unit inside a region. Plain integers (not foreign keys) so
    the key is one unique index with no NULLs on SQLite and PostgreSQL alike.
    """

    # No index of its own: the node key and the cadre index lead with the campaign.
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
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
        # The node key puts the region and the unit before the cadre: a cadre's own rows (我的进度, without knowing
        # the units they hold assignments in) and the units' rows (region 0, cadre 0: the behind-pace units) were
        # found among every unit and cadre row of the campaign (oversight migration 0007). Only ids: a count's
        # change stays a HOT update.
        indexes = [models.Index(fields=["campaign", "cadre", "region", "unit"], name="tally_cadre")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.region}/{self.unit}/{self.cadre}/{self.kind}"


class GivenLaterTally(models.Model):
    """Targets of one kind given at one node of a campaign on one day after its plan day (decision 0042): the part
    of `CoverageTally.assigned` that counts its pace from its own day (`pace.pace_due`'s `later`).

    The node is `CoverageTally`'s (the same three plain ids). Only work given after `Campaign.plan_given_on` (any
    dated work while the campaign has none) has rows: a campaign planned once has none. Assigned counts change only
    when work is given, moved or taken back (`oversight.counters`, in the same transaction), never on a visit; the
    behind-pace lists sum them per node in SQL beside the kept counts (`figures._late_nodes`)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("对象类型"), max_length=30)
    region = models.IntegerField(_("区划"), default=0)
    unit = models.IntegerField(_("单位"), default=0)
    cadre = models.IntegerField(_("干部"), default=0)
    given_on = models.DateField(_("下达日期"))
    assigned = models.IntegerField(_("已分配"), default=0)

    class Meta:
        verbose_name = _("追加分配计数")
        verbose_name_plural = _("追加分配计数")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region", "unit", "cadre", "kind", "given_on"],
                                    name="later_tally_node"),
        ]
        # A unit's cadres and the whole campaign's cadres (region 0) are read as CoverageTally's are (`tally_cadre`).
        indexes = [models.Index(fields=["campaign", "cadre", "region", "unit"], name="later_tally_cadre")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.region}/{self.unit}/{self.cadre}/{self.kind}/{self.given_on}"


class CadreTally(models.Model):
    """A cadre's assigned targets of every kind in one unit of a campaign (the cadre's `CoverageTally` rows added up
    over the kinds). Its row is the lock that tells exactly when a cadre starts or stops holding assignments, which
    `UnitCadres` counts (decision 0011)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.IntegerField(_("单位"))
    cadre = models.IntegerField(_("干部"))
    assigned = models.IntegerField(_("已分配"), default=0)

    class Meta:
        verbose_name = _("干部分配计数")
        verbose_name_plural = _("干部分配计数")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "cadre"], name="cadre_tally_node")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit}/{self.cadre}"


class CadreCoverage(models.Model):
    """A cadre's assigned and visited targets of each kind over every unit they hold assignments in: one row a
    cadre, a column pair a target kind (`kind_columns`). The whole campaign's cadres behind pace are read from
    these rows, one a cadre, instead of grouping the cadres' `CoverageTally` rows, one a cadre, unit and kind:
    the pace's kinds are the campaign's to choose, so the row keeps every kind apart (decision 0018)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    cadre = models.IntegerField(_("干部"))
    # One pair a kind of `registry.Target.Kind`; a kind added there needs its pair here (a test checks).
    registered_household_assigned = models.IntegerField(_("户籍户·已分配"), default=0)
    registered_household_visited = models.IntegerField(_("户籍户·已走访"), default=0)
    resident_household_assigned = models.IntegerField(_("非户籍常住户·已分配"), default=0)
    resident_household_visited = models.IntegerField(_("非户籍常住户·已走访"), default=0)
    enterprise_assigned = models.IntegerField(_("企业·已分配"), default=0)
    enterprise_visited = models.IntegerField(_("企业·已走访"), default=0)
    project_assigned = models.IntegerField(_("项目·已分配"), default=0)
    project_visited = models.IntegerField(_("项目·已走访"), default=0)
    notable_person_assigned = models.IntegerField(_("名士·已分配"), default=0)
    notable_person_visited = models.IntegerField(_("名士·已走访"), default=0)
    cadre_assigned = models.IntegerField(_("干部·已分配"), default=0)
    cadre_visited = models.IntegerField(_("干部·已走访"), default=0)

    class Meta:
        verbose_name = _("干部覆盖计数")
        verbose_name_plural = _("干部覆盖计数")
        constraints = [models.UniqueConstraint(fields=["campaign", "cadre"], name="cadre_coverage_node")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.cadre}"


def kind_columns(kind: str) -> tuple[str, str]:
    """The `CadreCoverage` columns of a target kind: (assigned, visited)."""
    return f"{kind}_assigned", f"{kind}_visited"


class UnitCadres(models.Model):
    """How many of a unit's cadres hold assignments in a campaign: the rows the unit has in coverage by cadre. Summed
    over the units in the table's order, it finds which units a page of the by-cadre table falls in without reading
    every cadre's tally (decision 0011)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.IntegerField(_("单位"))
    cadres = models.IntegerField(_("干部数"), default=0)

    class Meta:
        verbose_name = _("单位干部数")
        verbose_name_plural = _("单位干部数")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="unit_cadres_node")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit}"


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


# ---------------------------------------------------------------------------------------------- case results
# Decision 0005, addendum (case results): oversight.case_counters keeps these in the transaction of every case
# change; `zoufang oversight verify` proves them equal to a recount of the cases.


# The day of a node's CaseTally row that holds the results not depending on the day read: before every deadline day,
# so "the rows of days before today" takes it too.
TIMELESS_DAY = dt.date(1, 1, 1)


class CaseTally(models.Model):
    """The case results of one node, in rows by handling-deadline day.

    `unit` is 0 for the whole campaign or a unit's id (its unit page); `grouping` is one of total, unit, village,
    category, week, month, status and `key` the node within it as text ("" for none: no unit, no village …; a
    date for week and month; the status code).

    The node's row of `day` TIMELESS_DAY holds the results that do not depend on the day read (`total` …
    `escalated`; its `pending` and `overdue` are 0). Its row of any other day holds the cases whose handling
    deadline is that day: those dispatched and not yet answered (`pending`: 按时办结率's denominator once the day has
    passed) and those being handled with the clock running (`overdue` once the day has passed); its other counts
    are 0. A figure on `today` sums the node's rows of the days before it — TIMELESS_DAY among them — in one range
    of the node key: bounded by days, not by cases. A node whose `total` is 0 holds no case."""

    # No index of its own: the node key leads with the campaign (migration 0005).
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.IntegerField(_("单位"), default=0)
    grouping = models.CharField(_("分组"), max_length=10)
    key = models.CharField(_("分组值"), max_length=40, blank=True, default="")
    day = models.DateField(_("办理期限"), default=TIMELESS_DAY)
    total = models.IntegerField(default=0)
    registered = models.IntegerField(default=0)
    registered_on_time = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    pending = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("问题办理计数")
        verbose_name_plural = _("问题办理计数")
        # On PostgreSQL the constraint's index also carries every count (UNIQUE … INCLUDE, migrations 0005 and 0006):
        # a unit's figures are read by an index-only scan of one range. A new count column must be added to that
        # INCLUDE too.
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "grouping", "key", "day"], name="case_tally_node"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit}/{self.grouping}/{self.key}/{self.day}"


class CaseCounted(models.Model):
    """What one case contributes to the tallies now: its nodes and measures (a bit each, `case_counters.MEASURES`).
    A change subtracts this and adds the new contribution. `case` is a plain id: the row must outlive a deleted
    case long enough to be uncounted."""

    case = models.BigIntegerField(_("问题"), primary_key=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.IntegerField(default=0)
    village = models.IntegerField(default=0)
    category = models.IntegerField(default=0)
    week = models.DateField()
    month = models.DateField()
    status = models.CharField(max_length=20)
    due = models.DateField(null=True, blank=True)
    flags = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("已计入的问题")
        verbose_name_plural = _("已计入的问题")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.case}"
