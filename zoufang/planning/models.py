"""Quotas (fixed by upper levels' tables) and assignments of named targets to visitors."""

import datetime as dt
from collections.abc import Set as AbstractSet
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import TimeStampedModel
from zoufang.registry.models import Target


class FixedQuota(TimeStampedModel):
    """One row of an allocation table (附件1 … 附件4-2) the town has decided: a count the planner must keep."""

    class Table(models.TextChoices):
        UPPER_LEVEL = "upper_level", _("上级单位分配表")
        LEADER_HOUSEHOLDS = "leader_households", _("镇党政班子领导分配表（居民户）")
        LEADER_ENTERPRISES = "leader_enterprises", _("镇党政班子领导分配表（企业）")
        UNIT_HOUSEHOLDS = "unit_households", _("镇各部门分配表（居民户）")
        UNIT_ENTERPRISES = "unit_enterprises", _("镇各部门分配表（企业）")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE, related_name="fixed_quotas"
    )
    table = models.CharField(_("分配表类型"), max_length=24, choices=Table.choices)
    # A table named by its official title keeps it whole, as table_title does (decision 0064).
    source = models.CharField(_("来源表"), max_length=200, help_text=_("如“附件1”"))
    row_number = models.PositiveIntegerField(_("行号"))
    part = models.PositiveSmallIntegerField(
        _("联合走访中的单位次序"), default=0,
        help_text=_("0：本行只有一个单位；1、2……：联合走访行按单位拆开后的第几个单位，各自一份"),
    )
    serial = models.CharField(_("序号"), max_length=10, blank=True, default="")
    label = models.CharField(_("走访单位（原文）"), max_length=200)
    units = models.ManyToManyField("registry.Unit", verbose_name=_("走访单位"), related_name="fixed_quotas", blank=True)
    cadre = models.ForeignKey(
        "registry.Cadre", verbose_name=_("走访领导"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="fixed_quotas",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("村（社区）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="fixed_quotas",
    )
    target_kind = models.CharField(_("对象类型"), max_length=24, choices=Target.Kind.choices)
    count = models.PositiveIntegerField(_("走访数"), help_text=_("联合走访行拆开后为本单位的一份"))
    stated_region_total = models.PositiveIntegerField(_("户籍总户数（表中）"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    table_title = models.CharField(_("表标题（原文）"), max_length=200, blank=True, default="",
                                   help_text=_("导出时沿用，如“昆山市级机关部门“六个一”走访调研居民户、企业分配表”"))

    class Meta:
        verbose_name = _("固定分配")
        verbose_name_plural = _("固定分配")
        ordering = ["campaign", "source", "row_number", "part"]
        constraints = [
            # A row split by kind (户籍户, 外来常住户 under 走访户数) holds one quota per kind.
            models.UniqueConstraint(fields=["campaign", "source", "row_number", "part", "target_kind"],
                                    name="fixed_quota_unique_row_part_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.label} {self.count}"


# The columns the kept coverage counts (oversight.counters) are made of; all but the day, the plan's proof too.
COUNTED = frozenset({"campaign", "campaign_id", "target", "target_id", "unit", "unit_id", "cadre", "cadre_id",
                     "given_on"})


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    """Every bulk write keeps the kept coverage counts through `counters.count_assignments` (decision 0042's
    addendum): the rows are uncounted before and counted after, in the write's transaction, as `oversight verify`
    holds them; the proof of the plan goes stale and the campaign's latest day given follows, as a save does."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Uncounts the rows from the kept coverage counts in one pass (oversight/counters.py), not a handful of
        queries per row as the post_delete receiver would: deleting a town's plan takes seconds, not minutes."""
        from zoufang.oversight import counters
        from zoufang.planning import proof

        with transaction.atomic(using=self.db):
            counters.count_assignments(self, -1)
            proof.mark_stale(self.values("campaign_id"))  # in one statement too, as the receivers are paused
            with counters.paused():
                return super().delete()

    def update(self, **kwargs: Any) -> int:
        from zoufang.oversight import counters

        if not COUNTED & set(kwargs) or counters.is_paused():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            return _rewritten(self, ids, set(kwargs), lambda: super(AssignmentQuerySet, self).update(**kwargs))

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        from zoufang.oversight import counters

        objs, fields = list(objs), list(fields)
        if not COUNTED & set(fields) or counters.is_paused():
            return super().bulk_update(objs, fields, *args, **kwargs)
        return _rewritten(self, [obj.pk for obj in objs], set(fields),
                          lambda: super(AssignmentQuerySet, self).bulk_update(objs, fields, *args, **kwargs))

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["Assignment"]:
        from zoufang.oversight import counters

        if counters.is_paused():
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db):
            with counters.paused():
                made = super().bulk_create(objs, *args, **kwargs)
            ids = [obj.pk for obj in made if obj.pk is not None]
            if len(ids) == len(made):
                _counted(self, ids, COUNTED, +1)
                return made
            # Rows skipped or merged on conflict: which were written is not known, their campaigns are recounted.
            from zoufang.campaigns.models import Campaign
            from zoufang.planning import proof

            for campaign_id in sorted({obj.campaign_id for obj in made}):
                counters.rebuild_tallies(campaign_id)
                days = [obj.given_on for obj in made if obj.campaign_id == campaign_id and obj.given_on is not None]
                mark_given_later(campaign_id, max(days, default=None))
            proof.mark_stale(Campaign.objects.filter(pk__in={obj.campaign_id for obj in made}).values("pk"))
        return made


def _rewritten(rows: AssignmentQuerySet, ids: list[Any], fields: AbstractSet[str], write: Any) -> Any:
    """`write()` of the assignments `ids` between their uncounting and their counting again (their nodes may change)."""
    from zoufang.oversight import counters

    with transaction.atomic(using=rows.db):
        _counted(rows, ids, fields, -1)
        with counters.paused():
            written = write()
        _counted(rows, ids, fields, +1)
    return written


def _counted(rows: AssignmentQuerySet, ids: list[Any], fields: AbstractSet[str], sign: int) -> None:
    from zoufang.oversight import counters
    from zoufang.planning import proof

    if not ids:
        return
    chosen = Assignment.objects.using(rows.db).filter(pk__in=ids)
    counters.count_assignments(chosen, sign)
    if fields - {"given_on"}:
        proof.mark_stale(chosen.values("campaign_id"))
    if sign > 0:
        for campaign_id, day in chosen.values_list("campaign_id").annotate(day=models.Max("given_on")).order_by():
            mark_given_later(campaign_id, day)


class Assignment(TimeStampedModel):
    """A named target given to one visitor in a campaign: at most one per target, by constraint."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE, related_name="assignments"
    )
    target = models.ForeignKey(Target, verbose_name=_("走访对象"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("走访单位"), on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey(
        "registry.Cadre", verbose_name=_("走访人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assignments", help_text=_("上级单位只给数量时留空，由该单位自行落实到人"),
    )
    pinned = models.BooleanField(_("人工锁定"), default=False)
    # The day the target was given to its holder: the planner (its first plan and every later move), a hand
    # reassignment and the admin set it. The pace counts the work from this day when it is later than the
    # campaign's plan day (oversight/pace.py, decision 0042); empty counts it with the plan.
    given_on = models.DateField(
        _("下达日期"), null=True, blank=True,
        help_text=_("分配给当前走访人的日期；晚于分配下达日期的，进度自此日起计算"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访分配")
        verbose_name_plural = _("走访分配")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "target"], name="assignment_one_visitor_per_target"),
        ]
        indexes = [models.Index(fields=["campaign", "cadre"], name="assignment_campaign_cadre"),
                   # the work given after the plan day (read for the pace), a range of this index
                   models.Index(fields=["campaign", "given_on"], name="assignment_campaign_given")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():  # oversight.counters moves the kept coverage counts in the same transaction
            super().save(*args, **kwargs)
            fields = kwargs.get("update_fields")
            if fields is None or "given_on" in fields:
                mark_given_later(self.campaign_id, self.given_on)

    def __str__(self) -> str:
        return f"{self.target} → {self.cadre or self.unit}"


def mark_given_later(campaign_id: int, day: dt.date | None) -> None:
    """Work given on `day` in the campaign: when that is after its plan day, `Campaign.given_later_on` follows, so the
    pace figures read that work's own day (decision 0042). One UPDATE whose condition is checked again under the row's
    lock: concurrent givers keep the latest day, and work given with the plan writes nothing."""
    if day is None:
        return
    from zoufang.campaigns.models import Campaign

    Campaign.objects.filter(Q(plan_given_on__isnull=True) | Q(plan_given_on__lt=day), pk=campaign_id) \
        .filter(Q(given_later_on__isnull=True) | Q(given_later_on__lt=day)).update(given_later_on=day)


class Quota(models.Model):
    """The plan's count for one visitor (a cadre, or a unit that sends only counts) in one village and kind.

    Written as a whole by each planner run; `plan check` holds the assignments against it.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE, related_name="quotas"
    )
    unit = models.ForeignKey("registry.Unit", verbose_name=_("走访单位"), on_delete=models.CASCADE, related_name="+")
    cadre = models.ForeignKey(
        "registry.Cadre", verbose_name=_("走访人"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("村（社区）"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    target_kind = models.CharField(_("对象类型"), max_length=24, choices=Target.Kind.choices)
    count = models.PositiveIntegerField(_("数量"))
    source = models.CharField(_("依据"), max_length=200, blank=True, default="",  # a FixedQuota's source, whole
                              help_text=_("如“附件3-1”或“计算”"))

    class Meta:
        verbose_name = _("分配数")
        verbose_name_plural = _("分配数")
        indexes = [models.Index(fields=["campaign", "unit"], name="quota_campaign_unit")]

    def __str__(self) -> str:
        return f"{self.cadre or self.unit} {self.region or ''} {self.target_kind} {self.count}"


class PlanProof(models.Model):
    """The campaign's stored plan proof (planning/check.py): a campaign-wide computation, so the plan page and the
    API read it from here rather than compute it on every view. Written by the planner when it applies a plan and
    by the plan_check job (重新计算); the plan's other writers (a hand reassignment, an import of targets) mark it
    stale, and the page says so."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="plan_proof",
                                    verbose_name=_("走访活动"))
    computed_at = models.DateTimeField(_("计算时间"))
    result = models.JSONField(default=dict)  # check_plan's answer, as the API gives it
    proven = models.BooleanField(_("已核验"), default=False)  # 不重不漏: no problem found
    problem_count = models.PositiveIntegerField(default=0)
    stale = models.BooleanField(_("已过时"), default=False)

    class Meta:
        verbose_name = _("分配核验")
        verbose_name_plural = _("分配核验")

    def __str__(self) -> str:
        return f"{self.campaign_id} {clock.minute(self.computed_at)}"


class PlanProblem(models.Model):
    """One sentence of what keeps the stored plan from proving 不重不漏, in check.failures' order; the page and the
    API read them a page at a time along (proof, position)."""

    proof = models.ForeignKey(PlanProof, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proof", "position"], name="plan_problem_position")]

    def __str__(self) -> str:
        return self.text
