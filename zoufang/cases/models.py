"""A case: a problem or suggestion raised on a visit (or to the hotline), tracked until closed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import TimeStampedModel


class Case(TimeStampedModel):
    class Kind(models.TextChoices):
        PROBLEM = "problem", _("问题")
        SUGGESTION = "suggestion", _("意见建议")

    class Status(models.TextChoices):
        # An opinion collected on a visit, waiting for the office to register it.
        DRAFT = "draft", _("待登记")
        REGISTERED = "registered", _("已登记")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        "campaigns.CaseCategory", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    description = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    source_visit = models.ForeignKey(
        "visits.Visit", verbose_name=_("来源走访"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    target = models.ForeignKey(
        "registry.Target", verbose_name=_("反映人（走访对象）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    raised_at = models.DateTimeField(_("收集时间"))
    registration_due = models.DateField(_("登记期限"), null=True, blank=True)
    settled_on_spot = models.BooleanField(_("当场解决"), default=False)

    class Meta:
        verbose_name = _("问题与意见建议")
        verbose_name_plural = _("问题与意见建议")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["campaign", "status"], name="case_campaign_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.description[:30]}"
