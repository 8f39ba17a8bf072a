"""A visit record: who visited whom, when and how. Submissions are idempotent by client UUID."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoufang.core.models import TimeStampedModel


class Visit(TimeStampedModel):
    class Mode(models.TextChoices):
        HOME = "home", _("入户走访")
        FORUM = "forum", _("座谈会")
        PHONE = "phone", _("电话")
        LETTER = "letter", _("函访")
        ONLINE = "online", _("网络")
        GROUP = "group", _("集中走访")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("走访活动"), on_delete=models.PROTECT, related_name="visits"
    )
    target = models.ForeignKey(
        "registry.Target", verbose_name=_("走访对象"), on_delete=models.PROTECT, related_name="visits"
    )
    cadre = models.ForeignKey(
        "registry.Cadre", verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    # Generated on the phone before the first attempt to send: a retried submission carries it again.
    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    content_hash = models.CharField(_("内容摘要"), max_length=64, editable=False)
    visited_at = models.DateTimeField(_("走访时间"))
    mode = models.CharField(_("走访方式"), max_length=10, choices=Mode.choices)
    summary = models.TextField(_("走访情况"), blank=True, default="")

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["campaign", "cadre"], name="visit_campaign_cadre")]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.target} {self.visited_at:%Y-%m-%d}"
