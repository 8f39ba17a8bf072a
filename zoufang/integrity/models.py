"""The office's decision on a flag it has looked into: cleared (排除) or upheld (查实), with its reason. Flags
are computed by a job and stored as a scan (FlagScan, its cadres and flags) for the pages to read; an upheld flag is a finding the assessment counts, so the decision keeps
the flag's visits and the day its first visit was claimed (later data does not move it)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang import clock
from zoufang.core.models import TimeStampedModel


class FlagClearance(TimeStampedModel):
    class Outcome(models.TextChoices):
        CLEARED = "cleared", _("核实排除")
        UPHELD = "upheld", _("核实查实")

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE,
                                 related_name="flag_clearances")
    # The flag's stable key (zoufang.integrity.flags.Flag.key): its kind and the visit or cadre it is about.
    key = models.CharField(_("提示编号"), max_length=80)
    kind = models.CharField(_("提示类型"), max_length=20)
    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("走访人"), on_delete=models.CASCADE,
                              related_name="flag_clearances")
    outcome = models.CharField(_("核实结论"), max_length=10, choices=Outcome.choices, default=Outcome.CLEARED)
    reason = models.TextField(_("核实理由"))
    # The flag's visits and the (local) day its first visit was claimed, as decided: what an upheld finding
    # counts against, by period, cadre, unit and village.
    visit_ids = models.JSONField(_("涉及走访"), default=list, blank=True)
    visited_on = models.DateField(_("走访日期"), null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("真实性提示核实")
        verbose_name_plural = _("真实性提示核实")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="flag_clearance_once")]
        # The findings' list order (latest decision first), walked a page at a time (docs/lists.md).
        indexes = [models.Index(fields=["campaign", "-modified_at", "-id"], name="flag_clearance_recent")]

    def __str__(self) -> str:
        return self.key

    @property
    def upheld(self) -> bool:
        return self.outcome == self.Outcome.UPHELD


class FlagScan(models.Model):
    """The flags of a campaign's visits over a period (either end may be open), computed by the integrity_scan job
    (docs/integrity.md) and read a page at a time by the flags page and API. The office's decisions update the
    stored flags in their own transaction; the worker's periodic work recomputes running campaigns daily."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE,
                                 related_name="flag_scans")
    starts_on = models.DateField(_("走访日期从"), null=True, blank=True)
    ends_on = models.DateField(_("走访日期到"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    request_key = models.UUIDField(null=True, blank=True, unique=True)  # the form's or job's: computed once
    # What the page's head shows, kept up to date by the decisions: cadres listed without / with the cleared
    # ones, open flags per kind, upheld flags.
    listed = models.PositiveIntegerField(default=0)
    cadres = models.PositiveIntegerField(default=0)
    open_counts = models.JSONField(default=dict)
    upheld = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("真实性提示计算")
        verbose_name_plural = _("真实性提示计算")
        indexes = [models.Index(fields=["campaign", "starts_on", "ends_on", "-computed_at"], name="flag_scan_newest")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.starts_on}–{self.ends_on} {clock.minute(self.computed_at)}"


class ScannedCadre(models.Model):
    """One cadre's flags in a scan, with what the list orders by (worst first: open flags' weight, then how many)."""

    scan = models.ForeignKey(FlagScan, on_delete=models.CASCADE, related_name="rows")
    cadre = models.ForeignKey("registry.Cadre", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    score = models.IntegerField(default=0)
    open_count = models.PositiveIntegerField(default=0)
    upheld_count = models.PositiveIntegerField(default=0)
    listed = models.BooleanField(default=True)  # an open or upheld flag: shown without 也列出已排除的

    ORDER = ["-score", "-open_count", "name", "id"]  # flags.listed_order, the id in its public id's stead
    shown: list["ScannedFlag"]  # the page's flags of this cadre (scans.page_flags)

    class Meta:
        indexes = [models.Index(fields=["scan", "listed", "-score", "-open_count", "name", "id"],
                                name="scanned_cadre_listed"),
                   models.Index(fields=["scan", "-score", "-open_count", "name", "id"], name="scanned_cadre_all")]

    def __str__(self) -> str:
        return self.name


class ScannedFlag(models.Model):
    """One flag as the scan found it; `outcome` follows the office's decision on its key."""

    scan = models.ForeignKey(FlagScan, on_delete=models.CASCADE, related_name="+")
    row = models.ForeignKey(ScannedCadre, on_delete=models.CASCADE, related_name="flags")
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=20)
    weight = models.PositiveSmallIntegerField()
    evidence = models.TextField()
    visit_ids = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, blank=True)  # "" open, or FlagClearance.Outcome
    decision = models.ForeignKey(FlagClearance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scan", "key"], name="scanned_flag_once")]
        indexes = [models.Index(fields=["key"], name="scanned_flag_key")]

    # What the page shows of a flag, as of a computed one (flags.Flag): its label, its decision, its visits.
    visits: list[Any]
    more: int = 0

    def __str__(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        from zoufang.integrity.flags import KINDS

        return str(KINDS.get(self.kind, self.kind))

    @property
    def clearance(self) -> FlagClearance | None:
        return self.decision if self.outcome else None

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def is_upheld(self) -> bool:
        return self.outcome == FlagClearance.Outcome.UPHELD
