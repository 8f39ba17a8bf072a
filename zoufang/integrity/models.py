"""The office's decision on a flag it has looked into: cleared (排除) or upheld (查实), with its reason. Flags
themselves are computed, not stored; an upheld flag is a finding the assessment counts, so the decision keeps
the flag's visits and the day its first visit was claimed (later data does not move it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
