"""A flag the office has looked into and cleared, with its reason. Flags themselves are computed, not stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import TimeStampedModel


class FlagClearance(TimeStampedModel):
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.CASCADE,
                                 related_name="flag_clearances")
    # The flag's stable key (zoufang.integrity.flags.Flag.key): its kind and the visit or cadre it is about.
    key = models.CharField(_("提示编号"), max_length=80)
    kind = models.CharField(_("提示类型"), max_length=20)
    cadre = models.ForeignKey("registry.Cadre", verbose_name=_("走访人"), on_delete=models.CASCADE,
                              related_name="flag_clearances")
    reason = models.TextField(_("排除理由"))
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("真实性提示核实")
        verbose_name_plural = _("真实性提示核实")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="flag_clearance_once")]

    def __str__(self) -> str:
        return self.key
